// Retention tiers on both stores with an injected clock: what passed its tier goes, the rest stays, and raw events
// are never deleted ahead of the statistics compiled from them. On InfluxDB the server policy follows the longest tier.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { StatisticsRow } from '@homeiq/storage';
import { ManualClock } from '../src/clock';
import type { JobContext } from '../src/jobs/runner';
import type { RetentionResult } from '../src/retention/job';
import { DAY, ev, freshStore, HOUR, influxServer, KINDS, service, skipKind, stopInfluxServer } from './helpers';

const NOW = Date.UTC(2025, 5, 1, 4, 0, 0) * 1000;
const ctx: JobContext = { id: 'test', progress: () => {} };

const stat = (period: '5minute' | 'hour', start: number): StatisticsRow => ({
  entityId: 'sensor.temp',
  period,
  start,
  unit: '°C',
  mean: 20,
  min: 19,
  max: 21,
  count: 3,
});

function tier(r: RetentionResult, target: string) {
  const t = r.tiers.find((x) => x.target === target);
  assert.ok(t, `tier ${target}`);
  return t;
}

async function serverPolicy(url: string, db: string): Promise<string> {
  const res = await fetch(`${url}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q: `SHOW RETENTION POLICIES ON "${db}"` }),
  });
  const body = (await res.json()) as { results: Array<{ series: Array<{ values: unknown[][] }> }> };
  return String(body.results[0]?.series[0]?.values.find((v) => v[4] === true)?.[1]);
}

for (const kind of KINDS) {
  describe(`retention tiers on ${kind}`, { skip: skipKind(kind) }, () => {
    after(stopInfluxServer);

    test('each tier loses what passed it; raw events wait for statistics; policies from the API apply', async () => {
      const h = await freshStore(kind);
      try {
        const s = h.store;
        await s.writeEvents([
          ev('sensor.temp', NOW - 400 * DAY, '1'),
          ev('sensor.temp', NOW - 300 * DAY, '2'),
          ev('sensor.temp', NOW - DAY, '3'),
        ]);
        await s.writeStatistics([
          stat('5minute', NOW - 800 * DAY),
          stat('5minute', NOW - 700 * DAY),
          stat('hour', NOW - 3000 * DAY),
          stat('hour', NOW - 10 * DAY),
        ]);
        await s.writePoints('weather', [
          { time: NOW - 400 * DAY, tags: { location: 'home' }, fields: { temperature: 3 } },
          { time: NOW - 10 * DAY, tags: { location: 'home' }, fields: { temperature: 14 } },
        ]);
        const clock = new ManualClock(NOW / 1000);
        const svc = service(h, clock);
        const times = async () => {
          const out: number[] = [];
          for await (const e of s.scan({})) out.push(e.time);
          return out;
        };
        const stats = async (period: '5minute' | 'hour') =>
          (await s.queryStatistics({ entityIds: ['sensor.temp'], period, start: 0, end: NOW })).map((r) => r.start);

        // No statistics compiled yet: raw events are held back, the other tiers are trimmed.
        const held = await svc.retention.run(ctx);
        assert.equal(tier(held, 'events').before, null);
        assert.match(String(tier(held, 'events').note), /no statistics compiled yet/);
        assert.equal((await times()).length, 3);

        svc.statistics.checkpoint.save(NOW - 2 * DAY, NOW - 2 * DAY, {});
        const r = await svc.retention.run(ctx);
        assert.deepEqual(r.policies, { raw_days: 365, short_term_days: 730, hourly_days: 0 });
        assert.equal(tier(r, 'events').before, new Date((NOW - 365 * DAY) / 1000).toISOString());
        assert.deepEqual(await times(), [NOW - 300 * DAY, NOW - DAY]);
        assert.deepEqual(await stats('5minute'), [NOW - 700 * DAY]);
        assert.deepEqual(await stats('hour'), [NOW - 3000 * DAY, NOW - 10 * DAY], 'hourly: forever');
        assert.equal(tier(r, 'hour').before, null);
        const weather = await s.queryPoints({ measurement: 'weather' });
        assert.deepEqual(
          weather.map((p) => p.time),
          [NOW - 10 * DAY],
        );
        for (const [run, target] of [
          [held, '5minute'],
          [held, 'weather'],
          [r, 'events'],
        ] as const) {
          const d = tier(run, target).deleted;
          assert.ok(d === null || d === 1, `${target} deleted ${d}`);
        }
        if (kind === 'influxdb') {
          assert.equal(r.serverPolicy?.action, 'unchanged', JSON.stringify(r.serverPolicy));
          assert.equal(r.serverPolicy?.duration, 'INF', 'a tier kept forever keeps the server policy infinite');
        }

        // New policies (as PUT /api/v1/policies stores them), a day later.
        svc.policies.set({ raw_days: 30, short_term_days: 60, hourly_days: 90 });
        clock.advance(DAY / 1000);
        svc.statistics.checkpoint.save(NOW, NOW, {});
        const r2 = await svc.retention.run(ctx);
        assert.deepEqual(await times(), [NOW - DAY]);
        assert.deepEqual(await stats('5minute'), []);
        assert.deepEqual(await stats('hour'), [NOW - 10 * DAY]);
        if (kind === 'influxdb') {
          const url = (await influxServer()).url;
          assert.equal(r2.serverPolicy?.action, 'altered', JSON.stringify(r2.serverPolicy));
          assert.equal(await serverPolicy(url, h.storage.influxDatabase), '2160h0m0s', 'longest tier: 90 days');
          svc.policies.set({ raw_days: 30, short_term_days: 60, hourly_days: 0 });
          const r3 = await svc.retention.run(ctx);
          assert.equal(r3.serverPolicy?.action, 'altered');
          assert.equal(await serverPolicy(url, h.storage.influxDatabase), '0s', 'back to forever');
        }
      } finally {
        await h.cleanup();
      }
    });
  });
}

test('raw events are only deleted up to the compiled statistics hour', async () => {
  const h = await freshStore('sqlite');
  try {
    await h.store.writeEvents([ev('sensor.a', NOW - 400 * DAY, '1'), ev('sensor.a', NOW - 380 * DAY, '2')]);
    const svc = service(h, new ManualClock(NOW / 1000));
    svc.statistics.checkpoint.save(NOW - 390 * DAY, NOW - 390 * DAY + HOUR, {});
    const r = await svc.retention.run(ctx);
    assert.equal(tier(r, 'events').before, new Date((NOW - 390 * DAY) / 1000).toISOString());
    assert.equal(tier(r, 'events').deleted, 1);
  } finally {
    await h.cleanup();
  }
});
