import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import { HomeIqError, NotFoundError, ValidationError } from './errors';
import type { HealthReport } from './health';
import { findBadNumber, MAX_BODY_DEPTH, nestsDeeperThan } from './input-guard';
import type { Logger } from './logger';

export type HttpApp = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface HttpAppOptions {
  logger: Logger;
  /** Largest request body accepted, bytes. */
  bodyLimit?: number;
}

/** A route as declared: what a test enumerates to call every route of a service with its schema. */
export interface DeclaredRoute {
  method: string;
  url: string;
  schema: Record<string, unknown> | undefined;
  /** A WebSocket route (@fastify/websocket): not callable through inject. */
  websocket: boolean;
}

const declaredRoutes = new WeakMap<object, DeclaredRoute[]>();

/** Every route added to an app made by createHttpApp (in its plugins too), in the order they were added. */
export function routesOf(app: HttpApp): readonly DeclaredRoute[] {
  return declaredRoutes.get(app) ?? [];
}

/**
 * A Fastify app with the house conventions: TypeBox schemas, a correlation id carried through
 * X-Correlation-ID, and one error handler (4xx says exactly what was wrong, 5xx hides internals and logs them).
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1_048_576,
    requestIdHeader: 'x-correlation-id',
    genReqId: () => randomUUID(),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const routes: DeclaredRoute[] = [];
  declaredRoutes.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      const schema = route.schema as Record<string, unknown> | undefined;
      routes.push({ method, url: route.url, schema, websocket: (route as { websocket?: boolean }).websocket === true });
    }
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-correlation-id', request.id);
  });

  app.addHook('preValidation', async (request, reply) => {
    if (typeof request.body === 'object' && nestsDeeperThan(request.body, MAX_BODY_DEPTH)) {
      const message = `body nests deeper than ${MAX_BODY_DEPTH} levels`;
      return reply.code(400).send({ error: 'bad_request', field: 'body', message });
    }
  });
  // After validation (and Ajv's coercion): numbers must be finite, integers safe. See input-guard.ts.
  app.addHook('preHandler', async (request, reply) => {
    const schema = request.routeOptions.schema;
    const problem =
      findBadNumber(request.query, schema?.querystring, 'querystring') ??
      findBadNumber(request.params, schema?.params, 'params') ??
      findBadNumber(request.body, schema?.body, 'body');
    if (problem) return reply.code(400).send({ error: 'bad_request', ...problem });
  });

  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const fe = error as FastifyError;
    if (fe.validation) {
      const first = fe.validation[0];
      const where = fe.validationContext ?? 'request';
      const path = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
      const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
      const field = [where, path || missing].filter(Boolean).join('.');
      return reply
        .code(400)
        .send({ error: 'bad_request', field, message: `${field} ${first?.message ?? 'is invalid'}` });
    }
    if (error instanceof ValidationError) {
      return reply.code(400).send({ error: 'bad_request', field: error.field, message: error.message });
    }
    if (error instanceof NotFoundError) return reply.code(404).send({ error: 'not_found', message: error.message });
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.code(fe.statusCode).send({ error: fe.code ?? 'bad_request', message: fe.message });
    }
    request.log.error({ err: error, correlationId: request.id }, 'request failed');
    const code = error instanceof HomeIqError ? error.code : 'internal';
    return reply.code(500).send({ error: code, message: 'internal error', correlationId: request.id });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  return app as unknown as HttpApp;
}

/** GET /health: 200 while the service can do its job (healthy or degraded), 503 when unhealthy. */
export function registerHealthRoute(app: HttpApp, report: () => Promise<HealthReport> | HealthReport): void {
  app.get('/health', async (_request, reply) => {
    const body = await report();
    return reply.code(body.status === 'unhealthy' ? 503 : 200).send(body);
  });
}

/** Listens and returns the bound port (useful with port 0 in tests). */
export async function listen(app: HttpApp, port: number, host: string): Promise<number> {
  await app.listen({ port, host });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}
