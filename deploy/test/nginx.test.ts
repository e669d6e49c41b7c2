import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServiceApp, type HttpApp, listen, silentLogger } from '@homeiq/core';
import { requireExecutable } from '@homeiq/core/testing/dependency';
import { freePort, tempDir, waitFor } from '@homeiq/core/testing/temp';
import WebSocket from 'ws';
import { DashboardAuth } from '../../services/health-dashboard/src/server/auth/dashboard-auth';
import { mountSignIn } from '../../services/health-dashboard/src/server/auth/mount';
import { startFakeUpstream } from '../../services/health-dashboard/test/fake-upstream';
import { signIn } from '../../services/health-dashboard/test/session';

const { path: nginx, skip } = requireExecutable('nginx', ['nginx', '/usr/sbin/nginx']);
const KEY = 'nginx-injected-key-7';
const TEMPLATE = new URL('../nginx.conf', import.meta.url);

/**
 * The template as the nginx image's entrypoint renders it (envsubst of the defined ${API_KEY}), with the compose
 * service names and port swapped for loopback ones, inside a minimal main config with a temp prefix.
 */
function render(prefix: string, dist: string, port: number, upstream: number, dead: number, auth: number): string {
  const placeholder = `$${'{API_KEY}'}`;
  let server = readFileSync(TEMPLATE, 'utf8').replaceAll(placeholder, KEY);
  assert.ok(!server.includes(`$${'{'}`), 'the only placeholder is the API key');
  server = server
    .replace('listen 3000;', `listen 127.0.0.1:${port};`)
    .replace('set $dashboard_auth admin-api:8004;', `set $dashboard_auth 127.0.0.1:${auth};`)
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
  /** admin-api's part in Docker: the dashboard's sign-in routes, mounted as admin-api mounts them. */
  let signInApp: HttpApp | undefined;
  let cookie = '';

  before(async () => {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'app-abc123.js'), 'console.log(1)');
    upstream = await startFakeUpstream();
    const port = await freePort();
    signInApp = createServiceApp({
      name: 'admin-api',
      logger: silentLogger(),
      apiKey: KEY,
      checks: () => ({}),
      openPaths: ['/auth/*'],
    }).app;
    mountSignIn(
      signInApp,
      new DashboardAuth({
        apiKey: KEY,
        allowedHosts: ['127.0.0.1'],
        idleMs: 60_000,
        absoluteMs: 600_000,
        trustProxy: true,
      }),
    );
    const authPort = await listen(signInApp, 0, '127.0.0.1');
    config = render(prefix.path, dist, port, upstream.port, await freePort(), authPort);
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
    cookie = await signIn(base, KEY);
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGQUIT');
      await exited;
    }
    await upstream?.close();
    await signInApp?.close();
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
      headers: { authorization: 'Bearer from-the-browser', cookie: `${cookie}; other=1` },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { method: 'GET', url: '/api/v1/events?limit=5&domain=light', body: '' });
    const seen = upstream.seen.findLast((s) => s.url === '/api/v1/events?limit=5&domain=light');
    assert.equal(seen?.headers.authorization, `Bearer ${KEY}`);
    assert.equal(seen?.headers.cookie ?? '', '');
    const post = await fetch(`${base}/api/retention/v1/backups`, {
      method: 'POST',
      body: '{"a":1}',
      headers: { cookie, origin: base },
    });
    assert.deepEqual(await post.json(), { method: 'POST', url: '/api/v1/backups', body: '{"a":1}' });
    assert.equal((await fetch(`${base}/api/admin/v1/missing`, { headers: { cookie } })).status, 404);
    assert.equal((await fetch(`${base}/api/unknown/v1/x`, { headers: { cookie } })).status, 404);
    assert.equal((await fetch(`${base}/api/weather/v1/weather/current`, { headers: { cookie } })).status, 502);
  });

  test("a service's API docs go to its root, like the built-in server's proxy", async () => {
    // Behind the sign-in like every /api/ path.
    assert.equal((await fetch(`${base}/api/data/docs/static/index.html`)).status, 401);
    const docs = await fetch(`${base}/api/data/docs/static/index.html`, { headers: { cookie } });
    assert.deepEqual(await docs.json(), { method: 'GET', url: '/docs/static/index.html', body: '' });
    const spec = await fetch(`${base}/api/sports/openapi.json`, { headers: { cookie } });
    assert.deepEqual(await spec.json(), { method: 'GET', url: '/openapi.json', body: '' });
    const other = await fetch(`${base}/api/data/docsx`, { headers: { cookie } });
    assert.deepEqual(await other.json(), { method: 'GET', url: '/api/docsx', body: '' });
  });

  test('Server-Sent Events are not buffered', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/api/data/v1/sse`, { signal: controller.signal, headers: { cookie } });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.match(first, /data: \[1\]/, 'the first event arrives before the upstream finishes');
    controller.abort();
  });

  test('WebSocket upgrade for the live stream, with the key added', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/data/v1/events/stream?domain=sensor`, {
      headers: { authorization: 'Bearer wrong', cookie, origin: base },
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

  test('sign-in through nginx: no session 401, another origin 403, a foreign Host refused; nothing reaches the service', async () => {
    const reached = upstream.seen.length;
    const noSession = await fetch(`${base}/api/retention/v1/policies`, {
      method: 'PUT',
      headers: { origin: base, 'content-type': 'application/json' },
      body: '{"raw_days":1}',
    });
    assert.equal(noSession.status, 401);
    assert.match((await noSession.json()).message, /sign in/);
    const forged = await fetch(`${base}/api/data/v1/events`, { headers: { cookie: 'homeiq_session=forged' } });
    assert.equal(forged.status, 401);
    const crossOrigin = await fetch(`${base}/api/retention/v1/policies`, {
      method: 'PUT',
      headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: '{"raw_days":1}',
    });
    assert.equal(crossOrigin.status, 403);
    const noOrigin = await fetch(`${base}/api/retention/v1/backups`, { method: 'POST', headers: { cookie } });
    assert.equal(noOrigin.status, 403);
    const rebound = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/api/data/v1/events`, { headers: { host: 'evil.example', cookie } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject).end();
    });
    assert.equal(rebound, 403, 'a Host not on the allowlist (DNS rebinding)');
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/data/v1/events/stream`, {
      headers: { cookie, origin: 'http://evil.example' },
    });
    const wsStatus = await new Promise<number>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('a cross-origin WebSocket was accepted')));
      ws.once('error', () => undefined);
    });
    assert.equal(wsStatus, 403);
    assert.equal(upstream.seen.length, reached, 'no refused request reached the service');
    const ok = await fetch(`${base}/api/data/v1/events`, { headers: { cookie } });
    assert.equal(ok.status, 200);
  });

  test('sign-in and sign-out through nginx; the session cookie is HttpOnly and Strict; a wrong key is 401', async () => {
    const wrong = await fetch(`${base}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ method: 'api-key', secret: 'guess' }),
    });
    assert.equal(wrong.status, 401);
    const csrf = await fetch(`${base}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: JSON.stringify({ method: 'api-key', secret: KEY }),
    });
    assert.equal(csrf.status, 403);
    const res = await fetch(`${base}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify({ method: 'api-key', secret: KEY }),
    });
    assert.equal(res.status, 204);
    const set = res.headers.get('set-cookie') ?? '';
    assert.match(set, /HttpOnly/);
    assert.match(set, /SameSite=Strict/);
    const session = set.split(';')[0] ?? '';
    assert.equal((await fetch(`${base}/api/data/v1/events`, { headers: { cookie: session } })).status, 200);
    const out = await fetch(`${base}/auth/sign-out`, { method: 'POST', headers: { cookie: session, origin: base } });
    assert.equal(out.status, 204);
    assert.equal((await fetch(`${base}/api/data/v1/events`, { headers: { cookie: session } })).status, 401);
  });

  test('security headers on the app, assets, proxied answers and refusals', async () => {
    for (const [what, res] of [
      ['index', await fetch(`${base}/`)],
      ['asset', await fetch(`${base}/assets/app-abc123.js`)],
      ['proxied', await fetch(`${base}/api/data/v1/events`, { headers: { cookie } })],
      ['refused', await fetch(`${base}/api/data/v1/events`)],
      ['sign-in', await fetch(`${base}/auth/session`)],
    ] as const) {
      assert.match(
        res.headers.get('content-security-policy') ?? '',
        /default-src 'self'.*frame-ancestors 'none'/,
        what,
      );
      assert.equal(res.headers.get('x-frame-options'), 'DENY', what);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', what);
    }
  });

  test('with the sign-in service down, /api/ is a 503 that names it, never a pass', async () => {
    await signInApp?.close();
    signInApp = undefined;
    const res = await fetch(`${base}/api/data/v1/events`, { headers: { cookie } });
    assert.equal(res.status, 503);
    assert.match((await res.json()).message, /admin-api/);
  });
});
