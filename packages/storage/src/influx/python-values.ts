/**
 * Python's `float()` and `str()` on the JSON values of Home Assistant attributes, as its InfluxDB integration
 * applies them. Limits (JSON loses them): an integer-valued float such as `1.0` reads as the int `1`.
 */

const FLOAT_TEXT = /^[-+]?((\d(_?\d)*)(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)([eE][-+]?\d(_?\d)*)?$/;
const SPECIAL = /^[-+]?(inf|infinity|nan)$/i;

/** Python `float(value)`; undefined where Python raises ValueError/TypeError. */
export function pythonFloat(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (SPECIAL.test(text)) {
    const negative = text.startsWith('-');
    if (/nan/i.test(text)) return Number.NaN;
    return negative ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return FLOAT_TEXT.test(text) ? Number(text.replaceAll('_', '')) : undefined;
}

function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const text = String(n);
  // Python writes exponents with at least two digits and a sign: 1e-07, 1e+16.
  return text.replace(/e([-+])(\d)$/, 'e$10$2');
}

function pythonRepr(value: unknown): string {
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    let body = value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\r', '\\r').replaceAll('\t', '\\t');
    if (quote === "'") body = body.replaceAll("'", "\\'");
    return `${quote}${body}${quote}`;
  }
  return pythonStr(value);
}

/** Python `str(value)` of a JSON value. */
export function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pythonNumber(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const items = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`,
    );
    return `{${items.join(', ')}}`;
  }
  return String(value);
}
