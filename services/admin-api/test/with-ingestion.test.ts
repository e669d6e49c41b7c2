import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { configPart, type Service, secret, silentLogger } from '@homeiq/core';
import { tempDir, waitFor } from '@homeiq/core/testing/temp';
import { type SimulatedHome, startSimulatedHome } from '@homeiq/ha';
import { Runtime } from '@homeiq/storage';
import { createService as createIngestion } from '@homeiq/websocket-ingestion';
import { buildAdminApp } from '../src/app';
import { DEFAULT_BUDGETS } from '../src/budgets';

/** admin-api against the real websocket-ingestion recording the simulated home: the contract between the two. */
const KEY = 'with-ingestion-key-0123456789';
const dir = tempDir('homeiq-admin-ingest-');
let home: SimulatedHome;
let runtime: Runtime;
let ingestion: Service;
let admin: ReturnType<typeof buildAdminApp>;
let clock = Date.now();

before(async () => {
  home = await startSimulatedHome({ port: 0 });
  runtime = new Runtime(
    {
      HOMEIQ_DATA_DIR: dir.path,
      HA_URL: home.url,
      HA_TOKEN: home.token,
      HOMEIQ_SIMULATED: '1',
      API_KEY: KEY,
      WEBSOCKET_INGESTION_PORT: '0',
      HOMEIQ_HOST: '127.0.0.1',
    },
    silentLogger(),
  );
  runtime.local.add('websocket-ingestion');
  ingestion = createIngestion(runtime);
  await ingestion.start();
  admin = buildAdminApp({
    logger: silentLogger(),
    apiKey: KEY,
    services: ['websocket-ingestion', 'admin-api'],
    local: new Set(['admin-api']),
    urlOf: (name) => (name === 'websocket-ingestion' ? `http://127.0.0.1:${ingestion.port}` : 'http://127.0.0.1:1'),
    dataDir: dir.path,
    influxUrl: undefined,
    healthTimeoutMs: 2000,
    alertIntervalMs: 60_000,
    budgets: DEFAULT_BUDGETS,
    memoryWarnPercent: 80,
    diskMinFreePercent: 0,
    config: () => [configPart({ key: secret('API_KEY', 'k') }, { key: KEY })],
    now: () => clock,
  });
});

after(async () => {
  await admin?.app.close();
  await ingestion?.stop();
  await runtime?.close();
  await home?.stop();
  dir.remove();
});

const get = async (url: string) =>
  (await admin.app.inject({ url, headers: { authorization: `Bearer ${KEY}` } })).json();

test('HA connection, the simulated flag and pipeline figures come from the real ingestion; a 60 s outage alerts', async () => {
  const up = await waitFor(
    async () => {
      const h = await get('/api/v1/health/services');
      return h.homeAssistant.connected === true ? h : undefined;
    },
    20_000,
    'ingestion connected to the simulated home',
  );
  assert.equal(up.homeAssistant.simulated, true);
  assert.equal(up.status, 'healthy');
  const stats = await waitFor(
    async () => {
      const s = await get('/api/v1/stats');
      return s.counts?.stored > 0 ? s : undefined;
    },
    20_000,
    'events stored',
  );
  assert.equal(typeof stats.eventsPerSecond.m1, 'number');
  assert.equal(stats.simulated, true);
  assert.equal(stats.store.outage, false);

  home.controls.dropConnections({ refuseForMs: 30_000 });
  const down = await waitFor(
    async () => {
      const h = await get('/api/v1/health/services');
      return h.homeAssistant.connected === false ? h : undefined;
    },
    20_000,
    'ingestion to report the disconnect',
  );
  assert.ok(
    down.reasons.some((r: string) => r.startsWith('home assistant disconnected')),
    down.reasons.join('; '),
  );
  assert.equal(down.status, 'degraded');
  const first = await admin.monitor.evaluate();
  assert.ok(!first.some((a) => a.id === 'ha-disconnected' && a.active), 'not before 60 s');
  clock += 61_000;
  const later = await admin.monitor.evaluate();
  assert.ok(
    later.some((a) => a.id === 'ha-disconnected' && a.active),
    JSON.stringify(later),
  );
});
