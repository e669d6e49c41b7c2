import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_BUDGETS, parseBudgets } from '../src/budgets';

const MiB = 1024 * 1024;

test('memory budgets: the NUC limits by default; MEMORY_BUDGETS overrides some; bad entries name the problem', () => {
  assert.equal(DEFAULT_BUDGETS['websocket-ingestion'], 256 * MiB);
  assert.equal(DEFAULT_BUDGETS['health-dashboard'], 64 * MiB);
  const b = parseBudgets('data-api=192M, websocket-ingestion=0.5G,admin-api=65536k');
  assert.equal(b['data-api'], 192 * MiB);
  assert.equal(b['websocket-ingestion'], 512 * MiB);
  assert.equal(b['admin-api'], 64 * MiB);
  assert.equal(b['sports-data'], DEFAULT_BUDGETS['sports-data']);
  assert.throws(() => parseBudgets('nope=1M'), /MEMORY_BUDGETS: unknown service "nope"/);
  assert.throws(() => parseBudgets('data-api=lots'), /"lots" is not a size like 128M for data-api/);
});
