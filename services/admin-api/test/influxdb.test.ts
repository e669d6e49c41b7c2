import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { configPart, secret, silentLogger } from '@homeiq/core';
import { type InfluxServer, influxdAvailability, startInfluxd } from '@homeiq/core/testing/influxd';
import { tempDir } from '@homeiq/core/testing/temp';
import { buildAdminApp } from '../src/app';
import { DEFAULT_BUDGETS } from '../src/budgets';

const KEY = 'influx-admin-key-0123456789';
const { skip } = influxdAvailability();
const dir = tempDir('homeiq-admin-influx-');
let influx: InfluxServer | undefined;
let admin: ReturnType<typeof buildAdminApp> | undefined;

before(async () => {
  if (skip) return;
  influx = await startInfluxd();
  admin = buildAdminApp({
    logger: silentLogger(),
    apiKey: KEY,
    services: ['admin-api'],
    local: new Set(['admin-api']),
    urlOf: () => 'http://127.0.0.1:1',
    dataDir: dir.path,
    influxUrl: influx.url,
    healthTimeoutMs: 500,
    alertIntervalMs: 60_000,
    budgets: DEFAULT_BUDGETS,
    memoryWarnPercent: 80,
    diskMinFreePercent: 10,
    config: () => [configPart({ key: secret('API_KEY', 'k') }, { key: KEY })],
  });
});

after(async () => {
  await admin?.app.close();
  await influx?.stop();
  dir.remove();
});

test('InfluxDB /ping: healthy while up; degraded with the reason and an alert once it is gone', { skip }, async () => {
  const get = async () =>
    (await admin!.app.inject({ url: '/api/v1/health/services', headers: { authorization: `Bearer ${KEY}` } })).json();
  const up = await get();
  assert.equal(up.influxdb.configured, true);
  assert.equal(up.influxdb.status, 'healthy');
  assert.match(up.influxdb.version, /^1\./);
  assert.equal(up.status, 'healthy');

  await influx!.kill();
  const down = await get();
  assert.equal(down.influxdb.status, 'unhealthy');
  assert.match(down.influxdb.reason, /not running/);
  assert.equal(down.status, 'degraded');
  const alerts = await admin!.monitor.evaluate();
  assert.ok(alerts.some((a) => a.id === 'service-unhealthy:influxdb' && a.active));
});
