// admin-api serves the dashboard's sign-in at /auth/* only when asked (Docker: nginx serves the dashboard and asks
// here); its own API keeps needing the key either way.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import { DashboardAuth } from '@homeiq/health-dashboard/server/auth/dashboard-auth';
import { buildAdminApp } from '../src/app';
import { DEFAULT_BUDGETS } from '../src/budgets';

const KEY = 'admin-sign-in-key-0123';
const dir = tempDir('homeiq-admin-signin-');
after(() => dir.remove());

function build(dashboardSignIn?: DashboardAuth) {
  return buildAdminApp({
    logger: silentLogger(),
    apiKey: KEY,
    services: ['admin-api'],
    local: new Set(['admin-api']),
    urlOf: () => 'http://127.0.0.1:1',
    dataDir: dir.path,
    influxUrl: undefined,
    healthTimeoutMs: 500,
    alertIntervalMs: 60_000,
    budgets: DEFAULT_BUDGETS,
    memoryWarnPercent: 80,
    diskMinFreePercent: 10,
    config: () => [],
    dashboardSignIn,
  }).app;
}

test('with the dashboard sign-in: /auth/* is open and checks itself, /api/v1 still needs the key', async () => {
  const auth = new DashboardAuth({
    apiKey: KEY,
    allowedHosts: ['nuc.lan'],
    idleMs: 60_000,
    absoluteMs: 600_000,
    trustProxy: false,
  });
  const app = build(auth);
  const host = { host: 'nuc.lan:3000' };
  const session = await app.inject({ url: '/auth/session', headers: host });
  assert.equal(session.statusCode, 200);
  assert.equal(session.json().signedIn, false);
  assert.equal((await app.inject({ url: '/auth/session', headers: { host: 'evil.example' } })).statusCode, 421);
  assert.equal((await app.inject({ url: '/auth/check', headers: host })).statusCode, 401);
  assert.equal((await app.inject({ url: '/api/v1/stats', headers: host })).statusCode, 401);
  const signIn = await app.inject({
    method: 'POST',
    url: '/auth/sign-in',
    headers: { ...host, origin: 'http://nuc.lan:3000' },
    payload: { method: 'api-key', secret: KEY },
  });
  assert.equal(signIn.statusCode, 204);
  const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
  assert.equal((await app.inject({ url: '/auth/check', headers: { ...host, cookie } })).statusCode, 204);
  assert.equal((await app.inject({ url: '/api/v1/stats', headers: { ...host, cookie } })).statusCode, 401);
  await app.close();
});

test('without it (homeiq start: the dashboard signs in itself) /auth/* is not served', async () => {
  const app = build();
  assert.equal(
    (await app.inject({ url: '/auth/session', headers: { authorization: `Bearer ${KEY}` } })).statusCode,
    404,
  );
  assert.equal((await app.inject({ url: '/auth/session' })).statusCode, 401);
  await app.close();
});
