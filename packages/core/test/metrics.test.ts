import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../src/logger';
import { counterFrom, createMetricsRegistry, gaugeFrom, labelledCounterFrom, metricsText } from '../src/metrics';
import { createServiceApp } from '../src/service-app';

test('metrics read their values at scrape time from counters kept elsewhere', async () => {
  const registry = createMetricsRegistry();
  const source = { done: 3, queued: 7, outcomes: { ok: 2, failed: 1 } };
  counterFrom(registry, 'homeiq_test_done_total', 'Done', () => source.done);
  gaugeFrom(registry, 'homeiq_test_queued', 'Queued', async () => source.queued);
  labelledCounterFrom(registry, 'homeiq_test_outcomes_total', 'Outcomes', 'outcome', () => source.outcomes);
  let text = await metricsText(registry);
  assert.match(text, /^homeiq_test_done_total 3$/m);
  assert.match(text, /^homeiq_test_queued 7$/m);
  assert.match(text, /^homeiq_test_outcomes_total\{outcome="failed"\} 1$/m);
  source.done = 10;
  source.queued = 0;
  text = await metricsText(registry);
  assert.match(text, /^homeiq_test_done_total 10$/m);
  assert.match(text, /^homeiq_test_queued 0$/m);
});

test('two services in one process: separate registries, the process metrics once each, no _total gauges', async () => {
  const make = (name: 'data-api' | 'admin-api') =>
    createServiceApp({ name, logger: silentLogger(), apiKey: 'k', checks: () => ({}) });
  const a = make('data-api');
  const b = make('admin-api');
  counterFrom(a.metrics, 'homeiq_only_in_a_total', 'A only', () => 1);
  await a.app.inject({ url: '/health' });
  const scrape = async (app: typeof a.app) =>
    (await app.inject({ url: '/metrics', headers: { authorization: 'Bearer k' } })).body;
  const textA = await scrape(a.app);
  const textB = await scrape(b.app);
  assert.equal((await b.app.inject({ url: '/metrics' })).statusCode, 401, 'the key is needed');
  assert.match(textA, /^homeiq_only_in_a_total 1$/m);
  assert.doesNotMatch(textB, /homeiq_only_in_a_total/);
  assert.match(
    textA,
    /^homeiq_http_request_duration_seconds_count\{method="GET",route="\/health",status_code="200"\} 1$/m,
  );
  for (const text of [textA, textB]) {
    assert.equal(text.match(/^# TYPE process_resident_memory_bytes /gm)?.length, 1);
    assert.doesNotMatch(text, /^nodejs_active_handles_total/m, 'a gauge named like a counter');
  }
  await a.app.close();
  await b.app.close();
});
