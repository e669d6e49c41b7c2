import { createHash } from 'node:crypto';
import { ValidationError } from '@homeiq/core';
import { type EventCursor, isoFromMicros, microsFromIso, type Order } from '@homeiq/storage';

/** Home Assistant entity ids: `<domain>.<object_id>`, lowercase letters, digits and underscores. */
export const ENTITY_ID_PATTERN = '^[a-z0-9_]+\\.[a-z0-9_]+$';
export const DOMAIN_PATTERN = '^[a-z0-9_]+$';

export const HOUR_US = 3_600_000_000;
export const DAY_US = 24 * HOUR_US;

/** An ISO 8601 query parameter -> µs; 400 naming the parameter when it is not a time. */
export function parseTime(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const us = microsFromIso(raw.trim());
  if (us === undefined) {
    throw new ValidationError(name, `not an ISO 8601 time: "${raw}" (e.g. 2025-01-10T09:59:00Z)`);
  }
  return us;
}

/** `start` <= `end` (both µs, either optional). */
export function checkRange(start: number | undefined, end: number | undefined): void {
  if (start !== undefined && end !== undefined && start > end) {
    throw new ValidationError('start', `is after end (${isoFromMicros(start)} > ${isoFromMicros(end)})`);
  }
}

/** A required window with defaults: end = now, start = end - `defaultSpanUs`. */
export function timeWindow(
  query: { start?: string; end?: string },
  nowUs: number,
  defaultSpanUs: number,
): { start: number; end: number } {
  const end = parseTime('end', query.end) ?? nowUs;
  const start = parseTime('start', query.start) ?? end - defaultSpanUs;
  checkRange(start, end);
  return { start, end };
}

/**
 * Opaque page cursor: base64url of the keyset (time, entity id), the order and a hash of the filter,
 * so a cursor cannot be replayed against a different query.
 */
export function encodeCursor(cursor: EventCursor, order: Order, filterKey: string): string {
  const body = JSON.stringify({ t: cursor.time, e: cursor.entityId, o: order, f: filterHash(filterKey) });
  return Buffer.from(body).toString('base64url');
}

export function decodeCursor(raw: string, order: Order, filterKey: string): EventCursor {
  const bad = (why: string) => new ValidationError('cursor', why);
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw bad('not a cursor returned by this API (must be base64url)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad('not a cursor returned by this API');
  }
  const c = parsed as { t?: unknown; e?: unknown; o?: unknown; f?: unknown };
  if (typeof c !== 'object' || c === null || !Number.isSafeInteger(c.t) || typeof c.e !== 'string') {
    throw bad('not a cursor returned by this API');
  }
  if (c.o !== order) throw bad(`was issued for order=${String(c.o)}, not order=${order}`);
  if (c.f !== filterHash(filterKey)) throw bad('was issued for different filters; repeat the same query with it');
  return { time: c.t as number, entityId: c.e };
}

function filterHash(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 10);
}

/** Comma-separated enum list (`types=mean,max`): 400 naming the unknown entries. */
export function parseList<T extends string>(name: string, raw: string, allowed: readonly T[]): T[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const unknown = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new ValidationError(name, `unknown value(s) ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
  }
  if (items.length === 0) throw new ValidationError(name, `must list at least one of ${allowed.join(', ')}`);
  return [...new Set(items)] as T[];
}
