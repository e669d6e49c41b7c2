// The CLI commands end to end: `homeiq backup` on one data dir, `homeiq restore <folder>` into another,
// and a corrupt backup refused with a clear message and a non-zero exit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@homeiq/core/testing/temp';
import { SqliteTimeSeriesStore } from '@homeiq/storage/sqlite/sqlite-store';
import { sampleEvents } from './data';
import { exportLines } from './helpers';

const root = fileURLToPath(new URL('../../..', import.meta.url));

function homeiq(dataDir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/homeiq.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      HOMEIQ_DATA_DIR: dataDir,
      INFLUXDB_URL: '',
      LOG_LEVEL: 'warn',
      API_KEY: 'cli-test-key-0123456789abcdef',
    },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('homeiq backup, then homeiq restore into an empty data dir; a corrupt backup exits 1', async () => {
  const a = tempDir();
  const b = tempDir();
  try {
    const events = sampleEvents(Date.UTC(2025, 3, 1) * 1000, 600);
    const source = new SqliteTimeSeriesStore(join(a.path, 'homeiq.db'));
    await source.open();
    await source.writeEvents(events);
    const original = await exportLines(source);
    await source.close();

    const backup = homeiq(a.path, 'backup');
    assert.equal(backup.code, 0, backup.stderr);
    const name = /^(homeiq-\d{8}T\d{6}Z)/.exec(backup.stdout)?.[1];
    assert.ok(name, backup.stdout);
    assert.match(backup.stdout, new RegExp(`${events.length} events`));
    assert.match(backup.stderr, /backup 100% done/, 'progress on stderr');
    const list = homeiq(a.path, 'backup', '--list');
    assert.match(list.stdout, new RegExp(`^${name}`));

    const folder = join(a.path, 'backups', name);
    const restore = homeiq(b.path, 'restore', folder);
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stdout, new RegExp(`restored ${name}: ${events.length} events`));
    const target = new SqliteTimeSeriesStore(join(b.path, 'homeiq.db'));
    await target.open();
    assert.deepEqual(await exportLines(target), original);
    await target.close();

    const file = join(folder, 'events.jsonl.gz');
    const bytes = readFileSync(file);
    bytes[bytes.length - 12] = (bytes[bytes.length - 12] ?? 0) ^ 0x01;
    writeFileSync(file, bytes);
    const bad = homeiq(b.path, 'restore', folder);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /homeiq restore: .*is corrupt: events\.jsonl\.gz has sha256/);
  } finally {
    a.remove();
    b.remove();
  }
});
