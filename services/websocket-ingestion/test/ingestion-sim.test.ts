import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type SimulatedHome, startSimulatedHome } from '@homeiq/ha';
import { compare, type Started, startIngestion, storedEvents, waitFor, waitForExact } from './helpers';

describe('websocket-ingestion against the simulated home (real sockets, real SQLite)', () => {
  let home: SimulatedHome;
  let ing: Started;

  before(async () => {
    home = await startSimulatedHome({ rate: 0, entityCount: 80, seed: 3 });
    ing = await startIngestion(home);
    await waitFor(() => ing.service.stats().haConnected, 10_000, 'connected');
  });

  after(async () => {
    await ing?.stop();
    await home?.stop();
  });

  test('a burst is stored exactly once', async () => {
    await home.controls.burst(2000);
    await waitForExact(home, ing);
    const stats = ing.service.stats();
    assert.equal(stats.received, 2000);
    assert.equal(stats.pending, 0);
  });

  test('a socket drop with a gap: the gap comes back from history, nothing doubled', async () => {
    home.controls.setRate(200);
    await new Promise((r) => setTimeout(r, 300));
    home.controls.dropConnections({ refuseForMs: 1200 });
    await new Promise((r) => setTimeout(r, 1500));
    home.controls.setRate(0);
    await waitFor(() => ing.service.stats().haConnected, 10_000, 'reconnected');
    await waitForExact(home, ing);
    const stats = ing.service.stats();
    assert.ok(stats.backfilled > 50, `backfilled ${stats.backfilled}`);
    assert.ok(stats.reconnects >= 1);
  });

  test('a Home Assistant restart (unavailable flood, then real values) loses nothing', async () => {
    home.controls.setRate(100);
    await home.controls.restart({ downMs: 600, startingMs: 200 });
    await new Promise((r) => setTimeout(r, 300));
    home.controls.setRate(0);
    await waitFor(() => ing.service.stats().haConnected, 10_000, 'reconnected');
    await waitForExact(home, ing);
    const unavailable = (await storedEvents(ing.runtime)).filter((e) => e.state === 'unavailable');
    assert.ok(unavailable.length >= 50, `only ${unavailable.length} unavailable states stored`);
  });

  test('a removal is stored as state "" with removed=true', async () => {
    const id = home.controls.entityIds().find((e) => e.startsWith('switch.'))!;
    home.controls.removeEntity(id);
    await waitForExact(home, ing);
    const events = await storedEvents(ing.runtime, { entityIds: [id] });
    const last = events.at(-1)!;
    assert.equal(last.removed, true);
    assert.equal(last.state, '');
  });

  test('a rename keeps history reachable under the new id', async () => {
    const old = home.controls.entityIds().find((e) => e.startsWith('sensor.'))!;
    home.controls.fire(old, '1.5');
    const renamed = `${old}_renamed`;
    home.controls.renameEntity(old, renamed);
    home.controls.fire(renamed, '2.5');
    await waitForExact(home, ing);
    const metadata = ing.runtime.metadata();
    await waitFor(() => metadata.historyIds(renamed).includes(old), 5000, 'rename in metadata');
    const stored = await storedEvents(ing.runtime, { entityIds: metadata.historyIds(renamed) });
    assert.ok(stored.some((e) => e.entityId === old && e.state === '1.5'));
    assert.ok(stored.some((e) => e.entityId === renamed && e.state === '2.5'));
  });

  test('unicode in entity ids and attributes round-trips', async () => {
    const id = 'sensor.température_çà_日本';
    const attrs = { friendly_name: 'Température 🌡️ «salon»', note: '日本語 — ok', unit_of_measurement: '°C' };
    home.controls.fire(id, '21.5', attrs);
    await waitForExact(home, ing);
    const [e] = await storedEvents(ing.runtime, { entityIds: [id] });
    assert.equal(e?.state, '21.5');
    assert.deepEqual(e?.attributes, attrs);
  });

  test('1000 malformed frames: counted, no crash, valid events keep flowing', async () => {
    const rejected0 = ing.service.stats().rejected;
    home.controls.setRate(100);
    const bad = [
      '{not json',
      '[{"id":2,"type":"event","event":{"event_type":"state_changed","data":{"entity_id":"sensor.bad","new_state":{"state":5}}}}]',
      '{"id":2,"type":"event","event":{"event_type":"state_changed","data":{"entity_id":"sensor.bad2","new_state":{"state":"1","last_updated":"yesterday"}}}}',
      '{"id":2,"type":"event","event":{"event_type":"state_changed","data":{"entity_id":42}}}',
      '"just a string"',
      '{"type":"mystery"}',
      '[1,2,3]',
      '',
    ];
    for (let i = 0; i < 1000; i++) home.controls.sendRaw(bad[i % bad.length]!);
    await new Promise((r) => setTimeout(r, 500));
    home.controls.setRate(0);
    await waitForExact(home, ing);
    const stats = ing.service.stats();
    assert.ok(stats.rejected - rejected0 >= 1000, `rejected ${stats.rejected - rejected0}`);
    assert.equal(stats.haConnected, true);
    const diff = compare(home.controls.emitted(), await storedEvents(ing.runtime));
    assert.equal(diff.extra.length, 0);
  });
});
