// data-api split and together. Split: `homeiq start websocket-ingestion` (on the simulated home) and
// `homeiq start data-api` as two processes on one data dir: data-api reads the SQLite files the other writes
// (read-only) and relays its live feed. Together: one Runtime, the in-process feed and the shared store.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@homeiq/core';
import { freePort, tempDir, waitFor } from '@homeiq/core/testing/temp';
import { Runtime } from '@homeiq/storage';
import WebSocket from 'ws';
import { createService } from '../src/index';
import { KEY, T0 } from './fixtures';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const children: ChildProcess[] = [];
const dirs: Array<{ remove(): void }> = [];

after(async () => {
  await Promise.all(children.map(stopChild));
  for (const d of dirs) d.remove();
});

function startChild(service: string, env: Record<string, string>): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [join(root, 'bin/homeiq.js'), 'start', service], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  children.push(child);
  return Object.assign(child, { output: () => output });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${KEY}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function collectStream(url: string) {
  const ws = new WebSocket(url);
  const events: Array<{ entity_id: string; last_updated: string }> = [];
  ws.on('message', (d) => events.push(...JSON.parse(d.toString())));
  const opened = new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, events, opened };
}

describe('split: data-api in its own process beside websocket-ingestion', () => {
  test('reads what ingestion writes, relays its live feed, survives an ingestion restart', async () => {
    const dir = tempDir('homeiq-split-');
    dirs.push(dir);
    const [ingestPort, apiPort] = [await freePort(), await freePort()];
    const env = {
      HOMEIQ_DATA_DIR: dir.path,
      API_KEY: KEY,
      WEBSOCKET_INGESTION_PORT: String(ingestPort),
      DATA_API_PORT: String(apiPort),
      HOMEIQ_SIMULATOR_PORT: '0',
      HOMEIQ_HOST: '127.0.0.1',
      BATCH_TIMEOUT: '200ms',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    };
    const api = `http://127.0.0.1:${apiPort}`;
    let ingestion = startChild('websocket-ingestion', env);
    await waitFor(() => fetch(`http://127.0.0.1:${ingestPort}/health`).then((r) => r.ok), 60_000, 'ingestion up').catch(
      (error) => assert.fail(`${error}\n${ingestion.output()}`),
    );
    const dataApi = startChild('data-api', env);
    await waitFor(() => fetch(`${api}/health`).then((r) => r.ok), 60_000, 'data-api up').catch((error) =>
      assert.fail(`${error}\n${dataApi.output()}`),
    );

    // Live: events from the ingestion process reach a data-api stream client through the remote feed.
    const stream = collectStream(`ws://127.0.0.1:${apiPort}/api/v1/events/stream?api_key=${KEY}`);
    await stream.opened;
    await waitFor(() => stream.events.length > 0, 20_000, 'a live event through data-api');
    const health = await getJson(`${api}/health`);
    const checks = health.body.checks as Record<string, Record<string, unknown>>;
    assert.equal(checks.live?.mode, 'remote');
    assert.equal(checks.live?.connected, true);
    assert.equal(checks.timeseries?.kind, 'sqlite');

    // Stored: the streamed event shows up in the store the other process writes.
    const seen = stream.events[0] as { entity_id: string; last_updated: string };
    await waitFor(
      async () => {
        const { body } = await getJson(
          `${api}/api/v1/events?entity_id=${seen.entity_id}&start=${encodeURIComponent(seen.last_updated)}&order=asc&limit=1`,
        );
        return (body.events as Array<{ last_updated: string }>)[0]?.last_updated === seen.last_updated;
      },
      20_000,
      'the live event stored and readable from data-api',
    );
    const entities = await getJson(`${api}/api/v1/entities`);
    assert.ok((entities.body.entities as unknown[]).length > 50, 'the registry mirror written by ingestion');

    // Ingestion goes away: data-api keeps serving the store and says the live feed is down.
    await stopChild(ingestion);
    await waitFor(
      async () => (await getJson(`${api}/health`)).body.status === 'degraded',
      20_000,
      'data-api degraded while ingestion is down',
    );
    assert.equal((await getJson(`${api}/api/v1/events?limit=5`)).status, 200);
    const before = stream.events.length;
    ingestion = startChild('websocket-ingestion', env);
    await waitFor(() => stream.events.length > before, 60_000, 'live events again after the restart').catch((error) =>
      assert.fail(`${error}\n${ingestion.output()}`),
    );
    assert.equal(stream.ws.readyState, WebSocket.OPEN, 'the stream client never noticed the upstream outage');
    stream.ws.close();
  });
});

describe('together: one runtime', () => {
  test('in-process live feed and the shared store', async () => {
    const dir = tempDir('homeiq-together-');
    dirs.push(dir);
    const runtime = new Runtime(
      { HOMEIQ_DATA_DIR: dir.path, API_KEY: KEY, DATA_API_PORT: '0', HOMEIQ_HOST: '127.0.0.1' },
      silentLogger(),
    );
    runtime.local.add('websocket-ingestion');
    runtime.local.add('data-api');
    const service = createService(runtime);
    await service.start();
    try {
      const port = service.port;
      const store = await runtime.timeSeries();
      const event = {
        entityId: 'sensor.together',
        time: T0,
        lastChanged: T0,
        state: '1',
        removed: false,
        attributes: {},
        contextId: null,
        contextParentId: null,
        contextUserId: null,
        origin: null,
        areaId: null,
        deviceId: null,
      };
      await store.writeEvents([event]);
      const { body } = await getJson(`http://127.0.0.1:${port}/api/v1/events?entity_id=sensor.together`);
      assert.equal((body.events as unknown[]).length, 1);
      const stream = collectStream(`ws://127.0.0.1:${port}/api/v1/events/stream?api_key=${KEY}`);
      await stream.opened;
      await waitFor(() => runtime.live.listenerCount > 0, 5000, 'subscribed to the in-process feed');
      runtime.live.publish([{ ...event, time: T0 + 1 }]);
      await waitFor(() => stream.events.length === 1, 5000, 'in-process live event');
      const health = await getJson(`http://127.0.0.1:${port}/health`);
      assert.equal((health.body.checks as Record<string, Record<string, unknown>>).live?.mode, 'in-process');
      stream.ws.close();
    } finally {
      await service.stop();
      await runtime.close();
    }
  });
});
