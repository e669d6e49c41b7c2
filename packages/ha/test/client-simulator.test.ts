import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HaConnection, type HaEvent, type StateChangedData } from '../src/client';
import { type SimulatedHome, startSimulatedHome } from '../src/sim';

const until = async (check: () => boolean, ms = 10_000, what = 'condition') => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('HaConnection against the simulated home', () => {
  let home: SimulatedHome;
  let conn: HaConnection;
  const events: Array<HaEvent<StateChangedData>> = [];

  before(async () => {
    home = await startSimulatedHome({ rate: 0, entityCount: 60, seed: 7 });
    conn = new HaConnection({ url: home.url, token: home.token, backoff: { initialMs: 20, maxMs: 100 } });
    await conn.connect();
    await conn.subscribeEvents<HaEvent<StateChangedData>>('state_changed', (e) => events.push(e)).ready;
  });

  after(async () => {
    await conn.close();
    await home.stop();
  });

  test('a burst arrives complete, in coalesced array frames', async () => {
    events.length = 0;
    const frames0 = conn.counters.frames;
    const messages0 = conn.counters.messages;
    await home.controls.burst(3000);
    await until(() => events.length >= 3000, 10_000, 'burst');
    const frames = conn.counters.frames - frames0;
    const messages = conn.counters.messages - messages0;
    assert.equal(events.length, 3000);
    assert.ok(frames < messages, `expected coalescing: ${frames} frames for ${messages} messages`);
    const fired = home.controls.emitted().slice(-3000);
    assert.deepEqual(
      events.map((e) => `${e.data.entity_id}@${e.time_fired}`),
      fired.map((e) => `${e.entity_id}@${e.time_fired}`),
    );
  });

  test('after a drop, the subscription is re-made once: each event arrives exactly once', async () => {
    const reconnected = new Promise<void>((r) => {
      const off = conn.onConnected(() => {
        off();
        r();
      });
    });
    home.controls.dropConnections({ refuseForMs: 150 });
    await reconnected;
    assert.equal(conn.counters.reconnects, 1);
    events.length = 0;
    const id = home.controls.entityIds().find((e) => e.startsWith('sensor.'))!;
    home.controls.fire(id, '12.5');
    home.controls.fire(id, '13.5');
    await until(() => events.length >= 2, 5000, 'events after reconnect');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      events.map((e) => e.data.new_state?.state),
      ['12.5', '13.5'],
    );
    assert.equal(home.controls.clients(), 1);
  });

  test('commands work on the new socket', async () => {
    const states = await conn.command<Array<{ entity_id: string }>>({ type: 'get_states' });
    assert.equal(states.length, home.controls.entityIds().length);
  });
});
