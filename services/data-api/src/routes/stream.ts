import type { ServerResponse } from 'node:http';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type WebSocket from 'ws';
import type { ApiApp } from '../routes';
import { Domain, EntityId, ErrorBody, withErrors } from '../schemas';
import type { StreamFilter, StreamHub, StreamSink } from '../stream-hub';

const StreamQuery = Type.Object({
  entity_id: Type.Optional(Type.Array(EntityId, { maxItems: 100, description: 'Repeatable' })),
  domain: Type.Optional(Type.Array(Domain, { maxItems: 50, description: 'Repeatable' })),
});

/** Unacknowledged close/final event before the connection is cut anyway. */
const GRACE_MS = 5000;
const SLOW_CLOSE_CODE = 1008;

export function registerStreamRoutes(app: ApiApp, hub: StreamHub): void {
  app.route({
    method: 'GET',
    url: '/api/v1/events/stream',
    config: { apiKeyInQuery: true },
    schema: {
      summary: 'Live events: WebSocket, or Server-Sent Events with Accept: text/event-stream',
      description:
        'Each WebSocket message (SSE: each `data:` line) is a JSON array of events in the export format, as they ' +
        'arrive. entity_id and domain are repeatable and combine with AND. Browsers may pass the key as ?api_key=. ' +
        'A client whose unsent backlog exceeds DATA_API_STREAM_MAX_BUFFER is disconnected with the reason: ' +
        `WebSocket close code ${SLOW_CLOSE_CODE}, SSE a final \`event: error\`. Events are not replayed: catch up with GET /api/v1/events.`,
      tags: ['events'],
      querystring: StreamQuery,
      response: withErrors({
        200: Type.Unsafe<string>({
          description: 'Server-Sent Events',
          content: { 'text/event-stream': { schema: Type.String() } },
        }),
        406: ErrorBody,
      }),
    },
    handler: async (request, reply) => {
      if (!(request.headers.accept ?? '').includes('text/event-stream')) {
        return reply.code(406).send({
          error: 'not_acceptable',
          message: 'open a WebSocket, or send Accept: text/event-stream for Server-Sent Events',
        });
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-correlation-id': request.id,
      });
      res.write('retry: 5000\n: connected\n\n');
      const remove = hub.add(sseSink(res), filterOf(request));
      res.on('close', remove);
      return reply;
    },
    wsHandler: (socket: WebSocket, request: FastifyRequest) => {
      const remove = hub.add(wsSink(socket), filterOf(request));
      socket.on('close', remove);
      socket.on('error', () => socket.terminate());
    },
  });
}

function filterOf(request: FastifyRequest): StreamFilter {
  const q = request.query as { entity_id?: string[]; domain?: string[] };
  return { entityIds: q.entity_id, domains: q.domain };
}

function wsSink(socket: WebSocket): StreamSink {
  let alive = true;
  socket.on('pong', () => {
    alive = true;
  });
  const open = () => socket.readyState === socket.OPEN;
  return {
    kind: 'ws',
    buffered: () => socket.bufferedAmount,
    send: (text) => {
      if (open()) socket.send(text);
    },
    reject: (reason) => {
      if (open()) socket.close(SLOW_CLOSE_CODE, reason.slice(0, 120));
      setTimeout(() => socket.terminate(), GRACE_MS).unref();
    },
    heartbeat: () => {
      if (!alive) return socket.terminate();
      alive = false;
      if (open()) socket.ping();
    },
    close: () => {
      if (open()) socket.close(1001, 'server shutting down');
    },
  };
}

function sseSink(res: ServerResponse): StreamSink {
  const writable = () => !res.writableEnded && !res.destroyed;
  return {
    kind: 'sse',
    buffered: () => res.writableLength,
    send: (text) => {
      if (writable()) res.write(`data: ${text}\n\n`);
    },
    reject: (reason) => {
      if (writable()) res.end(`event: error\ndata: ${JSON.stringify({ error: 'too_slow', message: reason })}\n\n`);
      setTimeout(() => res.destroy(), GRACE_MS).unref();
    },
    heartbeat: () => {
      if (writable()) res.write(': ping\n\n');
    },
    close: () => {
      if (writable()) res.end('event: close\ndata: {"reason":"server shutting down"}\n\n');
    },
  };
}
