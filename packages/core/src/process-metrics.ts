import { monitorEventLoopDelay } from 'node:perf_hooks';

/** This process's resource use, as every service reports it at GET /api/v1/process. */
export interface ProcessMetrics {
  pid: number;
  uptimeSeconds: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapLimitBytes: number;
  /** CPU use since the previous sample, percent of one core. */
  cpuPercent: number;
  /** Event-loop delay over the last sampling period, ms. */
  eventLoopLagMs: { mean: number; p99: number; max: number };
  /** The services running in this process. */
  services: string[];
}

let histogram: ReturnType<typeof monitorEventLoopDelay> | undefined;
let lastCpu = process.cpuUsage();
let lastAt = process.hrtime.bigint();

async function heapLimit(): Promise<number> {
  const v8 = await import('node:v8');
  return v8.getHeapStatistics().heap_size_limit;
}

/** Samples CPU since the previous call and the loop delay since the previous call. */
export async function sampleProcessMetrics(services: string[]): Promise<ProcessMetrics> {
  if (!histogram) {
    histogram = monitorEventLoopDelay({ resolution: 20 });
    histogram.enable();
  }
  const now = process.hrtime.bigint();
  const cpu = process.cpuUsage(lastCpu);
  const elapsedUs = Number(now - lastAt) / 1000;
  lastCpu = process.cpuUsage();
  lastAt = now;
  const mem = process.memoryUsage();
  const toMs = (ns: number) => (Number.isFinite(ns) ? Math.round(ns / 1e4) / 100 : 0);
  const lag = { mean: toMs(histogram.mean), p99: toMs(histogram.percentile(99)), max: toMs(histogram.max) };
  histogram.reset();
  return {
    pid: process.pid,
    uptimeSeconds: Math.round(process.uptime()),
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    heapLimitBytes: await heapLimit(),
    cpuPercent: elapsedUs > 0 ? Math.round(((cpu.user + cpu.system) / elapsedUs) * 1000) / 10 : 0,
    eventLoopLagMs: lag,
    services,
  };
}
