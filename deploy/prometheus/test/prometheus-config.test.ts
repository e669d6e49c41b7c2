// The scrape config and alerting rules shipped in deploy/prometheus, checked by the real promtool.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAMES, SERVICES } from '@homeiq/core';
import { requireExecutable } from '@homeiq/core/testing/dependency';
import { tempDir } from '@homeiq/core/testing/temp';
import { parse } from 'yaml';

const dir = fileURLToPath(new URL('..', import.meta.url));
const promtool = requireExecutable('promtool (Debian package prometheus)', ['promtool']);

function run(args: string[], cwd = dir): { code: number | null; output: string } {
  const r = spawnSync(promtool.path as string, args, { cwd, encoding: 'utf8' });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('deploy/prometheus with promtool', { skip: promtool.skip }, () => {
  const temp = tempDir('homeiq-prometheus-');
  after(() => temp.remove());

  test('the alerting rules are valid', () => {
    const r = run(['check', 'rules', 'homeiq-rules.yml']);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /SUCCESS: \d+ rules found/);
  });

  test('each alert fires on the series that should raise it, and only then (promtool test rules)', () => {
    const r = run(['test', 'rules', 'test/homeiq-rules.test.yml']);
    assert.equal(r.code, 0, r.output);
  });

  test('the scrape config is valid and scrapes every service on its port with the key as a bearer token', () => {
    // credentials_file is read relative to the config: check a copy beside a key file, as a deployment has it.
    for (const file of ['prometheus.yml', 'homeiq-rules.yml']) copyFileSync(join(dir, file), join(temp.path, file));
    writeFileSync(join(temp.path, 'homeiq-api-key'), 'not-a-real-key\n', { mode: 0o600 });
    const r = run(['check', 'config', 'prometheus.yml'], temp.path);
    assert.equal(r.code, 0, r.output);
    const config = parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{
        authorization?: { type: string; credentials_file: string };
        static_configs: Array<{ targets: string[]; labels: { service: string } }>;
      }>;
    };
    const job = config.scrape_configs[0];
    assert.deepEqual(job?.authorization, { type: 'Bearer', credentials_file: 'homeiq-api-key' });
    const targets = Object.fromEntries(job?.static_configs.map((c) => [c.labels.service, c.targets[0]]) ?? []);
    for (const name of SERVICE_NAMES) assert.equal(targets[name], `${name}:${SERVICES[name].port}`, name);
  });
});
