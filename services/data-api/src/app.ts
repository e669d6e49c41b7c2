import websocket from '@fastify/websocket';
import {
  type ConfigPart,
  createServiceApp,
  errorMessage,
  type HealthCheck,
  type HttpApp,
  type Logger,
} from '@homeiq/core';
import { type LiveFeed, type MetadataStore, RemoteLiveFeed, type TimeSeriesStore } from '@homeiq/storage';
import { DEFAULT_MAX_RESPONSE_BYTES } from './config';
import type { RouteContext } from './context';
import { registerDataApiMetrics } from './metrics';
import { DATA_API_OPENAPI } from './openapi';
import { registerRoutes } from './routes';
import { StreamHub, type StreamOptions } from './stream-hub';

export interface DataApiDeps {
  logger: Logger;
  apiKey: string;
  /** The time-series store (opened); a function so a store that fails to open degrades /health, not the process. */
  timeSeries: () => Promise<TimeSeriesStore>;
  metadata: () => MetadataStore;
  /** The effective configuration served (masked) at GET /api/v1/config. */
  configView?: () => ConfigPart[];
  live: () => LiveFeed;
  /** Services in this process, for /api/v1/process. */
  colocated?: () => string[];
  stream?: Partial<StreamOptions>;
  /** Timeout of each /health probe, ms. */
  healthTimeoutMs?: number;
  /** Clock in ms since the epoch (tests pin it). */
  now?: () => number;
  /** DATA_API_MAX_RESPONSE_BYTES (default 8 MB). */
  maxResponseBytes?: number;
}

export interface DataApiApp {
  app: HttpApp;
  hub: StreamHub;
}

/** Builds the data-api from its dependencies without listening (tests call it and use app.inject). */
export function buildApp(deps: DataApiDeps): DataApiApp {
  const now = deps.now ?? Date.now;
  const ctx: RouteContext = {
    store: deps.timeSeries,
    metadata: deps.metadata,
    live: deps.live,
    nowUs: () => Math.round(now() * 1000),
    logger: deps.logger,
    maxResponseBytes: deps.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
  };
  const hub = new StreamHub(
    deps.live,
    { maxBufferedBytes: deps.stream?.maxBufferedBytes ?? 1_048_576, heartbeatMs: deps.stream?.heartbeatMs ?? 15_000 },
    deps.logger.child({ module: 'stream' }),
  );
  const timeoutMs = deps.healthTimeoutMs ?? 2000;
  const { app, metrics } = createServiceApp({
    name: 'data-api',
    logger: deps.logger,
    apiKey: deps.apiKey,
    openApi: DATA_API_OPENAPI,
    colocated: deps.colocated,
    config: deps.configView,
    checks: async () => ({
      timeseries: await probe(timeoutMs, async () => {
        const store = await deps.timeSeries();
        await store.ping();
        return { kind: store.kind };
      }),
      metadata: await probe(timeoutMs, async () => {
        deps.metadata().listAreas();
        return {};
      }),
      live: liveCheck(deps.live(), hub),
    }),
  });
  registerDataApiMetrics(metrics, hub);
  app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  // An upgrade refused by the API-key hook (401/403) runs before @fastify/websocket marks the request, so nothing
  // would close its socket, which the HTTP server no longer tracks: close it once the refusal is sent.
  app.addHook('onResponse', async (request) => {
    if (request.raw.headers.upgrade) request.raw.socket?.destroy();
  });
  app.register(async (scope) => registerRoutes(scope as unknown as HttpApp, ctx, hub));
  app.addHook('preClose', async () => hub.closeAll());
  return { app, hub };
}

async function probe(timeoutMs: number, check: () => Promise<Record<string, unknown>>): Promise<HealthCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return { status: 'healthy', ...(await Promise.race([check(), timeout])) };
  } catch (error) {
    return { status: 'degraded', reason: errorMessage(error) };
  } finally {
    clearTimeout(timer);
  }
}

function liveCheck(feed: LiveFeed, hub: StreamHub): HealthCheck {
  const clients = { clients: hub.size, slowDisconnects: hub.counters.slowDisconnects };
  if (!(feed instanceof RemoteLiveFeed)) return { status: 'healthy', mode: 'in-process', ...clients };
  const s = feed.status();
  if (s.listeners > 0 && !s.connected) {
    return {
      status: 'degraded',
      reason: `live feed from websocket-ingestion down: ${s.lastError ?? 'connecting'}`,
      mode: 'remote',
      ...clients,
    };
  }
  return { status: 'healthy', mode: 'remote', connected: s.connected, ...clients };
}
