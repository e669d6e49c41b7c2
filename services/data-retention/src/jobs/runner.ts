import { randomUUID } from 'node:crypto';
import { errorMessage, type HealthCheck, type Logger } from '@homeiq/core';
import type { Clock } from '../clock';

export type JobKind = 'statistics' | 'retention' | 'backup' | 'restore';
export type JobTrigger = 'schedule' | 'startup' | 'api' | 'cli';

export interface JobRecord {
  id: string;
  kind: JobKind;
  trigger: JobTrigger;
  state: 'running' | 'succeeded' | 'failed';
  /** 0..1 */
  progress: number;
  message?: string;
  started_at: string;
  finished_at?: string;
  duration_ms?: number;
  result?: unknown;
  error?: string;
}

/** Thrown by a job that finished some of its work: the job fails, and its record keeps what was done. */
export class PartialFailure extends Error {
  constructor(
    message: string,
    readonly result: unknown,
  ) {
    super(message);
  }
}

export interface JobContext {
  readonly id: string;
  /** Records progress (0..1). Throws once the runner is stopping, which is how a long job gets cancelled. */
  progress(fraction: number, message?: string): void;
}

export class JobCancelled extends Error {
  constructor() {
    super('cancelled: the service is stopping');
  }
}

export interface JobRunnerOptions {
  logger: Logger;
  clock: Clock;
  /** Longest a job of a kind should run (its schedule interval); longer is an overrun: a warning and degraded health. */
  budgets: Partial<Record<JobKind, number>>;
}

/** Kinds that must not run at the same time as each other (a backup of a half-restored store is no backup). */
const EXCLUSIVE: Partial<Record<JobKind, JobKind[]>> = { backup: ['restore'], restore: ['backup'] };
const HEALTH_KINDS: JobKind[] = ['statistics', 'retention', 'backup'];
const KEEP = 50;

/** Runs jobs in the background, one of a kind at a time, and keeps their records for GET /api/v1/jobs/{id}. */
export class JobRunner {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly finishListeners = new Set<(record: Readonly<JobRecord>) => void>();
  private readonly running = new Map<JobKind, { record: JobRecord; done: Promise<void> }>();
  private readonly lastFinished = new Map<JobKind, JobRecord>();
  private stopping = false;

  constructor(private readonly o: JobRunnerOptions) {}

  /**
   * Starts `fn` as a job of `kind`, or returns the job that is already running (started=false) when one of this
   * kind, or one excluding it, is in progress.
   */
  start(
    kind: JobKind,
    trigger: JobTrigger,
    fn: (ctx: JobContext) => Promise<unknown>,
  ): { job: JobRecord; started: boolean } {
    if (this.stopping) throw new JobCancelled();
    for (const k of [kind, ...(EXCLUSIVE[kind] ?? [])]) {
      const busy = this.running.get(k);
      if (busy) return { job: busy.record, started: false };
    }
    const startedMs = this.o.clock.now();
    const record: JobRecord = {
      id: randomUUID(),
      kind,
      trigger,
      state: 'running',
      progress: 0,
      started_at: new Date(startedMs).toISOString(),
    };
    this.remember(record);
    const log = this.o.logger.child({ job: record.id, kind });
    const ctx: JobContext = {
      id: record.id,
      progress: (fraction, message) => {
        if (this.stopping) throw new JobCancelled();
        record.progress = Math.max(record.progress, Math.min(1, Math.max(0, fraction)));
        if (message !== undefined) record.message = message;
      },
    };
    const done = (async () => {
      try {
        record.result = await fn(ctx);
        record.state = 'succeeded';
        record.progress = 1;
      } catch (error) {
        record.state = 'failed';
        record.error = errorMessage(error);
        // A job that did part of its work says what in `result` (e.g. the tiers that were trimmed).
        if (error instanceof PartialFailure) record.result = error.result;
      }
      const finishedMs = this.o.clock.now();
      record.finished_at = new Date(finishedMs).toISOString();
      record.duration_ms = finishedMs - startedMs;
      this.running.delete(kind);
      this.lastFinished.set(kind, record);
      for (const listener of this.finishListeners) listener(record);
      const budget = this.o.budgets[kind];
      const fields = { durationMs: record.duration_ms, trigger, result: record.result };
      if (record.state === 'failed') log.error({ ...fields, err: record.error }, `${kind} job failed`);
      else if (budget !== undefined && record.duration_ms > budget) {
        log.warn({ ...fields, budgetMs: budget }, `${kind} job overran its interval`);
      } else log.info(fields, `${kind} job finished`);
    })();
    this.running.set(kind, { record, done });
    return { job: record, started: true };
  }

  /** Called when a job has finished, succeeded or failed (metrics). */
  onFinish(listener: (record: Readonly<JobRecord>) => void): () => void {
    this.finishListeners.add(listener);
    return () => this.finishListeners.delete(listener);
  }

  get(id: string): JobRecord | undefined {
    return this.jobs.get(id);
  }

  list(): JobRecord[] {
    return [...this.jobs.values()].reverse();
  }

  isRunning(kind: JobKind): boolean {
    return this.running.has(kind);
  }

  /** Resolves when the job has finished (tests, CLI). */
  async wait(id: string): Promise<JobRecord> {
    for (const { record, done } of this.running.values()) if (record.id === id) await done;
    const record = this.jobs.get(id);
    if (!record) throw new Error(`no job ${id}`);
    return record;
  }

  /** Cancels running jobs at their next progress report and waits for them (stop()). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.idle();
  }

  /** Waits for every running job. */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** One health check per scheduled kind: degraded when its last run failed or overran, or it is overrunning now. */
  health(): Record<string, HealthCheck> {
    const now = this.o.clock.now();
    const out: Record<string, HealthCheck> = {};
    for (const kind of HEALTH_KINDS) {
      const budget = this.o.budgets[kind];
      const last = this.lastFinished.get(kind);
      const current = this.running.get(kind)?.record;
      const detail = {
        lastRun: last?.finished_at ?? null,
        lastDurationMs: last?.duration_ms ?? null,
        running: !!current,
      };
      const runningFor = current ? now - Date.parse(current.started_at) : 0;
      if (current && budget !== undefined && runningFor > budget) {
        out[kind] = {
          status: 'degraded',
          reason: `${kind} job running for ${human(runningFor)}, over its ${human(budget)} interval`,
          ...detail,
        };
      } else if (last?.state === 'failed') {
        out[kind] = { status: 'degraded', reason: `last ${kind} job failed: ${last.error}`, ...detail };
      } else if (last && budget !== undefined && (last.duration_ms ?? 0) > budget) {
        out[kind] = {
          status: 'degraded',
          reason: `last ${kind} job took ${human(last.duration_ms ?? 0)}, over its ${human(budget)} interval`,
          ...detail,
        };
      } else {
        out[kind] = { status: 'healthy', ...detail };
      }
    }
    return out;
  }

  private remember(record: JobRecord): void {
    this.jobs.set(record.id, record);
    if (this.jobs.size <= KEEP) return;
    for (const [id, r] of this.jobs) {
      if (this.jobs.size <= KEEP) break;
      if (r.state !== 'running') this.jobs.delete(id);
    }
  }
}

export function human(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
