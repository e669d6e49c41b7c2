import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type SimulatedHome, startSimulatedHome } from '@homeiq/ha/sim/index';
import { ISO_MICROS, type Msg, TestClient, ULID } from './sim-helpers';

describe('simulated HA: command phase', () => {
  let home: SimulatedHome;
  before(async () => {
    home = await startSimulatedHome({ rate: 0, seed: 7 });
  });
  after(() => home.stop());

  test('ids must be positive and strictly increasing; bad shapes are invalid_format; unknown commands', async () => {
    const c = await TestClient.authed(home);
    c.send({ id: 5, type: 'ping' });
    assert.deepEqual(await c.next((m) => m.id === 5), { id: 5, type: 'pong' });
    c.send({ id: 5, type: 'ping' });
    assert.deepEqual(await c.next((m) => m.id === 5), {
      id: 5,
      type: 'result',
      success: false,
      error: { code: 'id_reuse', message: 'Identifier values have to increase.' },
    });
    c.send({ id: 3, type: 'get_config' });
    assert.equal((await c.next((m) => m.id === 3)).error.code, 'id_reuse');
    c.send({ id: 0, type: 'ping' });
    assert.equal((await c.next((m) => m.id === 0)).error.code, 'invalid_format');
    c.send({ type: 'ping' });
    const noId = await c.next((m) => m.id === null);
    assert.deepEqual(noId.error, { code: 'invalid_format', message: 'Message incorrectly formatted.' });
    c.send({ id: 6, type: 'no_such_command' });
    assert.deepEqual((await c.next((m) => m.id === 6)).error, { code: 'unknown_command', message: 'Unknown command.' });
    // An unknown command does not consume its id (HA returns before recording it).
    c.send({ id: 6, type: 'ping' });
    assert.equal((await c.next((m) => m.id === 6)).type, 'pong');
    c.send({ id: 7, type: 'ping', extra: true });
    assert.deepEqual((await c.next((m) => m.id === 7)).error, {
      code: 'invalid_format',
      message: 'extra keys not allowed',
    });
    c.send({ id: 8, type: 'unsubscribe_events' });
    assert.match((await c.next((m) => m.id === 8)).error.message, /required key not provided @ data\['subscription'\]/);
    c.close();
  });

  test('an array of commands in one frame is handled in order; without coalescing each answer is its own frame', async () => {
    const c = await TestClient.authed(home);
    const framesBefore = c.frames.length;
    c.send([
      { id: 1, type: 'ping' },
      { id: 2, type: 'ping' },
      { id: 3, type: 'ping' },
    ]);
    await c.next((m) => m.id === 3);
    assert.deepEqual(
      c.messages.slice(-3).map((m) => m.id),
      [1, 2, 3],
    );
    assert.equal(c.frames.length - framesBefore, 3);
    assert.ok(c.frames.slice(-3).every((f) => f.startsWith('{')));
    c.close();
  });

  test('with coalesce_messages, several queued messages go out as one JSON array, a single one bare', async () => {
    const c = await TestClient.authed(home);
    const features = await c.command({ type: 'supported_features', features: { coalesce_messages: 1 } });
    assert.deepEqual(features, { id: 1, type: 'result', success: true, result: null });
    c.send([
      { id: 2, type: 'ping' },
      { id: 3, type: 'ping' },
    ]);
    await c.next((m) => m.id === 3);
    assert.deepEqual(JSON.parse(c.frames.at(-1) as string), [
      { id: 2, type: 'pong' },
      { id: 3, type: 'pong' },
    ]);
    c.send({ id: 4, type: 'ping' });
    await c.next((m) => m.id === 4);
    assert.equal(c.frames.at(-1), '{"id":4,"type":"pong"}');
    // Events queued together are coalesced too.
    c.send({ id: 5, type: 'subscribe_events', event_type: 'state_changed' });
    await c.next((m) => m.id === 5);
    const before = c.frames.length;
    await home.controls.burst(200);
    await c.waitFor(() => c.events(5).length === 200, 5000, '200 events');
    assert.ok(c.frames.length - before < 50, `200 events came in ${c.frames.length - before} frames`);
    assert.ok(c.frames.slice(before).some((f) => f.startsWith('[')));
    c.close();
  });

  test('get_states: every entity, in HA state shape', async () => {
    const c = await TestClient.authed(home);
    const { result, success } = await c.command({ type: 'get_states' });
    assert.equal(success, true);
    assert.equal(result.length, home.controls.entityIds().length);
    assert.ok(result.length >= 290 && result.length <= 310, `${result.length} entities`);
    for (const s of result as Msg[]) {
      assert.deepEqual(Object.keys(s), [
        'entity_id',
        'state',
        'attributes',
        'last_changed',
        'last_reported',
        'last_updated',
        'context',
      ]);
      assert.match(s.last_updated, ISO_MICROS);
      assert.match(s.last_changed, ISO_MICROS);
      assert.match(s.context.id, ULID);
      assert.equal(typeof s.attributes.friendly_name, 'string');
    }
    const domains = new Set((result as Msg[]).map((s) => s.entity_id.split('.')[0]));
    for (const d of ['sensor', 'binary_sensor', 'light', 'switch', 'climate', 'media_player', 'device_tracker']) {
      assert.ok(domains.has(d), `has ${d}`);
    }
    const temp = (result as Msg[]).find((s) => s.attributes.device_class === 'temperature');
    assert.deepEqual(Object.keys(temp?.attributes ?? {}), [
      'state_class',
      'unit_of_measurement',
      'device_class',
      'friendly_name',
    ]);
    assert.equal(temp?.attributes.unit_of_measurement, '°C');
    const energy = (result as Msg[]).find((s) => s.attributes.device_class === 'energy');
    assert.equal(energy?.attributes.state_class, 'total_increasing');
    c.close();
  });

  test('get_config: location, units, version and core state', async () => {
    const c = await TestClient.authed(home);
    const { result } = await c.command({ type: 'get_config' });
    for (const key of ['location_name', 'latitude', 'longitude', 'elevation', 'time_zone', 'unit_system', 'version']) {
      assert.ok(key in result, key);
    }
    assert.equal(result.state, 'RUNNING');
    assert.equal(result.version, '2025.1.0');
    assert.equal(result.unit_system.temperature, '°C');
    c.close();
  });

  test('the three registries list areas, devices and entities that reference each other', async () => {
    const c = await TestClient.authed(home);
    const areas = (await c.command({ type: 'config/area_registry/list' })).result as Msg[];
    const devices = (await c.command({ type: 'config/device_registry/list' })).result as Msg[];
    const entities = (await c.command({ type: 'config/entity_registry/list' })).result as Msg[];
    assert.equal(areas.length, 12);
    assert.ok(devices.length >= 70 && devices.length <= 110, `${devices.length} devices`);
    assert.equal(entities.length, home.controls.entityIds().length);
    for (const key of ['area_id', 'name', 'floor_id', 'icon', 'aliases', 'labels'])
      assert.ok(key in (areas[0] as Msg), key);
    for (const key of ['id', 'name', 'name_by_user', 'manufacturer', 'model', 'model_id', 'sw_version', 'hw_version']) {
      assert.ok(key in (devices[0] as Msg), key);
    }
    for (const key of ['serial_number', 'area_id', 'via_device_id', 'config_entries', 'identifiers', 'connections']) {
      assert.ok(key in (devices[0] as Msg), key);
    }
    for (const key of ['entity_id', 'id', 'unique_id', 'platform', 'device_id', 'area_id', 'name', 'original_name']) {
      assert.ok(key in (entities[0] as Msg), key);
    }
    const areaIds = new Set(areas.map((a) => a.area_id));
    const deviceIds = new Set(devices.map((d) => d.id));
    assert.ok(devices.every((d) => d.area_id === null || areaIds.has(d.area_id)));
    assert.ok(entities.every((e) => deviceIds.has(e.device_id)));
    assert.ok(
      areas.some((a) => /[^\x00-\x7f]/.test(a.name)),
      'a non-ASCII area name',
    );
    c.close();
  });

  test('subscribe_events / unsubscribe_events; unknown subscription is not_found', async () => {
    const c = await TestClient.authed(home);
    const sub = await c.command({ type: 'subscribe_events', event_type: 'state_changed' });
    assert.equal(sub.success, true);
    const fired = home.controls.fire('sensor.test_probe', '1', { friendly_name: 'Probe' });
    const event = await c.next((m) => m.type === 'event' && m.event.data.entity_id === 'sensor.test_probe');
    assert.equal(event.id, sub.id);
    assert.equal(event.event.event_type, 'state_changed');
    assert.deepEqual(event.event.data.new_state, fired);
    assert.equal(event.event.data.old_state, null);
    assert.equal(event.event.time_fired, fired.last_updated);
    assert.deepEqual(event.event.context, fired.context);
    assert.equal(event.event.origin, 'LOCAL');
    const unsub = await c.command({ type: 'unsubscribe_events', subscription: sub.id });
    assert.equal(unsub.success, true);
    home.controls.fire('sensor.test_probe', '2');
    const ping = await c.command({ type: 'ping' });
    assert.equal(ping.type, 'pong');
    assert.equal(c.events(sub.id).length, 1);
    const again = await c.command({ type: 'unsubscribe_events', subscription: sub.id });
    assert.deepEqual(again.error, { code: 'not_found', message: 'Subscription not found.' });
    c.close();
  });

  test('without event_type a subscription gets every event type; registry events carry HA fields', async () => {
    const c = await TestClient.authed(home);
    const all = await c.command({ type: 'subscribe_events' });
    const device = (await c.command({ type: 'config/device_registry/list' })).result[0] as Msg;
    home.controls.updateDevice(device.id, { name_by_user: 'Renamed by user' });
    home.controls.updateArea('kitchen', { name: 'Keuken' });
    const d = await c.next((m) => m.id === all.id && m.event.event_type === 'device_registry_updated');
    assert.deepEqual(d.event.data, { action: 'update', device_id: device.id, changes: { name_by_user: null } });
    const a = await c.next((m) => m.id === all.id && m.event.event_type === 'area_registry_updated');
    assert.deepEqual(a.event.data, { action: 'update', area_id: 'kitchen' });
    const areas = (await c.command({ type: 'config/area_registry/list' })).result as Msg[];
    assert.equal(areas.find((x) => x.area_id === 'kitchen')?.name, 'Keuken');
    home.controls.fire('sensor.test_all', 'x');
    await c.next((m) => m.id === all.id && m.event.event_type === 'state_changed');
    c.close();
  });

  test('invalid JSON in the command phase closes the connection', async () => {
    const c = await TestClient.authed(home);
    c.send('[{"id":1,');
    assert.equal((await c.closed).code, 1000);
  });
});
