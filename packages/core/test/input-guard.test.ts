// The checks every route gets from createHttpApp beyond its JSON Schema: finite numbers, safe integers, bounded
// body depth; each a 400 naming the field, and the handler never runs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { createHttpApp, type HttpApp, MAX_BODY_DEPTH, silentLogger } from '../src/index';

let app: HttpApp;
let handled = 0;

before(async () => {
  app = createHttpApp({ logger: silentLogger() });
  app.get(
    '/items/:n',
    {
      schema: {
        params: Type.Object({ n: Type.Integer() }),
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1 })),
          ratio: Type.Optional(Type.Number()),
          ids: Type.Optional(Type.Array(Type.Integer())),
        }),
      },
    },
    async (request) => {
      handled++;
      return { ok: true, query: request.query };
    },
  );
  app.post('/things', { schema: { body: Type.Object({ count: Type.Optional(Type.Integer()) }) } }, async () => {
    handled++;
    return { ok: true };
  });
  await app.ready();
});
after(() => app.close());

async function call(method: 'GET' | 'POST', url: string, payload?: string) {
  const before = handled;
  const res = await app.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.statusCode, body: res.json() as { field?: string; message?: string }, ran: handled > before };
}

describe('input guard', () => {
  const refused: Array<[string, 'GET' | 'POST', string, string | undefined, string]> = [
    ['limit=Infinity', 'GET', '/items/1?limit=Infinity', undefined, 'querystring.limit'],
    ['limit=1e309', 'GET', '/items/1?limit=1e309', undefined, 'querystring.limit'],
    ['an unsafe integer', 'GET', '/items/1?limit=9007199254740993', undefined, 'querystring.limit'],
    ['ratio=-Infinity', 'GET', '/items/1?ratio=-Infinity', undefined, 'querystring.ratio'],
    ['one of an array', 'GET', '/items/1?ids=1&ids=1e309', undefined, 'querystring.ids.1'],
    ['a path parameter', 'GET', '/items/Infinity', undefined, 'params.n'],
    ['a body number', 'POST', '/things', '{"count":1e309}', 'body.count'],
    ['a deep body', 'POST', '/things', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, 'body'],
  ];
  for (const [name, method, url, payload, field] of refused) {
    test(`${name}: 400 naming ${field}, handler not run`, async () => {
      const r = await call(method, url, payload);
      assert.equal(r.status, 400);
      assert.equal(r.body.field, field);
      assert.match(r.body.message ?? '', new RegExp(field.replace(/\./g, '\\.')));
      assert.equal(r.ran, false);
    });
  }

  test('ordinary values pass: large safe integers, decimals, a body at the depth limit', async () => {
    const r = await call('GET', '/items/7?limit=9007199254740991&ratio=0.25&ids=1&ids=2');
    assert.equal(r.status, 200);
    assert.equal(r.ran, true);
    const atLimit = `${'{"a":'.repeat(MAX_BODY_DEPTH - 1)}1${'}'.repeat(MAX_BODY_DEPTH - 1)}`;
    assert.equal((await call('POST', '/things', `{"count":3,"x":${atLimit}}`)).status, 200);
  });
});
