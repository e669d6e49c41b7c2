import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { HttpApp } from './http';

/**
 * Prometheus metrics. Each service instance owns a registry (services share one process under `homeiq start`,
 * so the global default registry would collide); the process and Node.js metrics live in one registry per process,
 * collected once, and are served with every service's own.
 */
export type MetricsRegistry = Registry;

let processRegistry: Registry | undefined;

/** prom-client's gauges that end in _total (promtool refuses them) and duplicate the same gauges without it. */
const MISNAMED_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    for (const name of MISNAMED_DEFAULTS) processRegistry.removeSingleMetric(name);
  }
  return processRegistry;
}

export function createMetricsRegistry(): Registry {
  return new Registry();
}

/** The text exposition of this process's metrics followed by the service's own. */
export async function metricsText(service: Registry): Promise<string> {
  const [process, own] = await Promise.all([processMetrics().metrics(), service.metrics()]);
  return `${process.trimEnd()}\n${own}`;
}

/** GET /metrics in the Prometheus text format (behind the API key like every route but /health). */
export function registerMetricsRoute(app: HttpApp, registry: Registry): void {
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await metricsText(registry)));
}

/** A gauge read at scrape time: the hot path keeps its plain counters and nothing is updated per event. */
export function gaugeFrom(registry: Registry, name: string, help: string, read: () => number | Promise<number>): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      this.set(await read());
    },
  });
}

/** A counter read at scrape time from a monotonic count the component already keeps. */
export function counterFrom(registry: Registry, name: string, help: string, read: () => number): Counter {
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(Math.max(0, read()));
    },
  });
}

/** Like counterFrom, one series per label value (e.g. `outcome`). */
export function labelledCounterFrom(
  registry: Registry,
  name: string,
  help: string,
  label: string,
  read: () => Record<string, number>,
): Counter<string> {
  return new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [value, count] of Object.entries(read())) this.labels(value).inc(Math.max(0, count));
    },
  });
}

/** Like gaugeFrom, one series per label value. */
export function labelledGaugeFrom(
  registry: Registry,
  name: string,
  help: string,
  labels: string[],
  read: () => Array<{ labels: Record<string, string>; value: number }>,
): Gauge<string> {
  return new Gauge({
    name,
    help,
    labelNames: labels,
    registers: [registry],
    collect() {
      this.reset();
      for (const sample of read()) this.set(sample.labels, sample.value);
    },
  });
}

/** Buckets, seconds, for HTTP handlers and store writes on a small machine: 1 ms to 10 s. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Request duration by route pattern (never the raw URL, so ids do not explode the series) and status code. */
export function registerRequestMetrics(app: HttpApp, registry: Registry): void {
  const duration = new Histogram({
    name: 'homeiq_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

export { Counter, Gauge, Histogram, Registry };
