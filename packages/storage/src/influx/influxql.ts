/**
 * InfluxQL text from user values, pure. Every value that reaches a query goes through one of these:
 * - identifiers are double-quoted (`\` and `"` escaped; no line breaks, validated by the caller);
 * - string literals are single-quoted (`\`, `'` escaped, LF as `\n`: the InfluxQL scanner's only escapes);
 * - a value holding a CR or a NUL cannot be a string literal at all (the scanner has no escape for CR, and reads
 *   NUL as the end of the query), so it is matched with an anchored regex literal whose every metacharacter is
 *   escaped (and `/` as `\/`, NUL as `\x00`);
 * - times are integer nanoseconds, clamped to the range InfluxDB can store.
 */

import { encodeTagText } from './line-protocol';

export function ident(name: string): string {
  if (/[\n\r]/.test(name)) throw new Error(`identifier ${JSON.stringify(name)}: must not contain a line break`);
  return `"${name.replace(/[\\"]/g, '\\$&')}"`;
}

/** Whether a value cannot be written as an InfluxQL string literal (see the top of this file). */
export function needsRegex(value: string): boolean {
  return value.includes('\r') || value.includes('\u0000');
}

export function stringLiteral(value: string): string {
  if (needsRegex(value)) throw new Error('a string literal cannot hold a CR or NUL; use exactRegex');
  return `'${value.replace(/[\\']/g, '\\$&').replace(/\n/g, '\\n')}'`;
}

/** A regex literal matching exactly `value` (RE2 syntax, as InfluxDB uses Go's regexp). */
export function exactRegex(value: string): string {
  const body = value
    .replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')
    .replace(/\//g, '\\/')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replaceAll('\u0000', '\\x00');
  return `/^${body}$/`;
}

/** `key = 'value'` for a field, or the exact regex when the value cannot be a literal. */
export function fieldEquals(key: string, value: string): string {
  return needsRegex(value) ? `${ident(key)} =~ ${exactRegex(value)}` : `${ident(key)} = ${stringLiteral(value)}`;
}

/** `key = 'value'` for a tag: compares with the tag's stored (encoded) text, which never holds a line break. */
export function tagEquals(key: string, value: string): string {
  const stored = encodeTagText(value);
  return needsRegex(stored) ? `${ident(key)} =~ ${exactRegex(stored)}` : `${ident(key)} = ${stringLiteral(stored)}`;
}

/** Any of several tag values, as an OR group. */
export function tagIn(key: string, values: readonly string[]): string {
  if (values.length === 1) return tagEquals(key, values[0]!);
  return `(${values.map((v) => tagEquals(key, v)).join(' OR ')})`;
}

/** Times are clamped to exact doubles (µs until year 2255, inside InfluxDB's int64 ns range). */
export const MIN_TIME_US = -Number.MAX_SAFE_INTEGER;
export const MAX_TIME_US = Number.MAX_SAFE_INTEGER;

/** A µs time as an InfluxQL nanosecond literal (exact: built as text, never as a double). */
export function timeLiteral(us: number): string {
  const clamped = Math.min(MAX_TIME_US, Math.max(MIN_TIME_US, Math.trunc(us)));
  if (clamped === 0) return '0';
  return `${clamped}000`;
}

/** Time conditions for [start, end), each optional. */
export function timeRange(start?: number, end?: number): string[] {
  const out: string[] = [];
  if (start !== undefined) out.push(`time >= ${timeLiteral(start)}`);
  if (end !== undefined) out.push(`time < ${timeLiteral(end)}`);
  return out;
}
