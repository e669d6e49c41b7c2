/** One fastify route -> one OpenAPI 3.1 operation (route schemas are JSON Schema, which 3.1 takes as they are). */

type Json = Record<string, unknown>;

export interface CollectedRoute {
  method: string;
  url: string;
  schema: Json;
  open: boolean;
}

export interface OperationDoc {
  summary: string;
  description?: string;
  tag?: string;
  /** Content type of a non-JSON 200 answer (e.g. the Prometheus text format). */
  produces?: string;
  /** Answers by status code, for routes whose schema declares none (documented without changing serialization). */
  responses?: Record<string, object>;
}

const STATUS_TEXT: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted: started in the background',
  '204': 'Done, no content',
  '400': 'A parameter is invalid; `field` names it',
  '401': 'No API key',
  '403': 'Wrong API key',
  '404': 'Not found',
  '409': 'Conflict with the current state',
  '413': 'Request too large',
  '429': 'Too many requests',
  '500': 'Internal error (logged with the correlation id)',
  '502': 'An upstream service failed',
  '503': 'Not available right now (a dependency is down)',
};

/** `/api/v1/entities/:entity_id/history` -> `/api/v1/entities/{entity_id}/history`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function pascal(word: string): string {
  return word
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');
}

/** GET /api/v1/entities/:entity_id/history -> getEntitiesByEntityIdHistory (stable, unique per method and path). */
export function operationIdFor(method: string, url: string): string {
  const parts = url
    .split('/')
    .filter((s) => s && s !== 'api' && !/^v\d+$/.test(s))
    .map((s) => (s.startsWith(':') ? `By${pascal(s.slice(1))}` : pascal(s)));
  return method.toLowerCase() + (parts.join('') || 'Root');
}

/** The first path segment after /api/v1 names the resource a route belongs to. */
export function defaultTag(url: string): string {
  const parts = url.split('/').filter((s) => s && s !== 'api' && !/^v\d+$/.test(s));
  return parts[0]?.replace(/^:/, '') ?? 'service';
}

function objectProperties(schema: unknown): { properties: Record<string, Json>; required: string[] } {
  const s = (schema ?? {}) as Json;
  return {
    properties: (s.properties as Record<string, Json> | undefined) ?? {},
    required: (s.required as string[] | undefined) ?? [],
  };
}

function parameters(route: CollectedRoute): Json[] {
  const out: Json[] = [];
  const path = objectProperties(route.schema.params);
  const names = [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
  for (const name of names) {
    const { description, ...schema } = path.properties[name] ?? { type: 'string' };
    out.push({ name, in: 'path', required: true, ...(description ? { description } : {}), schema });
  }
  const query = objectProperties(route.schema.querystring);
  for (const [name, prop] of Object.entries(query.properties)) {
    const { description, ...schema } = prop;
    out.push({
      name,
      in: 'query',
      required: query.required.includes(name),
      ...(description ? { description } : {}),
      schema,
    });
  }
  return out;
}

function response(code: string, schema: Json | undefined, produces: string | undefined): Json {
  const description = (schema?.description as string | undefined) ?? STATUS_TEXT[code] ?? 'Response';
  if (code === '204') return { description };
  // fastify's own form for other media types: { description, content: { 'text/event-stream': { schema } } }.
  if (schema?.content && typeof schema.content === 'object') return { description, content: schema.content };
  if (!schema) {
    return produces ? { description, content: { [produces]: { schema: { type: 'string' } } } } : { description };
  }
  return { description, content: { [produces ?? 'application/json']: { schema } } };
}

function responses(route: CollectedRoute, doc: OperationDoc, takesInput: boolean): Json {
  const declared = (route.schema.response ?? doc.responses ?? {}) as Record<string, Json>;
  const out: Json = {};
  for (const [code, schema] of Object.entries(declared)) {
    out[code] = response(code, schema, code.startsWith('2') ? doc.produces : undefined);
  }
  if (!Object.keys(out).some((c) => c.startsWith('2'))) out['200'] = response('200', undefined, doc.produces);
  // Answers the shared shell gives whether or not the route declares them.
  if (takesInput && !out['400']) out['400'] = { $ref: '#/components/responses/BadRequest' };
  if (!route.open) {
    out['401'] ??= { $ref: '#/components/responses/Unauthorized' };
    out['403'] ??= { $ref: '#/components/responses/Forbidden' };
  }
  return out;
}

export function buildOperation(route: CollectedRoute, doc: OperationDoc): Json {
  const params = parameters(route);
  const body = route.schema.body as Json | undefined;
  const takesInput = params.length > 0 || body !== undefined;
  const description = (route.schema.description as string | undefined) ?? doc.description;
  return {
    operationId: (route.schema.operationId as string | undefined) ?? operationIdFor(route.method, route.url),
    summary: (route.schema.summary as string | undefined) ?? doc.summary,
    ...(description ? { description } : {}),
    tags: (route.schema.tags as string[] | undefined) ?? [doc.tag ?? defaultTag(route.url)],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } } : {}),
    responses: responses(route, doc, takesInput),
    ...(route.open ? { security: [] } : {}),
  };
}
