import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HttpApp, Logger, ServiceName } from '@homeiq/core';
import type { Refusal } from './auth/guard';
import { SECURITY_HEADERS } from './auth/security-headers';
import { proxyTarget } from './upstreams';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'authorization',
  'cookie',
]);

const RESPONSE_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'trailer']);

export interface ProxyOptions {
  apiKey: string;
  urlOf: (service: ServiceName) => string;
  logger: Logger;
  /** Why a WebSocket upgrade is refused (no session, foreign Origin or Host), or undefined to let it through. */
  upgradeRefusal: (req: IncomingMessage) => Refusal;
}

const REASONS = { 401: 'Unauthorized', 403: 'Forbidden', 421: 'Misdirected Request' } as const;

/** The browser's headers minus hop-by-hop ones and any credentials, plus the API key (added here, server-side). */
function forwardHeaders(req: IncomingMessage, apiKey: string, target: URL): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  out.host = target.host;
  out.authorization = `Bearer ${apiKey}`;
  out['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  out['x-forwarded-proto'] = 'http';
  return out;
}

/**
 * /api/<service>/... -> the service, streamed both ways (request bodies, SSE and long responses are never
 * buffered), including WebSocket upgrades. The API key is added here so the browser never holds it.
 */
export function registerProxy(app: HttpApp, options: ProxyOptions): void {
  app.register(async (scope) => {
    // Leave the body unread: it is piped to the upstream as it arrives.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    scope.all('/api/:service/*', (request, reply) => {
      const target = proxyTarget(request.url);
      if (!target) {
        reply.code(404).send({ error: 'not_found', message: `no service behind ${request.url.split('?')[0]}` });
        return;
      }
      reply.hijack();
      const base = new URL(options.urlOf(target.service));
      const upstream = httpRequest(
        {
          host: base.hostname,
          port: base.port,
          method: request.method,
          path: target.path,
          headers: forwardHeaders(request.raw, options.apiKey, base),
        },
        (res) => {
          const headers: OutgoingHttpHeaders = {};
          for (const [name, value] of Object.entries(res.headers)) if (!RESPONSE_HOP.has(name)) headers[name] = value;
          Object.assign(headers, SECURITY_HEADERS);
          reply.raw.writeHead(res.statusCode ?? 502, headers);
          res.pipe(reply.raw);
        },
      );
      upstream.on('error', (error) => {
        const down = (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
        if (!reply.raw.headersSent) {
          reply.raw.writeHead(502, { 'content-type': 'application/json', ...SECURITY_HEADERS });
          const message = down ? `${target.service} is not running` : `${target.service}: ${error.message}`;
          reply.raw.end(JSON.stringify({ error: 'bad_gateway', message }));
        } else reply.raw.destroy();
      });
      // The browser went away (closed an SSE stream): stop the upstream request too.
      reply.raw.on('close', () => upstream.destroy());
      request.raw.pipe(upstream);
    });
  });

  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refused = options.upgradeRefusal(req);
    if (refused) {
      const body = JSON.stringify({ message: refused.message });
      socket.end(
        `HTTP/1.1 ${refused.status} ${REASONS[refused.status]}\r\nconnection: close\r\ncontent-type: application/json\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    const target = proxyTarget(req.url ?? '');
    if (!target) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const base = new URL(options.urlOf(target.service));
    const headers = forwardHeaders(req, options.apiKey, base);
    headers.connection = 'Upgrade';
    headers.upgrade = req.headers.upgrade ?? 'websocket';
    const upstream = httpRequest({ host: base.hostname, port: base.port, path: target.path, method: 'GET', headers });
    upstream.on('upgrade', (res, upSocket: Socket, upHead: Buffer) => {
      const lines = [`HTTP/1.1 101 ${res.statusMessage ?? 'Switching Protocols'}`];
      for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (upHead.length > 0) socket.write(upHead);
      if (head.length > 0) upSocket.write(head);
      upSocket.pipe(socket).pipe(upSocket);
      const close = () => {
        upSocket.destroy();
        socket.destroy();
      };
      upSocket.on('error', close);
      socket.on('error', close);
      upSocket.on('close', close);
      socket.on('close', close);
    });
    upstream.on('response', (res) => {
      // The upstream refused the upgrade: pass its answer on.
      socket.write(`HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\nconnection: close\r\n\r\n`);
      res.pipe(socket);
    });
    upstream.on('error', (error) => {
      options.logger.debug({ err: error, service: target.service }, 'websocket proxy failed');
      socket.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    });
    socket.on('error', () => upstream.destroy());
    upstream.end();
  });
}
