import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SERVICES, type ServiceName, serviceUrlEnv, silentLogger } from '@homeiq/core';
import { freePort, tempDir, waitFor } from '@homeiq/core/testing/temp';
import { type SimulatedHome, startSimulatedHome } from '@homeiq/ha';
import { startDemoScoreboard } from '@homeiq/sports-data/sim/demo';
import { startDemoWeather } from '@homeiq/weather-api/sim/demo';
import WebSocket from 'ws';
import { parse } from 'yaml';

/**
 * Each Node service runs natively from its production bundle, with the V8 heap cap its image sets, while the
 * simulated home fires 500 events/s and the read side is kept busy; its peak RSS must stay below the memory
 * limit docker-compose.yml gives it.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const seconds = Number(process.env.MEMORY_TEST_SECONDS ?? 20);
const order: ServiceName[] = [
  'websocket-ingestion',
  'data-api',
  'data-retention',
  'sports-data',
  'weather-api',
  'admin-api',
];

type Compose = {
  services: Record<
    string,
    { build?: { args?: Record<string, string> }; deploy: { resources: { limits: { memory: string } } } }
  >;
};
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;
const bytes = (limit: string) => Number.parseInt(limit, 10) * 1024 ** 2;

const data = tempDir('homeiq-memory-');
const env: Record<string, string | undefined> = {
  ...process.env,
  HOMEIQ_DATA_DIR: data.path,
  API_KEY: 'memory-test-key-0123456789abcdef',
  HOMEIQ_HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  LOG_FORMAT: 'json',
  NODE_ENV: 'production',
};
const children = new Map<ServiceName, ChildProcess>();
const peakRss = new Map<ServiceName, number>();
let home: SimulatedHome;
const stops: Array<() => Promise<void>> = [];

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return Number(kb ?? 0) * 1024;
}

const api = (name: ServiceName, path: string, init?: RequestInit) =>
  fetch(`${env[serviceUrlEnv(name)]}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${env.API_KEY}`, 'content-type': 'application/json' },
  });

before(async () => {
  execFileSync(process.execPath, ['scripts/build-service.mjs', ...order], { cwd: root, stdio: 'pipe' });
  home = await startSimulatedHome({ port: 0, rate: 500, seed: 7 });
  env.HA_URL = home.url;
  env.HA_TOKEN = home.token;
  const logger = silentLogger();
  for (const start of [startDemoWeather, startDemoScoreboard]) {
    const stop = await start(env, logger);
    if (stop) stops.push(stop);
  }
  for (const name of order) {
    const port = await freePort();
    env[SERVICES[name].portEnv] = String(port);
    env[serviceUrlEnv(name)] = `http://127.0.0.1:${port}`;
  }
  for (const name of order) {
    const { HEAP_MB: heap, SEMI_SPACE_MB: semi } = compose.services[name]?.build?.args ?? {};
    assert.ok(heap && semi, `${name} has HEAP_MB and SEMI_SPACE_MB build args`);
    // The same V8 flags the image sets in NODE_OPTIONS.
    const flags = [`--max-old-space-size=${heap}`, `--max-semi-space-size=${semi}`];
    const child = spawn(process.execPath, [...flags, join(root, 'dist', name, 'main.mjs')], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    children.set(name, child);
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
        const res = await fetch(`${env[serviceUrlEnv(name)]}/health`).catch(() => undefined);
        return res !== undefined && res.status < 500;
      },
      30_000,
      `${name} /health`,
    );
  }
});

after(async () => {
  for (const child of children.values()) child.kill('SIGTERM');
  await Promise.all(
    [...children.values()].map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)),
  );
  for (const stop of stops) await stop();
  await home?.stop();
  data.remove();
});

test(`every service stays under its compose memory limit at 500 ev/s (${seconds} s)`, async (t) => {
  const stream = new WebSocket(
    `${env[serviceUrlEnv('data-api')]?.replace('http', 'ws')}/api/v1/events/stream?api_key=${env.API_KEY}`,
  );
  let streamed = 0;
  stream.on('message', () => {
    streamed++;
  });
  const started = Date.now();
  const storedAtStart = ((await (await api('websocket-ingestion', '/api/v1/stats')).json()) as { stored: number })
    .stored;
  await api('data-retention', '/api/v1/backups', { method: 'POST', body: '{}' });
  const entity = home.controls.entityIds()[0] ?? 'sensor.none';
  const since = new Date(started - 3_600_000).toISOString();
  while (Date.now() - started < seconds * 1000) {
    for (const [name, child] of children) {
      if (child.pid) peakRss.set(name, Math.max(peakRss.get(name) ?? 0, rssOf(child.pid)));
    }
    // Keep the read side busy: pages of 1000 events, one entity's history, the admin overview.
    await Promise.all([
      api('data-api', '/api/v1/events?limit=1000'),
      api('data-api', `/api/v1/entities/${encodeURIComponent(entity)}/history?start=${since}`),
      api('admin-api', '/api/v1/health/services'),
      api('admin-api', '/api/v1/resources'),
      api('sports-data', '/api/v1/sports/games'),
      api('weather-api', '/api/v1/weather/current'),
    ]).then((responses) => Promise.all(responses.map((r) => r.arrayBuffer())));
    await new Promise((r) => setTimeout(r, 250));
  }
  stream.close();
  const stats = (await (await api('websocket-ingestion', '/api/v1/stats')).json()) as { stored: number };
  const rate = (stats.stored - storedAtStart) / seconds;
  t.diagnostic(`ingestion stored ${rate.toFixed(0)} ev/s; data-api streamed ${streamed} messages`);
  assert.ok(rate > 300, `the load was real: ${rate.toFixed(0)} ev/s stored`);

  const rows: string[] = [];
  for (const name of order) {
    const limit = bytes(compose.services[name]?.deploy.resources.limits.memory ?? '0');
    const peak = peakRss.get(name) ?? 0;
    const heap = compose.services[name]?.build?.args?.HEAP_MB;
    rows.push(
      `${name.padEnd(20)} peak RSS ${(peak / 1024 ** 2).toFixed(1).padStart(6)} MB  limit ${limit / 1024 ** 2} MB  heap cap ${heap} MB`,
    );
  }
  for (const row of rows) t.diagnostic(row);
  for (const name of order) {
    const limit = bytes(compose.services[name]?.deploy.resources.limits.memory ?? '0');
    const peak = peakRss.get(name) ?? 0;
    assert.ok(peak > 0, `${name} RSS was sampled`);
    assert.ok(
      peak < limit,
      `${name} peak RSS ${(peak / 1024 ** 2).toFixed(1)} MB exceeds its ${limit / 1024 ** 2} MB limit`,
    );
  }
});
