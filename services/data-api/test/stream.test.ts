// The live stream over real sockets: WebSocket and SSE on one path, filters, auth, and the slow-client cut-off.
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { listen } from '@homeiq/core';
import { waitFor } from '@homeiq/core/testing/temp';
import { InProcessLiveFeed, type StateEvent } from '@homeiq/storage';
import WebSocket from 'ws';
import { KEY, makeApp, sqliteFixture, T0 } from './fixtures';

const MAX_BUFFER = 64 * 1024;

type Fixture = Awaited<ReturnType<typeof sqliteFixture>>;
let fx: Fixture;
let feed: InProcessLiveFeed;
let built: ReturnType<typeof makeApp>;
let base: string;

before(async () => {
  fx = await sqliteFixture(false);
  feed = new InProcessLiveFeed();
  built = makeApp(fx.store, fx.metadata, { feed, stream: { maxBufferedBytes: MAX_BUFFER, heartbeatMs: 60_000 } });
  const port = await listen(built.app, 0, '127.0.0.1');
  base = `127.0.0.1:${port}`;
});
after(async () => {
  await built.app.close();
  await fx.cleanup();
});

let seq = 0;
function event(entityId: string, padding = 0): StateEvent {
  seq += 1;
  return {
    entityId,
    time: T0 + seq,
    lastChanged: T0 + seq,
    state: String(seq),
    removed: false,
    attributes: padding ? { pad: 'x'.repeat(padding) } : { unit_of_measurement: '°C' },
    contextId: `c${seq}`,
    contextParentId: null,
    contextUserId: null,
    origin: 'LOCAL',
    areaId: null,
    deviceId: null,
  };
}

function openWs(query: string, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) {
  const ws = new WebSocket(`ws://${base}/api/v1/events/stream${query}`, { headers });
  const messages: Array<Array<{ entity_id: string; state: string }>> = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { ws, messages, closed, opened };
}

function openSse(query: string, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) {
  let text = '';
  let response: IncomingMessage | undefined;
  const ended = new Promise<void>((resolve) => {
    const req = httpRequest(
      `http://${base}/api/v1/events/stream${query}`,
      { headers: { accept: 'text/event-stream', ...headers } },
      (res) => {
        response = res;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve());
        res.on('error', () => resolve());
        res.on('close', () => resolve());
      },
    );
    req.on('error', () => resolve());
    req.end();
  });
  return {
    ended,
    response: () => response,
    text: () => text,
    /** The `data:` payloads of default (message) events. */
    messages: () =>
      text
        .split('\n\n')
        .filter((block) => block.startsWith('data: '))
        .map((block) => JSON.parse(block.slice(6)) as Array<{ entity_id: string }>),
  };
}

/** Publishes large batches until the hub has cut `count` slow clients (the kernel buffers fill first). */
async function floodUntilCut(count: number): Promise<void> {
  const start = built.hub.counters.slowDisconnects;
  for (let i = 0; i < 5000 && built.hub.counters.slowDisconnects - start < count; i++) {
    feed.publish(Array.from({ length: 20 }, () => event('sensor.flood', 2000)));
    await new Promise((r) => setImmediate(r));
  }
  assert.ok(built.hub.counters.slowDisconnects - start >= count, 'slow client was cut');
}

describe('WebSocket', () => {
  test('filtered live events as JSON arrays in the export format', async () => {
    const c = openWs('?domain=light&api_key=' + KEY, {});
    await c.opened;
    await waitFor(() => built.hub.size === 1, 2000, 'subscribed');
    feed.publish([event('sensor.a'), event('light.kitchen'), event('light.hall')]);
    feed.publish([event('sensor.b')]);
    feed.publish([event('light.hall')]);
    await waitFor(() => c.messages.length === 2, 2000, 'two messages');
    assert.deepEqual(
      c.messages.map((m) => m.map((e) => e.entity_id)),
      [['light.kitchen', 'light.hall'], ['light.hall']],
    );
    const first = c.messages[0]?.[0] as unknown as Record<string, unknown>;
    assert.match(String(first.last_updated), /^2024-03-10T00:00:00\.\d{6}\+00:00$/);
    c.ws.close();
    await c.closed;
    await waitFor(() => built.hub.size === 0, 2000, 'unsubscribed on close');
  });

  test('entity_id filter (repeatable) combined with domain', async () => {
    const c = openWs('?entity_id=sensor.a&entity_id=sensor.b&domain=sensor');
    await c.opened;
    feed.publish([event('sensor.a'), event('sensor.c'), event('sensor.b'), event('light.a')]);
    await waitFor(() => c.messages.length === 1, 2000, 'message');
    assert.deepEqual(
      c.messages[0]?.map((e) => e.entity_id),
      ['sensor.a', 'sensor.b'],
    );
    c.ws.close();
    await c.closed;
  });

  test('401 without a key, 403 with a wrong one, 400 for a bad filter: no upgrade', async () => {
    await assert.rejects(openWs('', {}).opened, /HTTP 401/);
    await assert.rejects(openWs('?api_key=wrong', {}).opened, /HTTP 403/);
    await assert.rejects(openWs('?entity_id=bad%27id').opened, /HTTP 400/);
  });

  test('a client that stops reading is closed with 1008 and the reason; a fast one keeps everything', async () => {
    const slow = openWs('');
    const fast = openWs('');
    await Promise.all([slow.opened, fast.opened]);
    slow.ws.pause();
    let fastEvents = 0;
    fast.ws.on('message', (data) => {
      fastEvents += (JSON.parse(data.toString()) as unknown[]).length;
    });
    const published = seq;
    await floodUntilCut(1);
    const sent = seq - published;
    slow.ws.resume();
    const { code, reason } = await slow.closed;
    assert.equal(code, 1008);
    assert.match(reason, /too slow: \d+ bytes waiting \(limit 65536\)/);
    await waitFor(() => fastEvents === sent, 10_000, 'fast client got every event');
    assert.equal(fast.ws.readyState, WebSocket.OPEN);
    fast.ws.close();
    await fast.closed;
  });
});

describe('Server-Sent Events', () => {
  test('Accept: text/event-stream on the same path streams filtered events', async () => {
    const c = openSse('?entity_id=sensor.x');
    await waitFor(() => c.response() && built.hub.size === 1, 2000, 'SSE connected');
    assert.equal(c.response()?.headers['content-type'], 'text/event-stream; charset=utf-8');
    feed.publish([event('sensor.y'), event('sensor.x')]);
    feed.publish([event('sensor.x')]);
    await waitFor(() => c.messages().length === 2, 2000, 'two SSE messages');
    assert.deepEqual(
      c.messages().map((m) => m.map((e) => e.entity_id)),
      [['sensor.x'], ['sensor.x']],
    );
    c.response()?.destroy();
    await c.ended;
    await waitFor(() => built.hub.size === 0, 2000, 'unsubscribed on disconnect');
  });

  test('401/403 before streaming', async () => {
    const none = openSse('', {});
    await none.ended;
    assert.equal(none.response()?.statusCode, 401);
    const wrong = openSse('?api_key=wrong', {});
    await wrong.ended;
    assert.equal(wrong.response()?.statusCode, 403);
  });

  test('a client that stops reading gets a final `event: error` and is disconnected', async () => {
    const c = openSse('');
    await waitFor(() => c.response() && built.hub.size === 1, 2000, 'SSE connected');
    c.response()?.pause();
    await floodUntilCut(1);
    c.response()?.resume();
    await c.ended;
    const tail = c.text().trimEnd().split('\n\n').pop() ?? '';
    assert.match(tail, /^event: error\ndata: \{"error":"too_slow","message":"client too slow: \d+ bytes waiting/);
  });
});

describe('shutdown', () => {
  test('closing the app ends open streams (WS 1001, SSE end)', async () => {
    const own = makeApp(fx.store, fx.metadata, { feed });
    const port = await listen(own.app, 0, '127.0.0.1');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/events/stream?api_key=${KEY}`);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.once('open', resolve));
    await own.app.close();
    assert.equal(await closed, 1001);
  });
});
