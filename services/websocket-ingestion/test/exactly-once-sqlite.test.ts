// Acceptance of exactly once against real Home Assistant timing, embedded store: recorder commit intervals of 1 s,
// 5 s and 30 s, each through 10 socket drops, 3 HA restarts and 3 kill -9 under 300 ev/s (run side by side).
import { describe, test } from 'node:test';
import { runRealHaScenario } from './real-ha-scenario';

describe('exactly once against real HA timing, embedded SQLite store', { concurrency: true }, () => {
  for (const [commitMs, seed] of [
    [1000, 101],
    [5000, 102],
    [30_000, 103],
  ] as const) {
    test(`recorder commit interval ${commitMs / 1000} s`, { timeout: 600_000 }, () =>
      runRealHaScenario({ commitMs, seed }),
    );
  }
});
