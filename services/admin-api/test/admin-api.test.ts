import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  configPart,
  createServiceApp,
  type HealthCheck,
  type HttpApp,
  listen,
  type ServiceName,
  secret,
  silentLogger,
  str,
} from '@homeiq/core';
import { freePort, tempDir } from '@homeiq/core/testing/temp';
import { buildAdminApp } from '../src/app';
import { DEFAULT_BUDGETS } from '../src/budgets';
import type { IngestionStats } from '../src/types';

const KEY = 'admin-test-key-0123456789ab';
const auth = { authorization: `Bearer ${KEY}` };

/** A real service shell (the one every service uses) on a loopback port, with checks the test controls. */
async function fakeService(
  name: ServiceName,
  checks: () => Record<string, HealthCheck>,
  extra?: (app: HttpApp) => void,
) {
  const schema = { token: secret('FAKE_TOKEN', 'a secret'), plain: str('FAKE_PLAIN', 'plain', 'visible') };
  const { app } = createServiceApp({
    name,
    logger: silentLogger(),
    apiKey: KEY,
    checks,
    config: () => [configPart(schema, { token: 'very-secret-value', plain: 'visible' })],
  });
  extra?.(app);
  const port = await listen(app, 0, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${port}` };
}

describe('admin-api against real service shells on loopback', () => {
  const dir = tempDir('homeiq-admin-');
  const urls = new Map<ServiceName, string>();
  const apps: HttpApp[] = [];
  let haConnected = true;
  let clock = Date.now();
  let stats: IngestionStats;
  let admin: ReturnType<typeof buildAdminApp>;

  before(async () => {
    stats = {
      received: 1000,
      stored: 990,
      pending: 10,
      backfilled: 40,
      duplicates: 2,
      rejected: 1,
      deadLettered: 1,
      reconnects: 3,
      spoolBytes: 2048,
      spoolMaxBytes: 4096,
      oldestPendingMs: 1500,
      writeLatencyMs: { p50: 3, p99: 12 },
      eventsPerSecond: { now: 5, m1: 4.5, h1: 3.2 },
      haConnected: true,
      lastEventAt: '2026-01-01T00:00:00.000000+00:00',
      simulated: true,
      uptimeSeconds: 77,
    };
    const ingestion = await fakeService(
      'websocket-ingestion',
      () => ({
        'home-assistant': haConnected
          ? { status: 'healthy', connected: true }
          : { status: 'degraded', connected: false, reason: 'socket closed by HA' },
      }),
      (app) => app.get('/api/v1/stats', async () => stats),
    );
    const dataApi = await fakeService('data-api', () => ({ store: { status: 'healthy' } }));
    const weather = await fakeService('weather-api', () => ({ provider: { status: 'unhealthy', reason: 'HTTP 500' } }));
    const retention = await fakeService(
      'data-retention',
      () => ({}),
      (app) =>
        app.addHook('onRequest', async (req) => {
          if (req.url === '/health') await new Promise((r) => setTimeout(r, 4000));
        }),
    );
    apps.push(ingestion.app, dataApi.app, weather.app, retention.app);
    urls.set('websocket-ingestion', ingestion.url);
    urls.set('data-api', dataApi.url);
    urls.set('weather-api', weather.url);
    urls.set('data-retention', retention.url);
    urls.set('sports-data', `http://127.0.0.1:${await freePort()}`); // nothing listens there
    urls.set('admin-api', 'http://127.0.0.1:1');

    admin = buildAdminApp({
      logger: silentLogger(),
      apiKey: KEY,
      services: ['websocket-ingestion', 'data-api', 'admin-api', 'data-retention', 'weather-api', 'sports-data'],
      local: new Set(['admin-api', 'data-api']),
      urlOf: (name) => urls.get(name) ?? 'http://127.0.0.1:1',
      dataDir: dir.path,
      influxUrl: undefined,
      healthTimeoutMs: 1500,
      alertIntervalMs: 60_000,
      budgets: { ...DEFAULT_BUDGETS, 'data-api': 1024 * 1024, 'admin-api': 1024 * 1024 }, // 2 MiB must warn
      memoryWarnPercent: 80,
      diskMinFreePercent: 10,
      config: () => [configPart({ key: secret('API_KEY', 'k') }, { key: KEY })],
      now: () => clock,
    });
  });

  after(async () => {
    await admin?.app.close();
    // The slow service still holds probes it never answered: drop them rather than wait out the server's timeouts.
    for (const a of apps) a.server.closeAllConnections();
    await Promise.all(apps.map((a) => a.close()));
    dir.remove();
  });

  test('everything but /health needs the key', async () => {
    assert.equal((await admin.app.inject({ url: '/health' })).statusCode, 200);
    for (const url of [
      '/api/v1/health/services',
      '/api/v1/stats',
      '/api/v1/resources',
      '/api/v1/config',
      '/api/v1/alerts',
    ]) {
      assert.equal((await admin.app.inject({ url })).statusCode, 401, url);
    }
    const wrong = await admin.app.inject({ url: '/api/v1/stats', headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.statusCode, 403);
  });

  test('health/services: in parallel, each with its own timeout, every failure named', async () => {
    const started = Date.now();
    const res = await admin.app.inject({ url: '/api/v1/health/services', headers: auth });
    const took = Date.now() - started;
    assert.equal(res.statusCode, 200);
    const body = res.json();
    const by = Object.fromEntries(body.services.map((s: { name: string }) => [s.name, s]));
    assert.equal(by['websocket-ingestion'].status, 'healthy');
    assert.equal(by['data-api'].inProcess, true);
    assert.equal(by['weather-api'].status, 'unhealthy');
    assert.deepEqual(by['weather-api'].reasons, ['provider: HTTP 500']);
    assert.equal(by['sports-data'].running, false);
    assert.match(by['sports-data'].reasons[0], /not running/);
    assert.match(by['data-retention'].reasons[0], /no answer within 1500 ms/);
    assert.ok(took < 3500, `probes ran in parallel with a 1500 ms timeout each, took ${took} ms`);
    assert.equal(body.status, 'degraded'); // core services healthy, others not
    assert.ok(body.reasons.some((r: string) => r.startsWith('sports-data unhealthy: not running')));
    assert.equal(body.homeAssistant.connected, true);
    assert.equal(body.homeAssistant.simulated, true);
    assert.equal(body.influxdb.configured, false);
  });

  test('a URL answered by another service is not that service (a wrong *_URL, a port taken by another)', async () => {
    const own = urls.get('sports-data')!;
    urls.set('sports-data', urls.get('weather-api')!);
    try {
      const res = await admin.app.inject({ url: '/api/v1/health/services', headers: auth });
      const sports = res.json().services.find((s: { name: string }) => s.name === 'sports-data');
      assert.equal(sports.running, false);
      assert.equal(sports.status, 'unhealthy');
      assert.deepEqual(sports.reasons, [`${urls.get('weather-api')} is answered by weather-api, not sports-data`]);
    } finally {
      urls.set('sports-data', own);
    }
  });

  test('Home Assistant disconnected shows in the overall reasons', async () => {
    haConnected = false;
    try {
      const body = (await admin.app.inject({ url: '/api/v1/health/services', headers: auth })).json();
      assert.equal(body.homeAssistant.connected, false);
      assert.ok(body.reasons.includes('home assistant disconnected: socket closed by HA'));
    } finally {
      haConnected = true;
    }
  });

  test('stats: rates, spool, latency, counts and every uptime', async () => {
    const body = (await admin.app.inject({ url: '/api/v1/stats', headers: auth })).json();
    assert.deepEqual(body.eventsPerSecond, { now: 5, m1: 4.5, h1: 3.2 });
    assert.deepEqual(body.spool, { pending: 10, bytes: 2048, maxBytes: 4096, usedPercent: 50, oldestPendingMs: 1500 });
    assert.deepEqual(body.writeLatencyMs, { p50: 3, p99: 12 });
    assert.equal(body.counts.backfilled, 40);
    assert.equal(body.counts.rejected, 1);
    assert.equal(body.counts.deadLettered, 1);
    assert.equal(body.simulated, true);
    const up = Object.fromEntries(body.uptime.map((u: { service: string }) => [u.service, u]));
    assert.equal(typeof up['data-api'].uptimeSeconds, 'number');
    assert.equal(up['sports-data'].running, false);
  });

  test('resources: one shared process for the co-located services, warnings near budget, disk', async () => {
    const body = (await admin.app.inject({ url: '/api/v1/resources', headers: auth })).json();
    const shared = body.processes.find((p: { inProcess: boolean }) => p.inProcess);
    assert.deepEqual(shared.services, ['data-api', 'admin-api']);
    assert.equal(shared.shared, true);
    assert.equal(shared.pid, process.pid);
    assert.equal(shared.budgetBytes, 2 * 1024 * 1024);
    assert.ok(shared.rssBytes > 0 && typeof shared.cpuPercent === 'number' && shared.eventLoopLagMs);
    const remote = body.processes
      .filter((p: { inProcess: boolean }) => !p.inProcess)
      .map((p: { services: string[] }) => p.services[0]);
    assert.deepEqual(remote.sort(), ['data-retention', 'weather-api', 'websocket-ingestion']);
    assert.ok(body.unreachable.some((u: { service: string }) => u.service === 'sports-data'));
    assert.ok(body.disk.totalBytes > 0 && body.disk.freePercent > 0 && body.disk.dataDirBytes >= 0);
    assert.ok(
      body.warnings.some((w: string) => w.startsWith('the process running data-api, admin-api uses')),
      JSON.stringify(body.warnings),
    );
  });

  test('config: every service masked, the unreachable one says why', async () => {
    const res = await admin.app.inject({ url: '/api/v1/config', headers: auth });
    assert.ok(!res.body.includes('very-secret-value') && !res.body.includes(KEY));
    const by = Object.fromEntries(res.json().services.map((s: { service: string }) => [s.service, s]));
    assert.equal(by['data-api'].config.FAKE_TOKEN, '***');
    assert.equal(by['data-api'].config.FAKE_PLAIN, 'visible');
    assert.equal(by['admin-api'].config.API_KEY, '***');
    assert.equal(by['sports-data'].available, false);
    assert.match(by['sports-data'].reason, /not running/);
  });

  test('alerts: a stopped and an unhealthy service fire; ack over HTTP', async () => {
    await admin.monitor.evaluate();
    const early = (await admin.app.inject({ url: '/api/v1/alerts?active=true', headers: auth })).json();
    assert.deepEqual(early.alerts, [], 'nothing before the grace period');
    clock += 30_000;
    await admin.monitor.evaluate();
    const body = (await admin.app.inject({ url: '/api/v1/alerts?active=true', headers: auth })).json();
    const ids = body.alerts.map((a: { id: string }) => a.id).sort();
    assert.deepEqual(ids, [
      'service-unhealthy:data-retention',
      'service-unhealthy:sports-data',
      'service-unhealthy:weather-api',
    ]);
    const ack = await admin.app.inject({
      method: 'POST',
      url: '/api/v1/alerts/service-unhealthy:sports-data/ack',
      headers: auth,
    });
    assert.equal(ack.statusCode, 200);
    assert.equal(ack.json().acknowledged, true);
    const missing = await admin.app.inject({ method: 'POST', url: '/api/v1/alerts/nope/ack', headers: auth });
    assert.equal(missing.statusCode, 404);
  });
});
