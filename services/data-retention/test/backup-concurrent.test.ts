// A backup taken while another process writes ~500 events/s into the embedded store: the SQLite copy is a
// consistent snapshot (intact, and holding every event up to its newest), and the export restores exactly the
// events of its range.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@homeiq/core/testing/temp';
import { microsFromIso, toEventJson } from '@homeiq/storage';
import { SqliteTimeSeriesStore } from '@homeiq/storage/sqlite/sqlite-store';
import { integrityCheck } from '../src/backup/sqlite-backup';
import { systemClock } from '../src/clock';
import type { JobContext } from '../src/jobs/runner';
import { sampleEvents } from './data';
import { exportLines, freshStore, service } from './helpers';

const writerScript = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

test('a backup under 500 ev/s of writes from another process is consistent and restorable', async () => {
  const h = await freshStore('sqlite');
  const dbPath = join(h.dataDir, 'homeiq.db');
  // Enough history that the online backup takes many steps while the writer commits between them.
  await h.store.writeEvents(sampleEvents(Date.UTC(2025, 0, 1) * 1000, 8000));

  const writer = spawn(process.execPath, ['--import', 'tsx', writerScript, dbPath, '500'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  writer.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  try {
    await waitFor(() => out.includes('ready'), 20_000, 'the writer to start');
    const ahead = await h.store.lastEventTime();
    await waitFor(async () => ((await h.store.lastEventTime()) ?? 0) > (ahead ?? 0) + 300_000, 10_000, 'writes');

    const svc = service(h, systemClock, {}, { 'homeiq.db': dbPath });
    const ctx: JobContext = { id: 'concurrent', progress: () => {} };
    const backupStarted = Date.now() * 1000;
    const { manifest } = await svc.backups.run(ctx);
    const backupEnded = Date.now() * 1000;
    await new Promise((r) => setTimeout(r, 300));
    writer.kill('SIGTERM');
    await new Promise((r) => writer.once('exit', r));
    const report = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as { written: number; seconds: number };
    assert.ok(report.written > 0, 'the writer wrote');

    // The writer kept writing while the backup ran (it was never blocked for the duration).
    let during = 0;
    for await (const e of h.store.scan({ start: backupStarted, end: backupEnded }))
      if (e.entityId.startsWith('sensor.load_')) during++;
    assert.ok(during > 0, 'events were committed during the backup');

    // 1. The SQLite copy: intact, and a snapshot — every source event up to the copy's newest is in it.
    const copyPath = join(svc.backupDir, manifest.name, 'homeiq.db');
    assert.equal(integrityCheck(copyPath), 'ok');
    const copy = new SqliteTimeSeriesStore(copyPath, { readonly: true });
    await copy.open();
    const copyNewest = await copy.lastEventTime();
    assert.ok(copyNewest !== null);
    const copyLines = await exportLines(copy);
    await copy.close();
    const sourceUpTo = [];
    for await (const e of h.store.scan({ end: copyNewest + 1 })) sourceUpTo.push(JSON.stringify(toEventJson(e)));
    assert.equal(copyLines.length, sourceUpTo.length);
    assert.deepEqual(copyLines, sourceUpTo);

    // 2. The export restores exactly the source's events of its range.
    const end = microsFromIso(manifest.range.end ?? '') ?? 0;
    const wanted = [];
    for await (const e of h.store.scan({ end })) wanted.push(JSON.stringify(toEventJson(e)));
    assert.equal(manifest.events, wanted.length);
    const target = await freshStore('sqlite');
    try {
      const restorer = service(target, systemClock, { BACKUP_DIR: svc.backupDir });
      const done = await restorer.runner.wait(restorer.startRestore('api', manifest.name).job.id);
      assert.equal(done.state, 'succeeded', done.error);
      assert.deepEqual(await exportLines(target.store), wanted);
    } finally {
      await target.cleanup();
    }
  } finally {
    if (writer.exitCode === null) writer.kill('SIGKILL');
    await h.cleanup();
  }
});
