import { isIPv4, isIPv6 } from 'node:net';

/**
 * Address classification for the webhook egress policy, on raw bytes so that every spelling of an
 * address (IPv4-mapped, NAT64, 6to4) is judged by the IPv4 address it really reaches.
 */
export type AddressClass = 'public' | 'private' | 'forbidden';

interface Cidr {
  bytes: Uint8Array;
  bits: number;
}

function parseIPv4(text: string): Uint8Array | undefined {
  if (!isIPv4(text)) return undefined;
  return Uint8Array.from(text.split('.').map(Number));
}

function parseIPv6(text: string): Uint8Array | undefined {
  const bare = text.replace(/%.*$/, ''); // zone id (fe80::1%eth0)
  if (!isIPv6(bare)) return undefined;
  let head = bare;
  let tail4: Uint8Array | undefined;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (dotted?.[1]) {
    tail4 = parseIPv4(dotted[1]);
    head = `${bare.slice(0, -dotted[1].length)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const l = groups(left);
  const r = right === undefined ? [] : groups(right);
  const words = [...l, ...new Array<number>(8 - l.length - r.length).fill(0), ...r];
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  if (tail4) out.set(tail4, 12);
  return out;
}

/** 4 or 16 bytes, or undefined when `text` is not an IP literal (brackets allowed). */
export function parseIp(text: string): Uint8Array | undefined {
  const t = text.replace(/^\[|\]$/g, '');
  return parseIPv4(t) ?? parseIPv6(t);
}

export function parseCidr(text: string): Cidr | undefined {
  const [addr = '', bitsText] = text.split('/');
  const bytes = parseIp(addr);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > max || (bitsText !== undefined && !/^\d+$/.test(bitsText)))
    return undefined;
  return { bytes, bits };
}

export function inCidr(ip: Uint8Array, cidr: Cidr): boolean {
  if (ip.length !== cidr.bytes.length) return false;
  for (let bit = 0; bit < cidr.bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((ip[byte] ?? 0) & mask) !== ((cidr.bytes[byte] ?? 0) & mask)) return false;
  }
  return true;
}

const cidrs = (list: string[]): Cidr[] => list.map((c) => parseCidr(c) as Cidr);

// Never reachable from a webhook unless named in WEBHOOK_ALLOWED_HOSTS: the host itself, its link and
// cloud metadata endpoints, addresses that mean "any", multicast and reserved space.
const FORBIDDEN = cidrs([
  '0.0.0.0/8',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '192.0.0.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4', // reserved, includes 255.255.255.255 broadcast
  '::/128',
  '::1/128',
  'fe80::/10',
  'ff00::/8',
  '100::/64', // discard prefix
  '2001::/32', // Teredo: the IPv4 it reaches is obfuscated, so it cannot be judged
]);

// The LAN: refused by default, allowed with WEBHOOK_ALLOW_PRIVATE=true.
const PRIVATE = cidrs(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '198.18.0.0/15', 'fc00::/7']);

/** IPv6 forms that carry an IPv4 address, and where it sits. */
const EMBEDS_IPV4: Array<{ cidr: Cidr; offset: number }> = [
  { cidr: parseCidr('::ffff:0:0/96') as Cidr, offset: 12 }, // IPv4-mapped
  { cidr: parseCidr('::/96') as Cidr, offset: 12 }, // IPv4-compatible (deprecated)
  { cidr: parseCidr('64:ff9b::/96') as Cidr, offset: 12 }, // NAT64 well-known prefix
  { cidr: parseCidr('64:ff9b:1::/48') as Cidr, offset: 12 }, // NAT64 local-use prefix
  { cidr: parseCidr('2002::/16') as Cidr, offset: 2 }, // 6to4
];

/** The IPv4 address an IPv6 address stands for, if any. */
export function embeddedIPv4(ip: Uint8Array): Uint8Array | undefined {
  if (ip.length !== 16) return undefined;
  for (const { cidr, offset } of EMBEDS_IPV4) if (inCidr(ip, cidr)) return ip.slice(offset, offset + 4);
  return undefined;
}

function classifyOne(ip: Uint8Array): AddressClass {
  if (FORBIDDEN.some((c) => inCidr(ip, c))) return 'forbidden';
  if (PRIVATE.some((c) => inCidr(ip, c))) return 'private';
  return 'public';
}

const RANK: Record<AddressClass, number> = { public: 0, private: 1, forbidden: 2 };

/** The strictest class of the address and of any IPv4 address embedded in it. */
export function classifyIp(ip: Uint8Array): AddressClass {
  const own = classifyOne(ip);
  const inner = embeddedIPv4(ip);
  // `::` and `::1` are in ::/96 too; their own class already says what they are.
  if (!inner || own === 'forbidden') return own;
  const embedded = classifyOne(inner);
  return RANK[embedded] > RANK[own] ? embedded : own;
}
