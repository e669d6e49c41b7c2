// Compact encodings of the events table's columns. Every encoding round-trips its input exactly:
// what does not fit the compact form is stored as it came (text).

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < CROCKFORD.length; i++) DECODE[CROCKFORD.charCodeAt(i)] = i;

/**
 * A ULID as Home Assistant writes it (26 uppercase Crockford base32 chars, first char 0-7 so it fits 128 bits)
 * -> 16 bytes; undefined for anything else (lowercase, other alphabets, wrong length), which stays text.
 */
export function ulidToBytes(s: string): Buffer | undefined {
  if (s.length !== 26) return undefined;
  const first = s.charCodeAt(0);
  if (first < 48 || first > 55) return undefined; // '0'..'7'
  const out = Buffer.allocUnsafe(16);
  // 26 chars * 5 bits = 130 bits; the top 2 are zero (checked above). Fill from the end, 8 bits at a time.
  let acc = 0;
  let bits = 0;
  let pos = 15;
  for (let i = 25; i >= 0; i--) {
    const code = s.charCodeAt(i);
    const v = code < 128 ? DECODE[code]! : -1;
    if (v < 0) return undefined;
    acc |= v << bits;
    bits += 5;
    if (bits >= 8) {
      if (pos >= 0) out[pos--] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (pos >= 0) out[pos] = acc & 0xff;
  return out;
}

/** 16 bytes -> the ULID text. */
export function bytesToUlid(b: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = 15; i >= 0; i--) {
    acc |= b[i]! << bits;
    bits += 8;
    while (bits >= 5) {
      out = CROCKFORD[acc & 31] + out;
      acc >>>= 5;
      bits -= 5;
    }
  }
  return CROCKFORD[acc & 31] + out; // the remaining top 3 bits
}

/** The millisecond timestamp in a ULID's first 6 bytes. */
export function ulidMillis(b: Uint8Array): number {
  return b[0]! * 2 ** 40 + b[1]! * 2 ** 32 + ((b[2]! << 24) >>> 0) + (b[3]! << 16) + (b[4]! << 8) + b[5]!;
}

/**
 * The context id column: a ULID whose timestamp is at most ~24 days before the event's becomes its 10 random
 * bytes plus the millisecond delta (returned, usually 0); other ULIDs become 16 bytes; anything else stays text.
 */
export function encodeContext(id: string | null, eventMs: number): [Buffer | string | null, number] {
  if (id === null) return [null, 0];
  const b = ulidToBytes(id);
  if (!b) return [id, 0];
  const delta = eventMs - ulidMillis(b);
  if (delta >= 0 && delta < 2 ** 31) return [b.subarray(6), delta];
  return [b, 0];
}

export function decodeContext(v: unknown, delta: number, eventMs: number): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  const b = v as Buffer;
  if (b.length === 16) return bytesToUlid(b);
  const full = Buffer.allocUnsafe(16);
  full.writeUIntBE(eventMs - delta, 0, 6);
  b.copy(full, 6);
  return bytesToUlid(full);
}

const NUMERIC = /^-?(0|[1-9]\d*)(\.\d{1,7})?$/;

/**
 * A state like "21.40" or "-3" is stored as the integer of its digits (2140n) and its decimal count (2, kept in
 * the flags): 1-4 bytes instead of its text. Anything else - including "007", "1e3", "-0" - stays text.
 * Returns [value, decimals]; a removal is NULL.
 */
export function encodeState(state: string, removed: boolean): [bigint | string | null, number] {
  if (removed) return [null, 0];
  if (state.length > 17 || !NUMERIC.test(state)) return [state, 0];
  const dot = state.indexOf('.');
  const digits = dot < 0 ? state : state.slice(0, dot) + state.slice(dot + 1);
  if (digits.length - (state[0] === '-' ? 1 : 0) > 15) return [state, 0];
  const n = BigInt(digits);
  if (n === 0n && state[0] === '-') return [state, 0];
  return [n, dot < 0 ? 0 : state.length - dot - 1];
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
