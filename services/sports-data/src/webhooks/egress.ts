import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { HomeIqError } from '@homeiq/core';
import { classifyIp, embeddedIPv4, inCidr, parseCidr, parseIp } from './ip-ranges';

/** Every address a host name resolves to. Injected in tests to play a rebinding DNS server. */
export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/** The receiver's address is not one webhooks may reach. Never retried. */
export class EgressRefused extends HomeIqError {
  constructor(message: string) {
    super('EGRESS_REFUSED', message);
  }
}

export interface EgressOptions {
  /** WEBHOOK_ALLOW_PRIVATE: LAN ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) may be reached. */
  allowPrivate: boolean;
  /** WEBHOOK_ALLOWED_HOSTS: IPs, CIDRs, host names or *.suffix names reachable whatever their address. */
  allowedHosts: string[];
  resolve?: Resolver;
  resolveTimeoutMs?: number;
}

const HINT = 'allow it with WEBHOOK_ALLOWED_HOSTS (or WEBHOOK_ALLOW_PRIVATE=true for the LAN)';

const bareHost = (host: string) =>
  host
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();

/**
 * Which addresses webhooks may reach. A URL is vetted when a subscription is created, and the address a
 * delivery actually connects to is vetted again at connect time (`lookup`), so a DNS name that later
 * rebinds to loopback or the LAN gets nowhere.
 */
export class EgressPolicy {
  private readonly cidrs: NonNullable<ReturnType<typeof parseCidr>>[] = [];
  private readonly names: string[] = [];
  private readonly resolve: Resolver;

  constructor(private readonly options: EgressOptions) {
    this.resolve = options.resolve ?? systemResolver;
    for (const entry of options.allowedHosts) {
      const cidr = parseCidr(entry);
      if (cidr) this.cidrs.push(cidr);
      else this.names.push(bareHost(entry));
    }
  }

  /** Entries of WEBHOOK_ALLOWED_HOSTS that are neither an IP/CIDR nor a host name. */
  static invalidEntries(entries: string[]): string[] {
    return entries.filter((e) => !parseCidr(e) && !/^(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?\.?$/i.test(e));
  }

  private nameAllowed(host: string): boolean {
    return this.names.some((n) => (n.startsWith('*.') ? host.endsWith(n.slice(1)) : host === n));
  }

  /** Why `address` (which `hostname` resolved to) may not be reached, or null when it may. */
  refusal(hostname: string, address: string): string | null {
    const host = bareHost(hostname);
    const ip = parseIp(address);
    if (!ip) return 'not an IP address';
    if (this.nameAllowed(host)) return null;
    const inner = embeddedIPv4(ip);
    if (this.cidrs.some((c) => inCidr(ip, c) || (inner !== undefined && inCidr(inner, c)))) return null;
    const kind = classifyIp(ip);
    if (kind === 'public' || (kind === 'private' && this.options.allowPrivate)) return null;
    return kind === 'private' ? 'a private (LAN) address' : 'a loopback, link-local, multicast or reserved address';
  }

  /** The vetted addresses of a host; throws EgressRefused when any of them may not be reached. */
  async addressesFor(hostname: string): Promise<string[]> {
    const host = bareHost(hostname);
    const addresses = parseIp(host) ? [host] : await this.resolveBounded(host);
    if (addresses.length === 0) throw new Error(`${host} has no address`);
    for (const address of addresses) {
      const why = this.refusal(host, address);
      if (why) throw new EgressRefused(`${host} is ${why}, which webhooks may not reach; ${HINT}`);
    }
    return addresses;
  }

  /** For http.request: connects only to addresses vetted now, at connect time. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.addressesFor(hostname).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
        const all = addresses
          .map((address) => ({ address, family: isIP(address) }))
          .filter((a) => wanted === 0 || a.family === wanted);
        if (all.length === 0)
          return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
        if (options.all) return callback(null, all);
        const first = all[0] as { address: string; family: number };
        return callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };

  private async resolveBounded(host: string): Promise<string[]> {
    const ms = this.options.resolveTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`resolving ${host} took over ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([this.resolve(host), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
