import { buildOperation, type CollectedRoute, type OperationDoc, openApiPath } from './operation';
import { SHARED_RESPONSES, SHARED_SCHEMAS } from './shared-schemas';

type Json = Record<string, unknown>;

export const HOMEIQ_VERSION = '0.1.0';

export interface OpenApiOptions {
  /** What the service is for, shown at the top of its docs. */
  description: string;
  /** Every tag the service's routes use, with what it groups. */
  tags: Record<string, string>;
  /** Summary, tag and description of routes whose schema carries none, keyed "GET /api/v1/path". */
  operations?: Record<string, OperationDoc>;
  /** Named shapes: emitted under components.schemas and referenced wherever an identical schema appears. */
  schemas?: Record<string, object>;
}

const HealthReportRef = { $ref: '#/components/schemas/HealthReport' };

/** The routes every service gets from the shared shell. */
const SHELL_OPERATIONS: Record<string, OperationDoc> = {
  'GET /health': {
    summary: 'Health of this service',
    description: '200 while it can do its job (healthy or degraded, with the reasons), 503 when unhealthy. No key.',
    tag: 'service',
    responses: {
      200: { description: 'Healthy or degraded', ...HealthReportRef },
      503: { description: 'Unhealthy', ...HealthReportRef },
    },
  },
  'GET /api/v1/process': { summary: 'Resource use of this process (CPU, memory, event-loop lag)', tag: 'service' },
  'GET /api/v1/config': { summary: 'The effective configuration, secrets masked', tag: 'service' },
  'GET /metrics': {
    summary: 'Prometheus metrics',
    description: 'Text exposition format: process and Node.js metrics, then this service’s `homeiq_*` metrics.',
    tag: 'monitoring',
    produces: 'text/plain',
  },
  'GET /openapi.json': { summary: 'This OpenAPI document', tag: 'monitoring' },
};

const SHELL_TAGS: Record<string, string> = {
  service: 'Health, resource use and configuration of this service',
  monitoring: 'Metrics for Prometheus and this API description',
};

function canonical(schema: unknown): string {
  return JSON.stringify(schema);
}

/** Replaces every subschema identical to a named one by a $ref (route schemas are plain JSON, compared as text). */
function referenceShared(node: unknown, named: Map<string, string>, isRoot = false): unknown {
  if (Array.isArray(node)) return node.map((n) => referenceShared(n, named));
  if (node === null || typeof node !== 'object') return node;
  if (!isRoot) {
    const name = named.get(canonical(node));
    if (name) return { $ref: `#/components/schemas/${name}` };
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = referenceShared(value, named);
  return out;
}

export interface OpenApiSource {
  name: string;
  options: OpenApiOptions;
  routes: CollectedRoute[];
}

/** The document without `servers`, which depend on how a request reached the service. */
export function buildOpenApiDocument(source: OpenApiSource): Json {
  const docs = { ...SHELL_OPERATIONS, ...(source.options.operations ?? {}) };
  const paths: Record<string, Json> = {};
  const used = new Set<string>();
  for (const route of source.routes) {
    const key = `${route.method} ${route.url}`;
    const doc = docs[key] ?? { summary: `${route.method} ${route.url}` };
    const operation = buildOperation(route, doc);
    for (const tag of operation.tags as string[]) used.add(tag);
    const path = openApiPath(route.url);
    paths[path] = { ...(paths[path] ?? {}), [route.method.toLowerCase()]: operation };
  }
  const descriptions = { ...SHELL_TAGS, ...source.options.tags };
  const tags = [...used].sort().map((name) => ({
    name,
    description: descriptions[name] ?? `Routes under /api/v1/${name}`,
  }));
  // JSON round trip: TypeBox marks its schemas with symbols, which are not part of the document.
  const own = JSON.parse(JSON.stringify(source.options.schemas ?? {})) as Record<string, Json>;
  const schemas: Record<string, Json> = { ...(SHARED_SCHEMAS as Record<string, Json>), ...own };
  const named = new Map(Object.entries(schemas).map(([name, schema]) => [canonical(schema), name]));
  const plainPaths = JSON.parse(JSON.stringify(paths)) as Json;
  const usedRefs = new Set(JSON.stringify(plainPaths).match(/#\/components\/responses\/\w+/g));
  return {
    openapi: '3.1.0',
    info: {
      title: `HomeIQ ${source.name}`,
      version: HOMEIQ_VERSION,
      description: source.options.description,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    tags,
    paths: referenceShared(plainPaths, named),
    components: {
      schemas: Object.fromEntries(
        Object.entries(schemas).map(([name, schema]) => [name, referenceShared(schema, named, true)]),
      ),
      responses: Object.fromEntries(
        Object.entries(SHARED_RESPONSES).filter(([name]) => usedRefs.has(`#/components/responses/${name}`)),
      ),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'The API key (API_KEY, or the one generated into the data dir) as a bearer token',
        },
      },
    },
    security: [{ bearer: [] }],
  };
}
