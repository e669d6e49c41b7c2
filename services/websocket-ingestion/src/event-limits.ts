/**
 * Bounds on what one Home Assistant event may bring in, so that a hostile or broken integration cannot make one
 * state fill the store, the spool or a reader's memory:
 * - attributes over MAX_ATTRIBUTES_BYTES (JSON size) or nesting deeper than MAX_ATTRIBUTES_DEPTH are replaced by
 *   a marker with the original size; the event itself is kept;
 * - a state over MAX_STATE_BYTES is cut to that many bytes and the event kept, with the original size recorded in
 *   the attributes (HA itself refuses states over 255 characters, so only a broken client gets here);
 * - an entity id over MAX_ENTITY_ID_LENGTH or holding a control character is refused (it is a store key).
 * Sizes are measured by walking the parsed value once, without serializing it.
 */

/** HA's own limit on entity ids (homeassistant.const.MAX_LENGTH_STATE_ENTITY_ID). */
export const MAX_ENTITY_ID_LENGTH = 255;

export const TRUNCATED_MARKER = '_homeiq_truncated';

export interface EventLimits {
  maxStateBytes: number;
  maxAttributesBytes: number;
  maxAttributesDepth: number;
}

/** Fits every real HA entity: HA's recorder itself stops storing attributes over 16 KB. */
export const DEFAULT_LIMITS: EventLimits = {
  maxStateBytes: 64 * 1024,
  maxAttributesBytes: 64 * 1024,
  maxAttributesDepth: 32,
};

const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/** Why an entity id cannot be stored, or undefined when it can. */
export function invalidEntityId(entityId: string): string | undefined {
  if (entityId.length > MAX_ENTITY_ID_LENGTH) {
    return `data.entity_id: longer than ${MAX_ENTITY_ID_LENGTH} characters (${entityId.length})`;
  }
  if (CONTROL_RE.test(entityId)) return 'data.entity_id: contains a control character';
  return undefined;
}

/** UTF-8 bytes of a string, without encoding it (surrogate pairs count 4). */
export function utf8Bytes(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}

/** JSON size of a string value: its bytes plus quotes (escapes not counted: an estimate, never below the truth by much). */
function stringSize(s: string): number {
  return (s.length < 64 ? s.length : utf8Bytes(s)) + 2;
}

function numberSize(n: number): number {
  return Number.isInteger(n) && Math.abs(n) < 1e15 ? (n < 0 ? 2 : 1) + Math.floor(Math.log10(Math.abs(n) || 1)) : 20;
}

export interface Measure {
  /** Approximate JSON size, bytes. */
  bytes: number;
  /** Whether the value nests deeper than the limit it was measured against. */
  tooDeep: boolean;
}

/**
 * Approximate JSON size and depth check of a parsed value in one walk. Recursive up to `maxDepth` (the common,
 * shallow case allocates nothing); a deeper subtree is measured iteratively so that any depth is safe.
 */
export function measureJson(value: unknown, maxDepth: number): Measure {
  const m: Measure = { bytes: 0, tooDeep: false };
  m.bytes = walk(value, 0, maxDepth, m);
  return m;
}

function walk(v: unknown, depth: number, maxDepth: number, m: Measure): number {
  switch (typeof v) {
    case 'string':
      return stringSize(v);
    case 'number':
      return numberSize(v);
    case 'boolean':
      return v ? 4 : 5;
    case 'object':
      break;
    default:
      return 4; // null, and what JSON drops or writes as null
  }
  if (v === null) return 4;
  if (depth >= maxDepth) {
    m.tooDeep = true;
    return deepSize(v);
  }
  let n = 2;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) n += walk(v[i], depth + 1, maxDepth, m) + 1;
    return n;
  }
  // Parsed JSON: own enumerable keys only (Object.keys, not for-in, so a polluted prototype adds nothing).
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    n += stringSize(key) + 2 + walk((v as Record<string, unknown>)[key], depth + 1, maxDepth, m);
  }
  return n;
}

/** Size of an arbitrarily deep value without recursion (cycles cannot occur in parsed JSON, but are skipped). */
function deepSize(root: object): number {
  let n = 0;
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) continue;
      seen.add(v);
      n += 2;
      if (Array.isArray(v)) {
        for (const c of v) stack.push(c);
        n += v.length;
      } else {
        for (const [k, c] of Object.entries(v)) {
          n += stringSize(k) + 2;
          stack.push(c);
        }
      }
    } else n += walk(v, 0, 1, { bytes: 0, tooDeep: false });
  }
  return n;
}

/** Cuts a string to at most `maxBytes` UTF-8 bytes, never inside a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const w = c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : 3;
    if (bytes + w > maxBytes) return s.slice(0, i);
    bytes += w;
    if (w === 4) i++;
  }
  return s;
}
