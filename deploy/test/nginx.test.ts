import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireExecutable } from '@homeiq/core/testing/dependency';
import { freePort, tempDir, waitFor } from '@homeiq/core/testing/temp';
import WebSocket from 'ws';
import { startFakeUpstream } from '../../services/health-dashboard/test/fake-upstream';

const { path: nginx, skip } = requireExecutable('nginx', ['nginx', '/usr/sbin/nginx']);
const KEY = 'nginx-injected-key-7';
const TEMPLATE = new URL('../nginx.conf', import.meta.url);

/**
 * The template as the nginx image's entrypoint renders it (envsubst of the defined ${API_KEY}), with the compose
 * service names and port swapped for loopback ones, inside a minimal main config with a temp prefix.
 */
function render(prefix: string, dist: string, port: number, upstream: number, dead: number): string {
  const placeholder = `$${'{API_KEY}'}`;
  let server = readFileSync(TEMPLATE, 'utf8').replaceAll(placeholder, KEY);
  assert.ok(!server.includes(`$${'{'}`), 'the only placeholder is the API key');
  server = server
    .replace('listen 3000;', `listen 127.0.0.1:${port};`)
    .replace('root /usr/share/nginx/html;', `root ${dist};`)
    .replace(/\b(data-api|admin-api|data-retention|sports-data|websocket-ingestion):\d+/g, `127.0.0.1:${upstream}`)
    .replace(/\bweather-api:\d+/g, `127.0.0.1:${dead}`);
  writeFileSync(join(prefix, 'server.conf'), server);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `${t}_temp_path ${join(prefix, `${t}-temp`)};`)
    .join('\n  ');
  const main = `${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 1;
daemon off;
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  ${temp}
  include ${join(prefix, 'server.conf')};
}
`;
  const file = join(prefix, 'nginx.conf');
  writeFileSync(file, main);
  return file;
}

describe('deploy/nginx.conf on the real nginx', { skip }, () => {
  const prefix = tempDir('homeiq-nginx-');
  const dist = join(prefix.path, 'html');
  let upstream: Awaited<ReturnType<typeof startFakeUpstream>>;
  let child: ChildProcess | undefined;
  let base = '';
  let config = '';

  before(async () => {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'app-abc123.js'), 'console.log(1)');
    upstream = await startFakeUpstream();
    const port = await freePort();
    config = render(prefix.path, dist, port, upstream.port, await freePort());
    child = spawn(nginx!, ['-p', prefix.path, '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    base = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => {
        if (child?.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
        return (await fetch(`${base}/healthz`).catch(() => undefined))?.ok;
      },
      10_000,
      'nginx to answer /healthz',
    );
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGQUIT');
      await exited;
    }
    await upstream?.close();
    prefix.remove();
  });

  test('the rendered config passes nginx -t', () => {
    execFileSync(nginx!, ['-t', '-p', prefix.path, '-c', config], { stdio: 'pipe' });
  });

  test('static files with cache headers; SPA fallback; a missing asset is a 404', async () => {
    const index = await fetch(`${base}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await index.text(), /id="root"/);
    const asset = await fetch(`${base}/assets/app-abc123.js`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    const deep = await fetch(`${base}/entities/sensor.kitchen_temperature`);
    assert.equal(deep.status, 200);
    assert.match(await deep.text(), /id="root"/);
    assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404);
    const health = await fetch(`${base}/health`);
    assert.deepEqual((await health.json()).status, 'healthy', 'admin-api reads a HealthReport, not the app');
  });

  test('API proxy: path mapped, query kept, key injected, the browser credential replaced', async () => {
    const res = await fetch(`${base}/api/data/v1/events?limit=5&domain=light`, {
      headers: { authorization: 'Bearer from-the-browser', cookie: 'session=1' },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { method: 'GET', url: '/api/v1/events?limit=5&domain=light', body: '' });
    const seen = upstream.seen.findLast((s) => s.url === '/api/v1/events?limit=5&domain=light');
    assert.equal(seen?.headers.authorization, `Bearer ${KEY}`);
    assert.equal(seen?.headers.cookie ?? '', '');
    const post = await fetch(`${base}/api/retention/v1/backups`, { method: 'POST', body: '{"a":1}' });
    assert.deepEqual(await post.json(), { method: 'POST', url: '/api/v1/backups', body: '{"a":1}' });
    assert.equal((await fetch(`${base}/api/admin/v1/missing`)).status, 404);
    assert.equal((await fetch(`${base}/api/unknown/v1/x`)).status, 404);
    assert.equal((await fetch(`${base}/api/weather/v1/weather/current`)).status, 502);
  });

  test("a service's API docs go to its root, like the built-in server's proxy", async () => {
    const docs = await fetch(`${base}/api/data/docs/static/index.html`);
    assert.deepEqual(await docs.json(), { method: 'GET', url: '/docs/static/index.html', body: '' });
    const spec = await fetch(`${base}/api/sports/openapi.json`);
    assert.deepEqual(await spec.json(), { method: 'GET', url: '/openapi.json', body: '' });
    const other = await fetch(`${base}/api/data/docsx`);
    assert.deepEqual(await other.json(), { method: 'GET', url: '/api/docsx', body: '' });
  });

  test('Server-Sent Events are not buffered', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/api/data/v1/sse`, { signal: controller.signal });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /data: \[1\]/, 'the first event arrives before the upstream finishes');
    controller.abort();
  });

  test('WebSocket upgrade for the live stream, with the key added', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/data/v1/events/stream?domain=sensor`, {
      headers: { authorization: 'Bearer wrong' },
    });
    const hello = JSON.parse(
      await new Promise<string>((resolve, reject) => {
        ws.once('message', (m) => resolve(m.toString()));
        ws.once('error', reject);
      }),
    );
    assert.equal(hello.authorization, `Bearer ${KEY}`);
    assert.equal(hello.url, '/api/v1/events/stream?domain=sensor');
    ws.send('ping');
    assert.equal(await new Promise<string>((resolve) => ws.once('message', (m) => resolve(m.toString()))), 'echo:ping');
    ws.close();
  });
});
