import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import { DashboardAuth } from '../src/server/auth/dashboard-auth';
import { limitKey, SignInLimiter } from '../src/server/auth/rate-limit';
import { hostName } from '../src/server/auth/request-guards';
import { SessionStore } from '../src/server/auth/sessions';
import { dashboardPassword, dashboardSchema } from '../src/server/config';

describe('sessions, limiter and sign-in config', () => {
  test('a session ends after the idle time, and after the absolute time even while in use', () => {
    let now = 0;
    const store = new SessionStore({ idleMs: 100, absoluteMs: 250 }, () => now);
    const idle = store.create('api-key');
    const busy = store.create('password');
    now = 90;
    assert.ok(store.touch(busy));
    now = 180;
    assert.equal(store.touch(idle), undefined, 'idle for 180 > 100');
    assert.ok(store.touch(busy), 'used 90 ago');
    now = 249;
    assert.ok(store.touch(busy));
    now = 251;
    assert.equal(store.touch(busy), undefined, 'older than the absolute limit');
    assert.equal(store.touch('made-up'), undefined);
  });

  test('sessions are capped: the least recently used goes first', () => {
    const store = new SessionStore({ idleMs: 1e9, absoluteMs: 1e9, max: 2 });
    const a = store.create('api-key');
    const b = store.create('api-key');
    store.touch(a);
    store.create('api-key');
    assert.equal(store.size, 2);
    assert.ok(store.touch(a));
    assert.equal(store.touch(b), undefined);
  });

  test('the limiter counts failures per address in a window, and forgets them after it', () => {
    let now = 0;
    const limiter = new SignInLimiter(2, 1000, () => now);
    limiter.fail('a');
    assert.equal(limiter.retryAfter('a'), 0);
    limiter.fail('a');
    assert.equal(limiter.retryAfter('a'), 1);
    assert.equal(limiter.retryAfter('b'), 0, 'another address is not held back');
    now = 1001;
    assert.equal(limiter.retryAfter('a'), 0);
  });

  test('failures count per IPv4 address, per IPv6 /64 (a host can take any address of its /64)', () => {
    assert.equal(limitKey('192.168.1.20'), '192.168.1.20');
    assert.equal(limitKey('::ffff:192.168.1.20'), '192.168.1.20');
    assert.equal(limitKey('fd00:1:2:3:aaaa::1'), 'fd00:1:2:3::/64');
    assert.equal(limitKey('fd00:1:2:3:bbbb:cccc:dddd:eeee'), 'fd00:1:2:3::/64');
    assert.equal(limitKey('fe80::1'), 'fe80:0:0:0::/64');
    assert.equal(limitKey('::1'), '0:0:0:0::/64');
  });

  test('the cookie is Secure on TLS, or on X-Forwarded-Proto: https only from a trusted proxy', () => {
    const req = (headers: Record<string, string>, encrypted = false) => ({ headers, socket: { encrypted } }) as never;
    const auth = (trustProxy: boolean) =>
      new DashboardAuth({ apiKey: 'k', allowedHosts: [], idleMs: 1, absoluteMs: 3_600_000, trustProxy });
    const forwarded = { 'x-forwarded-proto': 'https' };
    assert.match(auth(true).cookie(req(forwarded), 'id'), /; Secure$/);
    assert.doesNotMatch(auth(false).cookie(req(forwarded), 'id'), /Secure/);
    assert.match(
      auth(false).cookie(req({}, true), 'id'),
      /^homeiq_session=id; Path=\/; HttpOnly; SameSite=Strict; Max-Age=3600; Secure$/,
    );
    assert.match(auth(true).clearCookie(req(forwarded)), /Max-Age=0; Secure$/);
  });

  test('host names from Host headers', () => {
    assert.equal(hostName('NUC.lan:3000'), 'nuc.lan');
    assert.equal(hostName('[::1]:3000'), '::1');
    assert.equal(hostName('127.0.0.1'), '127.0.0.1');
    assert.equal(hostName('a:b:c'), undefined);
    assert.equal(hostName(undefined), undefined);
  });

  test('password config: one source, long enough, a missing file named', () => {
    const dir = tempDir('homeiq-pw-');
    const file = join(dir.path, 'password');
    writeFileSync(file, 'from the file\n');
    const load = (env: Record<string, string>) => dashboardPassword(loadConfig(dashboardSchema, env));
    assert.equal(load({}), undefined);
    assert.equal(load({ DASHBOARD_PASSWORD_FILE: file }), 'from the file');
    assert.equal(load({ DASHBOARD_PASSWORD: 'long enough' }), 'long enough');
    assert.throws(() => load({ DASHBOARD_PASSWORD: 'short' }), /DASHBOARD_PASSWORD must be at least 8/);
    assert.throws(() => load({ DASHBOARD_PASSWORD: 'long enough', DASHBOARD_PASSWORD_FILE: file }), /both set/);
    assert.throws(() => load({ DASHBOARD_PASSWORD_FILE: join(dir.path, 'nope') }), /DASHBOARD_PASSWORD_FILE.*ENOENT/);
    assert.throws(() => loadConfig(dashboardSchema, { DASHBOARD_HA_URL: 'nope' }), /DASHBOARD_HA_URL must be a URL/);
    assert.throws(() => loadConfig(dashboardSchema, { DASHBOARD_SESSION_IDLE: 'soon' }), /DASHBOARD_SESSION_IDLE/);
    dir.remove();
  });
});
