import { createLogger, errorMessage } from '@homeiq/core';
import { Runtime } from '@homeiq/storage';
import { DataRetention } from './data-retention';
import type { JobRecord } from './jobs/runner';
import { ProgressBar } from './progress-bar';
import { retentionDeps } from './runtime-deps';

/** The retention service's parts for a CLI command: same config and stores as the service, no schedules. */
export async function withRetention<T>(fn: (service: DataRetention) => Promise<T>): Promise<T> {
  const probe = new Runtime(process.env, createLogger({ level: 'silent' }));
  const logger = createLogger({
    level: probe.common.logLevel === 'info' ? 'warn' : probe.common.logLevel,
    destination: process.stderr,
  });
  const runtime = new Runtime(process.env, logger);
  const service = new DataRetention({ ...retentionDeps(runtime), catchUpOnStart: false });
  try {
    return await fn(service);
  } finally {
    await service.stop();
    await runtime.close();
  }
}

/** Runs a job to its end with a progress bar on stderr; returns its record. */
export async function followJob(
  service: DataRetention,
  started: { job: JobRecord; started: boolean },
  label: string,
): Promise<JobRecord> {
  if (!started.started) throw new Error(`a ${started.job.kind} job is already running (${started.job.id})`);
  const bar = new ProgressBar(label);
  const timer = setInterval(() => bar.update(started.job.progress, started.job.message), 100);
  try {
    const done = await service.runner.wait(started.job.id);
    bar.update(done.state === 'succeeded' ? 1 : done.progress, done.state === 'succeeded' ? 'done' : 'failed');
    return done;
  } finally {
    clearInterval(timer);
    bar.finish();
  }
}

/** Prints a failed job's error (or a thrown one) the way every command does; returns the exit code. */
export function reportFailure(command: string, error: unknown): number {
  process.stderr.write(`homeiq ${command}: ${errorMessage(error)}\n`);
  return 1;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
