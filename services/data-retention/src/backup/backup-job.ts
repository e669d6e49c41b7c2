import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@homeiq/core';
import { makePrivateDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '@homeiq/core/private-files';
import { isoFromMicros, type TimeSeriesStore } from '@homeiq/storage';
import type { Clock } from '../clock';
import { sha256File } from '../files';
import type { JobContext } from '../jobs/runner';
import type { StatisticIds } from '../statistics/statistic-ids';
import { exportEvents, exportStatistics } from './export';
import {
  type BackupFile,
  type BackupManifest,
  backupDigest,
  EVENTS_FILE,
  listBackups,
  MANIFEST,
  NAME_RE,
  STATISTICS_FILE,
  sumsText,
} from './manifest';
import { backupSqlite } from './sqlite-backup';

export interface BackupJobOptions {
  store: () => Promise<TimeSeriesStore>;
  dir: string;
  /** SQLite databases to copy when present: file name in the backup -> live path. */
  databases: () => Record<string, string>;
  keep: number;
  clock: Clock;
  statisticIds: StatisticIds;
  logger: Logger;
}

export interface BackupRequest {
  /** µs, inclusive; default: the oldest event. */
  start?: number;
  /** µs, exclusive; default: just after the newest event stored when the backup starts. */
  end?: number;
}

export interface BackupResult {
  manifest: BackupManifest;
  /** Names of older backups deleted by rotation. */
  rotated: string[];
}

/** Creates one backup folder (written under a temporary name, renamed when complete), then rotates old ones. */
export class BackupJob {
  constructor(private readonly o: BackupJobOptions) {}

  list(): BackupManifest[] {
    return listBackups(this.o.dir);
  }

  /** When the newest backup was taken (ms), or null. */
  lastBackupAt(): number | null {
    const newest = this.list()[0];
    return newest ? Date.parse(newest.created_at) : null;
  }

  async run(ctx: JobContext, request: BackupRequest = {}): Promise<BackupResult> {
    const startedMs = this.o.clock.now();
    const store = await this.o.store();
    makePrivateDir(this.o.dir);
    this.removeStalePartials();
    const name = this.freshName(startedMs);
    const partial = join(this.o.dir, `.partial-${name}`);
    mkdirSync(partial, { mode: PRIVATE_DIR_MODE });
    try {
      const files: BackupFile[] = [];
      // 1. SQLite databases, each a consistent snapshot through the online backup API (0..0.3).
      const dbs = Object.entries(this.o.databases()).filter(([, path]) => existsSync(path));
      for (const [i, [fileName, path]] of dbs.entries()) {
        const target = join(partial, fileName);
        await backupSqlite(path, target, (f) => ctx.progress((0.3 * (i + f)) / dbs.length, `copying ${fileName}`));
        files.push({
          name: fileName,
          role: 'database',
          bytes: statSync(target).size,
          sha256: await sha256File(target),
        });
      }
      ctx.progress(0.3);

      // 2. Events in the export format (0.3..0.85). The default end is fixed now, so the range is well defined
      //    while ingestion goes on writing newer events.
      const newest = await store.lastEventTime();
      const end = request.end ?? (newest === null ? 0 : newest + 1);
      const start = request.start;
      const span = start !== undefined ? end - start : undefined;
      let firstSeen: number | undefined;
      const events = await exportEvents(store, { start, end }, join(partial, EVENTS_FILE), (e, n) => {
        if (n % 2000 !== 0) return;
        firstSeen ??= e.time;
        const from = start ?? firstSeen;
        const f = span ?? end - from;
        ctx.progress(0.3 + (0.55 * (e.time - from)) / Math.max(1, f), `exported ${n} events`);
      });
      files.push({ name: EVENTS_FILE, role: 'events', bytes: events.bytes, sha256: events.sha256 });

      // 3. Statistics (0.85..1): they outlive raw events, so a backup holds them all (within the range).
      const ids = [...new Set([...this.o.statisticIds.all(), ...events.entityIds])].sort();
      const stats = await exportStatistics(
        store,
        ids,
        { start: start ?? 0, end: request.end ?? (this.o.clock.now() + 1) * 1000 },
        join(partial, STATISTICS_FILE),
        (d, t) => ctx.progress(0.85 + (0.14 * d) / t, `exported statistics of ${d}/${t} entities`),
      );
      files.push({ name: STATISTICS_FILE, role: 'statistics', bytes: stats.bytes, sha256: stats.sha256 });

      const manifest: BackupManifest = {
        format: 'homeiq-backup',
        version: 1,
        name,
        created_at: new Date(startedMs).toISOString(),
        store_kind: store.kind,
        range: { start: start === undefined ? null : isoFromMicros(start), end: isoFromMicros(end) },
        first_event: events.first === null ? null : isoFromMicros(events.first),
        last_event: events.last === null ? null : isoFromMicros(events.last),
        events: events.events,
        statistics: stats.rows,
        bytes: files.reduce((n, f) => n + f.bytes, 0),
        sha256: backupDigest(files),
        duration_ms: this.o.clock.now() - startedMs,
        files,
      };
      writeFileSync(join(partial, 'SHA256SUMS'), sumsText(files), { mode: PRIVATE_FILE_MODE });
      writeFileSync(join(partial, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, {
        mode: PRIVATE_FILE_MODE,
      });
      renameSync(partial, join(this.o.dir, name));
      return { manifest, rotated: this.rotate() };
    } catch (error) {
      rmSync(partial, { recursive: true, force: true });
      throw error;
    }
  }

  /** Keeps the newest `keep` backups. */
  rotate(): string[] {
    const removed: string[] = [];
    for (const old of this.list().slice(this.o.keep)) {
      rmSync(join(this.o.dir, old.name), { recursive: true, force: true });
      removed.push(old.name);
    }
    return removed;
  }

  private freshName(ms: number): string {
    const base = `homeiq-${new Date(ms)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}`;
    let name = base;
    for (let n = 2; existsSync(join(this.o.dir, name)) || existsSync(join(this.o.dir, `.partial-${name}`)); n++) {
      name = `${base}-${n}`;
    }
    if (!NAME_RE.test(name)) throw new Error(`bad backup name ${name}`);
    return name;
  }

  /** Folders left by a backup that crashed (older than a day, so a concurrent CLI backup is left alone). */
  private removeStalePartials(): void {
    const dayAgo = Date.now() - 86_400_000;
    for (const entry of readdirSync(this.o.dir)) {
      if (!entry.startsWith('.partial-')) continue;
      const path = join(this.o.dir, entry);
      if (statSync(path).mtimeMs < dayAgo) {
        rmSync(path, { recursive: true, force: true });
        this.o.logger.warn({ path }, 'removed an incomplete backup left by an earlier run');
      }
    }
  }
}
