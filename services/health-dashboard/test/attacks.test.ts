// A LAN attacker and a malicious web page against the dashboard in front of the real data-retention (SQLite,
// on sockets): every attack gets its 4xx, and the retention policy and the backup list are unchanged after it.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createLogger, type HttpApp, listen, type Service } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import { createService as createRetention } from '@homeiq/data-retention';
import { Runtime } from '@homeiq/storage';
import WebSocket from 'ws';
import { buildDashboardApp } from '../src/server/app';
import { signIn } from './session';

const KEY = 'attack-test-api-key-0123456789';
const PASSWORD = 'correct horse battery';
const EVIL = 'http://evil.example';

describe('attacks on the dashboard proxy change nothing behind it', () => {
  const dir = tempDir('homeiq-attacks-');
  const logs: string[] = [];
  let runtime: Runtime;
  let retention: Service;
  let dashboard: HttpApp;
  let base = '';
  let retentionUrl = '';
  let cookie = '';
  /** A valid body that would keep raw events one day: the service would accept it, so only a guard stops it. */
  let attack = '';

  /** What data-retention holds, asked directly with the key (not through the dashboard). */
  const policies = async () =>
    (await fetch(`${retentionUrl}/api/v1/policies`, { headers: { authorization: `Bearer ${KEY}` } })).json();
  const backups = async () =>
    (await fetch(`${retentionUrl}/api/v1/backups`, { headers: { authorization: `Bearer ${KEY}` } })).json();
  const putPolicies = (headers: Record<string, string>) =>
    fetch(`${base}/api/retention/v1/policies`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...headers },
      body: attack,
    });
  /** node's fetch always sends the real Host; a rebinding browser sends the attacker's name. */
  const withHost = (path: string, host: string, headers: Record<string, string> = {}, method = 'GET') =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${base}${path}`, { method, headers: { ...headers, host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(method === 'GET' ? undefined : attack);
    });

  before(async () => {
    const sink = new PassThrough();
    sink.on('data', (d: Buffer) => logs.push(d.toString()));
    const logger = createLogger({ level: 'trace', destination: sink });
    runtime = new Runtime(
      { HOMEIQ_DATA_DIR: dir.path, API_KEY: KEY, DATA_RETENTION_PORT: '0', HOMEIQ_HOST: '127.0.0.1' },
      logger,
    );
    retention = createRetention(runtime);
    await retention.start();
    retentionUrl = `http://127.0.0.1:${retention.port}`;
    writeFileSync(join(dir.path, 'index.html'), '<!doctype html><div id="root"></div>');
    dashboard = buildDashboardApp({
      logger,
      apiKey: KEY,
      distDir: dir.path,
      urlOf: () => retentionUrl,
      signIn: { password: PASSWORD, allowedHosts: ['127.0.0.1', 'localhost'] },
    });
    base = `http://127.0.0.1:${await listen(dashboard, 0, '127.0.0.1')}`;
    cookie = await signIn(base, KEY);
    attack = JSON.stringify({ ...(await policies()).policies, raw_days: 1 });
  });

  after(async () => {
    await dashboard?.close();
    await retention?.stop();
    await runtime?.close();
    dir.remove();
  });

  test('no session: reads and writes through the proxy are 401 and the policy is unchanged', async () => {
    const before = await policies();
    assert.equal((await fetch(`${base}/api/retention/v1/policies`)).status, 401);
    const put = await putPolicies({ origin: base });
    assert.equal(put.status, 401);
    assert.match((await put.json()).message, /sign in/);
    const forged = await putPolicies({ origin: base, cookie: 'homeiq_session=forged-session-id' });
    assert.equal(forged.status, 401);
    assert.deepEqual(await policies(), before);
    assert.notEqual(before.policies.raw_days, 1);
  });

  test('a signed-in browser on a malicious page: cross-origin writes are 403 and change nothing', async () => {
    const before = await policies();
    assert.equal((await putPolicies({ cookie, origin: EVIL })).status, 403);
    assert.equal((await putPolicies({ cookie })).status, 403, 'no Origin at all');
    assert.equal((await putPolicies({ cookie, origin: base, 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await putPolicies({ cookie, origin: base.replace('127.0.0.1', 'localhost') })).status, 403);
    for (const method of ['DELETE', 'PATCH', 'PROPFIND']) {
      const res = await fetch(`${base}/api/retention/v1/backups/x`, { method, headers: { cookie, origin: EVIL } });
      assert.equal(res.status, 403, method);
    }
    // A form-like POST with no body that would start a backup job.
    const jobs = await backups();
    const post = await fetch(`${base}/api/retention/v1/backups`, { method: 'POST', headers: { cookie, origin: EVIL } });
    assert.equal(post.status, 403);
    assert.deepEqual(await policies(), before);
    assert.deepEqual(await backups(), jobs);
  });

  test('the same write from the dashboard itself passes (the refusals above are not the service refusing)', async () => {
    const before = await policies();
    const ok = await putPolicies({ cookie, origin: base });
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.equal((await policies()).policies.raw_days, 1);
    const restore = await fetch(`${base}/api/retention/v1/policies`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie, origin: base },
      body: JSON.stringify(before.policies),
    });
    assert.equal(restore.status, 200);
  });

  test('DNS rebinding: a Host not on the allowlist is 421, even with a session', async () => {
    const before = await policies();
    for (const path of ['/', '/api/retention/v1/policies', '/auth/session']) {
      assert.equal(await withHost(path, 'evil.example', { cookie }), 421, path);
    }
    const headers = { cookie, origin: 'http://evil.example:80', 'content-type': 'application/json' };
    assert.equal(await withHost('/api/retention/v1/policies', 'evil.example:80', headers, 'PUT'), 421);
    assert.equal(await withHost('/api/retention/v1/policies', `localhost:${new URL(base).port}`, { cookie }), 200);
    assert.deepEqual(await policies(), before);
  });

  test('WebSocket streams: no session is 401, a foreign Origin is 403', async () => {
    const ws = base.replace('http', 'ws');
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`${ws}/api/data/v1/events/stream`, { headers });
        socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.once('open', () => reject(new Error('the upgrade was accepted')));
        socket.once('error', () => undefined);
      });
    assert.equal(await status({ origin: base }), 401);
    assert.equal(await status({ origin: EVIL, cookie }), 403);
    assert.equal(await status({ cookie }), 403, 'no Origin');
    assert.equal(await status({ origin: base, cookie, host: 'evil.example' }), 421);
  });

  test('sign-in: wrong secrets are 401, a cross-origin sign-in is 403, the password works, secrets never echo', async () => {
    const attempt = (body: unknown, origin = base) =>
      fetch(`${base}/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify(body),
      });
    assert.equal((await attempt({ method: 'api-key', secret: KEY }, EVIL)).status, 403, 'login CSRF');
    const bad = await attempt({ method: 'password', secret: 'nope' });
    assert.equal(bad.status, 401);
    assert.equal(bad.headers.get('set-cookie'), null);
    const unknown = await attempt({ method: 'magic', secret: 'x' });
    assert.equal(unknown.status, 400);
    assert.match((await unknown.json()).message, /body\.method/);
    const byPassword = await signIn(base, PASSWORD, 'password');
    assert.notEqual(byPassword, cookie);
    const session = await (await fetch(`${base}/auth/session`, { headers: { cookie: byPassword } })).json();
    assert.deepEqual(session, {
      signedIn: true,
      method: 'password',
      methods: { apiKey: true, password: true, homeAssistant: false },
    });
    const all = logs.join('');
    for (const secret of [KEY, PASSWORD, cookie.split('=')[1] ?? '', byPassword.split('=')[1] ?? '']) {
      assert.ok(secret.length > 8 && !all.includes(secret), 'no secret or session id in the logs');
    }
  });

  test('the session cookie: HttpOnly, SameSite=Strict, Secure only on https; sign-out ends the session', async () => {
    const res = await fetch(`${base}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base, 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ method: 'api-key', secret: KEY }),
    });
    const set = res.headers.get('set-cookie') ?? '';
    assert.match(set, /HttpOnly/);
    assert.match(set, /SameSite=Strict/);
    assert.doesNotMatch(set, /Secure/, 'X-Forwarded-Proto is not believed without DASHBOARD_TRUST_PROXY');
    const session = set.split(';')[0] ?? '';
    assert.equal((await fetch(`${base}/api/retention/v1/policies`, { headers: { cookie: session } })).status, 200);
    assert.equal(
      (await fetch(`${base}/auth/sign-out`, { method: 'POST', headers: { cookie: session, origin: EVIL } })).status,
      403,
      'a malicious page cannot sign you out either',
    );
    const out = await fetch(`${base}/auth/sign-out`, { method: 'POST', headers: { cookie: session, origin: base } });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
    assert.equal((await fetch(`${base}/api/retention/v1/policies`, { headers: { cookie: session } })).status, 401);
  });

  test('security headers on the page, on refusals and on proxied answers', async () => {
    for (const res of [
      await fetch(`${base}/`),
      await fetch(`${base}/api/retention/v1/policies`),
      await fetch(`${base}/api/retention/v1/policies`, { headers: { cookie } }),
    ]) {
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'.*frame-ancestors 'none'/);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    }
  });
});

describe('sign-in rate limit', () => {
  const dir = tempDir('homeiq-limit-');
  let app: HttpApp;
  let base = '';
  before(async () => {
    app = buildDashboardApp({
      logger: createLogger({ level: 'silent' }),
      apiKey: KEY,
      distDir: dir.path,
      urlOf: () => 'http://127.0.0.1:9',
      signIn: { allowedHosts: ['127.0.0.1'], maxFailures: 3, failureWindowMs: 60_000 },
    });
    base = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
  });
  after(async () => {
    await app?.close();
    dir.remove();
  });

  test('after the failures allowed, even the right key is 429 with Retry-After', async () => {
    const attempt = (secret: string) =>
      fetch(`${base}/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: base },
        body: JSON.stringify({ method: 'api-key', secret }),
      });
    for (let i = 0; i < 3; i++) assert.equal((await attempt(`guess-${i}`)).status, 401);
    const limited = await attempt(KEY);
    assert.equal(limited.status, 429);
    const retry = Number(limited.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 60, `Retry-After ${retry}`);
    assert.match((await limited.json()).message, /try again in \d+ s/);
    assert.equal(limited.headers.get('set-cookie'), null);
  });
});
