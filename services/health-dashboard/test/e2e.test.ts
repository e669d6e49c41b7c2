import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir, waitFor } from '@homeiq/core/testing/temp';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, skipWithoutChromium as skip } from './chromium';
import { type HomeIq, startHomeIq } from './homeiq-process';

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/health-dashboard/', import.meta.url));

/** Numbers shown in a stat, e.g. "1,234" -> 1234; NaN for "–". */
const count = (text: string | null) => Number((text ?? '').replace(/[^\d.]/g, '') || Number.NaN);

describe('the dashboard in real Chromium against `homeiq start` on the simulated home', { skip }, () => {
  const profile = tempDir('homeiq-chromium-');
  let homeiq: HomeIq;
  let context: BrowserContext;
  let page: Page;
  let receiver: Server;
  const requestHeaders: string[] = [];
  /** The app must run under the dashboard's Content-Security-Policy: any violation Chromium reports fails. */
  const cspViolations: string[] = [];

  const shot = async (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const tab = async (label: string) => {
    await page.getByRole('navigation', { name: 'Tabs' }).getByRole('link', { name: label, exact: true }).click();
  };

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    homeiq = await startHomeIq();
    // A webhook to a receiver on loopback, so the Feeds tab has a subscription with a real delivery.
    // It also serves the "malicious page" of the cross-origin test (another origin: another port).
    receiver = createServer((req, res) => {
      req.resume();
      if (req.url === '/page') res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>cats</p>');
      else req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const address = receiver.address();
    const sports = `http://127.0.0.1:${homeiq.ports['sports-data']}/api/v1/webhooks`;
    const auth = { authorization: `Bearer ${homeiq.apiKey}`, 'content-type': 'application/json' };
    const created = await fetch(sports, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`,
        secret: 'e2e-webhook-secret-0123',
        events: ['score_changed'],
        description: 'e2e receiver',
      }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const { id } = (await created.json()) as { id: string };
    await fetch(`${sports}/${id}/test`, { method: 'POST', headers: { authorization: auth.authorization } });

    context = await launchChromium(profile.path);
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
    context.on('request', (r) => requestHeaders.push(JSON.stringify(r.headers()) + r.url()));
    context.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
  });

  after(async () => {
    await context?.close();
    await homeiq?.stop();
    await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
    profile.remove();
  });

  test('sign-in: the page asks for the key, a wrong one is refused, the session cookie is HttpOnly and Strict', async () => {
    await page.goto(homeiq.dashboard);
    await page.getByTestId('sign-in').waitFor();
    await shot('sign-in');
    assert.equal(await page.getByText('Sign in with Home Assistant').count(), 0, 'HA sign-in is off by default');
    const key = page.getByLabel('API key');
    await key.fill('not-the-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('wrong API key').waitFor();
    await key.fill(homeiq.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    const [cookie, ...others] = await context.cookies(homeiq.dashboard);
    assert.equal(others.length, 0);
    assert.equal(cookie?.name, 'homeiq_session');
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Strict');
    assert.equal(cookie?.secure, false, 'plain http on loopback: not Secure');
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the session');
  });

  test('Overview: every service tile healthy, the SIMULATED banner, live events/s, spool, alerts', async () => {
    await page.goto(homeiq.dashboard);
    await page.getByTestId('simulated-banner').waitFor();
    for (const name of [
      'websocket-ingestion',
      'data-api',
      'admin-api',
      'data-retention',
      'weather-api',
      'sports-data',
      'health-dashboard',
    ]) {
      await page.getByTestId(`tile-${name}`).locator('.badge.healthy').waitFor();
    }
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="rate-chart"]')?.getAttribute('data-points')) >= 3,
    );
    assert.ok(count(await page.getByTestId('stored').locator('.stat-value').textContent()) > 0, 'events stored');
    assert.ok(await page.locator('[data-testid="rate-chart"] canvas').count(), 'uPlot drew a canvas');
    assert.match((await page.getByTestId('spool-pending').textContent()) ?? '', /\d/);
    await page
      .getByTestId('alerts')
      .getByText(/No alerts|acknowledged|critical|warning/)
      .first()
      .waitFor();
    await shot('overview');
  });

  test('Events: live events arrive over the WebSocket; filter, pause; a search of stored events', async () => {
    await tab('Events');
    await page.getByTestId('live-state').getByText('live').waitFor();
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="live-events"] tbody tr').length >= 3,
      null,
      {
        timeout: 30_000,
      },
    );
    await page.getByLabel('Filter live events').fill('sensor.');
    const entities = await page.locator('[data-testid="live-events"] tbody tr td:nth-child(2)').allTextContents();
    assert.ok(entities.length > 0 && entities.every((e) => e.includes('sensor.')), entities.join(','));
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: /Resume \([1-9]\d* held\)/ }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: /Resume/ }).click();
    await page.getByLabel('Domain').fill('sensor');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="search-results"] tbody tr').length > 0);
    const found = await page.locator('[data-testid="search-results"] tbody tr td:nth-child(2)').allTextContents();
    assert.ok(found.every((e) => e.startsWith('sensor.')));
    await shot('events');
  });

  test('Entities: browse by area and domain; an entity page with its history chart and statistics', async () => {
    await tab('Entities');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="entity-list"] tbody tr').length > 0);
    const all = count(await page.getByTestId('entity-count').textContent());
    const area = await page.getByLabel('Area').locator('option').nth(1).getAttribute('value');
    await page.getByLabel('Area').selectOption(area ?? '');
    await page.waitForFunction((n) => {
      const text = document.querySelector('[data-testid="entity-count"]')?.textContent ?? '';
      const m = Number(text.replace(/\D/g, ''));
      return m > 0 && m < n;
    }, all);
    await page.getByLabel('Area').selectOption('');
    await page.getByLabel('Domain').selectOption('sensor');
    await page.waitForFunction(() =>
      Array.from(document.querySelectorAll('[data-testid="entity-list"] tbody tr td:first-child')).every((td) =>
        td.textContent?.startsWith('sensor.'),
      ),
    );
    await shot('entities');
    // A busy sensor with numeric states (asked of data-api directly: the test, unlike the page, holds the key).
    const summary = (await (
      await fetch(`http://127.0.0.1:${homeiq.ports['data-api']}/api/v1/summary?hours=1&busiest=100`, {
        headers: { authorization: `Bearer ${homeiq.apiKey}` },
      })
    ).json()) as { busiest: Array<{ entity_id: string }> };
    const target =
      summary.busiest
        .map((b) => b.entity_id)
        .find((id) => /^sensor\..*(temperature|power|humidity|illuminance)/.test(id)) ??
      summary.busiest.map((b) => b.entity_id).find((id) => id.startsWith('sensor.'));
    assert.ok(target, 'a sensor changed in the last hour');
    await page.getByLabel('Find entity').fill(target);
    await page.getByRole('link', { name: target, exact: true }).click();
    await page.getByTestId('entity-page').waitFor();
    assert.equal(new URL(page.url()).pathname, `/entities/${target}`);
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="history-chart"]')?.getAttribute('data-points')) > 0,
    );
    assert.notEqual((await page.getByTestId('entity-state').locator('.stat-value').textContent())?.trim(), '–');
    await page.getByTestId('entity-stats').locator('table tbody tr').first().waitFor({ timeout: 30_000 });
    await shot('entity');
    // A deep link loads the app straight on the entity page (SPA fallback).
    await page.goto(`${homeiq.dashboard}/entities/${target}`);
    await page.getByTestId('entity-page').waitFor();
  });

  test('Data: storage size, retention tiers, and a backup started from the page completes', async () => {
    await tab('Data');
    await page.waitForFunction(() =>
      /\d/.test(document.querySelector('[data-testid="data-size"] .stat-value')?.textContent ?? ''),
    );
    await page.getByTestId('raw-days').waitFor();
    assert.match((await page.getByTestId('raw-days').textContent()) ?? '', /days|forever/);
    const before = await page.locator('[data-testid="backup-list"] tbody tr').count();
    await page.getByRole('button', { name: 'Start a backup' }).click();
    await page.locator('[data-testid="backup-job"] .job[data-state="succeeded"]').waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid="backup-list"] tbody tr').length > n,
      before,
    );
    assert.match((await page.locator('[data-testid="backup-list"] tbody tr').first().textContent()) ?? '', /events/);
    await shot('data');
  });

  test('Feeds: weather now and its history, sports scores, webhooks and their deliveries', async () => {
    await tab('Feeds');
    await page.getByTestId('weather-temp').getByText(/°C/).waitFor();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="weather-chart"]')?.getAttribute('data-points')) > 0,
    );
    await page.locator('[data-testid="games"] li').first().waitFor();
    await page.getByRole('button', { name: 'e2e receiver' }).click();
    await page.getByTestId('webhooks').getByText(/ping/).first().waitFor({ timeout: 30_000 });
    await shot('feeds');
  });

  test('Config: every service masked; the key is nowhere in the page or its requests', async (t) => {
    await tab('Config');
    await page.getByTestId('config-admin-api').locator('table').waitFor();
    const others = [
      'websocket-ingestion',
      'data-api',
      'data-retention',
      'weather-api',
      'sports-data',
      'health-dashboard',
    ];
    const missing: string[] = [];
    for (const name of others) {
      const card = page.getByTestId(`config-${name}`);
      await card.waitFor();
      if ((await card.locator('table').count()) === 1) continue;
      // A service that has not adopted createServiceApp's `config` option yet says so instead of showing a table.
      await card.getByText('this service does not publish its configuration').waitFor();
      missing.push(name);
    }
    if (missing.length > 0) t.diagnostic(`services without GET /api/v1/config: ${missing.join(', ')}`);
    assert.ok(missing.length === 0, `the services publish their configuration (missing: ${missing.join(', ')})`);
    const apiKeyRow = page.getByTestId('config-admin-api').locator('tr', { hasText: 'API_KEY' });
    assert.equal((await apiKeyRow.locator('td').nth(1).textContent())?.trim(), '***');
    await shot('config');
    assert.ok(!(await page.content()).includes(homeiq.apiKey), 'the page never shows the key');
    assert.ok(requestHeaders.length > 20);
    assert.ok(!requestHeaders.some((h) => h.includes(homeiq.apiKey)), 'no browser request carries the key');
  });

  test('on a phone: the layout fits the narrow screen, light and dark follow the system', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await tab('Overview');
    await page.getByTestId('tile-data-api').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no horizontal scrolling (overflow ${overflow}px)`);
    for (const label of ['Overview', 'Events', 'Entities', 'Data', 'Feeds', 'Config']) {
      const box = await page.getByRole('navigation', { name: 'Tabs' }).getByRole('link', { name: label }).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `the ${label} tab is on screen`);
    }
    await shot('overview-phone');
    // Light and dark follow the system.
    const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await background();
    assert.notEqual(light, dark);
    assert.equal(dark, 'rgb(13, 17, 23)');
    await shot('overview-phone-dark');
  });

  test('a page on another origin cannot write through the signed-in browser; sign-out ends the session', async () => {
    const policies = async () =>
      (
        await fetch(`http://127.0.0.1:${homeiq.ports['data-retention']}/api/v1/policies`, {
          headers: { authorization: `Bearer ${homeiq.apiKey}` },
        })
      ).json();
    const backups = async () =>
      (
        await fetch(`http://127.0.0.1:${homeiq.ports['data-retention']}/api/v1/backups`, {
          headers: { authorization: `Bearer ${homeiq.apiKey}` },
        })
      ).json();
    const before = { policies: await policies(), backups: await backups() };
    // Same site (127.0.0.1) but another origin (port): the Strict cookie is sent, so only the Origin check stops it.
    const address = receiver.address();
    const evil = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const statuses: number[] = [];
    const onResponse = (r: { url(): string; status(): number }) => {
      if (r.url().startsWith(`${homeiq.dashboard}/api/`)) statuses.push(r.status());
    };
    // Only the malicious page's requests: the dashboard's own tab keeps polling meanwhile.
    const evilPage = await context.newPage();
    evilPage.on('response', onResponse);
    await evilPage.goto(`${evil}/page`);
    await evilPage.evaluate(
      async ({ target, body }) => {
        const attempts = [
          fetch(`${target}/api/retention/v1/backups`, { method: 'POST', mode: 'no-cors', credentials: 'include' }),
          fetch(`${target}/api/retention/v1/policies`, {
            method: 'POST',
            mode: 'no-cors',
            credentials: 'include',
            headers: { 'content-type': 'text/plain' },
            body,
          }),
          fetch(`${target}/api/retention/v1/policies`, {
            method: 'PUT',
            credentials: 'include',
            headers: { 'content-type': 'application/json' },
            body,
          }),
        ];
        await Promise.allSettled(attempts);
      },
      { target: homeiq.dashboard, body: JSON.stringify({ ...before.policies.policies, raw_days: 1 }) },
    );
    await evilPage.close();
    assert.ok(statuses.length >= 2, `the attacks reached the dashboard (${statuses.join(',')})`);
    assert.ok(
      statuses.every((s) => s === 403 || s === 401),
      `refused: ${statuses.join(',')}`,
    );
    assert.deepEqual(await policies(), before.policies, 'the retention policy is unchanged');
    assert.deepEqual(await backups(), before.backups, 'no backup was started');
    assert.deepEqual(cspViolations, [], 'every tab ran under the Content-Security-Policy');
    // ...and the listener does see one: an inline style, which the policy forbids.
    await page.evaluate(() => {
      const style = document.createElement('style');
      style.textContent = 'p { color: red }';
      document.head.append(style);
    });
    await waitFor(() => cspViolations.length > 0, 10_000, 'Chromium to report the inline style as a CSP violation');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByTestId('sign-in').waitFor();
    assert.equal((await context.cookies(homeiq.dashboard)).length, 0);
    const after = await page.evaluate(async () => (await fetch('/api/admin/v1/stats')).status);
    assert.equal(after, 401);
  });
});
