// Every service of a real `homeiq start`: its /metrics through the real promtool, its /openapi.json through the
// real redocly linter (recommended rules), and both reachable the way operators and the dashboard reach them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAMES, type ServiceName } from '@homeiq/core';
import { isCi, requireExecutable } from '@homeiq/core/testing/dependency';
import { tempDir, waitFor } from '@homeiq/core/testing/temp';
import { PROXY_ROUTES } from '../../services/health-dashboard/src/server/upstreams';
import { type HomeIq, startHomeIq } from '../../services/health-dashboard/test/homeiq-process';
import { signIn } from '../../services/health-dashboard/test/session';

const root = fileURLToPath(new URL('../..', import.meta.url));
const promtool = requireExecutable('promtool (Debian package prometheus)', ['promtool']);
const redocly = join(root, 'node_modules', '.bin', 'redocly');
if (isCi() && !existsSync(redocly)) throw new Error(`CI=true and ${redocly} is missing: npm ci installs @redocly/cli`);

/** Metrics each service must expose, besides the process metrics every one has. */
const OWN_METRICS: Record<ServiceName, string[]> = {
  'websocket-ingestion': [
    'homeiq_ingestion_events_received_total',
    'homeiq_ingestion_events_stored_total',
    'homeiq_ingestion_events_rejected_total',
    'homeiq_ingestion_events_backfilled_total',
    'homeiq_ingestion_spool_bytes',
    'homeiq_ingestion_batch_write_duration_seconds',
    'homeiq_ingestion_ha_connected',
    'homeiq_ingestion_ha_reconnects_total',
  ],
  'data-api': ['homeiq_http_request_duration_seconds', 'homeiq_data_api_stream_clients'],
  'admin-api': ['homeiq_admin_alerts_active', 'homeiq_disk_free_bytes', 'homeiq_disk_size_bytes'],
  'data-retention': [
    'homeiq_retention_job_duration_seconds',
    'homeiq_retention_job_last_success_timestamp_seconds',
    'homeiq_backup_last_timestamp_seconds',
    'homeiq_backup_last_size_bytes',
  ],
  'weather-api': ['homeiq_weather_fetches_total', 'homeiq_weather_fetch_failures_total'],
  'sports-data': [
    'homeiq_sports_fetches_total',
    'homeiq_sports_fetch_failures_total',
    'homeiq_webhook_deliveries_total',
  ],
  'health-dashboard': ['homeiq_http_request_duration_seconds'],
};
const PROCESS_METRICS = ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes'];
const API_SERVICES = SERVICE_NAMES.filter((n) => n !== 'health-dashboard');
/** Key-free routes: nothing in them can answer a 4xx, which redocly's recommended rules would like documented. */
const OPEN_OPERATIONS = ['#/paths/~1health/get/responses', '#/paths/~1openapi.json/get/responses'];

interface Operation {
  operationId?: string;
  tags: string[];
}

/** The parts of an OpenAPI document the test reads. */
interface OpenApiDoc {
  openapi: string;
  servers: Array<{ url: string; description: string }>;
  info: { version: string; license: { name: string } };
  tags: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: { bearer: Record<string, unknown> } };
}

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }>;
}

describe('/metrics and /openapi.json of every service under `homeiq start`', () => {
  let homeiq: HomeIq;
  const temp = tempDir('homeiq-observability-');
  const url = (name: ServiceName, path: string) => `http://127.0.0.1:${homeiq.ports[name]}${path}`;
  const auth = () => ({ authorization: `Bearer ${homeiq.apiKey}` });

  before(async () => {
    homeiq = await startHomeIq();
  });
  after(async () => {
    await homeiq?.stop();
    temp.remove();
  });

  test('every /metrics needs the key and passes `promtool check metrics`', { skip: promtool.skip }, async () => {
    for (const name of SERVICE_NAMES) {
      assert.equal((await fetch(url(name, '/metrics'))).status, 401, `${name} /metrics without the key`);
      const res = await fetch(url(name, '/metrics'), { headers: auth() });
      assert.equal(res.status, 200, name);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/, name);
      const text = await res.text();
      const check = spawnSync(promtool.path as string, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      assert.equal(check.status, 0, `${name}: promtool check metrics\n${check.stdout}${check.stderr}`);
      for (const metric of [...PROCESS_METRICS, ...OWN_METRICS[name]]) {
        assert.match(text, new RegExp(`^# TYPE ${metric} `, 'm'), `${name} exposes ${metric}`);
      }
      if (name !== 'websocket-ingestion') {
        assert.doesNotMatch(text, /^homeiq_ingestion_/m, `${name} has its own registry, not ingestion's`);
      }
    }
  });

  test('ingestion counts what it stored from the simulated home', async () => {
    const scrape = async () => (await fetch(url('websocket-ingestion', '/metrics'), { headers: auth() })).text();
    const stored = (text: string) => Number(/^homeiq_ingestion_events_stored_total (\d+)/m.exec(text)?.[1] ?? 0);
    await waitFor(async () => stored(await scrape()) > 0, 30_000, 'events stored from the simulated home');
    const text = await scrape();
    assert.match(text, /^homeiq_ingestion_ha_connected 1$/m);
    assert.match(text, /^homeiq_ingestion_batch_write_duration_seconds_count\{outcome="ok"\} [1-9]\d*$/m);
  });

  for (const name of API_SERVICES) {
    test(`${name}: /openapi.json is complete and passes redocly lint (recommended)`, async () => {
      const res = await fetch(url(name, '/openapi.json'));
      assert.equal(res.status, 200, 'open, like /health');
      const doc = (await res.json()) as OpenApiDoc;
      assert.equal(doc.openapi, '3.1.0');
      assert.deepEqual(doc.servers, [{ url: url(name, ''), description: `${name} as this request reached it` }]);
      assert.equal(doc.info.license.name, 'MIT');
      assert.ok(doc.info.version);
      assert.deepEqual(doc.components.securitySchemes.bearer, {
        ...doc.components.securitySchemes.bearer,
        type: 'http',
        scheme: 'bearer',
      });
      assert.ok(doc.components.schemas.Error && doc.components.schemas.HealthReport);
      const operations = Object.values(doc.paths).flatMap((p) => Object.values(p));
      const ids = operations.map((o) => o.operationId);
      assert.ok(ids.every(Boolean) && new Set(ids).size === ids.length, 'unique operationIds');
      assert.ok(doc.paths['/metrics']?.get && doc.paths['/health']?.get, 'the shell routes are documented');
      const declared = new Set(doc.tags.filter((t) => t.description).map((t) => t.name));
      for (const o of operations) for (const tag of o.tags) assert.ok(declared.has(tag), `tag ${tag} declared`);
      const file = join(temp.path, `${name}.json`);
      writeFileSync(file, JSON.stringify(doc, null, 2));
      const lint = spawnSync(redocly, ['lint', file, '--format=json'], {
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      });
      const report = JSON.parse(lint.stdout) as LintReport;
      const summary = report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
      assert.equal(report.totals.errors, 0, summary.join('\n'));
      const others = report.problems.filter(
        (p) => !(p.ruleId === 'operation-4xx-response' && OPEN_OPERATIONS.includes(p.location[0]?.pointer ?? '')),
      );
      assert.deepEqual(
        others.map((p) => `${p.ruleId} ${p.location[0]?.pointer}`),
        [],
        summary.join('\n'),
      );
      const docs = await fetch(url(name, '/docs/'));
      assert.equal(docs.status, 200);
      assert.match(await docs.text(), /swagger/i);
    });
  }

  test('the dashboard proxies every service’s docs and description to a signed-in browser, which holds no key', async () => {
    const cookie = await signIn(homeiq.dashboard, homeiq.apiKey);
    for (const [prefix, name] of Object.entries(PROXY_ROUTES)) {
      assert.equal((await fetch(`${homeiq.dashboard}/api/${prefix}/docs/`)).status, 401, `${prefix} docs, no session`);
      const docs = await fetch(`${homeiq.dashboard}/api/${prefix}/docs/`, { headers: { cookie } });
      assert.equal(docs.status, 200, `${prefix} docs`);
      assert.match(await docs.text(), /swagger/i);
      const spec = await fetch(`${homeiq.dashboard}/api/${prefix}/openapi.json`, { headers: { cookie } });
      const doc = (await spec.json()) as {
        info: { title: string };
      };
      assert.equal(doc.info.title, `HomeIQ ${name}`);
    }
  });
});
