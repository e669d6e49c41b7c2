// The HTTP API through app.inject on a real SQLite store: auth, policies (validated, persisted), backups and
// restore as jobs with progress, one job of a kind at a time, and /health telling failed and overrunning jobs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import type { TimeSeriesStore } from '@homeiq/storage';
import { buildRetentionApp } from '../src/app';
import { ManualClock } from '../src/clock';
import { loadRetentionConfig } from '../src/config';
import { sampleEvents } from './data';
import { freshStore, type StoreHandle } from './helpers';

const KEY = 'test-key-retention-0123456789';
const auth = { authorization: `Bearer ${KEY}` };
const NOW_MS = Date.UTC(2025, 4, 1, 12, 0, 0);

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { opened, open };
}

function build(h: StoreHandle, clock: ManualClock, store: () => Promise<TimeSeriesStore> = async () => h.store) {
  return buildRetentionApp({
    logger: silentLogger(),
    clock,
    dataDir: h.dataDir,
    config: loadRetentionConfig(h.env),
    storage: h.storage,
    store,
    storeId: h.id,
    databases: () => ({}),
    catchUpOnStart: false,
    apiKey: KEY,
  });
}

async function settle(svc: { runner: { idle(): Promise<void> } }) {
  await svc.runner.idle();
}

describe('data-retention HTTP API', () => {
  let h: StoreHandle;
  before(async () => {
    h = await freshStore('sqlite');
    await h.store.writeEvents(sampleEvents(NOW_MS * 1000 - 20 * 3_600_000_000, 1200));
  });
  after(async () => h.cleanup());

  test('auth: /health is open, everything else needs the key', async () => {
    const { app } = build(h, new ManualClock(NOW_MS));
    const health = await app.inject({ url: '/health' });
    assert.equal(health.statusCode, 200);
    assert.equal(health.json().status, 'healthy');
    assert.equal(health.json().checks.store.status, 'healthy');
    assert.equal((await app.inject({ url: '/api/v1/policies' })).statusCode, 401);
    assert.equal(
      (await app.inject({ url: '/api/v1/policies', headers: { authorization: 'Bearer nope' } })).statusCode,
      403,
    );
  });

  test('policies: env defaults, validated PUT naming the field, persisted across restarts', async () => {
    const { app } = build(h, new ManualClock(NOW_MS));
    const got = await app.inject({ url: '/api/v1/policies', headers: auth });
    assert.deepEqual(got.json(), { policies: { raw_days: 365, short_term_days: 730, hourly_days: 0 }, source: 'env' });
    const put = (payload: unknown) =>
      app.inject({ method: 'PUT', url: '/api/v1/policies', headers: auth, payload: payload as object });
    const cases: Array<[unknown, string]> = [
      [{ raw_days: -1, short_term_days: 730, hourly_days: 0 }, 'body.raw_days'],
      [{ raw_days: 30, short_term_days: 'two', hourly_days: 0 }, 'body.short_term_days'],
      [{ raw_days: 30, short_term_days: 60 }, 'body.hourly_days'],
      [{ raw_days: 30, short_term_days: 60, hourly_days: 1.5 }, 'body.hourly_days'],
      [{ raw_days: 30, short_term_days: 60, hourly_days: 0, weekly_days: 3 }, 'body.weekly_days'],
    ];
    for (const [payload, field] of cases) {
      const r = await put(payload);
      assert.equal(r.statusCode, 400, JSON.stringify(payload));
      assert.equal(r.json().field, field);
      assert.match(r.json().message, new RegExp(field.replace('.', '\\.')));
    }
    const ok = await put({ raw_days: 400, short_term_days: 800, hourly_days: 0 });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().source, 'api');
    const again = build(h, new ManualClock(NOW_MS)).app;
    assert.deepEqual((await again.inject({ url: '/api/v1/policies', headers: auth })).json().policies, {
      raw_days: 400,
      short_term_days: 800,
      hourly_days: 0,
    });
  });

  test('backups and restore are jobs with progress; one of a kind at a time', async () => {
    const g = gate();
    const clock = new ManualClock(NOW_MS);
    const { app, service } = build(h, clock, async () => {
      await g.opened;
      return h.store;
    });
    const started = await app.inject({ method: 'POST', url: '/api/v1/backups', headers: auth });
    assert.equal(started.statusCode, 202);
    const id = started.json().job_id as string;
    const busy = await app.inject({ method: 'POST', url: '/api/v1/backups', headers: auth, payload: {} });
    assert.equal(busy.statusCode, 409);
    assert.equal(busy.json().job_id, id);
    const running = (await app.inject({ url: `/api/v1/jobs/${id}`, headers: auth })).json();
    assert.equal(running.state, 'running');
    assert.ok(running.progress >= 0 && running.progress < 1);

    g.open();
    await settle(service);
    const done = (await app.inject({ url: `/api/v1/jobs/${id}`, headers: auth })).json();
    assert.equal(done.state, 'succeeded', done.error);
    assert.equal(done.progress, 1);
    assert.equal(done.result.manifest.events, 1202, JSON.stringify(done.result.manifest));

    const list = (await app.inject({ url: '/api/v1/backups', headers: auth })).json();
    assert.equal(list.backups.length, 1);
    const b = list.backups[0];
    assert.equal(b.name, done.result.manifest.name);
    assert.ok(b.bytes > 0);
    assert.match(b.sha256, /^[0-9a-f]{64}$/);
    assert.ok(b.first_event && b.last_event && b.range.end);

    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/backups',
      headers: auth,
      payload: { start: 'yesterday' },
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().field, 'body.start');
    for (const [payload, code, field] of [
      [{}, 400, 'body.file'],
      [{ file: '../../etc' }, 400, 'file'],
      [{ file: 'homeiq-20990101T000000Z' }, 404, undefined],
    ] as const) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/restore', headers: auth, payload });
      assert.equal(r.statusCode, code, JSON.stringify(payload));
      if (field) assert.equal(r.json().field, field);
    }
    const restore = await app.inject({
      method: 'POST',
      url: '/api/v1/restore',
      headers: auth,
      payload: { file: b.name },
    });
    assert.equal(restore.statusCode, 202);
    await settle(service);
    const restored = (await app.inject({ url: `/api/v1/jobs/${restore.json().job_id}`, headers: auth })).json();
    assert.equal(restored.state, 'succeeded', restored.error);
    assert.equal(restored.result.events, 1202);
    assert.equal((await app.inject({ url: '/api/v1/jobs/nope', headers: auth })).statusCode, 404);
    const jobs = (await app.inject({ url: '/api/v1/jobs', headers: auth })).json();
    assert.equal(jobs.jobs.length, 2);
  });

  test('/health is degraded while a job overruns, after it overran, and after a job failed', async () => {
    const clock = new ManualClock(NOW_MS);
    const g = gate();
    let blocked = true;
    const { app, service } = build(h, clock, async () => {
      if (blocked) await g.opened;
      return h.store;
    });
    const health = async () => (await app.inject({ url: '/health' })).json();
    service.startStatistics('api');
    clock.advance(6 * 60_000);
    blocked = false;
    let report = await health();
    assert.equal(report.status, 'degraded');
    assert.match(report.reasons.join(), /statistics: statistics job running for 6m00s, over its 5m00s interval/);
    g.open();
    await settle(service);
    report = await health();
    assert.match(report.reasons.join(), /last statistics job took 6m00s, over its 5m00s interval/);
    service.startStatistics('api');
    await settle(service);
    assert.equal((await health()).status, 'healthy');

    // A real failure: the store goes away under the retention job.
    const other = await freshStore('sqlite');
    const broken = build(other, clock);
    await other.store.close();
    broken.service.startRetention('api');
    await settle(broken.service);
    const down = (await broken.app.inject({ url: '/health' })).json();
    assert.equal(down.status, 'degraded');
    assert.match(down.reasons.join('\n'), /retention: last retention job failed: .*not open/);
    assert.match(down.reasons.join('\n'), /store: time-series store unreachable/);
    await other.cleanup();
  });
});

test('createService listens on DATA_RETENTION_PORT, answers /health over a socket and stops cleanly', async () => {
  const { Runtime } = await import('@homeiq/storage');
  const { createService } = await import('../src/index');
  const { tempDir } = await import('@homeiq/core/testing/temp');
  const dir = tempDir();
  const runtime = new Runtime(
    {
      HOMEIQ_DATA_DIR: dir.path,
      DATA_RETENTION_PORT: '0',
      API_KEY: KEY,
      HOMEIQ_HOST: '127.0.0.1',
      BACKUP_SCHEDULE: 'off',
    },
    silentLogger(),
  );
  const svc = createService(runtime);
  try {
    await svc.start();
    const res = await fetch(`http://127.0.0.1:${svc.port}/health`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { service: string; checks: Record<string, unknown> };
    assert.equal(body.service, 'data-retention');
    assert.ok(body.checks.statistics && body.checks.backup && body.checks.store);
    const policies = await fetch(`http://127.0.0.1:${svc.port}/api/v1/policies`, { headers: auth });
    assert.equal(policies.status, 200);
  } finally {
    await svc.stop();
    await runtime.close();
    dir.remove();
  }
});
