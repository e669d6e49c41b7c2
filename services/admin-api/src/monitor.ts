import type { Logger } from '@homeiq/core';
import { type Alert, AlertEngine, type AlertRuleOptions } from './alerts';
import type { Collector } from './collector';
import type { DiskUse } from './disk';

/** Evaluates the alert rules every `intervalMs`; one evaluation at a time, errors logged and survived. */
export class Monitor {
  readonly engine: AlertEngine;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Alert[]> | undefined;
  lastEvaluatedAt: number | null = null;
  lastError: string | null = null;

  constructor(
    private readonly collector: Collector,
    private readonly disk: () => Promise<DiskUse>,
    rules: AlertRuleOptions,
    private readonly now: () => number,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {
    this.engine = new AlertEngine(rules, now);
  }

  start(): void {
    if (this.timer) return;
    void this.evaluate();
    this.timer = setInterval(() => void this.evaluate(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass of every rule (concurrent callers share the pass in progress). */
  evaluate(): Promise<Alert[]> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<Alert[]> {
    const started = Date.now();
    try {
      const [health, disk] = await Promise.all([this.collector.health(), this.disk().catch(() => null)]);
      const alerts = this.engine.evaluate({ health, stats: health.stats, disk });
      this.lastEvaluatedAt = this.now();
      this.lastError = null;
      const took = Date.now() - started;
      if (took > this.intervalMs) this.logger.warn({ tookMs: took }, 'alert evaluation overran its interval');
      return alerts;
    } catch (error) {
      this.lastError = (error as Error).message;
      this.logger.error({ err: error }, 'alert evaluation failed');
      return this.engine.list();
    }
  }
}
