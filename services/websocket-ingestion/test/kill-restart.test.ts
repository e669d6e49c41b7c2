import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@homeiq/core';
import { freePort, tempDir } from '@homeiq/core/testing/temp';
import { type SimulatedHome, startSimulatedHome } from '@homeiq/ha';
import { Runtime } from '@homeiq/storage';
import { API_KEY, compare, storedEvents, waitFor } from './helpers';

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface Child {
  proc: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

function startChild(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['bin/homeiq.js', 'start', 'websocket-ingestion'], {
    cwd: root,
    env: { ...process.env, ...env, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  const keep = (d: Buffer) => {
    err = (err + d.toString()).slice(-6000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, exited, stderr: () => err };
}

async function stats(
  port: number,
): Promise<{ haConnected: boolean; received: number; pending: number; backfillPending: boolean; backfilled: number }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/stats`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  }).catch((error: Error) => {
    throw new Error(`port ${port}: ${error.message}: ${String((error.cause as Error | undefined)?.message)}`);
  });
  if (!res.ok) throw new Error(`stats: HTTP ${res.status}`);
  return (await res.json()) as never;
}

let home: SimulatedHome | undefined;
const dir = tempDir('homeiq-kill-');
const children: Child[] = [];
after(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  await home?.stop();
  dir.remove();
});

test('kill -9 of the ingestion process mid-burst, then a restart: nothing lost, nothing doubled', async () => {
  home = await startSimulatedHome({ rate: 0, entityCount: 120, seed: 11 });
  const port = await freePort();
  const env = {
    HA_URL: home.url,
    HA_TOKEN: home.token,
    HOMEIQ_DATA_DIR: dir.path,
    API_KEY,
    WEBSOCKET_INGESTION_PORT: String(port),
    HOMEIQ_HOST: '127.0.0.1',
    HOMEIQ_INITIAL_BACKFILL: '0',
    BATCH_TIMEOUT: '200ms',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
  };
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
    throw new Error(`${error.message}\n${state}\n${second.stderr()}`);
  });
  const s = await stats(port);
  assert.ok(s.backfilled > 0, 'the gap was filled from history');
  second.proc.kill('SIGTERM');
  const stopped = await second.exited;
  assert.equal(stopped.code, 0, `SIGTERM exit: ${second.stderr()}`);

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
