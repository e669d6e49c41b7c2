// Acceptance of exactly once against real Home Assistant timing, InfluxDB store (the real influxd): recorder commit
// intervals of 1 s, 5 s and 30 s, each through 10 socket drops, 3 HA restarts and 3 kill -9 under 300 ev/s.
import { after, before, describe, test } from 'node:test';
import { type InfluxServer, influxdAvailability, startInfluxd } from '@homeiq/core/testing/influxd';
import { runRealHaScenario } from './real-ha-scenario';

const influxd = influxdAvailability();

describe('exactly once against real HA timing, InfluxDB store', { concurrency: true, skip: influxd.skip }, () => {
  let server: InfluxServer;
  before(async () => {
    server = await startInfluxd();
  });
  after(() => server?.stop());
  for (const [commitMs, seed] of [
    [1000, 201],
    [5000, 202],
    [30_000, 203],
  ] as const) {
    test(`recorder commit interval ${commitMs / 1000} s`, { timeout: 600_000 }, () =>
      runRealHaScenario({
        commitMs,
        seed,
        storeEnv: { INFLUXDB_URL: server.url, INFLUXDB_DATABASE: `exactly_once_${seed}` },
      }),
    );
  }
});
