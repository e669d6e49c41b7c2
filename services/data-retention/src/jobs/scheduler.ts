import type { Logger } from '@homeiq/core';
import type { Clock } from '../clock';

/** When a schedule fires next, given now (ms). */
export type NextRun = (nowMs: number) => number;

/** Every `periodMs` on epoch-aligned boundaries, `offsetMs` after each. */
export function aligned(periodMs: number, offsetMs: number): NextRun {
  return (now) => {
    const next = Math.floor((now - offsetMs) / periodMs) * periodMs + periodMs + offsetMs;
    return next > now ? next : next + periodMs;
  };
}

/** Daily at a local time of day (minutes after midnight, in the process's TZ). */
export function dailyAt(minuteOfDay: number): NextRun {
  return (now) => {
    const d = new Date(now);
    d.setHours(Math.floor(minuteOfDay / 60), minuteOfDay % 60, 0, 0);
    if (d.getTime() <= now) {
      d.setDate(d.getDate() + 1);
      d.setHours(Math.floor(minuteOfDay / 60), minuteOfDay % 60, 0, 0);
    }
    return d.getTime();
  };
}

export function every(intervalMs: number, fromMs: number): NextRun {
  return (now) => fromMs + (Math.floor((now - fromMs) / intervalMs) + 1) * intervalMs;
}

/** In-process timers: start() arms them, stop() clears them; each fires its callback and re-arms. */
export class Scheduler {
  private readonly entries: Array<{ name: string; next: NextRun; fn: () => void; handle?: unknown; due?: number }> = [];
  private running = false;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  add(name: string, next: NextRun, fn: () => void): void {
    this.entries.push({ name, next, fn });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const e of this.entries) this.arm(e);
  }

  stop(): void {
    this.running = false;
    for (const e of this.entries) {
      if (e.handle !== undefined) this.clock.clearTimer(e.handle);
      e.handle = undefined;
    }
  }

  /** Next due time per schedule (for GET /api/v1/jobs and tests). */
  nextRuns(): Record<string, string | null> {
    const out: Record<string, string | null> = {};
    for (const e of this.entries) out[e.name] = e.due === undefined ? null : new Date(e.due).toISOString();
    return out;
  }

  private arm(e: (typeof this.entries)[number]): void {
    const now = this.clock.now();
    e.due ??= e.next(now);
    const due = e.due;
    e.handle = this.clock.setTimer(() => {
      if (!this.running) return;
      if (this.clock.now() < due) return this.arm(e); // a long wait is armed in steps
      e.due = undefined;
      try {
        e.fn();
      } catch (error) {
        this.logger.error({ err: error, schedule: e.name }, 'scheduled job failed to start');
      }
      this.arm(e);
    }, due - now);
  }
}
