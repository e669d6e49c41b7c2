import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { type WebSocket, WebSocketServer } from 'ws';
import { HaAuthError, HaConnection, HaConnectionLostError, HaTimeoutError } from '../src/client';

// A scripted Home Assistant for the protocol corners that the full simulator makes hard to force
// (a server that never answers, goes silent, or orders frames just so). The simulator tests cover the rest.
type Msg = { id?: number; type: string; [k: string]: unknown };

interface Script {
  token?: string;
  /** Delay before auth_required (HA accepts early auth). */
  authRequiredDelayMs?: number;
  onCommand?(ws: WebSocket, msg: Msg, connIndex: number): void;
}

async function scriptedHa(script: Script) {
  const token = script.token ?? 'good-token';
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const log: Array<{ conn: number; msg: Msg }> = [];
  let connections = 0;
  wss.on('connection', (ws) => {
    const conn = connections++;
    let authed = false;
    setTimeout(() => {
      if (ws.readyState === 1 && !authed) ws.send(JSON.stringify({ type: 'auth_required', ha_version: '2025.1.0' }));
    }, script.authRequiredDelayMs ?? 0);
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as Msg;
      log.push({ conn, msg });
      if (!authed) {
        if (msg.type === 'auth' && msg.access_token === token) {
          authed = true;
          ws.send(JSON.stringify({ type: 'auth_ok', ha_version: '2025.1.0' }));
        } else {
          ws.send(JSON.stringify({ type: 'auth_invalid', message: 'Invalid access token or password' }));
          ws.close();
        }
        return;
      }
      if (script.onCommand) script.onCommand(ws, msg, conn);
      else ws.send(JSON.stringify({ id: msg.id, type: 'result', success: true, result: null }));
    });
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    connections: () => connections,
    sockets: () => [...wss.clients],
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

const ok = (ws: WebSocket, msg: Msg, result: unknown = null) =>
  ws.send(JSON.stringify({ id: msg.id, type: 'result', success: true, result }));

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('HaConnection against a scripted server', () => {
  test('sends auth before auth_required arrives (early auth) and enables coalescing first', async () => {
    const ha = await scriptedHa({ authRequiredDelayMs: 300 });
    cleanups.push(ha.close);
    const conn = new HaConnection({ url: ha.url, token: 'good-token' });
    cleanups.push(() => conn.close());
    const t0 = Date.now();
    await conn.connect();
    assert.ok(Date.now() - t0 < 250, 'did not wait for auth_required');
    assert.equal(ha.log[0]?.msg.type, 'auth');
    assert.deepEqual(ha.log[1]?.msg, { id: 1, type: 'supported_features', features: { coalesce_messages: 1 } });
    assert.equal(conn.haVersion, '2025.1.0');
  });

  test('auth_invalid is fatal: clear error without the token, no retries', async () => {
    const ha = await scriptedHa({});
    cleanups.push(ha.close);
    const conn = new HaConnection({ url: ha.url, token: 'bad-secret-token', backoff: { initialMs: 10 } });
    cleanups.push(() => conn.close());
    let failed: HaAuthError | undefined;
    conn.onAuthFailed((e) => {
      failed = e;
    });
    await assert.rejects(conn.connect(), (e: unknown) => {
      assert.ok(e instanceof HaAuthError);
      assert.match(e.message, /rejected HA_TOKEN/);
      assert.doesNotMatch(e.message, /bad-secret-token/);
      return true;
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(ha.connections(), 1, 'retried a refused token');
    assert.equal(conn.state, 'auth_failed');
    assert.ok(failed);
  });

  test('every frame may be an array or a bare object, results and events mixed', async () => {
    let subId = 0;
    const ha = await scriptedHa({
      onCommand(ws, msg) {
        if (msg.type === 'subscribe_events') {
          subId = msg.id as number;
          ok(ws, msg);
          const ev = (n: number) => ({ id: subId, type: 'event', event: { event_type: 'x', data: { n } } });
          ws.send(JSON.stringify([ev(1), ev(2), ev(3)]));
          ws.send(JSON.stringify(ev(4)));
          return;
        }
        if (msg.type === 'get_states') {
          // Result and an event in one array frame.
          ws.send(
            JSON.stringify([
              { id: subId, type: 'event', event: { event_type: 'x', data: { n: 5 } } },
              { id: msg.id, type: 'result', success: true, result: [{ entity_id: 'a.b' }] },
            ]),
          );
          return;
        }
        ok(ws, msg);
      },
    });
    cleanups.push(ha.close);
    const conn = new HaConnection({ url: ha.url, token: 'good-token' });
    cleanups.push(() => conn.close());
    const seen: number[] = [];
    const frames: number[] = [];
    conn.onFrame((raw) => frames.push(raw.length));
    await conn.connect();
    const sub = conn.subscribeEvents<{ data: { n: number } }>('x', (e) => seen.push(e.data.n));
    await sub.ready;
    await until(() => seen.length === 4);
    const states = await conn.command<Array<{ entity_id: string }>>({ type: 'get_states' });
    assert.deepEqual(states, [{ entity_id: 'a.b' }]);
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    assert.ok(frames.length >= 3);
  });

  test('in-flight commands are rejected on close; the subscription is re-made exactly once', async () => {
    const ha = await scriptedHa({
      onCommand(ws, msg, conn) {
        if (msg.type === 'get_states' && conn === 0) return; // never answered: the socket dies first
        ok(ws, msg);
      },
    });
    cleanups.push(ha.close);
    const conn = new HaConnection({ url: ha.url, token: 'good-token', backoff: { initialMs: 20, maxMs: 50 } });
    cleanups.push(() => conn.close());
    await conn.connect();
    await conn.subscribeEvents('state_changed', () => {}).ready;
    conn.subscribeEvents('entity_registry_updated', () => {});
    const pending = conn.command({ type: 'get_states' });
    await until(() => ha.log.some((l) => l.msg.type === 'get_states'));
    const reconnected = new Promise<boolean>((r) => conn.onConnected((i) => r(i.reconnect)));
    for (const s of ha.sockets()) s.terminate();
    await assert.rejects(pending, HaConnectionLostError);
    assert.equal(await reconnected, true);
    assert.equal(conn.counters.reconnects, 1);
    const subs = (n: number) => ha.log.filter((l) => l.conn === n && l.msg.type === 'subscribe_events');
    assert.equal(subs(0).length, 2);
    assert.equal(subs(1).length, 2, 'each subscription re-made once on the new socket');
    assert.deepEqual(
      subs(1)
        .map((l) => l.msg.event_type)
        .sort(),
      ['entity_registry_updated', 'state_changed'],
    );
    // Ids restart and strictly increase on the new connection.
    const ids = ha.log.filter((l) => l.conn === 1).map((l) => l.msg.id ?? 0);
    assert.deepEqual(
      ids.slice(1),
      ids.slice(1).map((_, i) => i + 1),
    );
  });

  test('a command without an answer times out', async () => {
    const ha = await scriptedHa({ onCommand: (ws, msg) => (msg.type === 'get_config' ? undefined : ok(ws, msg)) });
    cleanups.push(ha.close);
    const conn = new HaConnection({ url: ha.url, token: 'good-token', commandTimeoutMs: 150 });
    cleanups.push(() => conn.close());
    await conn.connect();
    await assert.rejects(conn.command({ type: 'get_config' }), HaTimeoutError);
  });

  test('a silent link is pinged, then dropped and re-established', async () => {
    const ha = await scriptedHa({
      onCommand(ws, msg, conn) {
        if (msg.type === 'ping' && conn === 0) return; // a hung server: no pong
        if (msg.type === 'ping') ws.send(JSON.stringify({ id: msg.id, type: 'pong' }));
        else ok(ws, msg);
      },
    });
    cleanups.push(ha.close);
    const conn = new HaConnection({
      url: ha.url,
      token: 'good-token',
      pingIntervalMs: 100,
      pingTimeoutMs: 150,
      backoff: { initialMs: 10, maxMs: 20 },
    });
    cleanups.push(() => conn.close());
    let reason = '';
    conn.onDisconnected((i) => {
      reason = i.reason;
    });
    await conn.connect();
    await until(() => conn.counters.reconnects === 1, 3000);
    assert.match(reason, /keepalive/);
    assert.ok(ha.log.some((l) => l.conn === 0 && l.msg.type === 'ping'));
    // The healthy second link answers its pings and stays up.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(conn.counters.reconnects, 1);
  });

  test('a malformed frame is counted and reported; later messages still flow', async () => {
    let subId = 0;
    const ha = await scriptedHa({
      onCommand(ws, msg) {
        ok(ws, msg);
        if (msg.type === 'subscribe_events') {
          subId = msg.id as number;
          ws.send('{not json');
          ws.send('42');
          ws.send(JSON.stringify({ id: 999, type: 'event', event: {} }));
          ws.send(JSON.stringify({ id: subId, type: 'event', event: { ok: true } }));
        }
      },
    });
    cleanups.push(ha.close);
    const conn = new HaConnection({ url: ha.url, token: 'good-token' });
    cleanups.push(() => conn.close());
    const problems: string[] = [];
    conn.onProblem((p) => problems.push(p.kind));
    const got: unknown[] = [];
    await conn.connect();
    conn.subscribeEvents('x', (e) => got.push(e));
    await until(() => got.length === 1);
    assert.equal(conn.counters.malformedFrames, 1);
    assert.equal(conn.counters.unexpectedMessages, 2);
    assert.deepEqual(problems, ['malformed_frame', 'unexpected_message', 'unexpected_message']);
    assert.equal(conn.connected, true);
  });
});
