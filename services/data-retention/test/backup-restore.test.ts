// Backup, wipe, restore, compare: the restored store's export equals the original's, on each kind and across
// kinds (embedded -> InfluxDB -> embedded). A corrupt backup is refused before anything is written.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { StatisticsRow, TimeSeriesStore } from '@homeiq/storage';
import Database from 'better-sqlite3';
import { integrityCheck } from '../src/backup/sqlite-backup';
import { ManualClock } from '../src/clock';
import type { DataRetention } from '../src/data-retention';
import type { JobContext } from '../src/jobs/runner';
import { sampleEvents } from './data';
import {
  exportLines,
  freshStore,
  HOUR,
  influxd,
  type Kind,
  type StoreHandle,
  service,
  skipKind,
  stopInfluxServer,
} from './helpers';

const T0 = Date.UTC(2025, 2, 1) * 1000;
const EVENTS = sampleEvents(T0, 1500); // ~15.5 hours
const NOW_MS = (T0 + 18 * HOUR) / 1000;
const ctx: JobContext = { id: 'test', progress: () => {} };
const ENTITIES = [...new Set(EVENTS.map((e) => e.entityId))];

async function statistics(store: TimeSeriesStore): Promise<StatisticsRow[]> {
  const rows: StatisticsRow[] = [];
  for (const period of ['5minute', 'hour'] as const) {
    rows.push(...(await store.queryStatistics({ entityIds: ENTITIES, period, start: 0, end: T0 + 48 * HOUR })));
  }
  const key = (r: StatisticsRow) => `${r.entityId} ${r.period} ${String(r.start).padStart(20)}`;
  return rows
    .map((r) => ({ ...r, sum: r.sum ?? null, state: r.state ?? null }))
    .sort((a, b) => key(a).localeCompare(key(b)));
}

/** Restores backup `name` from `dir` into a fresh store of `kind` and returns it (with its service). */
async function restoreInto(kind: Kind, dir: string, name: string): Promise<{ h: StoreHandle; svc: DataRetention }> {
  const h = await freshStore(kind);
  const svc = service(h, new ManualClock(NOW_MS), { BACKUP_DIR: dir });
  const { job } = svc.startRestore('api', name);
  const done = await svc.runner.wait(job.id);
  assert.equal(done.state, 'succeeded', done.error);
  assert.equal(done.progress, 1);
  return { h, svc };
}

describe('backup and restore', () => {
  const handles: StoreHandle[] = [];
  after(async () => {
    for (const h of handles) await h.cleanup();
    await stopInfluxServer();
  });

  async function source(kind: Kind) {
    const h = await freshStore(kind);
    handles.push(h);
    await h.store.writeEvents(EVENTS);
    const svc = service(h, new ManualClock(NOW_MS));
    await svc.statistics.run(ctx);
    return { h, svc, lines: await exportLines(h.store), stats: await statistics(h.store) };
  }

  for (const kind of ['sqlite', 'influxdb'] as const) {
    test(`round trip on ${kind}: backup, wipe, restore, same export and statistics`, {
      skip: skipKind(kind),
    }, async () => {
      const src = await source(kind);
      assert.equal(src.lines.length, EVENTS.length);
      assert.ok(src.stats.length > 100);
      const { manifest } = await src.svc.backups.run(ctx);
      assert.equal(manifest.events, EVENTS.length);
      assert.equal(manifest.statistics, src.stats.length);
      assert.equal(manifest.first_event, JSON.parse(src.lines[0] ?? '{}').last_updated);
      assert.equal(manifest.last_event, JSON.parse(src.lines.at(-1) ?? '{}').last_updated);
      for (const f of manifest.files) {
        const bytes = readFileSync(join(src.svc.backupDir, manifest.name, f.name));
        assert.equal(f.bytes, bytes.length);
        assert.equal(f.sha256, createHash('sha256').update(bytes).digest('hex'), f.name);
      }
      assert.deepEqual(
        src.svc.backups.list().map((b) => b.name),
        [manifest.name],
      );

      const { h } = await restoreInto(kind, src.svc.backupDir, manifest.name);
      handles.push(h);
      assert.deepEqual(await exportLines(h.store), src.lines);
      assert.deepEqual(await statistics(h.store), src.stats);
    });
  }

  test('across kinds: embedded -> InfluxDB -> embedded reproduces every event', { skip: influxd.skip }, async () => {
    const src = await source('sqlite');
    const first = await src.svc.backups.run(ctx);
    const influx = await restoreInto('influxdb', src.svc.backupDir, first.manifest.name);
    handles.push(influx.h);
    assert.deepEqual(await exportLines(influx.h.store), src.lines, 'embedded -> InfluxDB');
    // InfluxDB keeps old_state and duration_in_state_seconds as fields: restore derives them as ingestion does.
    const motion = EVENTS.filter((e) => e.entityId === 'binary_sensor.motion_2');
    const [, motion2] = await influx.h.store.history({
      entityId: 'binary_sensor.motion_2',
      start: motion[0]?.time ?? 0,
      end: (motion[1]?.time ?? 0) + 1,
      includeStartState: false,
    });
    assert.equal(motion2?.oldState, motion[0]?.state);
    assert.equal(motion2?.durationInStateSeconds, ((motion[1]?.time ?? 0) - (motion[0]?.lastChanged ?? 0)) / 1e6);
    assert.deepEqual(await statistics(influx.h.store), src.stats);

    const second = await influx.svc.backups.run(ctx);
    assert.equal(second.manifest.store_kind, 'influxdb');
    const back = await restoreInto('sqlite', influx.svc.backupDir, second.manifest.name);
    handles.push(back.h);
    assert.deepEqual(await exportLines(back.h.store), src.lines, 'InfluxDB -> embedded');
    assert.deepEqual(await statistics(back.h.store), src.stats);
  });

  test('a corrupt backup is refused with a clear error and writes nothing', async () => {
    const src = await source('sqlite');
    const { manifest } = await src.svc.backups.run(ctx);
    const file = join(src.svc.backupDir, manifest.name, 'events.jsonl.gz');
    const bytes = readFileSync(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = (bytes[middle] ?? 0) ^ 0xff;
    writeFileSync(file, bytes);

    const h = await freshStore('sqlite');
    handles.push(h);
    const svc = service(h, new ManualClock(NOW_MS), { BACKUP_DIR: src.svc.backupDir });
    const done = await svc.runner.wait(svc.startRestore('api', manifest.name).job.id);
    assert.equal(done.state, 'failed');
    assert.match(String(done.error), /corrupt: events\.jsonl\.gz has sha256 [0-9a-f]{64}, its manifest says/);
    assert.match(String(done.error), /nothing was restored/);
    assert.equal((await exportLines(h.store)).length, 0);
    assert.throws(() => svc.startRestore('api', 'homeiq-20990101T000000Z'), /backup not found/);
    assert.throws(() => svc.startRestore('api', '../etc/passwd'), /must be the name of a listed backup/);
  });

  test('SQLite databases are copied consistently; rotation keeps BACKUP_KEEP; a time range limits the export', async () => {
    const h = await freshStore('sqlite');
    handles.push(h);
    await h.store.writeEvents(EVENTS);
    const meta = join(h.dataDir, 'metadata.db');
    const db = new Database(meta);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE devices (id TEXT PRIMARY KEY, name TEXT)');
    db.prepare('INSERT INTO devices VALUES (?, ?)').run('dev_1', 'Kitchen');
    const clock = new ManualClock(NOW_MS);
    const svc = service(
      h,
      clock,
      { BACKUP_KEEP: '2' },
      { 'metadata.db': meta, 'webhooks.db': join(h.dataDir, 'absent.db') },
    );
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const range = i === 2 ? { start: T0 + HOUR, end: T0 + 2 * HOUR } : {};
      const { manifest, rotated } = await svc.backups.run(ctx, range);
      names.push(manifest.name);
      if (i === 2) {
        assert.deepEqual(rotated, [names[0]]);
        const inRange = EVENTS.filter((e) => e.time >= T0 + HOUR && e.time < T0 + 2 * HOUR).length;
        assert.equal(manifest.events, inRange);
        assert.equal(manifest.range.start, '2025-03-01T01:00:00.000000+00:00');
      }
      assert.deepEqual(
        manifest.files.map((f) => f.name),
        ['metadata.db', 'events.jsonl.gz', 'statistics.jsonl.gz'],
      );
      clock.advance(60_000);
    }
    db.close();
    assert.deepEqual(
      svc.backups.list().map((b) => b.name),
      [names[2], names[1]],
    );
    const copy = join(svc.backupDir, names[1] ?? '', 'metadata.db');
    assert.equal(integrityCheck(copy), 'ok');
    const copied = new Database(copy, { readonly: true });
    assert.deepEqual(copied.prepare('SELECT * FROM devices').all(), [{ id: 'dev_1', name: 'Kitchen' }]);
    copied.close();
  });
});
