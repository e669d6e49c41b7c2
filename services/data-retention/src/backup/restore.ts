import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { ValidationError } from '@homeiq/core';
import {
  fromEventJson,
  microsFromIso,
  type StateEvent,
  type StatisticsRow,
  type TimeSeriesStore,
} from '@homeiq/storage';
import { sha256File } from '../files';
import { type JobContext, PartialFailure } from '../jobs/runner';
import { type BackupManifest, EVENTS_FILE, readManifest, STATISTICS_FILE, type StatisticsJsonShape } from './manifest';
import { backupSqlite } from './sqlite-backup';

export interface RestoreResult {
  backup: string;
  events: number;
  statistics: number;
  rejected: number;
  /** The first rejections, with the store's reason. */
  rejections: string[];
  databases: string[];
}

export interface RestoreOptions {
  /** Also copy these databases back (file name in the backup -> live path); only with the other services stopped. */
  databases?: Record<string, string>;
  batchSize?: number;
  /** Told the entity ids of restored statistics (so later backups find them). */
  onStatisticIds?: (ids: Set<string>) => void;
}

/**
 * Verifies every file's checksum first (a corrupt backup writes nothing), then streams the events and statistics
 * into the store — any kind: the export format does not depend on the store the backup came from. Writes are
 * idempotent, so restoring twice, or into a store that already holds some of the events, leaves one copy of each.
 */
export async function restoreBackup(
  store: TimeSeriesStore,
  folder: string,
  ctx: JobContext,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const manifest = readManifest(folder);
  const wanted = manifest.files.filter((f) => f.role !== 'database' || options.databases?.[f.name] !== undefined);
  const total = wanted.reduce((n, f) => n + f.bytes, 0);
  let verified = 0;
  for (const f of wanted) {
    const path = join(folder, f.name);
    if (!existsSync(path))
      throw new ValidationError('file', `backup ${manifest.name} is incomplete: ${f.name} is missing`);
    const got = await sha256File(path, (n) => {
      verified += n;
      ctx.progress((0.2 * verified) / Math.max(1, total), `verifying ${f.name}`);
    });
    if (got !== f.sha256) {
      throw new ValidationError(
        'file',
        `backup ${manifest.name} is corrupt: ${f.name} has sha256 ${got}, its manifest says ${f.sha256}; nothing was restored`,
      );
    }
  }
  const result: RestoreResult = {
    backup: manifest.name,
    events: 0,
    statistics: 0,
    rejected: 0,
    rejections: [],
    databases: [],
  };
  const batchSize = options.batchSize ?? 1000;
  const eventsPath = join(folder, EVENTS_FILE);
  const statsPath = join(folder, STATISTICS_FILE);
  const sizes = statSync(eventsPath).size + (existsSync(statsPath) ? statSync(statsPath).size : 0);
  let read = 0;
  const progress = (label: string) => (n: number) => {
    read += n;
    ctx.progress(0.2 + (0.78 * read) / Math.max(1, sizes), label);
  };

  let batch: StateEvent[] = [];
  const writeBatch = async () => {
    const r = await store.writeEvents(batch);
    for (const rej of r.rejected) {
      result.rejected++;
      if (result.rejections.length < 10) result.rejections.push(`${batch[rej.index]?.entityId}: ${rej.reason}`);
    }
    result.events += batch.length - r.rejected.length;
    batch = [];
  };
  // The export format leaves out old_state and duration_in_state_seconds (derivable): derive them from each
  // entity's previous event, as ingestion does, for stores that keep them as fields (InfluxDB).
  const previous = new Map<string, { state: string | null; lastChanged: number }>();
  for await (const [line, n] of jsonLines(eventsPath, progress('restoring events'))) {
    let e: StateEvent;
    try {
      e = fromEventJson(line);
    } catch (error) {
      throw new ValidationError('file', `${EVENTS_FILE} line ${n}: ${(error as Error).message}`);
    }
    const prev = previous.get(e.entityId);
    if (prev) {
      e.oldState = prev.state;
      e.durationInStateSeconds = prev.state === null ? null : Math.max(0, (e.time - prev.lastChanged) / 1e6);
    }
    previous.set(e.entityId, { state: e.removed ? null : e.state, lastChanged: e.lastChanged });
    batch.push(e);
    if (batch.length >= batchSize) await writeBatch();
  }
  if (batch.length > 0) await writeBatch();

  if (existsSync(statsPath)) {
    let rows: StatisticsRow[] = [];
    const ids = new Set<string>();
    for await (const [line, n] of jsonLines(statsPath, progress('restoring statistics'))) {
      const row = statisticsRow(line, n);
      ids.add(row.entityId);
      rows.push(row);
      if (rows.length >= batchSize) {
        await store.writeStatistics(rows);
        result.statistics += rows.length;
        rows = [];
      }
    }
    if (rows.length > 0) await store.writeStatistics(rows);
    result.statistics += rows.length;
    options.onStatisticIds?.(ids);
  }

  for (const [fileName, live] of Object.entries(options.databases ?? {})) {
    if (!manifest.files.some((f) => f.name === fileName)) continue;
    await backupSqlite(join(folder, fileName), live);
    result.databases.push(fileName);
  }
  if (result.rejected > 0) {
    throw new PartialFailure(`the store rejected ${result.rejected} events of backup ${manifest.name}`, result);
  }
  return result;
}

/** Parsed JSON lines of a gzip file with their line numbers; a damaged file fails with the line it broke at. */
async function* jsonLines(file: string, onBytes: (n: number) => void): AsyncIterable<[unknown, number]> {
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  raw.on('data', (chunk) => onBytes((chunk as Buffer).length));
  const gunzip = createGunzip();
  raw.on('error', (e) => gunzip.destroy(e));
  const rl = createInterface({ input: raw.pipe(gunzip), crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  try {
    for await (const line of rl) {
      n++;
      if (line.length === 0) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new ValidationError('file', `${file} line ${n}: not JSON`);
      }
      yield [parsed, n];
    }
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    throw new ValidationError('file', `${file} is damaged after line ${n}: ${(error as Error).message}`);
  }
}

function statisticsRow(o: unknown, n: number): StatisticsRow {
  const r = o as Partial<StatisticsJsonShape>;
  const start = typeof r.start === 'string' ? microsFromIso(r.start) : undefined;
  const num = (k: 'mean' | 'min' | 'max' | 'count') => {
    const v = r[k];
    if (typeof v !== 'number') throw new ValidationError('file', `${STATISTICS_FILE} line ${n}: ${k} must be a number`);
    return v;
  };
  if (typeof r.entity_id !== 'string' || (r.period !== '5minute' && r.period !== 'hour') || start === undefined) {
    throw new ValidationError('file', `${STATISTICS_FILE} line ${n}: needs entity_id, period and start`);
  }
  const row: StatisticsRow = {
    entityId: r.entity_id,
    period: r.period,
    start,
    unit: r.unit ?? null,
    mean: num('mean'),
    min: num('min'),
    max: num('max'),
    count: num('count'),
  };
  if (typeof r.sum === 'number') row.sum = r.sum;
  if (typeof r.state === 'number') row.state = r.state;
  return row;
}

export type { BackupManifest };
