// `homeiq` as an attacker or a careless operator meets it: weak or placeholder keys and credentials in
// INFLUXDB_URL refuse to start; a real start leaves nothing readable by other users; ?api_key works only
// on the live streams; secrets come from *_FILE.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAMES, SERVICES, serviceUrlEnv } from '@homeiq/core';
import { freePort, tempDir, waitFor } from '@homeiq/core/testing/temp';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KEY = 'hardening-test-key-0123456789abcdef';

function baseEnv(dataDir: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of SERVICE_NAMES) delete env[serviceUrlEnv(name)];
  for (const k of ['HA_URL', 'HA_TOKEN', 'INFLUXDB_URL', 'API_KEY', 'NODE_ENV', 'NODE_TEST_CONTEXT']) delete env[k];
  return { ...env, HOMEIQ_DATA_DIR: dataDir, HOMEIQ_HOST: '127.0.0.1', LOG_FORMAT: 'json', LOG_LEVEL: 'warn' };
}

function homeiq(env: Record<string, string | undefined>, ...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/homeiq.js', ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Every folder and file under `dir` whose mode lets anyone but the owner in. */
function tooOpen(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    const st = statSync(path);
    const mode = st.mode & 0o777;
    if (st.isDirectory()) {
      if (mode !== 0o700) out.push(`${path} ${mode.toString(8)}`);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if (mode !== 0o600) out.push(`${path} ${mode.toString(8)}`);
  };
  walk(dir);
  return out;
}

describe('homeiq refuses to start', () => {
  const dir = tempDir('homeiq-hardening-');
  const refuse = (extra: Record<string, string>) => homeiq({ ...baseEnv(dir.path), ...extra }, 'start', 'data-api');

  test('with an API key under 24 characters, naming the variable', () => {
    const r = refuse({ API_KEY: 'a' });
    assert.equal(r.code, 78, r.out);
    assert.match(r.out, /API_KEY must be at least 24 characters, got 1/);
  });

  test('with the placeholder from .env.example', () => {
    const r = refuse({ API_KEY: 'change-me-to-a-long-random-string' });
    assert.equal(r.code, 78, r.out);
    assert.match(r.out, /API_KEY is still the placeholder from \.env\.example/);
  });

  test('with credentials inside INFLUXDB_URL, naming the right variables and never showing the password', () => {
    const r = refuse({ API_KEY: KEY, INFLUXDB_URL: 'http://admin:hunter2-secret@127.0.0.1:8086' });
    assert.equal(r.code, 78, r.out);
    assert.match(r.out, /INFLUXDB_URL must not contain a user name or password/);
    assert.match(r.out, /INFLUXDB_USERNAME and INFLUXDB_PASSWORD \(InfluxDB 1\.x\) or INFLUXDB_TOKEN/);
    assert.ok(!r.out.includes('hunter2'), 'the password is not echoed');
  });

  test("reporting every problem at once, the services' own with the shared ones", () => {
    const bad = {
      API_KEY: 'short',
      INFLUXDB_URL: 'http://u:p@h:8086',
      LOG_LEVEL: 'loud',
      BATCH_SIZE: 'many',
      WEBHOOK_ALLOWED_HOSTS: 'not a host',
      WEBHOOK_MAX_SUBSCRIPTIONS: '0',
    };
    for (const only of [['sports-data'], []]) {
      const r = homeiq({ ...baseEnv(dir.path), ...bad }, 'start', ...only);
      assert.equal(r.code, 78, r.out);
      for (const name of Object.keys(bad)) assert.match(r.out, new RegExp(`- ${name} `), `${name} (start ${only})`);
    }
  });

  test('with API_KEY and API_KEY_FILE both set', () => {
    const file = join(dir.path, 'key.txt');
    writeFileSync(file, `${KEY}\n`);
    const r = refuse({ API_KEY: KEY, API_KEY_FILE: file });
    assert.equal(r.code, 78, r.out);
    assert.match(r.out, /API_KEY and API_KEY_FILE are both set/);
    dir.remove();
  });
});

describe('homeiq start, then homeiq backup', () => {
  test('files 0600 and folders 0700; the key from API_KEY_FILE; ?api_key only on the stream', async () => {
    const data = tempDir('homeiq-modes-');
    const secrets = tempDir('homeiq-secrets-');
    const keyFile = join(secrets.path, 'api_key');
    writeFileSync(keyFile, `${KEY}\n`);
    const env = baseEnv(data.path);
    const ports: Record<string, number> = {};
    for (const name of SERVICE_NAMES) {
      ports[name] = await freePort();
      env[SERVICES[name].portEnv] = String(ports[name]);
    }
    Object.assign(env, {
      API_KEY_FILE: keyFile,
      HOMEIQ_SIMULATOR_PORT: '0',
      DASHBOARD_BUILD: 'never',
      DASHBOARD_DIST: secrets.path,
      ALERT_INTERVAL: '2s',
    });
    let output = '';
    const child: ChildProcess = spawn(process.execPath, ['bin/homeiq.js', 'start'], { cwd: ROOT, env, stdio: 'pipe' });
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const dataApi = `http://127.0.0.1:${ports['data-api']}`;
      const bearer = { authorization: `Bearer ${KEY}` };
      await waitFor(
        async () => (await fetch(`${dataApi}/api/v1/events?limit=1`, { headers: bearer })).ok,
        60_000,
        `data-api answering with the key from API_KEY_FILE (log: ${output.slice(-2000)})`,
      );
      await waitFor(
        async () =>
          (
            (await (await fetch(`${dataApi}/api/v1/events?limit=1`, { headers: bearer })).json()) as {
              events?: unknown[];
            }
          ).events?.length,
        30_000,
        'events from the simulated home stored',
      );
      const inQuery = await fetch(`${dataApi}/api/v1/events?limit=1&api_key=${KEY}`);
      assert.equal(inQuery.status, 401, '?api_key outside the stream');
      const admin = await fetch(`http://127.0.0.1:${ports['admin-api']}/api/v1/config?api_key=${KEY}`);
      assert.equal(admin.status, 401);
      const stream = await fetch(`${dataApi}/api/v1/events/stream?api_key=${KEY}`, {
        headers: { accept: 'text/event-stream' },
      });
      assert.equal(stream.status, 200, 'the stream takes ?api_key (EventSource cannot send headers)');
      await stream.body?.cancel();
      const config = await (
        await fetch(`http://127.0.0.1:${ports['admin-api']}/api/v1/config`, { headers: bearer })
      ).text();
      assert.ok(!config.includes(KEY), 'the config view masks the key read from the file');
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited, 0, output.slice(-2000));
    }
    assert.ok(!output.includes(KEY), 'the key is never logged');
    const names = readdirSync(data.path);
    for (const expected of ['homeiq.db', 'metadata.db', 'webhooks.db', 'spool'])
      assert.ok(names.includes(expected), `${expected} in ${names.join(', ')}`);
    assert.deepEqual(tooOpen(data.path), [], 'after start');

    const backup = homeiq({ ...baseEnv(data.path), API_KEY_FILE: keyFile }, 'backup');
    assert.equal(backup.code, 0, backup.out);
    assert.ok(readdirSync(join(data.path, 'backups')).length > 0);
    assert.deepEqual(tooOpen(data.path), [], 'after backup');
    data.remove();
    secrets.remove();
  });
});
