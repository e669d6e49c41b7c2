import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAMES, SERVICES, serviceUrlEnv } from '@homeiq/core';
import { freePort, tempDir, waitFor } from '@homeiq/core/testing/temp';
import { type SimulatedHome, startSimulatedHome } from '@homeiq/ha';
import { launchChromium, skipWithoutChromium } from '../../services/health-dashboard/test/chromium';
import { type FakeSupervisor, startFakeSupervisor } from './fake-supervisor';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const INGRESS = '/api/hassio_ingress/Xy9_test-session';

/** The environment the Supervisor gives the add-on's container, with /data and http://supervisor replaced. */
function addonEnv(dataDir: string, extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of SERVICE_NAMES) delete env[serviceUrlEnv(name)];
  for (const k of ['HA_URL', 'HA_TOKEN', 'INFLUXDB_URL', 'API_KEY', 'NODE_ENV', 'NODE_TEST_CONTEXT']) delete env[k];
  return { ...env, HOMEIQ_ADDON_DATA: dataDir, HOMEIQ_HOST: '127.0.0.1', LOG_FORMAT: 'json', ...extra };
}

/** A GET from a chosen local address (the Supervisor's, or any other), with the given headers. */
function getFrom(
  localAddress: string,
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('homeiq addon-run under a simulated Supervisor', () => {
  const supervisorToken = randomBytes(24).toString('hex');
  const data = tempDir('homeiq-addon-');
  const ports: Record<string, number> = {};
  let home: SimulatedHome;
  let supervisor: FakeSupervisor;
  let child: ChildProcess;
  let output = '';
  const dashboard = () => `http://127.0.0.1:${ports['health-dashboard']}`;

  before(async () => {
    home = await startSimulatedHome({ port: 0 });
    for (const name of SERVICE_NAMES) ports[name] = await freePort();
    supervisor = await startFakeSupervisor({
      supervisorToken,
      haWebSocket: `${home.url.replace(/^http/, 'ws')}/api/websocket`,
      haToken: home.token,
      ingressPort: () => ports['health-dashboard'] as number,
    });
    writeFileSync(
      join(data.path, 'options.json'),
      JSON.stringify({ log_level: 'info', retention_days: 30, batch_size: 50, exclude_domains: ['sun'] }),
    );
    const env = addonEnv(data.path, {
      SUPERVISOR_TOKEN: supervisorToken,
      HOMEIQ_SUPERVISOR_URL: supervisor.url,
      // The fake Supervisor connects from loopback, not from 172.30.32.2.
      DASHBOARD_INGRESS_FROM: '127.0.0.1',
      // No outside network: the weather and scoreboard feeds fail fast instead of reaching out.
      WEATHER_OPEN_METEO_URL: 'http://127.0.0.1:9',
      SPORTS_FEED_URL: 'http://127.0.0.1:9',
      ...Object.fromEntries(SERVICE_NAMES.map((n) => [SERVICES[n].portEnv, String(ports[n])])),
    });
    child = spawn(process.execPath, ['bin/homeiq.js', 'addon-run'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-50_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', (code) => {
      output += `\n[exited ${code}]`;
    });
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`addon-run exited:\n${output}`);
        return (await fetch(`${dashboard()}/health`).catch(() => undefined))?.ok;
      },
      180_000,
      'the add-on dashboard to answer',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${output}`);
    });
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await supervisor?.stop();
    await home?.stop();
    data.remove();
  });

  test('connects to Home Assistant through the Supervisor proxy with SUPERVISOR_TOKEN', async () => {
    await waitFor(() => supervisor.relayed() > 0, 30_000, 'a relayed connection');
    assert.ok(supervisor.tokensSeen.length > 0);
    assert.ok(
      supervisor.tokensSeen.every((t) => t === supervisorToken),
      'only the supervisor token was sent',
    );
  });

  test('stores events in the data dir, readable through ingress', async () => {
    const url = `${supervisor.url}${INGRESS}/api/data/v1/events?limit=5`;
    let last = '';
    const body = await waitFor(
      async () => {
        const res = await fetch(url);
        last = `${res.status} ${await res.text()}`;
        return res.ok && last.includes('"entity_id"') ? last : undefined;
      },
      60_000,
      'stored events through ingress',
    ).catch((error: Error) =>
      assert.fail(`${error.message}; last answer: ${last.slice(0, 500)}\n${output.slice(-3000)}`),
    );
    assert.doesNotMatch(body, /"entity_id":"sun\./, 'the exclude_domains option applies');
    assert.ok(existsSync(join(data.path, 'metadata.db')), 'the SQLite files are in the add-on data dir');
    assert.ok(existsSync(join(data.path, 'api-key')), 'the generated API key is in the add-on data dir');
  });

  test('the dashboard answers under the ingress path, signed in by Home Assistant', async () => {
    const page = await fetch(`${supervisor.url}${INGRESS}/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    // Home Assistant frames the panel from its own origin; the page's <base> is allowed.
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'self'/);
    assert.match(page.headers.get('content-security-policy') ?? '', /base-uri 'self'/);
    assert.equal(page.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.ok(html.includes(`<base href="${INGRESS}/" />`), 'the page resolves its URLs under the ingress path');
    assert.doesNotMatch(html, /(src|href)="\/assets\//, 'asset URLs are relative');
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, 'the page loads a script');
    assert.equal((await fetch(`${supervisor.url}${INGRESS}/${asset}`)).status, 200);
    const session = (await (await fetch(`${supervisor.url}${INGRESS}/auth/session`)).json()) as {
      signedIn: boolean;
      user?: string;
    };
    assert.equal(session.signedIn, true);
    assert.equal(session.user, 'Test Owner');
  });

  test('in Chromium, the app runs under the ingress path: tabs, deep links and API calls', {
    skip: skipWithoutChromium,
  }, async () => {
    const profile = tempDir('homeiq-addon-chromium-');
    const browser = await launchChromium(profile.path);
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${supervisor.url}${INGRESS}/`);
      await page.getByRole('navigation', { name: 'Tabs' }).getByRole('link', { name: 'Entities', exact: true }).click();
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="entity-list"] tbody tr').length > 0);
      assert.equal(new URL(page.url()).pathname, `${INGRESS}/entities`);
      const entity = await page.locator('[data-testid="entity-list"] tbody tr a').first().getAttribute('href');
      assert.ok(entity?.startsWith(`${INGRESS}/entities/`), `entity link ${entity}`);
      // A deep link under the prefix loads the app on that page, assets included.
      await page.goto(`${supervisor.url}${entity}`);
      await page.getByTestId('entity-page').waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      profile.remove();
    }
  });

  test('ingress headers from any other address get no trust', async (t) => {
    const probe = await getFrom('127.0.0.2', `${dashboard()}/health`, {}).catch(() => undefined);
    if (!probe) {
      if (process.env.CI === 'true') assert.fail('cannot send from 127.0.0.2 on this machine');
      t.skip('cannot send from 127.0.0.2 on this machine');
      return;
    }
    const headers = { 'x-ingress-path': INGRESS, 'x-forwarded-proto': 'http' };
    const api = await getFrom('127.0.0.2', `${dashboard()}/api/data/v1/events?limit=1`, headers);
    assert.equal(api.status, 401);
    const session = JSON.parse((await getFrom('127.0.0.2', `${dashboard()}/auth/session`, headers)).body);
    assert.equal(session.signedIn, false);
    const page = await getFrom('127.0.0.2', `${dashboard()}/`, headers);
    assert.ok(page.body.includes('<base href="/" />'), 'the untrusted ingress path is not written into the page');
    // From the trusted address, but without X-Ingress-Path: an ordinary request, no trust either.
    assert.equal((await getFrom('127.0.0.1', `${dashboard()}/api/data/v1/events?limit=1`, {})).status, 401);
  });

  test('never logs the supervisor token', () => {
    assert.ok(output.length > 0);
    assert.ok(!output.includes(supervisorToken));
    assert.ok(!output.includes(home.token));
  });
});

describe('homeiq addon-run with bad options', () => {
  const run = (options: string, env: Record<string, string> = { SUPERVISOR_TOKEN: 'x'.repeat(32) }) => {
    const data = tempDir('homeiq-addon-bad-');
    writeFileSync(join(data.path, 'options.json'), options);
    const result = spawnSync(process.execPath, ['bin/homeiq.js', 'addon-run'], {
      cwd: ROOT,
      env: addonEnv(data.path, env),
      encoding: 'utf8',
      timeout: 60_000,
    });
    data.remove();
    return result;
  };

  test('a wrong value is refused with the option named, and every problem at once', () => {
    const result = run(JSON.stringify({ batch_size: 0, log_level: 'loud', include_domains: 'sensor', colour: 1 }));
    assert.equal(result.status, 78, result.stderr);
    for (const name of ['"batch_size"', '"log_level"', '"include_domains"', 'unknown option "colour"']) {
      assert.ok(result.stderr.includes(name), `${name} in: ${result.stderr}`);
    }
  });

  test('a secret in a bad option is not echoed', () => {
    const result = run(JSON.stringify({ influxdb_password: 12345678901 }));
    assert.equal(result.status, 78);
    assert.match(result.stderr, /"influxdb_password"/);
    assert.ok(!result.stderr.includes('12345678901'));
  });

  test('not JSON, and no SUPERVISOR_TOKEN', () => {
    assert.match(run('{').stderr, /options\.json are not valid JSON/);
    assert.match(run('{}', {}).stderr, /SUPERVISOR_TOKEN is not set/);
  });
});
