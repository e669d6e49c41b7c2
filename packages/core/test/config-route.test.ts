import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commonSchema } from '../src/common-config';
import { loadConfig, str } from '../src/config';
import { configPart } from '../src/config-route';
import { silentLogger } from '../src/logger';
import { createServiceApp } from '../src/service-app';

test('GET /api/v1/config serves the masked effective config behind the key', async () => {
  const schema = { ...commonSchema, sneaky: str('SNEAKY_TOKEN', 'A token its schema forgot to mark secret', '') };
  const config = loadConfig(schema, {
    API_KEY: 'k-123456-abcdefghijklmnopq',
    SNEAKY_TOKEN: 'leak-me',
    LOG_LEVEL: 'warn',
  });
  const { app } = createServiceApp({
    name: 'admin-api',
    logger: silentLogger(),
    apiKey: 'k-123456-abcdefghijklmnopq',
    checks: () => ({}),
    config: () => [configPart(schema, config)],
  });
  assert.equal((await app.inject({ url: '/api/v1/config' })).statusCode, 401);
  const res = await app.inject({
    url: '/api/v1/config',
    headers: { authorization: 'Bearer k-123456-abcdefghijklmnopq' },
  });
  assert.equal(res.statusCode, 200);
  const body = res.json();
  assert.equal(body.service, 'admin-api');
  assert.equal(body.config.API_KEY, '***');
  assert.equal(body.config.SNEAKY_TOKEN, '***');
  assert.equal(body.config.LOG_LEVEL, 'warn');
  assert.equal(typeof body.descriptions.HOMEIQ_DATA_DIR, 'string');
  assert.ok(!res.body.includes('k-123456-abcdefghijklmnopq') && !res.body.includes('leak-me'));
  await app.close();
});
