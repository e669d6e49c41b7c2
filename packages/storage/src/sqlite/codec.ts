// Compact encodings of the events table's columns. Every encoding round-trips its input exactly:
// what does not fit the compact form is stored as it came (text).

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < CROCKFORD.length; i++) DECODE[CROCKFORD.charCodeAt(i)] = i;

/** Base32 value of s[from, to) (at most 10 chars: exact in a double), or -1 when a char is not Crockford. */
function base32(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const code = s.charCodeAt(i);
    const d = code < 128 ? DECODE[code]! : -1;
    if (d < 0) return -1;
    v = v * 32 + d;
  }
  return v;
}

const CODES = Uint16Array.from(CROCKFORD, (c) => c.charCodeAt(0));
const ULID_CHARS = new Uint16Array(26);

/** The ULID text of its three parts (48-bit ms, two 40-bit random halves), built in one string allocation. */
function ulidText(ms: number, r1: number, r2: number): string {
  for (let i = 9; i >= 0; i--, ms = Math.floor(ms / 32)) ULID_CHARS[i] = CODES[ms % 32]!;
  for (let i = 17; i >= 10; i--, r1 = Math.floor(r1 / 32)) ULID_CHARS[i] = CODES[r1 % 32]!;
  for (let i = 25; i >= 18; i--, r2 = Math.floor(r2 / 32)) ULID_CHARS[i] = CODES[r2 % 32]!;
  return String.fromCharCode.apply(null, ULID_CHARS as unknown as number[]);
}

/** A ULID's three parts: 48-bit milliseconds and two 40-bit halves of the random part; undefined if not one. */
function ulidParts(s: string): [number, number, number] | undefined {
  // 26 uppercase Crockford chars, the first 0-7 so that it fits 128 bits (ms < 2^48).
  if (s.length !== 26) return undefined;
  const ms = base32(s, 0, 10);
  const r1 = base32(s, 10, 18);
  const r2 = base32(s, 18, 26);
  if (ms < 0 || ms >= 2 ** 48 || r1 < 0 || r2 < 0) return undefined;
  return [ms, r1, r2];
}

/**
 * A ULID as Home Assistant writes it -> 16 bytes; undefined for anything else (lowercase, other alphabets,
 * wrong length, over 128 bits), which stays text so that it round-trips exactly.
 */
export function ulidToBytes(s: string): Buffer | undefined {
  const p = ulidParts(s);
  if (!p) return undefined;
  const out = Buffer.allocUnsafe(16);
  out.writeUIntBE(p[0], 0, 6);
  out.writeUIntBE(p[1], 6, 5);
  out.writeUIntBE(p[2], 11, 5);
  return out;
}

/** 16 bytes -> the ULID text. */
export function bytesToUlid(b: Buffer): string {
  return ulidText(b.readUIntBE(0, 6), b.readUIntBE(6, 5), b.readUIntBE(11, 5));
}

/** The millisecond timestamp in a ULID's first 6 bytes. */
export function ulidMillis(b: Buffer): number {
  return b.readUIntBE(0, 6);
}

/**
 * The context id column: a ULID whose timestamp is at most ~24 days before the event's becomes its 10 random
 * bytes plus the millisecond delta (returned, usually 0); other ULIDs become 16 bytes; anything else stays text.
 */
export function encodeContext(id: string | null, eventMs: number): [Buffer | string | null, number] {
  if (id === null) return [null, 0];
  const p = ulidParts(id);
  if (!p) return [id, 0];
  const delta = eventMs - p[0];
  if (delta < 0 || delta >= 2 ** 31) return [ulidToBytes(id)!, 0];
  const out = Buffer.allocUnsafe(10);
  out.writeUIntBE(p[1], 0, 5);
  out.writeUIntBE(p[2], 5, 5);
  return [out, delta];
}

export function decodeContext(v: unknown, delta: number, eventMs: number): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  const b = v as Buffer;
  if (b.length === 16) return bytesToUlid(b);
  return ulidText(eventMs - delta, b.readUIntBE(0, 5), b.readUIntBE(5, 5));
}

/** The context column as fetched in a JSON row: a blob as hex (10 or 16 bytes), or the text. */
export function decodeContextHex(
  hex: string | null,
  text: string | null,
  delta: number,
  eventMs: number,
): string | null {
  if (text !== null) return text;
  if (hex === null) return null;
  const full = hex.length === 32;
  const at = full ? 12 : 0;
  const ms = full ? Number.parseInt(hex.slice(0, 12), 16) : eventMs - delta;
  return ulidText(ms, Number.parseInt(hex.slice(at, at + 10), 16), Number.parseInt(hex.slice(at + 10, at + 20), 16));
}

/**
 * A state like "21.40" or "-3" is stored as the integer of its digits (2140n) and its decimal count (2, kept in
 * the flags): 1-4 bytes instead of its text. Anything else - including "007", "1e3", "-0", "1." - stays text:
 * the digits must read back as exactly the same text. Returns [value, decimals]; a removal is NULL.
 */
export function encodeState(state: string, removed: boolean): [bigint | string | null, number] {
  if (removed) return [null, 0];
  const len = state.length;
  if (len === 0 || len > 17) return [state, 0];
  let i = state.charCodeAt(0) === 45 ? 1 : 0; // '-'
  const first = i;
  let n = 0;
  let dot = -1;
  for (; i < len; i++) {
    const c = state.charCodeAt(i);
    if (c >= 48 && c <= 57) n = n * 10 + (c - 48);
    else if (c === 46 && dot < 0 && i > first && i < len - 1)
      dot = i; // '.' with digits on both sides
    else return [state, 0];
  }
  const digits = len - first - (dot < 0 ? 0 : 1);
  const decimals = dot < 0 ? 0 : len - dot - 1;
  if (digits === 0 || digits > 15 || decimals > 7) return [state, 0];
  // No leading zero before more integer digits ("007", "01.5"), and no "-0" (its sign would be lost).
  const intDigits = digits - decimals;
  if (state.charCodeAt(first) === 48 && intDigits > 1) return [state, 0];
  if (n === 0 && first === 1) return [state, 0];
  return [BigInt(first === 1 ? -n : n), decimals];
}

export function decodeState(v: unknown, decimals: number): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  const n = Number(v);
  if (decimals === 0) return String(n);
  const abs = String(Math.abs(n)).padStart(decimals + 1, '0');
  const cut = abs.length - decimals;
  return `${n < 0 ? '-' : ''}${abs.slice(0, cut)}.${abs.slice(cut)}`;
}

/** Origin codes in the flags: LOCAL and REMOTE (Home Assistant's enum), null, or text kept in the extras. */
const ORIGIN_CODE: Record<string, number> = { LOCAL: 0, REMOTE: 1 };
const ORIGIN_NULL = 2;
const ORIGIN_TEXT = 3;

/**
 * The flags column packs what is usually zero, so that it usually costs no bytes:
 * origin code (2 bits) + state decimals (3 bits) + context ms delta (the rest).
 */
export function packFlags(origin: string | null, decimals: number, contextDelta: number): number {
  const code = origin === null ? ORIGIN_NULL : (ORIGIN_CODE[origin] ?? ORIGIN_TEXT);
  return contextDelta * 32 + decimals * 4 + code;
}

export function unpackFlags(f: number): { originCode: number; decimals: number; contextDelta: number } {
  return { originCode: f % 4, decimals: Math.floor(f / 4) % 8, contextDelta: Math.floor(f / 32) };
}

export function originFromCode(code: number, text: string | null): string | null {
  return code === 0 ? 'LOCAL' : code === 1 ? 'REMOTE' : code === ORIGIN_NULL ? null : text;
}

/** SQL on the flags column giving the state's decimals count. */
export const DECIMALS_SQL = '(f / 4) % 8';

const HEX32 = /^[0-9a-f]{32}$/;
const X_PARENT = 1;
const X_PARENT_ULID = 2;
const X_USER = 4;
const X_USER_HEX = 8;
const X_ORIGIN = 16;

/**
 * The extras column holds what most events lack - parent context, user id, an origin outside the enum - as one
 * blob: a flags byte, then each present part as 16 bytes (a ULID, a 32-hex user id) or a length-prefixed string.
 * NULL (no bytes) when there is nothing.
 */
export function encodeExtras(parent: string | null, user: string | null, origin: string | null): Buffer | null {
  const originText = origin !== null && !(origin in ORIGIN_CODE);
  if (parent === null && user === null && !originText) return null;
  const parts: Buffer[] = [];
  let flags = 0;
  const text = (s: string) => {
    const body = Buffer.from(s, 'utf8');
    const len = Buffer.allocUnsafe(4);
    len.writeUInt32BE(body.length);
    parts.push(len, body);
  };
  if (parent !== null) {
    flags |= X_PARENT;
    const b = ulidToBytes(parent);
    if (b) {
      flags |= X_PARENT_ULID;
      parts.push(b);
    } else text(parent);
  }
  if (user !== null) {
    flags |= X_USER;
    if (HEX32.test(user)) {
      flags |= X_USER_HEX;
      parts.push(Buffer.from(user, 'hex'));
    } else text(user);
  }
  if (originText) {
    flags |= X_ORIGIN;
    text(origin);
  }
  return Buffer.concat([Buffer.from([flags]), ...parts]);
}

export function decodeExtras(x: unknown): { parent: string | null; user: string | null; origin: string | null } {
  const out = { parent: null as string | null, user: null as string | null, origin: null as string | null };
  if (x === null || x === undefined) return out;
  const b = x as Buffer;
  const flags = b[0]!;
  let pos = 1;
  const fixed = () => {
    pos += 16;
    return b.subarray(pos - 16, pos);
  };
  const text = () => {
    const len = b.readUInt32BE(pos);
    pos += 4 + len;
    return b.toString('utf8', pos - len, pos);
  };
  if (flags & X_PARENT) out.parent = flags & X_PARENT_ULID ? bytesToUlid(fixed()) : text();
  if (flags & X_USER) out.user = flags & X_USER_HEX ? fixed().toString('hex') : text();
  if (flags & X_ORIGIN) out.origin = text();
  return out;
}

/** 53-bit string hash (cyrb53): the attribute-set lookup key; equal text is confirmed on every hit. */
export function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
