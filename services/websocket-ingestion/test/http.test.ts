import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HaAuthError, type SimulatedHome, startSimulatedHome } from '@homeiq/ha';
import WebSocket from 'ws';
import { API_KEY, type Started, startIngestion, storedEvents, waitFor, waitForExact } from './helpers';

describe('websocket-ingestion HTTP: health, metrics, stats, live stream', () => {
  let home: SimulatedHome;
  let ing: Started;
  let base: string;
  const auth = { authorization: `Bearer ${API_KEY}` };

  before(async () => {
    home = await startSimulatedHome({ rate: 0, entityCount: 50, seed: 5 });
    ing = await startIngestion(home, { HOMEIQ_SIMULATED: '1' });
    base = `http://127.0.0.1:${ing.service.port}`;
    await waitFor(() => ing.service.stats().haConnected, 10_000, 'connected');
  });

  after(async () => {
    await ing?.stop();
    await home?.stop();
  });

  test('GET /health is open, healthy, and says the home is simulated', async () => {
    const res = await fetch(`${base}/health`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; checks: Record<string, Record<string, unknown>> };
    assert.equal(body.status, 'healthy');
    assert.equal(body.checks.home_assistant?.simulated, true);
    assert.match(String(body.checks.home_assistant?.note), /SIMULATED/);
  });

  test('events carry area and device from the registry mirror', async () => {
    const metadata = ing.runtime.metadata();
    const entity = metadata.listEntities().find((e) => metadata.effectiveAreaId(e.entity_id) && e.device_id)!;
    assert.ok(entity, 'the simulated registry places entities in areas');
    home.controls.fire(entity.entity_id, 'placed-1');
    await waitForExact(home, ing);
    const [e] = await storedEvents(ing.runtime, { entityIds: [entity.entity_id] });
    assert.equal(e?.areaId, metadata.effectiveAreaId(entity.entity_id));
    assert.equal(e?.deviceId, entity.device_id);
  });

  test('GET /api/v1/stats and /metrics need the key and report the counters', async () => {
    assert.equal((await fetch(`${base}/api/v1/stats`)).status, 401);
    assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer nope' } })).status, 403);
    await home.controls.burst(300);
    await waitForExact(home, ing);
    const stats = (await (await fetch(`${base}/api/v1/stats`, { headers: auth })).json()) as Record<string, unknown>;
    for (const key of [
      'received',
      'stored',
      'pending',
      'backfilled',
      'duplicates',
      'rejected',
      'deadLettered',
      'reconnects',
      'spoolBytes',
      'spoolMaxBytes',
      'oldestPendingMs',
      'writeLatencyMs',
      'eventsPerSecond',
      'haConnected',
      'lastEventAt',
      'simulated',
      'uptimeSeconds',
    ]) {
      assert.ok(key in stats, `stats.${key}`);
    }
    assert.ok((stats.received as number) >= 301);
    assert.equal(stats.stored, stats.received);
    assert.equal(stats.simulated, true);
    const metrics = await (await fetch(`${base}/metrics`, { headers: auth })).text();
    assert.match(metrics, new RegExp(`^homeiq_ingestion_events_received_total ${stats.received}$`, 'm'));
    assert.match(metrics, /^homeiq_ingestion_events_stored_total \d+$/m);
    const writes = /^homeiq_ingestion_batch_write_duration_seconds_count\{outcome="ok"\} (\d+)$/m.exec(metrics);
    assert.ok(Number(writes?.[1]) >= 1, 'every batch write is observed in the histogram');
    assert.match(metrics, /^homeiq_ingestion_batch_write_duration_seconds_bucket\{le="\+Inf",outcome="ok"\} \d+$/m);
    assert.match(metrics, /^# TYPE homeiq_ingestion_ha_reconnects_total counter$/m);
    assert.match(metrics, /^homeiq_ingestion_ha_connected 1$/m);
    assert.match(metrics, /^homeiq_ingestion_ha_connection_state\{state="connected"\} 1$/m);
    assert.match(metrics, /^process_resident_memory_bytes \d+$/m, 'the process metrics come with it');
  });

  test('GET /api/v1/live streams received events as JSON arrays in the export format', async () => {
    const refused = new WebSocket(`${base.replace('http', 'ws')}/api/v1/live`);
    const status = await new Promise<number>((resolve) => {
      refused.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      refused.on('error', () => {});
    });
    assert.equal(status, 401);

    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/v1/live?api_key=${API_KEY}`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const got: Array<Record<string, unknown>> = [];
    ws.on('message', (data) => got.push(...(JSON.parse(String(data)) as Array<Record<string, unknown>>)));
    const id = home.controls.entityIds().find((e) => e.startsWith('sensor.'))!;
    home.controls.fire(id, '77.7', { unit_of_measurement: 'W' });
    await waitFor(() => got.some((e) => e.entity_id === id && e.state === '77.7'), 5000, 'live event');
    const e = got.find((x) => x.entity_id === id)!;
    assert.match(String(e.last_updated), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/);
    assert.equal((e.attributes as Record<string, unknown>).unit_of_measurement, 'W');
    ws.close();
  });

  test('/health is degraded with the reason while Home Assistant is away', async () => {
    home.controls.dropConnections({ refuseForMs: 1500 });
    const body = await waitFor(async () => {
      const b = (await (await fetch(`${base}/health`)).json()) as { status: string; reasons: string[] };
      return b.status === 'degraded' ? b : undefined;
    }, 5000);
    assert.match((body?.reasons ?? []).join(' '), /home_assistant: Home Assistant disconnected/);
    await waitFor(() => ing.service.stats().haConnected, 10_000, 'reconnected');
  });
});

describe('a refused token', () => {
  test('is a fatal start error with a clear message and no token in it', async () => {
    const home = await startSimulatedHome({ rate: 0, entityCount: 10 });
    try {
      await assert.rejects(
        startIngestion({ ...home, token: 'wrong-token-value' }),
        (e: unknown) =>
          e instanceof HaAuthError && /rejected HA_TOKEN/.test(e.message) && !/wrong-token/.test(e.message),
      );
    } finally {
      await home.stop();
    }
  });
});
