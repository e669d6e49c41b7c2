// data-retention throughput on the embedded store, each figure a ratio against the store's own speed measured in
// the same run: statistics compile and backup export against a bare scan of the same events, restore against bare
// batched writes of them.
import { join } from 'node:path';
import { loadConfig, silentLogger } from '@homeiq/core';
import { DataRetention } from '@homeiq/data-retention';
import { ManualClock } from '@homeiq/data-retention/clock';
import { loadRetentionConfig } from '@homeiq/data-retention/config';
import type { JobContext } from '@homeiq/data-retention/jobs/runner';
import { type StateEvent, storageSchema } from '@homeiq/storage';
import { SqliteTimeSeriesStore } from '@homeiq/storage/sqlite/sqlite-store';
import type { BenchContext, BenchResult } from './types';

const T0 = Date.UTC(2025, 0, 1) * 1000;
const ctx: JobContext = { id: 'bench', progress: () => {} };

function events(n: number): StateEvent[] {
  const out: StateEvent[] = [];
  for (let i = 0; i < n; i++) {
    const entity = i % 50;
    out.push({
      entityId: entity % 5 === 0 ? `binary_sensor.b${entity}` : `sensor.s${entity}`,
      time: T0 + i * 200_000,
      lastChanged: T0 + i * 200_000,
      state: entity % 5 === 0 ? (i % 2 ? 'on' : 'off') : String(((i * 7) % 1000) / 10),
      removed: false,
      attributes:
        entity % 7 === 0
          ? { unit_of_measurement: 'kWh', state_class: 'total_increasing' }
          : { unit_of_measurement: 'W' },
      contextId: null,
      contextParentId: null,
      contextUserId: null,
      origin: 'LOCAL',
      areaId: null,
      deviceId: null,
    });
  }
  return out;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t) / 1e9];
}

function retention(dir: string, store: SqliteTimeSeriesStore, nowMs: number, backupDir?: string): DataRetention {
  const env = {
    HOMEIQ_DATA_DIR: dir,
    STATISTICS_BACKFILL_DAYS: '3650',
    ...(backupDir ? { BACKUP_DIR: backupDir } : {}),
  };
  return new DataRetention({
    logger: silentLogger(),
    clock: new ManualClock(nowMs),
    dataDir: dir,
    config: loadRetentionConfig(env),
    storage: loadConfig(storageSchema, env),
    store: async () => store,
    storeId: `sqlite:${dir}`,
    databases: () => ({}),
    catchUpOnStart: false,
  });
}

export async function run(bc: BenchContext): Promise<BenchResult[]> {
  const n = bc.quick ? 20_000 : 200_000;
  const data = events(n);
  const src = new SqliteTimeSeriesStore(join(bc.tmp, 'src', 'homeiq.db'));
  await src.open();
  for (let i = 0; i < n; i += 1000) await src.writeEvents(data.slice(i, i + 1000));
  const end = data.at(-1)?.time ?? T0;

  const [scanned, scanS] = await timed(async () => {
    let c = 0;
    for await (const _ of src.scan({})) c++;
    return c;
  });
  const scanRate = scanned / scanS;
  bc.log(`scan: ${scanned} events in ${scanS.toFixed(2)} s`);

  const svc = retention(join(bc.tmp, 'src'), src, end / 1000 + 600_000);
  const [stats, statsS] = await timed(() => svc.statistics.run(ctx));
  const statsRate = (stats.events ?? 0) / statsS;
  bc.log(`statistics: ${stats.events} events, ${stats.shortTermRows} 5-minute rows in ${statsS.toFixed(2)} s`);

  const [backup, backupS] = await timed(() => svc.backups.run(ctx));
  const backupRate = backup.manifest.events / backupS;
  bc.log(`backup: ${backup.manifest.events} events, ${backup.manifest.bytes} bytes in ${backupS.toFixed(2)} s`);

  const plain = new SqliteTimeSeriesStore(join(bc.tmp, 'plain', 'homeiq.db'));
  await plain.open();
  const [, writeS] = await timed(async () => {
    for (let i = 0; i < n; i += 1000) await plain.writeEvents(data.slice(i, i + 1000));
  });
  const writeRate = n / writeS;
  await plain.close();

  const dst = new SqliteTimeSeriesStore(join(bc.tmp, 'dst', 'homeiq.db'));
  await dst.open();
  const target = retention(join(bc.tmp, 'dst'), dst, end / 1000, svc.backupDir);
  const [restored, restoreS] = await timed(async () => {
    const { job } = target.startRestore('api', backup.manifest.name);
    return target.runner.wait(job.id);
  });
  if (restored.state !== 'succeeded') throw new Error(`restore failed: ${restored.error}`);
  const restoreRate = n / restoreS;
  await dst.close();
  await src.close();

  const suite = 'retention';
  const row = (name: string, value: number, base: number, baseline: string, goal: number): BenchResult => ({
    suite,
    name,
    value,
    unit: 'events/s',
    ratio: value / base,
    baseline,
    goal: `>= ${goal}x`,
    met: value / base >= goal,
  });
  return [
    { suite, name: 'embedded scan (baseline)', value: scanRate, unit: 'events/s' },
    row('statistics compile (5 min + hourly)', statsRate, scanRate, 'embedded scan', 0.5),
    row('backup export (gzip JSON lines)', backupRate, scanRate, 'embedded scan', 0.4),
    { suite, name: 'embedded batched writes (baseline)', value: writeRate, unit: 'events/s' },
    // Parsing and validating each JSON line costs about as much as writing it, so restore runs at a fraction of bare writes.
    row('restore (checksum + parse + write)', restoreRate, writeRate, 'embedded batched writes', 0.25),
  ];
}
