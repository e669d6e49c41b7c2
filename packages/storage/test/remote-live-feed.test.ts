import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, describe, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { freePort, waitFor } from '@homeiq/core/testing/temp';
import { WebSocketServer } from 'ws';
import { toEventJson } from '../src/event-json';
import { liveFeedFor, RemoteLiveFeed } from '../src/remote-live-feed';
import { Runtime } from '../src/runtime';
import type { StateEvent } from '../src/types';

const KEY = 'test-key-live-feed-0123456789';

function event(entityId: string, time: number, state: string): StateEvent {
  return {
    entityId,
    time,
    lastChanged: time,
    state,
    removed: false,
    attributes: { unit_of_measurement: '°C', friendly_name: 'Küche "1"' },
    contextId: 'ctx',
    contextParentId: null,
    contextUserId: null,
    origin: 'LOCAL',
    areaId: 'kitchen',
    deviceId: null,
  };
}

/** A stand-in for websocket-ingestion's GET /api/v1/live: same path, auth and message format. */
async function liveServer(port: number) {
  const http: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const auths: string[] = [];
  http.on('upgrade', (req, socket, head) => {
    const auth = req.headers.authorization ?? '';
    auths.push(auth);
    if (req.url !== '/api/v1/live' || auth !== `Bearer ${KEY}`) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws));
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  return {
    auths,
    wss,
    publish: (events: StateEvent[]) => {
      const text = JSON.stringify(events.map(toEventJson));
      for (const c of wss.clients) c.send(text);
    },
    sendRaw: (text: string) => {
      for (const c of wss.clients) c.send(text);
    },
    stop: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

describe('RemoteLiveFeed', () => {
  const feeds: RemoteLiveFeed[] = [];
  after(() => {
    for (const f of feeds) f.close();
  });

  test('delivers batches to every listener, parsed back to StateEvents, with the API key', async () => {
    const port = await freePort();
    const server = await liveServer(port);
    const feed = new RemoteLiveFeed({ url: `http://127.0.0.1:${port}`, apiKey: KEY, minBackoffMs: 20 });
    feeds.push(feed);
    const a: StateEvent[][] = [];
    const b: StateEvent[][] = [];
    const offA = feed.subscribe((e) => a.push([...e]));
    feed.subscribe((e) => b.push([...e]));
    await waitFor(() => feed.status().connected, 5000, 'connect');
    assert.equal(server.wss.clients.size, 1, 'one socket shared by all listeners');
    assert.deepEqual(server.auths, [`Bearer ${KEY}`]);
    const sent = [
      event('sensor.kitchen', 1_700_000_000_123_456, '21.5'),
      event('light.hall', 1_700_000_000_200_000, 'on'),
    ];
    server.publish(sent);
    await waitFor(() => a.length === 1 && b.length === 1, 5000, 'delivery');
    assert.deepEqual(a[0], sent);
    offA();
    server.publish([event('sensor.kitchen', 1_700_000_001_000_000, '22')]);
    await waitFor(() => b.length === 2, 5000, 'second delivery');
    assert.equal(a.length, 1, 'an unsubscribed listener gets nothing more');
    await server.stop();
  });

  test('skips and counts malformed messages without harming the feed', async () => {
    const port = await freePort();
    const server = await liveServer(port);
    const feed = new RemoteLiveFeed({ url: `http://127.0.0.1:${port}`, apiKey: KEY, minBackoffMs: 20 });
    feeds.push(feed);
    const got: StateEvent[][] = [];
    feed.subscribe((e) => got.push([...e]));
    await waitFor(() => feed.status().connected, 5000, 'connect');
    server.sendRaw('not json');
    server.sendRaw('{"an":"object"}');
    server.sendRaw('[{"entity_id":"x.y"}]');
    server.publish([event('sensor.a', 1_700_000_000_000_000, '1')]);
    await waitFor(() => got.length === 1, 5000, 'good message after bad ones');
    assert.equal(feed.status().malformed, 3);
    assert.equal(feed.status().events, 1);
    await server.stop();
  });

  test('reconnects with backoff after the server goes away and comes back on the same port', async () => {
    const port = await freePort();
    let server = await liveServer(port);
    const feed = new RemoteLiveFeed({
      url: `http://127.0.0.1:${port}`,
      apiKey: KEY,
      minBackoffMs: 20,
      maxBackoffMs: 200,
    });
    feeds.push(feed);
    const got: StateEvent[][] = [];
    feed.subscribe((e) => got.push([...e]));
    await waitFor(() => feed.status().connected, 5000, 'connect');
    await server.stop();
    await waitFor(() => !feed.status().connected, 5000, 'notices the drop');
    await new Promise((r) => setTimeout(r, 300)); // a few refused attempts
    assert.ok(feed.status().reconnects >= 2, `retried (${feed.status().reconnects})`);
    server = await liveServer(port);
    await waitFor(() => feed.status().connected, 5000, 'reconnect');
    server.publish([event('sensor.a', 1_700_000_000_000_000, '1')]);
    await waitFor(() => got.length === 1, 5000, 'delivery after reconnect');
    await server.stop();
  });

  test('a wrong key is reported, retried, and never connects', async () => {
    const port = await freePort();
    const server = await liveServer(port);
    const feed = new RemoteLiveFeed({ url: `http://127.0.0.1:${port}`, apiKey: 'wrong', minBackoffMs: 20 });
    feeds.push(feed);
    feed.subscribe(() => {});
    await waitFor(() => feed.status().reconnects >= 2, 5000, 'retries');
    assert.equal(feed.status().connected, false);
    assert.match(feed.status().lastError ?? '', /403/);
    await server.stop();
  });

  test('closes its socket when the last listener leaves, opens it again for a new one', async () => {
    const port = await freePort();
    const server = await liveServer(port);
    const feed = new RemoteLiveFeed({ url: `ws://127.0.0.1:${port}/`, apiKey: KEY, minBackoffMs: 20 });
    feeds.push(feed);
    const off = feed.subscribe(() => {});
    await waitFor(() => server.wss.clients.size === 1, 5000, 'connect');
    off();
    await waitFor(() => server.wss.clients.size === 0, 5000, 'socket closed');
    feed.subscribe(() => {});
    await waitFor(() => server.wss.clients.size === 1, 5000, 'reconnect for a new listener');
    await server.stop();
  });

  test('liveFeedFor: in-process feed when ingestion runs here, one shared remote feed otherwise', () => {
    const env = { HOMEIQ_DATA_DIR: '/nonexistent-homeiq', API_KEY: KEY, WEBSOCKET_INGESTION_URL: 'http://ingest:8001' };
    const together = new Runtime(env, silentLogger());
    together.local.add('websocket-ingestion');
    together.local.add('data-api');
    assert.equal(liveFeedFor(together), together.live);
    const split = new Runtime(env, silentLogger());
    split.local.add('data-api');
    const feed = liveFeedFor(split);
    assert.ok(feed instanceof RemoteLiveFeed);
    assert.equal(feed.endpoint, 'ws://ingest:8001/api/v1/live');
    assert.equal(liveFeedFor(split), feed, 'shared per runtime');
  });
});
