// Write failures on a real InfluxDB: refused points are found (named by the server, or by bisection) while the rest
// of the batch is written; retryable answers (5xx, 429/503 with Retry-After, auth, network) are told apart. Answers
// the server will not give on demand (503, 429) come from a fault-injecting proxy in front of the real server.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { freePort } from '@homeiq/core/testing/temp';
import { StoreError } from '../src/errors';
import { InfluxStore } from '../src/influx/influx-store';
import {
  dropDatabase,
  freshDatabase,
  type InfluxServer,
  influxConfig,
  influxd,
  influxql,
  openStore,
  startInfluxd,
} from './influx-helpers';
import { event } from './pipeline-helpers';

const T = 1_700_000_000_000_000;

async function count(server: InfluxServer, db: string): Promise<number> {
  const body = (await influxql(server, db, 'SELECT count("state") FROM home_assistant_events')) as {
    results: Array<{ series?: Array<{ values: unknown[][] }> }>;
  };
  return Number(body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
}

/** Forwards to the real server unless told to answer something else. */
async function faultProxy(
  target: string,
): Promise<{ url: string; fault: { status: number; headers?: Record<string, string> } | null; server: Server }> {
  const state: { fault: { status: number; headers?: Record<string, string> } | null } = { fault: null };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (state.fault) {
      res.writeHead(state.fault.status, { 'content-type': 'application/json', ...state.fault.headers });
      res.end(JSON.stringify({ error: 'injected' }));
      return;
    }
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method ?? 'GET',
      headers: { 'content-type': req.headers['content-type'] ?? 'text/plain' },
      ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
    });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return Object.assign(state, { url: `http://127.0.0.1:${port}`, server });
}

describe('InfluxDB write errors', { skip: influxd.skip }, () => {
  let server: InfluxServer;
  before(async () => {
    server = await startInfluxd();
  });
  after(async () => {
    await server?.stop();
  });

  test('an unparsable point (named by the server) is refused with its reason; the rest is written', async () => {
    const db = freshDatabase('named');
    const store = await openStore(server, db);
    const events = Array.from({ length: 100 }, (_, i) => event(i));
    events[37] = event(37, { time: 9_300_000_000_000_000 }); // past InfluxDB's year 2262
    const result = await store.writeEvents(events);
    assert.equal(result.written, 99);
    assert.equal(result.rejected.length, 1);
    assert.equal(result.rejected[0]?.index, 37);
    assert.match(result.rejected[0]!.reason, /time outside range/);
    assert.equal(await count(server, db), 99);
    await dropDatabase(server, db);
  });

  test('events that cannot be encoded are refused before sending; the rest is written', async () => {
    const db = freshDatabase('local');
    const store = await openStore(server, db);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const events = [event(1), event(2, { entityId: '' }), event(3, { attributes: circular }), event(4)];
    const result = await store.writeEvents(events);
    assert.deepEqual(
      result.rejected.map((r) => r.index),
      [1, 2],
    );
    assert.match(result.rejected[0]!.reason, /entity_id/);
    assert.match(result.rejected[1]!.reason, /circular/i);
    assert.equal(result.written, 2);
    assert.equal(await count(server, db), 2);
    await dropDatabase(server, db);
  });

  test('field type conflicts (not named) are found by bisection; every other point is written', async () => {
    const db = freshDatabase('conflict');
    const store = await openStore(server, db);
    // Another writer made old_state a float in this shard: our string old_state now conflicts.
    await fetch(`${server.url}/write?db=${db}&precision=u`, {
      method: 'POST',
      body: `home_assistant_events,entity_id=sensor.other old_state=1 ${T - 1}`,
    });
    const events = Array.from({ length: 300 }, (_, i) => event(i, i % 97 === 5 ? { oldState: 'on' } : {}));
    const result = await store.writeEvents(events);
    assert.deepEqual(
      result.rejected.map((r) => r.index),
      [5, 102, 199, 296],
    );
    for (const r of result.rejected) assert.match(r.reason, /field type conflict/);
    assert.equal(result.written, 296);
    assert.equal(await count(server, db), 296);
    await dropDatabase(server, db);
  });

  test('a database dropped under a running store is created again by the next write', async () => {
    const db = freshDatabase('recreate');
    const store = await openStore(server, db);
    await dropDatabase(server, db);
    const result = await store.writeEvents([event(1), event(2)]);
    assert.equal(result.written, 2);
    assert.equal(await count(server, db), 2);
    await dropDatabase(server, db);
  });

  test('503 and 429 are retryable with Retry-After, 5xx and 401 retryable, a dead port retryable', async () => {
    const db = freshDatabase('faults');
    const proxy = await faultProxy(server.url);
    const store = new InfluxStore(influxConfig(proxy.url, db), silentLogger());
    await store.open();
    const attempt = async () => {
      try {
        await store.writeEvents([event(1)]);
        return undefined;
      } catch (error) {
        assert.ok(error instanceof StoreError);
        return error;
      }
    };
    proxy.fault = { status: 503, headers: { 'retry-after': '7' } };
    let e = await attempt();
    assert.deepEqual([e?.retryable, e?.status, e?.retryAfterMs], [true, 503, 7000]);
    proxy.fault = { status: 429, headers: { 'retry-after': '2' } };
    e = await attempt();
    assert.deepEqual([e?.retryable, e?.status, e?.retryAfterMs], [true, 429, 2000]);
    proxy.fault = { status: 500 };
    e = await attempt();
    assert.deepEqual([e?.retryable, e?.status], [true, 500]);
    proxy.fault = { status: 401 };
    e = await attempt();
    assert.deepEqual([e?.retryable, e?.status], [true, 401]);
    await assert.rejects(store.queryEvents({ limit: 1, order: 'desc' }), (err: StoreError) => err.retryable);
    proxy.fault = null;
    assert.equal(await attempt(), undefined, 'written once the server answers');
    await new Promise<void>((r) => proxy.server.close(() => r()));
    e = await attempt();
    assert.equal(e?.retryable, true);
    assert.match(e!.message, /InfluxDB write/);
    await assert.rejects(store.ping(), (err: StoreError) => err.retryable);
    await dropDatabase(server, db);
  });

  test('a store opened while the server is unreachable works once it is there', async () => {
    const dead = new InfluxStore(influxConfig(`http://127.0.0.1:${await freePort()}`, 'nowhere'), silentLogger());
    await dead.open();
    await assert.rejects(dead.writeEvents([event(1)]), (err: StoreError) => err.retryable);
    const db = freshDatabase('late');
    const proxy = await faultProxy(server.url);
    proxy.fault = { status: 503 };
    const store = new InfluxStore(influxConfig(proxy.url, db), silentLogger());
    await store.open();
    proxy.fault = null;
    assert.equal((await store.writeEvents([event(1)])).written, 1, 'the database is created on the first write');
    assert.equal(await count(server, db), 1);
    await new Promise<void>((r) => proxy.server.close(() => r()));
    await dropDatabase(server, db);
  });
});
