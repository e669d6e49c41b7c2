// The sign-in page in real Chromium with every method on: the password form, and "Sign in with Home Assistant"
// against the simulated HA's OAuth endpoints; the ways a forged or replayed callback is refused.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type HttpApp, listen, silentLogger } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import { type SimulatedHome, startSimulatedHome } from '@homeiq/ha/sim/index';
import type { BrowserContext } from 'playwright-core';
import { buildDashboardApp } from '../src/server/app';
import { buildApp, DEFAULT_DIST, isStale } from '../src/server/build';
import { launchChromium, skipWithoutChromium as skip } from './chromium';

const PASSWORD = 'household password 7';
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/health-dashboard/', import.meta.url));

describe('sign-in with Home Assistant (OAuth) against the simulated HA', { skip }, () => {
  const profile = tempDir('homeiq-chromium-ha-');
  let home: SimulatedHome;
  let app: HttpApp;
  let context: BrowserContext;
  let base = '';

  before(async () => {
    if (isStale(DEFAULT_DIST)) await buildApp(DEFAULT_DIST, silentLogger());
    home = await startSimulatedHome({ rate: 0, entityCount: 5, oauthUser: { id: 'u-dana', name: 'Dana' } });
    app = buildDashboardApp({
      logger: silentLogger(),
      apiKey: 'ha-test-api-key-0123456789',
      distDir: DEFAULT_DIST,
      urlOf: () => 'http://127.0.0.1:9',
      signIn: { haUrl: home.url, password: PASSWORD, allowedHosts: ['127.0.0.1'] },
    });
    base = `http://127.0.0.1:${await listen(app, 0, '127.0.0.1')}`;
    context = await launchChromium(profile.path);
  });

  after(async () => {
    await context?.close();
    await app?.close();
    await home?.stop();
    profile.remove();
  });

  test('the button goes through HA and back with a session', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
    const visited: string[] = [];
    page.on('request', (r) => visited.push(new URL(r.url()).pathname));
    await page.goto(base);
    await page.getByRole('link', { name: 'Sign in with Home Assistant' }).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'sign-in-with-home-assistant.png') });
    await page.getByRole('link', { name: 'Sign in with Home Assistant' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    assert.ok(visited.includes('/auth/authorize') && visited.includes('/auth/ha/callback'), visited.join(' '));
    assert.equal(new URL(page.url()).search, '', 'no code left in the address bar');
    const session = await page.evaluate(async () => (await fetch('/auth/session')).json());
    assert.equal(session.signedIn, true);
    assert.equal(session.method, 'home-assistant');
    const cookie = (await context.cookies(base)).find((c) => c.name === 'homeiq_session');
    assert.equal(cookie?.sameSite, 'Strict');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByTestId('sign-in').waitFor();
    // A callback nobody started here: the sign-in page says why, and the address bar is clean again.
    await page.goto(`${base}/auth/ha/callback?code=stolen&state=made-up`);
    await page
      .getByRole('alert')
      .getByText(/not started here/)
      .waitFor();
    assert.equal(new URL(page.url()).search, '');
    assert.equal((await context.cookies(base)).filter((c) => c.name === 'homeiq_session').length, 0);
  });

  test("the password form; a crafted error link shows only the page's own words", async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${base}/?sign_in_error=${encodeURIComponent('Call 555-0100 to unlock')}`);
    await page.getByRole('alert').getByText('Sign-in with Home Assistant failed.').waitFor();
    assert.equal(await page.getByText(/555-0100/).count(), 0);
    assert.ok(await page.getByRole('radio', { name: 'Password' }).isChecked(), 'the password first when there is one');
    await page.getByRole('radio', { name: 'API key' }).check();
    await page.locator('label.sign-in-field', { hasText: 'API key' }).waitFor();
    await page.getByRole('radio', { name: 'Password' }).check();
    await page.getByLabel('Dashboard password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const session = await page.evaluate(async () => (await fetch('/auth/session')).json());
    assert.equal(session.method, 'password');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByTestId('sign-in').waitFor();
  });

  test('a callback that was not started in this browser, or a replayed code, makes no session', async () => {
    const start = async () => {
      const res = await fetch(`${base}/auth/ha/start`, { redirect: 'manual' });
      assert.equal(res.status, 302);
      const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? '';
      const approved = await fetch(res.headers.get('location') ?? '', { redirect: 'manual' });
      const back = new URL(approved.headers.get('location') ?? '');
      assert.equal(back.pathname, '/auth/ha/callback');
      return { cookie, callback: back };
    };
    const outcome = async (url: URL, cookie?: string) => {
      const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
      assert.equal(res.status, 302);
      const session = (res.headers.getSetCookie?.() ?? []).find((c) => c.startsWith('homeiq_session='));
      return { location: res.headers.get('location') ?? '', session };
    };
    // The attacker's own code and state, planted on the victim (no state cookie): refused.
    const planted = await start();
    const forged = await outcome(planted.callback);
    assert.equal(forged.location, '/?sign_in_error=ha_state');
    assert.equal(forged.session, undefined);
    // A fresh flow works once; its code replayed in another flow is refused by HA.
    const first = await start();
    const used = await outcome(first.callback, first.cookie);
    assert.equal(used.location, '/');
    assert.ok(used.session);
    const second = await start();
    const replay = new URL(second.callback);
    replay.searchParams.set('code', first.callback.searchParams.get('code') ?? '');
    const refused = await outcome(replay, second.cookie);
    assert.equal(refused.location, '/?sign_in_error=ha_refused');
    assert.equal(refused.session, undefined);
  });
});
