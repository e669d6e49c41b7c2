import type { IncomingMessage } from 'node:http';
import type { HttpApp } from '@homeiq/core';
import type { DashboardAuth } from './dashboard-auth';
import { ingressRefusal } from './ingress';
import { isUnsafe, sameOrigin } from './request-guards';
import { INGRESS_SECURITY_HEADERS, SECURITY_HEADERS } from './security-headers';

/** Why a request is refused, as status and message; undefined when it may pass. */
export type Refusal = { status: 401 | 403 | 421; message: string } | undefined;

/** Paths that carry the API key themselves (service to service) or must answer anyone (health probes). */
function keyOrOpen(path: string): boolean {
  return path === '/health' || path.startsWith('/api/v1/');
}

/**
 * The checks in order: a Host on the allowlist (DNS rebinding), then for the proxy a session, then for writes
 * an Origin from this dashboard (CSRF). Sign-in routes need the Host and, for writes, the Origin, not a session.
 */
export function refusal(auth: DashboardAuth, req: IncomingMessage, path: string): Refusal {
  // /auth/check answers a reverse proxy's auth_request, which knows 401 and 403 only: it does its own checks.
  if (keyOrOpen(path) || path === '/auth/check') return undefined;
  if (auth.ingress(req)) return ingressRefusal(req, path);
  if (!auth.hostOk(req)) return { status: 421, message: 'this dashboard does not answer to that host name' };
  const proxied = path.startsWith('/api/');
  if (proxied && !auth.session(req)) return { status: 401, message: 'sign in to the dashboard first' };
  if ((proxied || path.startsWith('/auth/')) && isUnsafe(req.method)) {
    if (!sameOrigin(req, auth.options.trustProxy)) return { status: 403, message: 'cross-origin request refused' };
  }
  return undefined;
}

/** A WebSocket upgrade: browsers always send Origin on one, so it must be this dashboard's, writes or not. */
export function upgradeRefusal(auth: DashboardAuth, req: IncomingMessage): Refusal {
  if (auth.ingress(req)) return ingressRefusal(req, '/api/');
  if (!auth.hostOk(req)) return { status: 421, message: 'this dashboard does not answer to that host name' };
  if (!auth.session(req)) return { status: 401, message: 'sign in to the dashboard first' };
  if (!sameOrigin(req, auth.options.trustProxy)) return { status: 403, message: 'cross-origin request refused' };
  return undefined;
}

/**
 * Refuses what `refusal` names, and puts the security headers on the responses. `appliesTo` narrows both to some
 * paths (admin-api serves only the sign-in routes for nginx this way).
 */
export function registerGuard(
  app: HttpApp,
  auth: DashboardAuth,
  appliesTo: (path: string) => boolean = () => true,
): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (!appliesTo(path)) return;
    const refused = refusal(auth, request.raw, path);
    if (!refused) return;
    const error = { 401: 'unauthorized', 403: 'forbidden', 421: 'misdirected_request' }[refused.status];
    return reply.code(refused.status).send({ error, message: refused.message });
  });
  app.addHook('onSend', async (request, reply) => {
    if (!appliesTo(request.url.split('?')[0] ?? '/')) return;
    const headers = auth.ingress(request.raw) ? INGRESS_SECURITY_HEADERS : SECURITY_HEADERS;
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  });
}
