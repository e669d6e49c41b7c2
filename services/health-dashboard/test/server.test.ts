import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type HttpApp, listen, silentLogger } from '@homeiq/core';
import { freePort, tempDir } from '@homeiq/core/testing/temp';
import WebSocket from 'ws';
import { buildDashboardApp } from '../src/server/app';
import { proxyTarget } from '../src/server/upstreams';
import { type Seen, startFakeUpstream } from './fake-upstream';
import { signIn } from './session';

const KEY = 'dash-secret-key-42';

describe('built-in static server and API proxy on real sockets', () => {
  const dist = tempDir('homeiq-dist-');
  let upstream: Awaited<ReturnType<typeof startFakeUpstream>>;
  let app: HttpApp;
  let base: string;
  let cookie: string;
  const last = (pred: (s: Seen) => boolean) => [...upstream.seen].reverse().find(pred);

  before(async () => {
    mkdirSync(join(dist.path, 'assets'));
    writeFileSync(join(dist.path, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dist.path, 'assets', 'app-abc123.js'), 'console.log(1)');
    upstream = await startFakeUpstream();
    const dead = await freePort();
    app = buildDashboardApp({
      logger: silentLogger(),
      apiKey: KEY,
      distDir: dist.path,
      urlOf: (service) => (service === 'weather-api' ? `http://127.0.0.1:${dead}` : upstream.url),
    });
    base = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
    cookie = await signIn(base, KEY);
  });

  after(async () => {
    await app?.close();
    await upstream?.close();
    dist.remove();
  });

  test('maps /api/<service>/<rest> to <service>/api/<rest>, refusing dot segments', () => {
    assert.deepEqual(proxyTarget('/api/data/v1/events?limit=5'), {
      service: 'data-api',
      path: '/api/v1/events?limit=5',
    });
    assert.deepEqual(proxyTarget('/api/retention/v1/jobs/x'), { service: 'data-retention', path: '/api/v1/jobs/x' });
    assert.equal(proxyTarget('/api/nope/v1/x'), undefined);
    assert.equal(proxyTarget('/api/data/../../etc/passwd'), undefined);
    assert.equal(proxyTarget('/api/data/%2e%2e/x'), undefined);
  });

  test("a service's API docs are proxied to its root: /api/<service>/docs/ and /openapi.json", () => {
    assert.deepEqual(proxyTarget('/api/data/docs/'), { service: 'data-api', path: '/docs/' });
    assert.deepEqual(proxyTarget('/api/sports/docs/static/index.html'), {
      service: 'sports-data',
      path: '/docs/static/index.html',
    });
    assert.deepEqual(proxyTarget('/api/admin/openapi.json'), { service: 'admin-api', path: '/openapi.json' });
    assert.deepEqual(proxyTarget('/api/data/docsx'), { service: 'data-api', path: '/api/docsx' });
  });

  test('/metrics is the Prometheus text of the dashboard process, behind the key, never the page', async () => {
    assert.equal((await fetch(`${base}/metrics`)).status, 401);
    assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer nope' } })).status, 403);
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    assert.doesNotMatch(text, /id="root"/);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
  });

  test('static files, cache headers, SPA fallback, a missing asset is a 404', async () => {
    const index = await fetch(`${base}/`);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.match(await index.text(), /id="root"/);
    const asset = await fetch(`${base}/assets/app-abc123.js`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('content-type') ?? '', /javascript/);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
    const deep = await fetch(`${base}/entities/sensor.kitchen_temperature`);
    assert.equal(deep.status, 200);
    assert.match(await deep.text(), /id="root"/);
    assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404);
    const climb = await (await fetch(`${base}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd`)).text();
    assert.ok(!climb.includes('root:'), 'a path never climbs out of dist/');
    assert.equal((await fetch(`${base}/health`)).status, 200);
  });

  test('GET is proxied with the key added and the browser credentials dropped', async () => {
    const res = await fetch(`${base}/api/data/v1/events?limit=5`, {
      headers: { authorization: 'Bearer from-browser', cookie },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { method: 'GET', url: '/api/v1/events?limit=5', body: '' });
    const got = last((s) => s.url === '/api/v1/events?limit=5');
    assert.equal(got?.headers.authorization, `Bearer ${KEY}`);
    assert.equal(got?.headers.cookie, undefined, 'the session cookie stays with the dashboard');
  });

  test('POST bodies stream through; upstream status codes pass through', async () => {
    const res = await fetch(`${base}/api/retention/v1/backups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: base },
      body: '{"start":"2026-01-01T00:00:00Z"}',
    });
    assert.deepEqual(await res.json(), {
      method: 'POST',
      url: '/api/v1/backups',
      body: '{"start":"2026-01-01T00:00:00Z"}',
    });
    assert.equal((await fetch(`${base}/api/admin/v1/missing`, { headers: { cookie } })).status, 404);
    assert.equal((await fetch(`${base}/api/unknown/v1/x`, { headers: { cookie } })).status, 404);
  });

  test('a service that is down is a 502 naming it', async () => {
    const res = await fetch(`${base}/api/weather/v1/weather/current`, { headers: { cookie } });
    assert.equal(res.status, 502);
    assert.match((await res.json()).message, /weather-api is not running/);
  });

  test('Server-Sent Events stream through unbuffered', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/api/data/v1/sse`, { signal: controller.signal, headers: { cookie } });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('[2]')) text += new TextDecoder().decode((await reader.read()).value);
    assert.match(text, /data: \[1\]\n\ndata: \[2\]/);
    controller.abort();
  });

  test('WebSocket upgrade is proxied with the key; the browser sends none', async () => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/data/v1/events/stream?domain=light`, {
      headers: { cookie, origin: base },
    });
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (m) => resolve(m.toString()));
      ws.once('error', reject);
    });
    const hello = JSON.parse(first);
    assert.equal(hello.authorization, `Bearer ${KEY}`);
    assert.equal(hello.url, '/api/v1/events/stream?domain=light');
    ws.send('ping');
    const echo = await new Promise<string>((resolve) => ws.once('message', (m) => resolve(m.toString())));
    assert.equal(echo, 'echo:ping');
    ws.close();
    const refused = new WebSocket(`${base.replace('http', 'ws')}/api/nope/v1/x`, { headers: { cookie, origin: base } });
    await new Promise<void>((resolve) => refused.once('error', () => resolve()));
  });

  test("the dashboard's own /api/v1 needs the key", async () => {
    assert.equal((await fetch(`${base}/api/v1/process`)).status, 401);
    assert.equal((await fetch(`${base}/api/v1/process`, { headers: { authorization: 'Bearer x' } })).status, 403);
    const ok = await fetch(`${base}/api/v1/process`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(ok.status, 200);
    assert.equal(typeof (await ok.json()).rssBytes, 'number');
  });
});
