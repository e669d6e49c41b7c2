import { type ProcessMetrics, type ServiceName, sampleProcessMetrics } from '@homeiq/core';
import { mib } from './budgets';
import type { DiskUse } from './disk';
import { getJson } from './upstream';

export interface ProcessUse extends ProcessMetrics {
  /** More than one service runs in this process (`homeiq start`): the figures are the process's, shared. */
  shared: boolean;
  inProcess: boolean;
  /** Sum of the budgets of the services it runs. */
  budgetBytes: number;
  budgetPercent: number;
}

export interface ResourcesReport {
  checkedAt: string;
  processes: ProcessUse[];
  unreachable: Array<{ service: ServiceName; reason: string }>;
  disk: DiskUse | { error: string };
  warnings: string[];
}

export interface ResourceOptions {
  services: ServiceName[];
  local: ReadonlySet<string>;
  urlOf: (name: ServiceName) => string;
  apiKey: string;
  timeoutMs: number;
  budgets: Record<ServiceName, number>;
  memoryWarnPercent: number;
  diskMinFreePercent: number;
  disk: () => Promise<DiskUse>;
}

/**
 * Resource use per process. Services in admin-api's own process are sampled once, directly (sampling
 * resets the CPU window, so asking each of them over HTTP would split one window into slivers); the others
 * answer GET /api/v1/process.
 */
export async function collectResources(o: ResourceOptions): Promise<ResourcesReport> {
  const local = o.services.filter((s) => o.local.has(s));
  const remote = o.services.filter((s) => !o.local.has(s));
  const unreachable: ResourcesReport['unreachable'] = [];

  // A local service that failed to start is in the process list but not running: leave it out.
  const localRunning = await Promise.all(
    local.map(async (name) => {
      if (name === 'admin-api') return name;
      const res = await getJson(o.urlOf(name), '/health', { timeoutMs: o.timeoutMs, acceptStatus: [503] });
      if (res.ok) return name;
      unreachable.push({ service: name, reason: res.error });
      return undefined;
    }),
  );
  const sharedNames = localRunning.filter((n): n is ServiceName => n !== undefined);

  const [localMetrics, remoteMetrics, disk] = await Promise.all([
    sharedNames.length > 0 ? sampleProcessMetrics(sharedNames) : Promise.resolve(undefined),
    Promise.all(
      remote.map(async (name) => {
        const res = await getJson<ProcessMetrics>(o.urlOf(name), '/api/v1/process', {
          timeoutMs: o.timeoutMs,
          apiKey: o.apiKey,
        });
        if (!res.ok) {
          const reason =
            res.status === 404 ? 'reports no process metrics (e.g. the dashboard served by nginx)' : res.error;
          unreachable.push({ service: name, reason });
        }
        return res.ok ? { name, metrics: res.body } : undefined;
      }),
    ),
    o.disk().catch((error: Error) => ({ error: error.message })),
  ]);

  const processes: ProcessUse[] = [];
  const warnings: string[] = [];
  const add = (metrics: ProcessMetrics, names: ServiceName[], inProcess: boolean) => {
    const budgetBytes = names.reduce((sum, n) => sum + o.budgets[n], 0);
    const budgetPercent = Math.round((metrics.rssBytes / budgetBytes) * 1000) / 10;
    processes.push({ ...metrics, services: names, shared: names.length > 1, inProcess, budgetBytes, budgetPercent });
    if (budgetPercent >= o.memoryWarnPercent) {
      const who = names.length > 1 ? `the process running ${names.join(', ')}` : names[0];
      warnings.push(
        `${who} uses ${mib(metrics.rssBytes)} of its ${mib(budgetBytes)} memory budget (${budgetPercent}%)`,
      );
    }
  };
  if (localMetrics) add(localMetrics, sharedNames, true);
  for (const r of remoteMetrics) if (r) add(r.metrics, [r.name], false);

  if ('freePercent' in disk && disk.freePercent < o.diskMinFreePercent) {
    warnings.push(`only ${disk.freePercent}% of the disk holding ${disk.dataDir} is free (${mib(disk.freeBytes)})`);
  }
  return { checkedAt: new Date().toISOString(), processes, unreachable, disk, warnings };
}
