// `homeiq repair` on a store holding what older builds left: the same state 1 µs apart, the later from a backfill.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import { microsFromIso, Runtime } from '@homeiq/storage';
import { eventAt, storedEvents } from './helpers';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = tempDir('homeiq-repair-');
after(() => dir.remove());

const BACKFILLED = { contextId: null, origin: null };

function repair(...args: string[]) {
  return spawnSync(process.execPath, ['bin/homeiq.js', 'repair', ...args], {
    cwd: root,
    env: { ...process.env, HOMEIQ_DATA_DIR: dir.path },
    encoding: 'utf8',
  });
}

async function stored(): Promise<string[]> {
  const runtime = new Runtime({ HOMEIQ_DATA_DIR: dir.path }, silentLogger());
  try {
    return (await storedEvents(runtime)).map((e) => `${e.entityId} ${e.time} ${e.state}`);
  } finally {
    await runtime.close();
  }
}

test('homeiq repair --dry-run lists the 1 µs-late backfilled copies; homeiq repair removes only them', async () => {
  const runtime = new Runtime({ HOMEIQ_DATA_DIR: dir.path }, silentLogger());
  const store = await runtime.timeSeries();
  await store.writeEvents([
    eventAt('sensor.a', '2025-01-10T09:00:00.123456+00:00', '21.5'),
    eventAt('sensor.a', '2025-01-10T09:00:00.123457+00:00', '21.5', BACKFILLED), // the late copy
    eventAt('sensor.a', '2025-01-10T09:05:00.000000+00:00', '21.7'),
    eventAt('sensor.b', '2025-01-10T09:00:00.500000+00:00', 'on', BACKFILLED), // backfilled, then a real change 1 µs later
    eventAt('sensor.b', '2025-01-10T09:00:00.500001+00:00', 'off'),
  ]);
  await runtime.close();
  const before = await stored();

  const dry = repair('--dry-run');
  assert.equal(dry.status, 0, dry.stderr);
  assert.match(dry.stdout, /would remove sensor\.a 2025-01-10T09:00:00\.123457\+00:00/);
  assert.match(dry.stdout, /1 late duplicates found; run without --dry-run/);
  assert.deepEqual(await stored(), before, 'a dry run changes nothing');

  const real = repair();
  assert.equal(real.status, 0, real.stderr);
  assert.match(real.stdout, /1 late duplicates found, 1 removed/);
  const after = await stored();
  assert.equal(after.length, before.length - 1);
  assert.ok(!after.some((line) => line.includes(String(microsFromIso('2025-01-10T09:00:00.123457+00:00')))));

  const again = repair();
  assert.match(again.stdout, /0 late duplicates found, 0 removed/);
  const bad = repair('--bogus');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /bogus/);
});
