import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  type EmittedEvent,
  isoFromMicros,
  parseIsoMicros,
  pythonMicros,
  type SimulatedHome,
  startSimulatedHome,
} from '@homeiq/ha/sim/index';
import { type Msg, TestClient } from './sim-helpers';

const seconds = (iso: string) => (parseIsoMicros(iso) as number) / 1e6;
const micros = (iso: string) => parseIsoMicros(iso) as number;
const COMMIT_MS = 300;
const committed = () => new Promise((resolve) => setTimeout(resolve, COMMIT_MS * 2));

/** What HA's recorder answers for one emitted event with significant_changes_only false, stamps as ISO text. */
function expectedRow(e: EmittedEvent): Msg {
  if (!e.new_state) return { s: '', a: {}, lu: micros(e.time_fired) };
  const row: Msg = { s: e.new_state.state, a: e.new_state.attributes, lu: micros(e.new_state.last_updated) };
  if (e.new_state.last_changed !== e.new_state.last_updated) row.lc = micros(e.new_state.last_changed);
  return row;
}

/** History rows with their float stamps as the µs the live events showed (Python's rounding). */
function asMicros(result: Record<string, Msg[]>): Record<string, Msg[]> {
  const out: Record<string, Msg[]> = {};
  for (const [id, rows] of Object.entries(result)) {
    out[id] = rows.map((r) => {
      const row: Msg = { ...r, lu: pythonMicros(r.lu) };
      if (r.lc !== undefined) row.lc = pythonMicros(r.lc);
      return row;
    });
  }
  return out;
}

describe('simulated HA: history/history_during_period from its own record', () => {
  let home: SimulatedHome;
  let c: TestClient;
  let firstIso: string;
  let events: EmittedEvent[];
  const history = async (extra: Msg) =>
    c.command({
      type: 'history/history_during_period',
      entity_ids: [...new Set(events.map((e) => e.entity_id))],
      ...extra,
    });

  before(async () => {
    home = await startSimulatedHome({ rate: 0, seed: 3, entityCount: 120, recorderCommitIntervalMs: COMMIT_MS });
    await home.controls.burst(3000);
    const victim = home.controls.entityIds().find((id) => id.startsWith('binary_sensor.')) as string;
    home.controls.removeEntity(victim);
    await home.controls.burst(200);
    events = home.controls.emitted();
    firstIso = (events[0] as EmittedEvent).time_fired;
    c = await TestClient.authed(home);
    await committed();
  });
  after(async () => {
    c.close();
    await home.stop();
  });

  test('every emitted event comes back, per entity, in order (significant_changes_only false)', async () => {
    const { result } = await c.command({
      type: 'history/history_during_period',
      start_time: isoFromMicros(micros(firstIso) - 1),
      entity_ids: [...new Set(events.map((e) => e.entity_id))],
      include_start_time_state: false,
      significant_changes_only: false,
    });
    const expected: Record<string, Msg[]> = {};
    for (const e of events) {
      expected[e.entity_id] ??= [];
      expected[e.entity_id]?.push(expectedRow(e));
    }
    assert.deepEqual(asMicros(result), expected);
    const rows = Object.values(result as Record<string, Msg[]>).flat();
    assert.ok(
      rows.filter(
        (r) => !Number.isInteger(Math.round(r.lu * 1e6) / 1e6 - r.lu) || r.lu * 1e6 !== Math.round(r.lu * 1e6),
      ).length >
        rows.length / 2,
      'stamps are time.time() doubles, not whole microseconds',
    );
    assert.ok(
      rows.some((r) => r.s === ''),
      'the removal is a row with state ""',
    );
    assert.ok(
      rows.some((r) => r.lc !== undefined),
      'attribute-only changes carry lc',
    );
  });

  test('start_time and end_time are exclusive bounds, compared on the float stamps', async () => {
    const a = events[100] as EmittedEvent;
    const b = events[2000] as EmittedEvent;
    const { result } = await history({
      start_time: a.time_fired,
      end_time: b.time_fired,
      include_start_time_state: false,
      significant_changes_only: false,
    });
    const rows = Object.values(result as Record<string, Msg[]>).flat();
    assert.ok(rows.every((r) => r.lu > seconds(a.time_fired) && r.lu < seconds(b.time_fired)));
    // Strictly inside by their ISO text: all there. The two edge states are there only when their float lies inside.
    const inside = rows.filter(
      (r) => pythonMicros(r.lu) > micros(a.time_fired) && pythonMicros(r.lu) < micros(b.time_fired),
    );
    assert.equal(inside.length, 2000 - 100 - 1);
    assert.ok(rows.length - inside.length <= 2);
  });

  test('significant_changes_only (the default) keeps state changes, and every change of climate/device_tracker', async () => {
    const { result } = await history({
      start_time: isoFromMicros(micros(firstIso) - 1),
      include_start_time_state: false,
    });
    const significant = events.filter(
      (e) =>
        !e.new_state ||
        e.new_state.last_changed === e.new_state.last_updated ||
        /^(climate|device_tracker)\./.test(e.entity_id),
    );
    const count = Object.values(result as Record<string, Msg[]>).reduce((n, rows) => n + rows.length, 0);
    assert.equal(count, significant.length);
    assert.ok(significant.length < events.length, 'some attribute-only changes were left out');
    for (const rows of Object.values(result as Record<string, Msg[]>)) assert.ok(rows.every((r) => r.lc === undefined));
  });

  test('minimal_response: first state in full, then only changed states as {s, lu}; climate stays full', async () => {
    const { result } = await history({
      start_time: isoFromMicros(micros(firstIso) - 1),
      include_start_time_state: false,
      minimal_response: true,
    });
    for (const [id, rows] of Object.entries(result as Record<string, Msg[]>)) {
      if (id.startsWith('climate.')) {
        assert.ok(rows.every((r) => 'a' in r));
        continue;
      }
      assert.ok('a' in (rows[0] as Msg));
      for (let i = 1; i < rows.length; i++) {
        assert.deepEqual(Object.keys(rows[i] as Msg), ['s', 'lu']);
        assert.notEqual((rows[i] as Msg).s, (rows[i - 1] as Msg).s);
      }
    }
  });

  test('no_attributes gives a: {}; include_start_time_state adds the prior state stamped at start_time', async () => {
    const entity = (events[1500] as EmittedEvent).entity_id;
    const start = (events[1500] as EmittedEvent).time_fired;
    const { result } = await c.command({
      type: 'history/history_during_period',
      entity_ids: [entity],
      start_time: start,
      no_attributes: true,
      significant_changes_only: false,
    });
    const rows = result[entity] as Msg[];
    // The state fired at start_time is inside when its float lies after start_time, the start state when it lies
    // before, and neither when it is start_time exactly (HA's bounds exclude both ends).
    const edgeInside = rows.slice(1).some((r) => pythonMicros(r.lu) === micros(start));
    const prior = events.slice(0, 1500).findLast((e) => e.entity_id === entity);
    const startStates = edgeInside ? [prior] : [events[1500], prior];
    assert.ok(startStates.some((e) => e?.new_state?.state === rows[0]?.s));
    assert.deepEqual(rows[0], { s: rows[0]?.s, a: {}, lu: seconds(start) });
    assert.ok(rows.every((r) => Object.keys(r.a).length === 0));
    const later = events.slice(1501).filter((e) => e.entity_id === entity);
    assert.equal(rows.length, 1 + later.length + (edgeInside ? 1 : 0));
  });

  test('bad requests: missing entity_ids, unparseable times; a start in the future answers {}', async () => {
    const missing = await c.command({ type: 'history/history_during_period', start_time: firstIso });
    assert.equal(missing.error.code, 'invalid_format');
    assert.match(missing.error.message, /entity_ids/);
    const badStart = await history({ start_time: 'yesterday' });
    assert.deepEqual(badStart.error, { code: 'invalid_start_time', message: 'Invalid start_time' });
    const badEnd = await history({ start_time: firstIso, end_time: '2025-13-45T00:00:00' });
    assert.deepEqual(badEnd.error, { code: 'invalid_end_time', message: 'Invalid end_time' });
    const future = await history({ start_time: new Date(Date.now() + 3_600_000).toISOString() });
    assert.deepEqual(future.result, {});
    const unknown = await c.command({
      type: 'history/history_during_period',
      start_time: firstIso,
      entity_ids: ['sensor.does_not_exist'],
    });
    assert.deepEqual(unknown.result, {});
  });

  test('after a rename the recorded history answers under the new id', async () => {
    const oldId = home.controls.entityIds().find((id) => id.startsWith('sensor.')) as string;
    const before = events.filter((e) => e.entity_id === oldId).length;
    home.controls.renameEntity(oldId, 'sensor.renamed_for_history');
    await committed();
    const { result } = await c.command({
      type: 'history/history_during_period',
      start_time: isoFromMicros(micros(firstIso) - 1),
      entity_ids: ['sensor.renamed_for_history', oldId],
      include_start_time_state: false,
      significant_changes_only: false,
    });
    assert.equal(result['sensor.renamed_for_history'].length, before + 1);
    assert.deepEqual(
      result[oldId].map((r: Msg) => r.s),
      [''],
    );
  });
  test('history answers only what the recorder has committed', async () => {
    const entity = (events[0] as EmittedEvent).entity_id;
    const record = home.controls.fire(entity, 'fresh-uncommitted');
    const query = () =>
      c.command({
        type: 'history/history_during_period',
        entity_ids: [entity],
        start_time: isoFromMicros(micros(record.last_updated) - 1),
        include_start_time_state: false,
      });
    assert.deepEqual((await query()).result, {}, 'not visible before the commit');
    await committed();
    assert.equal((await query()).result[entity][0].s, 'fresh-uncommitted');
  });
});
