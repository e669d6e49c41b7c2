import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isoFromMicros, parseIsoMicros } from '@homeiq/ha/sim/index';
import WebSocket from 'ws';
import { type Msg, sleep, TestClient, withHome } from './sim-helpers';

/** Resolves with the error of a connect attempt that fails, or null when it connects. */
function tryConnect(url: string): Promise<Error | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url}/api/websocket`);
    ws.on('open', () => {
      ws.terminate();
      resolve(null);
    });
    ws.on('error', (error) => resolve(error));
  });
}

async function subscribed(home: Parameters<typeof TestClient.authed>[0], coalesce = true): Promise<TestClient> {
  const c = await TestClient.authed(home);
  if (coalesce) await c.command({ type: 'supported_features', features: { coalesce_messages: 1 } });
  await c.command({ type: 'subscribe_events', event_type: 'state_changed' });
  return c;
}

describe('simulated HA: scenarios', () => {
  test('burst: every event reaches a reading client in order, exactly as emitted()', async () => {
    await withHome({ entityCount: 300 }, async (home) => {
      const c = await subscribed(home);
      const before = home.controls.emitted().length;
      await home.controls.burst(10_000);
      await c.waitFor(() => c.events(2).length === 10_000, 30_000, '10000 events');
      const emitted = home.controls.emitted().slice(before);
      assert.equal(emitted.length, 10_000);
      const received = c.events(2).map((m) => m.event);
      for (let i = 0; i < emitted.length; i += 997) {
        const e = emitted[i] as (typeof emitted)[number];
        assert.deepEqual(received[i].data, { entity_id: e.entity_id, old_state: e.old_state, new_state: e.new_state });
        assert.equal(received[i].time_fired, e.time_fired);
      }
      assert.ok(c.frames.length < 2000, `coalesced into ${c.frames.length} frames`);
      c.close();
    });
  });

  test('burst respects back-pressure: a client that stops reading for a while is waited for, not dropped', async () => {
    await withHome({ entityCount: 100, maxPendingMessages: 600 }, async (home) => {
      const c = await subscribed(home);
      // biome-ignore lint/suspicious/noExplicitAny: reaching the socket under ws to stop reading
      const socket = (c.ws as any)._socket as import('node:net').Socket;
      socket.pause();
      const burst = home.controls.burst(15_000);
      await sleep(1500);
      assert.ok(c.events(2).length < 15_000, 'the paused client could not have read everything');
      socket.resume();
      await burst;
      await c.waitFor(() => c.events(2).length === 15_000, 30_000, 'all events');
      assert.equal(home.controls.clients(), 1, 'still connected');
      c.close();
    });
  });

  test('steady rate and setRate', async () => {
    await withHome({ rate: 100 }, async (home) => {
      const start = home.controls.emitted().length;
      await sleep(1000);
      const perSecond = home.controls.emitted().length - start;
      assert.equal(home.controls.emittedCount(), home.controls.emitted().length);
      assert.ok(perSecond >= 50 && perSecond <= 150, `${perSecond} events in 1 s at rate 100`);
      home.controls.setRate(0);
      await sleep(60);
      const paused = home.controls.emitted().length;
      await sleep(300);
      assert.equal(home.controls.emitted().length, paused);
      assert.throws(() => home.controls.setRate(-1), /rate/);
    });
  });

  test('dropConnections: sockets close, connects get 503 while refusing, events keep happening and are in history', async () => {
    await withHome({ recorderCommitIntervalMs: 1000 }, async (home) => {
      const c = await subscribed(home, false);
      home.controls.fire('sensor.gap_probe', '0');
      await c.next((m) => m.type === 'event');
      home.controls.dropConnections({ refuseForMs: 600 });
      assert.equal((await c.closed).code, 1006);
      const refused = await tryConnect(home.url);
      assert.match(String(refused?.message), /503/);
      const during = [home.controls.fire('sensor.gap_probe', '1'), home.controls.fire('sensor.gap_probe', '2')];
      await sleep(1100); // past the refusal and the recorder's next commit
      const again = await TestClient.authed(home);
      const { result } = await again.command({
        type: 'history/history_during_period',
        entity_ids: ['sensor.gap_probe'],
        start_time: isoFromMicros((parseIsoMicros(during[0]?.last_updated as string) as number) - 1),
        include_start_time_state: false,
      });
      assert.deepEqual(
        result['sensor.gap_probe'].map((r: Msg) => r.s),
        ['1', '2'],
      );
      assert.equal(c.events(1).length, 1, 'nothing was sent while disconnected');
      again.close();
    });
  });

  test('restart: refused, STARTING with an empty state machine, unavailable flood (old_state null), real values, RUNNING', async () => {
    await withHome({ entityCount: 80 }, async (home) => {
      const c = await subscribed(home);
      const statesBefore = (await c.command({ type: 'get_states' })).result as Msg[];
      const mark = home.controls.emitted().length;
      const restarting = home.controls.restart({ downMs: 400, startingMs: 1500 });
      await c.closed;
      assert.match(String((await tryConnect(home.url))?.message), /ECONNREFUSED/);
      let fresh: TestClient | undefined;
      for (let i = 0; i < 100 && !fresh; i++) {
        fresh = await TestClient.authed(home).catch(() => undefined);
        if (!fresh) await sleep(30);
      }
      assert.ok(fresh, 'reconnected');
      assert.equal((await fresh.command({ type: 'get_config' })).result.state, 'STARTING');
      assert.deepEqual((await fresh.command({ type: 'get_states' })).result, []);
      await fresh.command({ type: 'subscribe_events', event_type: 'state_changed' });
      await restarting;
      assert.equal((await fresh.command({ type: 'get_config' })).result.state, 'RUNNING');
      const events = fresh.messages.filter((m) => m.type === 'event').map((m) => m.event.data);
      const n = statesBefore.length;
      assert.equal(events.length, 2 * n);
      assert.ok(events.slice(0, n).every((d) => d.old_state === null && d.new_state.state === 'unavailable'));
      assert.ok(
        events.slice(n).every((d) => d.old_state.state === 'unavailable' && d.new_state.state !== 'unavailable'),
      );
      const after = new Map(events.slice(n).map((d) => [d.entity_id, d.new_state.state]));
      for (const s of statesBefore) assert.equal(after.get(s.entity_id), s.state, s.entity_id);
      assert.equal(home.controls.emitted().length - mark, 2 * n);
      fresh.close();
    });
  });
});
