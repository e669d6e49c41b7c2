import type { IncomingMessage } from 'node:http';
import { isUnsafe } from './request-guards';

/**
 * Home Assistant ingress: the user signed in to Home Assistant, whose Supervisor forwards the dashboard's requests
 * from its own address with X-Ingress-Path (/api/hassio_ingress/<session token>). Only such a request, from an
 * address on DASHBOARD_INGRESS_FROM, is treated as signed in: the header alone proves nothing, since anyone may
 * send it, and the socket's peer address is the one thing a client cannot forge.
 */
const INGRESS_PATH = /^\/api\/hassio_ingress\/[A-Za-z0-9_-]+\/?$/;

/** "::ffff:172.30.32.2" (an IPv4 peer on a dual-stack socket) -> "172.30.32.2". */
function plainAddress(address: string | undefined): string | undefined {
  return address?.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

export function fromIngress(req: IncomingMessage, ingressFrom: readonly string[]): boolean {
  if (ingressFrom.length === 0) return false;
  const peer = plainAddress(req.socket.remoteAddress);
  if (peer === undefined || !ingressFrom.some((a) => plainAddress(a.trim()) === peer)) return false;
  const path = req.headers['x-ingress-path'];
  return typeof path === 'string' && INGRESS_PATH.test(path);
}

/** The X-Ingress-Path of a request `fromIngress` accepted (checked there: safe to write into the page). */
export function ingressPathOf(req: IncomingMessage): string {
  return String(req.headers['x-ingress-path']).replace(/\/+$/, '');
}

function single(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim() || undefined;
}

/**
 * The checks left under ingress: the Host is Home Assistant's (the Supervisor passes the browser's on), so no
 * allowlist; the session is Home Assistant's. Writes still need the browser's Origin to be the Home Assistant
 * page the Supervisor was asked from (X-Forwarded-Proto and -Host, set by the Supervisor, trusted from it alone).
 */
export function ingressRefusal(req: IncomingMessage, path: string): { status: 403; message: string } | undefined {
  const guarded = path.startsWith('/api/') || path.startsWith('/auth/');
  const upgrade = req.headers.upgrade !== undefined;
  if (!guarded || (!upgrade && !isUnsafe(req.method))) return undefined;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return { status: 403, message: 'cross-origin request refused' };
  const host = single(req.headers['x-forwarded-host']) ?? req.headers.host;
  const proto = single(req.headers['x-forwarded-proto']) ?? 'http';
  const origin = req.headers.origin;
  if (!origin || !host || origin.toLowerCase() !== `${proto}://${host}`.toLowerCase()) {
    return { status: 403, message: 'cross-origin request refused' };
  }
  return undefined;
}
