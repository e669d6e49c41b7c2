import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

export const SESSION_COOKIE = 'homeiq_session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Every method but GET, HEAD and OPTIONS may change something: it needs a same-origin Origin header (CSRF). */
export function isUnsafe(method: string | undefined): boolean {
  return !SAFE_METHODS.has((method ?? 'GET').toUpperCase());
}

/** The host names and addresses of this machine, plus the loopback names: the Host allowlist by default. */
export function defaultAllowedHosts(): string[] {
  const names = new Set(['localhost', '127.0.0.1', '::1']);
  const own = hostname().toLowerCase();
  names.add(own);
  names.add(`${own.split('.')[0]}.local`);
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) names.add(entry.address.toLowerCase().split('%')[0] ?? entry.address);
  }
  return [...names];
}

/** "Nuc.lan:3000" -> "nuc.lan", "[::1]:3000" -> "::1"; undefined when malformed. */
export function hostName(host: string | undefined): string | undefined {
  if (!host) return undefined;
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::\d{1,5})?$/.exec(host.trim());
  const name = match?.[1] ?? match?.[2];
  return name?.toLowerCase().replace(/\.$/, '');
}

export function hostAllowed(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  const name = hostName(host);
  return name !== undefined && allowed.has(name);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

export function sessionIdOf(req: IncomingMessage): string | undefined {
  return parseCookies(req.headers.cookie).get(SESSION_COOKIE);
}

function firstForwarded(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  return raw?.split(',')[0]?.trim() || undefined;
}

/** https when the socket is TLS, or when a trusted proxy in front says so (X-Forwarded-Proto). */
export function isHttps(req: IncomingMessage, trustProxy: boolean): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  return trustProxy && firstForwarded(req.headers['x-forwarded-proto'])?.toLowerCase() === 'https';
}

/**
 * The caller's address for rate limiting: the socket peer, or behind a trusted proxy the last X-Forwarded-For
 * hop (the one that proxy added; earlier hops are whatever the client wrote, so a guesser could rotate them).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  const last = trustProxy ? hops[hops.length - 1]?.trim() : undefined;
  return last || (req.socket.remoteAddress ?? 'unknown');
}

/**
 * A request from this dashboard's own pages: its Origin is exactly this scheme and Host (already on the
 * allowlist), and the browser does not say it came from another site. No Origin at all is refused too:
 * every browser sends one on a cross-origin write, and scripts can add it.
 */
export function sameOrigin(req: IncomingMessage, trustProxy: boolean): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = req.headers.origin;
  if (!origin || !req.headers.host) return false;
  const scheme = isHttps(req, trustProxy) ? 'https' : 'http';
  return origin.toLowerCase() === `${scheme}://${req.headers.host.toLowerCase()}`;
}
