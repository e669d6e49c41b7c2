import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import { Runtime } from '@homeiq/storage';
import { eventAt as ev } from './helpers';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = tempDir('homeiq-export-');

function exportLines(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/homeiq.js', 'export', ...args], {
    cwd: root,
    env: { ...process.env, HOMEIQ_DATA_DIR: dir.path },
    encoding: 'utf8',
  });
  const lines = r.stdout.split('\n').filter((l) => l.length > 0);
  return { status: r.status, lines: lines.map((l) => JSON.parse(l) as Record<string, unknown>), stderr: r.stderr };
}

describe('homeiq export', () => {
  before(async () => {
    const runtime = new Runtime({ HOMEIQ_DATA_DIR: dir.path }, silentLogger());
    const store = await runtime.timeSeries();
    await store.writeEvents([
      ev('sensor.a', '2025-01-10T09:00:00.000001+00:00', '21.5'),
      ev('sensor.b', '2025-01-10T09:30:00.123456+00:00', 'on', { attributes: { note: 'ünïcödé ✓' } }),
      ev('sensor.a', '2025-01-10T10:00:00.000000+00:00', '', { removed: true, attributes: {} }),
    ]);
    await runtime.close();
  });
  after(() => dir.remove());

  test('prints every stored event as one JSON line, oldest first', () => {
    const { status, lines } = exportLines();
    assert.equal(status, 0);
    assert.deepEqual(
      lines.map((l) => [l.entity_id, l.state, l.last_updated]),
      [
        ['sensor.a', '21.5', '2025-01-10T09:00:00.000001+00:00'],
        ['sensor.b', 'on', '2025-01-10T09:30:00.123456+00:00'],
        ['sensor.a', '', '2025-01-10T10:00:00.000000+00:00'],
      ],
    );
    assert.equal(lines[0]?.context_id, '01JH8ZK7Q2V3J1M8W4X6Y9Z0AB');
    assert.deepEqual(lines[1]?.attributes, { note: 'ünïcödé ✓' });
    assert.equal(lines[2]?.removed, true);
  });

  test('--since (inclusive), --until (exclusive) and --entity narrow it', () => {
    const { lines } = exportLines('--since', '2025-01-10T09:30:00.123456Z', '--until', '2025-01-10T10:00:00Z');
    assert.deepEqual(
      lines.map((l) => l.entity_id),
      ['sensor.b'],
    );
    const a = exportLines('--entity', 'sensor.a');
    assert.deepEqual(
      a.lines.map((l) => l.state),
      ['21.5', ''],
    );
  });

  test('a bad time is a clear error naming the flag', () => {
    const { status, stderr } = exportLines('--since', 'yesterday');
    assert.equal(status, 2);
    assert.match(stderr, /--since must be an ISO 8601 time/);
  });
});
