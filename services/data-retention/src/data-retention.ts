import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, type HealthCheck, type Logger } from '@homeiq/core';
import type { StorageConfig, TimeSeriesStore } from '@homeiq/storage';
import { BackupJob, type BackupRequest } from './backup/backup-job';
import { resolveBackup } from './backup/manifest';
import { restoreBackup } from './backup/restore';
import type { Clock } from './clock';
import { parseTimeOfDay, type RetentionConfig } from './config';
import { writeFileAtomic } from './files';
import { JobRunner, type JobTrigger } from './jobs/runner';
import { aligned, dailyAt, every, Scheduler } from './jobs/scheduler';
import { PolicyStore } from './policies';
import { RetentionJob } from './retention/job';
import { StatisticsJob } from './statistics/job';
import { StatisticIds } from './statistics/statistic-ids';
import { FIVE_MINUTES_US } from './statistics/windows';

export interface DataRetentionDeps {
  logger: Logger;
  clock: Clock;
  dataDir: string;
  config: RetentionConfig;
  storage: StorageConfig;
  store: () => Promise<TimeSeriesStore>;
  /** Which store the statistics checkpoint belongs to (e.g. "sqlite:/data/homeiq.db"). */
  storeId: string;
  /** SQLite databases a backup copies: file name -> live path (missing files are skipped). */
  databases: () => Record<string, string>;
  /** Run overdue jobs when started (statistics catch-up, a missed retention run or backup). Default true. */
  catchUpOnStart?: boolean;
}

const DAY_MS = 86_400_000;
const STARTUP_BACKUP_DELAY_MS = 120_000;

/** The retention service's parts: jobs, their schedules, policies and health. HTTP sits on top (app.ts). */
export class DataRetention {
  readonly runner: JobRunner;
  readonly scheduler: Scheduler;
  readonly policies: PolicyStore;
  readonly statisticIds: StatisticIds;
  readonly statistics: StatisticsJob;
  readonly retention: RetentionJob;
  readonly backups: BackupJob;
  readonly backupDir: string;
  private readonly stateFile: string;
  private startupTimer: unknown;

  constructor(readonly deps: DataRetentionDeps) {
    const { config, clock, dataDir } = deps;
    const backupEvery = config.backupInterval || DAY_MS;
    this.runner = new JobRunner({
      logger: deps.logger,
      clock,
      budgets: { statistics: FIVE_MINUTES_US / 1000, retention: DAY_MS, backup: backupEvery },
    });
    this.scheduler = new Scheduler(clock, deps.logger);
    this.policies = new PolicyStore(dataDir, {
      raw_days: config.rawDays,
      short_term_days: config.shortTermDays,
      hourly_days: config.hourlyDays,
    });
    this.statisticIds = new StatisticIds(dataDir);
    this.statistics = new StatisticsJob({
      store: deps.store,
      storeId: deps.storeId,
      dataDir,
      clock,
      delayMs: config.statisticsDelay,
      lateArrivalMs: config.statisticsLateArrival,
      backfillDays: config.statisticsBackfillDays,
      statisticIds: this.statisticIds,
    });
    this.retention = new RetentionJob({
      store: deps.store,
      policies: this.policies,
      clock,
      measurements: config.retentionMeasurements,
      compiledHour: () => this.statistics.compiledHour(),
      storage: deps.storage,
    });
    this.backupDir = config.backupDir ?? join(dataDir, 'backups');
    this.backups = new BackupJob({
      store: deps.store,
      dir: this.backupDir,
      databases: deps.databases,
      keep: config.backupKeep,
      clock,
      statisticIds: this.statisticIds,
      logger: deps.logger,
    });
    this.stateFile = join(dataDir, 'retention-state.json');

    this.scheduler.add('statistics', aligned(FIVE_MINUTES_US / 1000, config.statisticsDelay), () =>
      this.startStatistics('schedule'),
    );
    const retentionAt = parseTimeOfDay(config.retentionSchedule);
    if (retentionAt !== null && retentionAt !== undefined) {
      this.scheduler.add('retention', dailyAt(retentionAt), () => this.startRetention('schedule'));
    }
    const backupAt = parseTimeOfDay(config.backupSchedule);
    if (config.backupInterval > 0) {
      this.scheduler.add('backup', every(config.backupInterval, clock.now()), () => this.startBackup('schedule'));
    } else if (backupAt !== null && backupAt !== undefined) {
      this.scheduler.add('backup', dailyAt(backupAt), () => this.startBackup('schedule'));
    }
  }

  startStatistics(trigger: JobTrigger, since?: number) {
    return this.runner.start('statistics', trigger, (ctx) => this.statistics.run(ctx, { since }));
  }

  startRetention(trigger: JobTrigger) {
    return this.runner.start('retention', trigger, async (ctx) => {
      try {
        return await this.retention.run(ctx);
      } finally {
        writeFileAtomic(this.stateFile, JSON.stringify({ lastRetentionAt: this.deps.clock.now() }));
      }
    });
  }

  startBackup(trigger: JobTrigger, request: BackupRequest = {}) {
    return this.runner.start('backup', trigger, (ctx) => this.backups.run(ctx, request));
  }

  /**
   * Restores a listed backup (or, from the CLI, a path). Statistics compilation restarts from the events afterwards
   * (its checkpoint described the store before the restore).
   */
  startRestore(trigger: JobTrigger, given: string, options: { databases?: Record<string, string> } = {}) {
    const folder = resolveBackup(this.backupDir, given, trigger === 'cli');
    return this.runner.start('restore', trigger, async (ctx) => {
      const result = await restoreBackup(await this.deps.store(), folder, ctx, {
        ...options,
        onStatisticIds: (ids) => this.statisticIds.add(ids),
      });
      this.statistics.checkpoint.clear();
      return result;
    });
  }

  start(): void {
    this.scheduler.start();
    if (this.deps.catchUpOnStart === false) return;
    this.startStatistics('startup');
    const now = this.deps.clock.now();
    if (now - this.lastRetentionAt() >= DAY_MS) this.startRetention('startup');
    const lastBackup = this.backups.lastBackupAt();
    const interval = this.deps.config.backupInterval || DAY_MS;
    const backupsOn = this.deps.config.backupInterval > 0 || parseTimeOfDay(this.deps.config.backupSchedule) !== null;
    if (backupsOn && (lastBackup === null || now - lastBackup >= interval)) {
      this.startupTimer = this.deps.clock.setTimer(() => {
        this.startupTimer = undefined;
        this.startBackup('startup');
      }, STARTUP_BACKUP_DELAY_MS);
    }
  }

  async stop(): Promise<void> {
    this.scheduler.stop();
    if (this.startupTimer !== undefined) this.deps.clock.clearTimer(this.startupTimer);
    await this.runner.stop();
  }

  async health(): Promise<Record<string, HealthCheck>> {
    const checks: Record<string, HealthCheck> = {};
    try {
      const store = await this.deps.store();
      await Promise.race([
        store.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('ping timed out after 2 s')), 2000).unref()),
      ]);
      checks.store = { status: 'healthy', kind: store.kind };
    } catch (error) {
      checks.store = { status: 'degraded', reason: `time-series store unreachable: ${errorMessage(error)}` };
    }
    return { ...checks, ...this.runner.health() };
  }

  private lastRetentionAt(): number {
    if (!existsSync(this.stateFile)) return 0;
    try {
      return (
        Number((JSON.parse(readFileSync(this.stateFile, 'utf8')) as { lastRetentionAt?: number }).lastRetentionAt) || 0
      );
    } catch {
      return 0;
    }
  }
}
