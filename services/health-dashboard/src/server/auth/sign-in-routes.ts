import type { IncomingMessage } from 'node:http';
import type { HttpApp } from '@homeiq/core';
import { Type } from '@sinclair/typebox';
import { type DashboardAuth, sameSecret } from './dashboard-auth';
import { limitKey } from './rate-limit';
import { clientAddress, isUnsafe, sameOrigin, sessionIdOf } from './request-guards';

const SignInBody = Type.Object(
  {
    method: Type.Union([Type.Literal('api-key'), Type.Literal('password')]),
    secret: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

/**
 * /auth/session (who is signed in, which sign-in options exist), POST /auth/sign-in, POST /auth/sign-out, and
 * GET /auth/check for a reverse proxy's auth_request (nginx passes the original method and the browser's headers).
 */
/** The Home Assistant user the Supervisor names on an ingress request (it drops these headers from clients). */
function ingressUser(req: IncomingMessage): string | undefined {
  const name = req.headers['x-remote-user-display-name'] ?? req.headers['x-remote-user-name'];
  return typeof name === 'string' ? name : undefined;
}

export function registerSignInRoutes(app: HttpApp, auth: DashboardAuth): void {
  app.get('/auth/session', async (request, reply) => {
    const session = auth.session(request.raw);
    // Under Home Assistant's ingress, Home Assistant signed the user in.
    const ingress = auth.ingress(request.raw);
    reply.header('cache-control', 'no-store');
    return {
      signedIn: session !== undefined || ingress,
      method: session?.method ?? (ingress ? 'home-assistant' : undefined),
      user: session?.user ?? (ingress ? ingressUser(request.raw) : undefined),
      methods: {
        apiKey: true,
        password: auth.options.password !== undefined,
        homeAssistant: auth.options.haUrl !== undefined,
      },
    };
  });

  app.post('/auth/sign-in', { schema: { body: SignInBody }, bodyLimit: 4096 }, async (request, reply) => {
    const address = limitKey(clientAddress(request.raw, auth.options.trustProxy));
    const wait = auth.limiter.retryAfter(address);
    if (wait > 0) {
      return reply
        .code(429)
        .header('retry-after', String(wait))
        .send({ error: 'too_many_requests', message: `too many failed sign-ins: try again in ${wait} s` });
    }
    const { method, secret } = request.body;
    const expected = method === 'api-key' ? auth.options.apiKey : auth.options.password;
    if (expected === undefined) {
      return reply
        .code(400)
        .send({ error: 'bad_request', field: 'body.method', message: 'body.method: no dashboard password is set' });
    }
    if (!sameSecret(secret, expected)) {
      auth.limiter.fail(address);
      request.log.warn({ address, method }, 'dashboard sign-in refused');
      return reply
        .code(401)
        .send({ error: 'unauthorized', message: `wrong ${method === 'api-key' ? 'API key' : 'password'}` });
    }
    // A fresh id on every sign-in: an id planted before sign-in (session fixation) is never promoted.
    auth.sessions.end(sessionIdOf(request.raw));
    const id = auth.sessions.create(method);
    return reply
      .code(204)
      .header('set-cookie', auth.cookie(request.raw, id))
      .header('cache-control', 'no-store')
      .send();
  });

  app.post('/auth/sign-out', async (request, reply) => {
    auth.sessions.end(sessionIdOf(request.raw));
    return reply.code(204).header('set-cookie', auth.clearCookie(request.raw)).send();
  });

  app.get('/auth/check', async (request, reply) => {
    if (!auth.hostOk(request.raw)) {
      return reply.code(403).send({ error: 'forbidden', message: 'this dashboard does not answer to that host name' });
    }
    if (!auth.session(request.raw)) {
      return reply.code(401).send({ error: 'unauthorized', message: 'sign in to the dashboard first' });
    }
    // The proxy passes the original method, and whether it is a WebSocket upgrade (browsers send Origin on those).
    const method = String(request.headers['x-original-method'] ?? 'GET').toUpperCase();
    const upgrade = String(request.headers['x-original-upgrade'] ?? '') !== '';
    if ((isUnsafe(method) || upgrade) && !sameOrigin(request.raw, auth.options.trustProxy)) {
      return reply.code(403).send({ error: 'forbidden', message: 'cross-origin request refused' });
    }
    return reply.code(204).send();
  });
}
