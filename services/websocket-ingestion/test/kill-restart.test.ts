import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { freePort, tempDir } from '@homeiq/core/testing/temp';
import { type SimulatedHome, startSimulatedHome } from '@homeiq/ha';
import { Runtime } from '@homeiq/storage';
import { type Child, childEnv, killAll, startChild, childStats as stats } from './child';
import { compare, storedEvents, waitFor } from './helpers';

let home: SimulatedHome | undefined;
const dir = tempDir('homeiq-kill-');
const children: Child[] = [];
after(async () => {
  killAll(children);
  await home?.stop();
  dir.remove();
});

test('kill -9 of the ingestion process mid-burst, then a restart: nothing lost, nothing doubled', async () => {
  home = await startSimulatedHome({ rate: 0, entityCount: 120, seed: 11 });
  const port = await freePort();
  const env = { ...childEnv(home, dir.path, port), LOG_LEVEL: 'info' };
  const first = startChild(env);
  children.push(first);
  await waitFor(async () => (await stats(port)).haConnected, 60_000, 'first process connected');

  const burst = home.controls.burst(30_000);
  await waitFor(async () => (await stats(port)).received >= 4000, 30_000, 'mid-burst');
  first.proc.kill('SIGKILL');
  const killed = await first.exited;
  assert.equal(killed.signal, 'SIGKILL');
  await burst;
  // Events keep happening while the process is down.
  home.controls.setRate(300);
  await new Promise((r) => setTimeout(r, 300));
  home.controls.setRate(0);

  const second = startChild(env);
  children.push(second);
  await waitFor(
    async () => {
      const s = await stats(port);
      return s.haConnected && !s.backfillPending && s.pending === 0;
    },
    90_000,
    'restarted process caught up',
  ).catch(async (error: Error) => {
    await new Promise((r) => setTimeout(r, 500));
    const last = await stats(port).catch((e: Error) => e.message);
    const state = `exit ${second.proc.exitCode} signal ${second.proc.signalCode}; stats ${JSON.stringify(last)}`;
    throw new Error(`${error.message}\n${state}\n${second.output()}`);
  });
  const s = await stats(port);
  assert.ok(s.backfilled > 0, 'the gap was filled from history');
  second.proc.kill('SIGTERM');
  const stopped = await second.exited;
  assert.equal(stopped.code, 0, `SIGTERM exit: ${second.output()}`);

  const runtime = new Runtime({ HOMEIQ_DATA_DIR: dir.path }, silentLogger());
  try {
    const diff = compare(home.controls.emitted(), await storedEvents(runtime));
    assert.deepEqual(
      { missing: diff.missing.length, extra: diff.extra.length, dupes: diff.dupes.length, wrong: diff.wrong.length },
      { missing: 0, extra: 0, dupes: 0, wrong: 0 },
      `missing e.g. ${diff.missing.slice(0, 3)}`,
    );
    assert.ok(home.controls.emitted().length > 30_000);
  } finally {
    await runtime.close();
  }
});
