import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AlertEngine, DEFAULT_RULES, type Observation } from '../src/alerts';
import type { IngestionStats, ServiceHealth, SystemHealth } from '../src/types';

function stats(over: Partial<IngestionStats> = {}): IngestionStats {
  return {
    received: 0,
    stored: 0,
    pending: 0,
    backfilled: 0,
    duplicates: 0,
    rejected: 0,
    deadLettered: 0,
    reconnects: 0,
    spoolBytes: 0,
    spoolMaxBytes: 1000,
    oldestPendingMs: null,
    writeLatencyMs: { p50: 1, p99: 2 },
    eventsPerSecond: { now: 1, m1: 1, h1: 1 },
    haConnected: true,
    lastEventAt: null,
    simulated: true,
    uptimeSeconds: 1,
    ...over,
  };
}

function service(name: ServiceHealth['name'], status: ServiceHealth['status'], running = true): ServiceHealth {
  return {
    name,
    url: 'http://127.0.0.1:1',
    inProcess: false,
    running,
    status,
    reasons: status === 'healthy' ? [] : [running ? 'store: down' : 'not running'],
    uptimeSeconds: 1,
    responseMs: 1,
    checks: {},
  };
}

function observe(over: {
  ha?: boolean | null;
  s?: Partial<IngestionStats>;
  freePercent?: number;
  services?: ServiceHealth[];
}): Observation {
  const health: SystemHealth = {
    status: 'healthy',
    reasons: [],
    checkedAt: '',
    services: over.services ?? [service('data-api', 'healthy')],
    influxdb: { configured: false, status: 'healthy' },
    homeAssistant: { connected: over.ha === undefined ? true : over.ha, reason: null, simulated: true },
  };
  const disk = { dataDir: '/d', dataDirBytes: 1, freeBytes: 1, totalBytes: 100, freePercent: over.freePercent ?? 50 };
  return { health, stats: stats(over.s), disk };
}

function engine() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const e = new AlertEngine({ ...DEFAULT_RULES, diskMinFreePercent: 10 }, () => now);
  return { e, advance: (ms: number) => (now += ms) };
}

const ids = (alerts: { id: string; active: boolean }[]) => alerts.filter((a) => a.active).map((a) => a.id);

describe('alert rules', () => {
  test('Home Assistant disconnected fires after 60 s, not before, and resolves on reconnect', () => {
    const { e, advance } = engine();
    assert.deepEqual(ids(e.evaluate(observe({ ha: false }))), []);
    advance(59_000);
    assert.deepEqual(ids(e.evaluate(observe({ ha: false }))), []);
    advance(1_000);
    const fired = e.evaluate(observe({ ha: false }));
    assert.deepEqual(ids(fired), ['ha-disconnected']);
    assert.match(fired[0]!.message, /60 s/);
    advance(1_000);
    const after = e.evaluate(observe({ ha: true }));
    assert.deepEqual(ids(after), []);
    assert.equal(after[0]?.resolvedAt, new Date(Date.parse('2026-01-01T00:01:01Z')).toISOString());
  });

  test('a short disconnect in between resets the 60 s', () => {
    const { e, advance } = engine();
    e.evaluate(observe({ ha: false }));
    advance(40_000);
    e.evaluate(observe({ ha: true }));
    advance(1_000);
    e.evaluate(observe({ ha: false }));
    advance(40_000);
    assert.deepEqual(ids(e.evaluate(observe({ ha: false }))), []);
  });

  test('spool growing for 5 minutes fires; a drain resets it', () => {
    const { e, advance } = engine();
    let pending = 10;
    for (let i = 0; i < 5; i++) {
      assert.deepEqual(ids(e.evaluate(observe({ s: { pending } }))), []);
      pending += 100;
      advance(60_000);
    }
    const fired = e.evaluate(observe({ s: { pending, oldestPendingMs: 300_000 } }));
    assert.deepEqual(ids(fired), ['spool-growing']);
    assert.match(fired[0]!.message, /510 events wait/);
    advance(1_000);
    assert.deepEqual(ids(e.evaluate(observe({ s: { pending: 20 } }))), []);
  });

  test('a spool that flushes between batches never counts as growing', () => {
    const { e, advance } = engine();
    for (let i = 0; i < 20; i++) {
      assert.deepEqual(ids(e.evaluate(observe({ s: { pending: i % 2 === 0 ? 300 : 10 } }))), []);
      advance(30_000);
    }
  });

  test('write errors: new dead letters fire and clear after the window; a store outage fires; bad input does not', () => {
    const { e, advance } = engine();
    assert.deepEqual(ids(e.evaluate(observe({ s: { deadLettered: 2 } }))), []); // baseline, not new
    advance(10_000);
    assert.deepEqual(ids(e.evaluate(observe({ s: { deadLettered: 2, rejected: 50 } }))), [], 'malformed input from HA');
    advance(10_000);
    const fired = e.evaluate(observe({ s: { deadLettered: 5 } }));
    assert.deepEqual(ids(fired), ['write-errors']);
    assert.match(fired[0]!.message, /3 events refused by the store/);
    advance(10 * 60_000);
    assert.deepEqual(ids(e.evaluate(observe({ s: { deadLettered: 5 } }))), []);
    const outage = e.evaluate(observe({ s: { deadLettered: 5, storeOutage: true, storeError: 'ECONNREFUSED' } }));
    assert.deepEqual(ids(outage), ['write-errors']);
    assert.match(outage[0]!.message, /failing writes: ECONNREFUSED/);
  });

  test('free disk under 10% fires at once; an unhealthy or stopped service after its grace period', () => {
    const { e, advance } = engine();
    const services = () => [
      service('data-api', 'unhealthy'),
      service('sports-data', 'unhealthy', false),
      service('weather-api', 'degraded'),
    ];
    assert.deepEqual(ids(e.evaluate(observe({ freePercent: 9.5, services: services() }))), ['disk-low']);
    advance(DEFAULT_RULES.serviceGraceMs);
    const alerts = e.evaluate(
      observe({
        freePercent: 9.5,
        services: [
          service('data-api', 'unhealthy'),
          service('sports-data', 'unhealthy', false),
          service('weather-api', 'degraded'),
        ],
      }),
    );
    assert.deepEqual(ids(alerts).sort(), ['disk-low', 'service-unhealthy:data-api', 'service-unhealthy:sports-data']);
    assert.match(alerts.find((a) => a.id === 'service-unhealthy:sports-data')!.message, /not running/);
  });

  test('a service back within its grace period never alerts', () => {
    const { e, advance } = engine();
    e.evaluate(observe({ services: [service('data-api', 'unhealthy', false)] }));
    advance(DEFAULT_RULES.serviceGraceMs - 1000);
    e.evaluate(observe({ services: [service('data-api', 'healthy')] }));
    advance(DEFAULT_RULES.serviceGraceMs);
    assert.deepEqual(ids(e.evaluate(observe({ services: [service('data-api', 'unhealthy', false)] }))), []);
  });

  test('ack marks it; an unknown id is a 404 error; firing again after resolving needs a new ack', () => {
    const { e, advance } = engine();
    e.evaluate(observe({ freePercent: 5 }));
    const acked = e.acknowledge('disk-low');
    assert.equal(acked.acknowledged, true);
    assert.throws(() => e.acknowledge('nope'), /alert not found: nope/);
    advance(1000);
    e.evaluate(observe({ freePercent: 50 }));
    advance(1000);
    const again = e.evaluate(observe({ freePercent: 5 })).find((a) => a.id === 'disk-low');
    assert.equal(again?.active, true);
    assert.equal(again?.acknowledged, false);
  });

  test('a failed backup (data-retention degraded on its backup check) fires at once and resolves after a good one', () => {
    let now = 0;
    const engine = new AlertEngine({ ...DEFAULT_RULES, diskMinFreePercent: 10 }, () => now);
    const retention = (backup: ServiceHealth['checks'][string]) => ({
      ...service('data-retention', backup.status === 'healthy' ? 'healthy' : 'degraded'),
      checks: { backup },
    });
    const failed = retention({ status: 'degraded', reason: 'last backup job failed: InfluxDB query: HTTP 400' });
    const active = () => engine.list().filter((a) => a.active && a.id === 'backup-failed');
    engine.evaluate(observe({ services: [failed] }));
    assert.equal(active().length, 1);
    assert.equal(active()[0]!.severity, 'critical');
    assert.match(active()[0]!.message, /backup failed: InfluxDB query: HTTP 400/);
    now += 1000;
    engine.evaluate(
      observe({
        services: [retention({ status: 'degraded', reason: 'last backup job took 2 h, over its 1 h interval' })],
      }),
    );
    assert.equal(active().length, 0, 'a slow backup is not a failed one');
    engine.evaluate(observe({ services: [failed] }));
    now += 1000;
    engine.evaluate(observe({ services: [retention({ status: 'healthy' })] }));
    assert.equal(active().length, 0);
  });
});
