// Exactly once against a Home Assistant that behaves like the real one: float stamps, a recorder that commits late,
// socket drops with long gaps, Home Assistant restarts, kill -9 of ingestion, removals and re-adds inside gaps.
import assert from 'node:assert/strict';
import { silentLogger } from '@homeiq/core';
import { freePort, tempDir } from '@homeiq/core/testing/temp';
import { startSimulatedHome } from '@homeiq/ha';
import { Random } from '@homeiq/ha/sim/random';
import { Runtime } from '@homeiq/storage';
import { type Child, childEnv, childStats, killAll, startChild } from './child';
import { compare, storedEvents, waitFor } from './helpers';

export interface ScenarioOptions {
  /** The recorder's commit_interval. */
  commitMs: number;
  seed: number;
  /** Store env (INFLUXDB_URL, INFLUXDB_DATABASE); empty = the embedded SQLite store. */
  storeEnv?: Record<string, string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runRealHaScenario(options: ScenarioOptions): Promise<void> {
  const draws = new Random(options.seed);
  const next = () => draws.next();
  const home = await startSimulatedHome({
    rate: 0,
    entityCount: 150,
    seed: options.seed,
    recorderCommitIntervalMs: options.commitMs,
  });
  const dir = tempDir('homeiq-real-ha-');
  const port = await freePort();
  const env = {
    ...childEnv(home, dir.path, port),
    HA_RECORDER_COMMIT_INTERVAL: `${options.commitMs}ms`,
    HA_RECONNECT_MAX: '1s',
    ...options.storeEnv,
  };
  const children: Child[] = [];
  let child = startChild(env);
  children.push(child);
  const connected = (what: string) =>
    waitFor(async () => (await childStats(port)).haConnected, 60_000, what).catch((error: Error) => {
      throw new Error(`${error.message}\n${child.output()}`);
    });
  const counts = { drops: 0, restarts: 0, kills: 0, removals: 0, readds: 0 };
  // What happened when, to place whatever goes missing.
  const timeline: string[] = [];
  const mark = (what: string) => timeline.push(`${Date.now() * 1000} ${what}`);
  try {
    await connected('ingestion connected');
    home.controls.setRate(300);
    for (let i = 0; i < 10; i++) {
      const gapMs = 5000 + Math.floor(next() * 15_000);
      mark(`drop ${i + 1} for ${gapMs} ms`);
      home.controls.dropConnections({ refuseForMs: gapMs });
      counts.drops++;
      await sleep(1000);
      // Inside the gap: one entity goes for good, another goes and comes back.
      const ids = home.controls.entityIds().filter((id) => id.startsWith('sensor.'));
      const gone = ids[Math.floor(next() * ids.length)] as string;
      home.controls.removeEntity(gone);
      counts.removals++;
      if (i % 2 === 0) {
        await sleep(500);
        home.controls.addEntity(gone, String(Math.round(next() * 100)), { unit_of_measurement: '°C' });
        counts.readds++;
      }
      await sleep(gapMs - 1000);
      await connected(`reconnected after drop ${i + 1}`);
      mark(`reconnected after drop ${i + 1}`);
      await sleep(1000 + Math.floor(next() * 2000));
      if (i % 3 === 1) {
        mark('kill -9');
        child.proc.kill('SIGKILL');
        await child.exited;
        counts.kills++;
        await sleep(1500); // events keep happening while ingestion is down
        child = startChild(env);
        children.push(child);
        await connected(`restarted after kill ${counts.kills}`);
      } else if (i % 3 === 2) {
        mark('HA restart');
        await home.controls.restart({ downMs: 5000 });
        mark('HA running');
        counts.restarts++;
        await connected(`reconnected after HA restart ${counts.restarts}`);
      }
    }
    home.controls.setRate(0);
    await waitFor(
      async () => {
        const s = await childStats(port);
        return s.haConnected && !s.backfillPending && s.pending === 0;
      },
      options.commitMs * 2 + 90_000,
      'the last gap closed and the spool drained',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${child.output()}`);
    });
    assert.deepEqual(counts, { drops: 10, restarts: 3, kills: 3, removals: 10, readds: 5 });
    child.proc.kill('SIGTERM');
    assert.equal((await child.exited).code, 0, child.output());

    const runtime = new Runtime({ HOMEIQ_DATA_DIR: dir.path, ...options.storeEnv }, silentLogger());
    try {
      const emitted = home.controls.emitted();
      const diff = compare(emitted, await storedEvents(runtime));
      assert.deepEqual(
        { missing: diff.missing.length, extra: diff.extra.length, dupes: diff.dupes.length, wrong: diff.wrong.length },
        { missing: 0, extra: 0, dupes: 0, wrong: 0 },
        `of ${emitted.length}: missing e.g. ${diff.missing.slice(0, 5)}; extra e.g. ${diff.extra.slice(0, 5)}\n` +
          `missing per second: ${JSON.stringify(perSecond(diff.missing))}\n${timeline.join('\n')}`,
      );
      assert.ok(emitted.length > 20_000, `${emitted.length} events emitted`);
      assert.ok(emitted.filter((e) => e.new_state === null).length >= 10, 'removals were emitted');
    } finally {
      await runtime.close();
    }
  } finally {
    killAll(children);
    await home.stop();
    dir.remove();
  }
}

function perSecond(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) {
    const second = String(Math.floor(Number(k.slice(k.lastIndexOf('|') + 1)) / 1e6));
    out[second] = (out[second] ?? 0) + 1;
  }
  return out;
}
