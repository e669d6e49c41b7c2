import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type EmittedEvent, startSimulatedHome } from '@homeiq/ha/sim/index';
import WebSocket from 'ws';
import { ISO_MICROS, type Msg, sleep, TestClient, ULID, withHome } from './sim-helpers';

describe('simulated HA: events and entity lifecycle', () => {
  test('rename: registry update with old_entity_id, old id removed, new id appears with the same state', async () => {
    await withHome({}, async (home) => {
      const c = await TestClient.authed(home);
      const sub = await c.command({ type: 'subscribe_events' });
      const oldId = home.controls.entityIds().find((id) => id.startsWith('light.')) as string;
      const before = ((await c.command({ type: 'get_states' })).result as Msg[]).find((s) => s.entity_id === oldId);
      home.controls.renameEntity(oldId, 'light.renamed_lamp');
      const reg = await c.next((m) => m.id === sub.id && m.event.event_type === 'entity_registry_updated');
      assert.deepEqual(reg.event.data, {
        action: 'update',
        entity_id: 'light.renamed_lamp',
        changes: { entity_id: oldId },
        old_entity_id: oldId,
      });
      const gone = await c.next((m) => m.id === sub.id && m.event.event_type === 'state_changed');
      assert.equal(gone.event.data.entity_id, oldId);
      assert.equal(gone.event.data.new_state, null);
      assert.deepEqual(gone.event.data.old_state, before);
      const born = await c.next((m) => m.id === sub.id && m.event.event_type === 'state_changed');
      assert.equal(born.event.data.entity_id, 'light.renamed_lamp');
      assert.equal(born.event.data.old_state, null);
      assert.equal(born.event.data.new_state.state, before?.state);
      assert.deepEqual(born.event.data.new_state.attributes, before?.attributes);
      const entities = (await c.command({ type: 'config/entity_registry/list' })).result as Msg[];
      assert.ok(entities.some((e) => e.entity_id === 'light.renamed_lamp'));
      assert.ok(!entities.some((e) => e.entity_id === oldId));
      assert.ok(home.controls.entityIds().includes('light.renamed_lamp'));
      assert.throws(() => home.controls.renameEntity('sensor.nope', 'sensor.nope2'), /oldId/);
      // States continue under the new id.
      await home.controls.burst(2000);
      assert.ok(home.controls.emitted().some((e) => e.entity_id === 'light.renamed_lamp' && e.old_state !== null));
      assert.ok(
        !home.controls
          .emitted()
          .slice(-2000)
          .some((e) => e.entity_id === oldId),
      );
      c.close();
    });
  });

  test('removal: registry remove, then state_changed with new_state null; the entity is gone', async () => {
    await withHome({}, async (home) => {
      const c = await TestClient.authed(home);
      const sub = await c.command({ type: 'subscribe_events' });
      const id = home.controls.entityIds().find((x) => x.startsWith('switch.')) as string;
      home.controls.removeEntity(id);
      const reg = await c.next((m) => m.id === sub.id);
      assert.deepEqual(reg.event.data, { action: 'remove', entity_id: id });
      const removed = await c.next((m) => m.id === sub.id);
      assert.equal(removed.event.event_type, 'state_changed');
      assert.equal(removed.event.data.new_state, null);
      assert.equal(removed.event.data.old_state.entity_id, id);
      assert.equal(removed.event.time_fired.length, 32);
      const last = home.controls.emitted().at(-1) as EmittedEvent;
      assert.equal(last.new_state, null);
      assert.equal(last.time_fired, removed.event.time_fired);
      assert.ok(!home.controls.entityIds().includes(id));
      const states = (await c.command({ type: 'get_states' })).result as Msg[];
      assert.ok(!states.some((s) => s.entity_id === id));
      c.close();
    });
  });

  test('emitted events: strictly increasing last_updated per entity, µs ISO times, ULID contexts, LOCAL/REMOTE', async () => {
    await withHome({ entityCount: 300 }, async (home) => {
      await home.controls.burst(5000);
      const events = home.controls.emitted();
      const last = new Map<string, string>();
      for (const e of events) {
        const st = e.new_state;
        assert.ok(st);
        assert.match(st.last_updated, ISO_MICROS);
        assert.match(e.context.id, ULID);
        assert.equal(e.time_fired, st.last_updated);
        const prev = last.get(e.entity_id);
        if (prev !== undefined) assert.ok(st.last_updated > prev, `${e.entity_id} ${prev} -> ${st.last_updated}`);
        last.set(e.entity_id, st.last_updated);
        if (e.old_state) {
          // State change or attribute-only change, never an identical re-report.
          const same =
            e.old_state.state === st.state && JSON.stringify(e.old_state.attributes) === JSON.stringify(st.attributes);
          assert.ok(!same, `${e.entity_id} re-reported as a change`);
          if (e.old_state.state === st.state) assert.equal(st.last_changed, e.old_state.last_changed);
          else assert.equal(st.last_changed, st.last_updated);
        }
      }
      assert.ok(events.every((e) => e.origin === 'LOCAL' || e.origin === 'REMOTE'));
      assert.ok(
        events.some((e) => e.context.user_id !== null),
        'some changes come from a user',
      );
    });
  });

  test('an unchanged state only moves last_reported: no state_changed', async () => {
    await withHome({}, async (home) => {
      const first = home.controls.fire('sensor.probe', '5', { unit_of_measurement: 'W' });
      const count = home.controls.emitted().length;
      const again = home.controls.fire('sensor.probe', '5', { unit_of_measurement: 'W' });
      assert.equal(home.controls.emitted().length, count);
      assert.equal(again.last_updated, first.last_updated);
      assert.ok(again.last_reported > first.last_reported);
      const changed = home.controls.fire('sensor.probe', '6');
      const last = home.controls.emitted().at(-1);
      assert.equal(last?.old_state?.last_reported, again.last_reported);
      assert.deepEqual(last?.new_state, changed);
    });
  });

  test('unicode ids and attributes go through intact', async () => {
    await withHome({}, async (home) => {
      const c = await TestClient.authed(home);
      await c.command({ type: 'subscribe_events', event_type: 'state_changed' });
      const fired = home.controls.fire('sensor.küche_温度', '21,5 °C 🌡', { friendly_name: 'Küche 温度 🌡' });
      const event = await c.next((m) => m.type === 'event');
      assert.deepEqual(event.event.data.new_state, fired);
      c.close();
    });
  });

  test('the same seed builds the same home and the same event sequence', async () => {
    const a = await startSimulatedHome({ rate: 0, seed: 42 });
    const b = await startSimulatedHome({ rate: 0, seed: 42 });
    const other = await startSimulatedHome({ rate: 0, seed: 43 });
    try {
      assert.deepEqual(a.controls.entityIds(), b.controls.entityIds());
      await a.controls.burst(500);
      await b.controls.burst(500);
      const seq = (h: typeof a) => h.controls.emitted().map((e) => `${e.entity_id}=${e.new_state?.state}`);
      assert.deepEqual(seq(a), seq(b));
      await other.controls.burst(500);
      assert.notDeepEqual(seq(a), seq(other));
    } finally {
      await Promise.all([a.stop(), b.stop(), other.stop()]);
    }
  });

  test('sendRaw sends a frame as is; ping frames go out and a client that never answers is closed', async () => {
    await withHome({ heartbeatMs: 200 }, async (home) => {
      const c = await TestClient.authed(home);
      home.controls.sendRaw('{"id": 1, "type": "event", "event": {"broken"');
      await c.waitFor(() => c.frames.includes('{"id": 1, "type": "event", "event": {"broken"'), 2000, 'raw frame');
      let pings = 0;
      c.ws.on('ping', () => pings++);
      await sleep(700);
      assert.ok(pings >= 2, `${pings} pings`);
      assert.equal(home.controls.clients(), 1, 'a client that answers pings stays');
      const silent = new WebSocket(`${home.url}/api/websocket`, { autoPong: false });
      const closed = new Promise<void>((resolve) => silent.on('close', () => resolve()));
      silent.on('open', () => silent.send(JSON.stringify({ type: 'auth', access_token: home.token })));
      await closed;
      c.close();
    });
  });
});
