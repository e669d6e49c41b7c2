/** The first 4 of 8 groups of an IPv6 address, expanding "::"; undefined for anything else. */
function ipv6Prefix64(address: string): string | undefined {
  if (!address.includes(':') || address.includes('.')) return undefined;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.length === 8 ? `${groups.slice(0, 4).join(':')}::/64` : undefined;
}

/**
 * Whom a failure counts against: the address, or for IPv6 its /64, since one LAN host may pick any address of its
 * network's /64 (privacy addresses) and so could otherwise get a fresh allowance per guess.
 */
export function limitKey(address: string): string {
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return ipv6Prefix64(plain) ?? plain;
}

/**
 * Failed sign-ins per client address in a fixed window: after `max` failures the address gets 429 with
 * Retry-After until its window ends. A success does not reset the count (a guesser who knows one secret gains
 * nothing). The table is capped so spoofed or many addresses cannot grow memory.
 */
export class SignInLimiter {
  private readonly windows = new Map<string, { failures: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxAddresses = 10_000,
  ) {}

  /** Seconds until `address` may try again, or 0 when it may try now. */
  retryAfter(address: string): number {
    const entry = this.windows.get(address);
    const at = this.now();
    if (!entry || entry.resetAt <= at) return 0;
    return entry.failures >= this.max ? Math.ceil((entry.resetAt - at) / 1000) : 0;
  }

  fail(address: string): void {
    const at = this.now();
    let entry = this.windows.get(address);
    if (!entry || entry.resetAt <= at) {
      if (this.windows.size >= this.maxAddresses) this.prune(at);
      entry = { failures: 0, resetAt: at + this.windowMs };
      this.windows.set(address, entry);
    }
    entry.failures++;
  }

  private prune(at: number): void {
    for (const [address, entry] of this.windows) if (entry.resetAt <= at) this.windows.delete(address);
    // Still full: forget the oldest windows rather than grow without bound.
    for (const address of this.windows.keys()) {
      if (this.windows.size < this.maxAddresses) break;
      this.windows.delete(address);
    }
  }
}
