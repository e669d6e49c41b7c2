import type { TimeSeriesStore } from '@homeiq/storage';
import type { Clock } from '../clock';
import type { JobContext } from '../jobs/runner';
import { DAY_US } from '../policies';
import { deriveCarry } from './carry';
import { CheckpointFile } from './checkpoint';
import { type CompileResult, compileStatistics } from './compiler';
import type { StatisticIds } from './statistic-ids';
import { FIVE_MINUTES_US, floorTo, HOUR_US } from './windows';

export interface StatisticsJobOptions {
  store: () => Promise<TimeSeriesStore>;
  /** Identifies the store the checkpoint belongs to. */
  storeId: string;
  dataDir: string;
  clock: Clock;
  /** ms after a window closes before it is compiled. */
  delayMs: number;
  /** ms of recent windows recompiled every run, for late events. */
  lateArrivalMs: number;
  /** Days of existing events compiled on the very first run. */
  backfillDays: number;
  statisticIds: StatisticIds;
}

export interface StatisticsResult extends Partial<Omit<CompileResult, 'entityIds' | 'snapshot'>> {
  entities?: number;
  from: string | null;
  to: string | null;
  skipped?: string;
}

const iso = (us: number) => new Date(us / 1000).toISOString();
const CHUNK_US = 24 * HOUR_US;

/**
 * Compiles every 5-minute and hourly window that closed since the last run (all of them after downtime),
 * starting from the checkpoint's hour so that recent windows are recompiled with any late events.
 */
export class StatisticsJob {
  readonly checkpoint: CheckpointFile;

  constructor(private readonly o: StatisticsJobOptions) {
    this.checkpoint = new CheckpointFile(o.dataDir, o.storeId);
  }

  /** The hour up to which raw events are compiled (retention must not delete past it), µs, or null. */
  compiledHour(): number | null {
    return this.checkpoint.load()?.hour ?? null;
  }

  async run(ctx: JobContext, options: { since?: number } = {}): Promise<StatisticsResult> {
    const store = await this.o.store();
    const nowUs = this.o.clock.now() * 1000;
    const to = floorTo(nowUs - this.o.delayMs * 1000, FIVE_MINUTES_US);
    const saved = this.checkpoint.load();
    let from: number;
    let carry: Awaited<ReturnType<typeof deriveCarry>>;
    if (options.since !== undefined) {
      from = floorTo(options.since, HOUR_US);
      carry = await deriveCarry(store, from, saved ? saved.carry.keys() : []);
    } else if (saved) {
      if (to <= saved.compiledUntil) return { from: null, to: null, skipped: 'no window closed since the last run' };
      from = saved.hour;
      carry = saved.carry;
    } else {
      const oldest = await firstEventTime(store);
      if (oldest === null) return { from: null, to: null, skipped: 'the store holds no events yet' };
      from = floorTo(Math.max(oldest, nowUs - this.o.backfillDays * DAY_US), HOUR_US);
      carry = await deriveCarry(store, from);
    }
    if (to <= from) return { from: null, to: null, skipped: 'no complete window yet' };
    // Long catch-ups go a day at a time, each day checkpointed, so a restart mid-way resumes instead of redoing.
    const total: Omit<CompileResult, 'snapshot'> = {
      events: 0,
      shortTermRows: 0,
      hourlyRows: 0,
      windows: 0,
      hours: 0,
      entityIds: new Set(),
    };
    for (let chunkFrom = from; chunkFrom < to; ) {
      const last = to - chunkFrom <= CHUNK_US;
      const chunkTo = last ? to : chunkFrom + CHUNK_US;
      const snapshotAt = last ? Math.max(chunkFrom, floorTo(to - this.o.lateArrivalMs * 1000, HOUR_US)) : chunkTo;
      const r = await compileStatistics(store, { from: chunkFrom, to: chunkTo, snapshotAt }, carry, (f) =>
        ctx.progress((chunkFrom - from + f * (chunkTo - chunkFrom)) / (to - from)),
      );
      for (const k of ['events', 'shortTermRows', 'hourlyRows', 'windows', 'hours'] as const) total[k] += r[k];
      for (const id of r.entityIds) total.entityIds.add(id);
      this.o.statisticIds.add(r.entityIds);
      if (r.snapshot) this.checkpoint.save(snapshotAt, chunkTo, r.snapshot);
      chunkFrom = chunkTo;
    }
    const { entityIds, ...counts } = total;
    return { from: iso(from), to: iso(to), ...counts, entities: entityIds.size };
  }
}

async function firstEventTime(store: TimeSeriesStore): Promise<number | null> {
  for await (const e of store.scan({})) return e.time;
  return null;
}
