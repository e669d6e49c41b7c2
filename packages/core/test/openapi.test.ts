import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { silentLogger } from '../src/logger';
import { openApiPath, operationIdFor } from '../src/openapi/operation';
import { createServiceApp } from '../src/service-app';

/** An operation as the test reads it: loosely typed JSON, narrowed by the assertions. */
type Operation = {
  operationId: string;
  summary: string;
  parameters: Array<{ in: string }>;
  responses: Record<string, { content?: Record<string, { schema: { properties: { things: { items: unknown } } } }> }>;
  security?: unknown[];
};

type Doc = {
  servers: Array<{ url: string }>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, unknown> };
};

test('operation ids and paths come from the route pattern', () => {
  assert.equal(operationIdFor('GET', '/api/v1/entities/:entity_id/history'), 'getEntitiesByEntityIdHistory');
  assert.equal(operationIdFor('POST', '/api/v1/alerts/:id/ack'), 'postAlertsByIdAck');
  assert.equal(operationIdFor('GET', '/health'), 'getHealth');
  assert.equal(openApiPath('/api/v1/webhooks/:id/deliveries'), '/api/v1/webhooks/{id}/deliveries');
});

test('the document: servers from the request, shared shapes as components, keyed and open routes told apart', async () => {
  const Thing = Type.Object({ id: Type.String(), size: Type.Integer() });
  const { app } = createServiceApp({
    name: 'data-api',
    logger: silentLogger(),
    apiKey: 'k',
    checks: () => ({}),
    openApi: {
      description: 'test service',
      tags: { things: 'Things, listed' },
      schemas: { Thing },
      operations: { 'DELETE /api/v1/things/:id': { summary: 'Delete a thing', responses: { 204: {} } } },
    },
  });
  app.get(
    '/api/v1/things',
    {
      schema: {
        summary: 'List things',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ description: 'At most this many' })) }),
        response: { 200: Type.Object({ things: Type.Array(Thing) }) },
      },
    },
    async () => ({ things: [] }),
  );
  app.delete('/api/v1/things/:id', async (_request, reply) => reply.code(204).send());
  const res = await app.inject({ url: '/openapi.json', headers: { host: 'nuc.lan:8006' } });
  assert.equal(res.statusCode, 200, 'no key needed');
  const doc = res.json() as Doc;
  assert.deepEqual(
    doc.servers.map((s) => s.url),
    ['http://nuc.lan:8006'],
  );
  assert.deepEqual(
    doc.tags.map((t) => t.name),
    ['monitoring', 'service', 'things'],
  );
  assert.equal(doc.tags.find((t) => t.name === 'things')?.description, 'Things, listed');

  const list = doc.paths['/api/v1/things']?.get as unknown as Operation;
  assert.equal(list.operationId, 'getThings');
  assert.deepEqual(list.parameters, [
    { name: 'limit', in: 'query', required: false, description: 'At most this many', schema: { type: 'integer' } },
  ]);
  const ok = list.responses['200']?.content?.['application/json']?.schema;
  assert.deepEqual(ok?.properties.things.items, { $ref: '#/components/schemas/Thing' }, 'a shared shape is referenced');
  assert.deepEqual(list.responses['400'], { $ref: '#/components/responses/BadRequest' });
  assert.deepEqual(list.responses['401'], { $ref: '#/components/responses/Unauthorized' });
  assert.equal(list.security, undefined, 'keyed: the document-wide bearer applies');

  const del = doc.paths['/api/v1/things/{id}']?.delete as unknown as Operation;
  assert.equal(del.summary, 'Delete a thing');
  assert.deepEqual(Object.keys(del.responses).sort(), ['204', '400', '401', '403']);
  assert.equal(del.parameters[0]?.in, 'path');

  const health = doc.paths['/health']?.get as unknown as Operation;
  assert.deepEqual(health.security, [], 'open');
  assert.equal(health.responses['401'], undefined);
  assert.ok(doc.components.schemas.Thing && doc.components.schemas.HealthReport && doc.components.schemas.Error);
  assert.ok(doc.paths['/metrics']?.get, '/metrics documented');
  assert.equal(doc.paths['/docs/static/index.html'], undefined, 'the UI files are not operations');
  assert.equal((await app.inject({ url: '/docs/' })).statusCode, 200);
  await app.close();
});
