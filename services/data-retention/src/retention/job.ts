import { errorMessage } from '@homeiq/core';
import type { RetentionTarget, StorageConfig, TimeSeriesStore } from '@homeiq/storage';
import type { Clock } from '../clock';
import { type JobContext, PartialFailure } from '../jobs/runner';
import { DAY_US, type Policies, type PolicyStore } from '../policies';
import { applyServerPolicy, type ServerPolicyResult } from './influx-policy';

export interface TierResult {
  target: RetentionTarget;
  days: number;
  /** Everything older than this went; null when the tier is kept forever. */
  before: string | null;
  /** Rows/points deleted (null when the backend cannot tell). */
  deleted: number | null;
  /** Why the cutoff is later than the policy asks. */
  note?: string;
  error?: string;
}

export interface RetentionResult {
  at: string;
  policies: Policies;
  tiers: TierResult[];
  serverPolicy?: ServerPolicyResult;
}

export interface RetentionJobOptions {
  store: () => Promise<TimeSeriesStore>;
  policies: PolicyStore;
  clock: Clock;
  /** Other measurements the raw tier applies to. */
  measurements: string[];
  /** Raw events are only deleted up to where statistics are compiled (µs), so no window loses its source. */
  compiledHour: () => number | null;
  storage: StorageConfig;
}

const iso = (us: number) => new Date(us / 1000).toISOString();

/** The daily trim: every tier loses what is older than its policy; InfluxDB also gets its server-side backstop. */
export class RetentionJob {
  constructor(private readonly o: RetentionJobOptions) {}

  async run(ctx: JobContext): Promise<RetentionResult> {
    const store = await this.o.store();
    const { policies } = this.o.policies.get();
    const nowUs = this.o.clock.now() * 1000;
    const cutoff = (days: number) => (days === 0 ? null : nowUs - days * DAY_US);
    const plan: Array<{ target: RetentionTarget; days: number }> = [
      { target: 'events', days: policies.raw_days },
      ...this.o.measurements.map((m) => ({ target: m, days: policies.raw_days })),
      { target: '5minute', days: policies.short_term_days },
      { target: 'hour', days: policies.hourly_days },
    ];
    const tiers: TierResult[] = [];
    for (const [i, { target, days }] of plan.entries()) {
      let before = cutoff(days);
      const tier: TierResult = { target, days, before: null, deleted: 0 };
      if (target === 'events' && before !== null) {
        const compiled = this.o.compiledHour();
        if (compiled === null) {
          before = null;
          tier.note = 'no statistics compiled yet: raw events wait for them';
        } else if (compiled < before) {
          before = compiled;
          tier.note = 'held back to the end of compiled statistics';
        }
      }
      if (before !== null) {
        tier.before = iso(before);
        try {
          tier.deleted = await store.deleteBefore(target, before);
        } catch (error) {
          tier.deleted = null;
          tier.error = errorMessage(error);
        }
      }
      tiers.push(tier);
      ctx.progress((i + 1) / (plan.length + 1), `trimmed ${target}`);
    }
    const result: RetentionResult = { at: new Date(this.o.clock.now()).toISOString(), policies, tiers };
    if (store.kind === 'influxdb') result.serverPolicy = await applyServerPolicy(this.o.storage, policies);
    const failed = tiers.filter((t) => t.error);
    if (failed.length > 0) {
      throw new PartialFailure(
        `retention failed for ${failed.map((t) => `${t.target} (${t.error})`).join(', ')}`,
        result,
      );
    }
    if (result.serverPolicy?.action === 'failed') {
      throw new PartialFailure(`InfluxDB retention policy: ${result.serverPolicy.detail}`, result);
    }
    return result;
  }
}
