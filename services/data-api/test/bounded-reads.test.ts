// Reads are bounded: a byte budget per events page (huge stored attributes cannot blow the heap under parallel
// large-limit reads), non-finite or unsafe numbers are a 400 naming the parameter, and control characters in
// stored text come back as they went in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StateEvent } from '@homeiq/storage';
import { AUTH, makeApp, sqliteFixture, T0 } from './fixtures';

const BUDGET = 2 * 1024 * 1024;
const EVENTS = 120;
const ATTRIBUTE_BYTES = 400 * 1024;

type Fixture = Awaited<ReturnType<typeof sqliteFixture>>;
let fx: Fixture;
let app: ReturnType<typeof makeApp>['app'];

function bigEvent(i: number): StateEvent {
  return {
    entityId: `sensor.big_${i % 7}`,
    time: T0 + i * 1_000_000,
    lastChanged: T0 + i * 1_000_000,
    state: i === 0 ? 'nul\u0000and\u0001bell\u0007' : String(i),
    removed: false,
    // Stored before the ingestion limits existed: each event's attributes differ, so nothing is shared.
    attributes: { blob: `${i}:`.padEnd(ATTRIBUTE_BYTES, 'x'), ctrl: 'a\u0000b\u001fc' },
    contextId: null,
    contextParentId: null,
    contextUserId: null,
    origin: null,
    areaId: null,
    deviceId: null,
  };
}

before(async () => {
  fx = await sqliteFixture(false);
  for (let i = 0; i < EVENTS; i += 20) {
    await fx.store.writeEvents(Array.from({ length: 20 }, (_, k) => bigEvent(i + k)));
  }
  app = makeApp(fx.store, fx.metadata, { maxResponseBytes: BUDGET }).app;
  await app.ready();
});
after(async () => {
  await app.close();
  await fx.cleanup();
});

describe('bounded reads', () => {
  test('8 parallel limit=10000 reads of huge attributes: each page within the budget, paging complete and exact', async () => {
    const pages = await Promise.all(
      Array.from({ length: 8 }, () => app.inject({ method: 'GET', url: '/api/v1/events?limit=10000', headers: AUTH })),
    );
    for (const res of pages) {
      assert.equal(res.statusCode, 200);
      assert.ok(res.body.length <= BUDGET + ATTRIBUTE_BYTES, `page of ${res.body.length} bytes`);
      assert.match(String(res.headers['x-homeiq-truncated']), /budget/);
      const body = res.json() as { events: unknown[]; next_cursor: string | null };
      assert.ok(body.events.length >= 1 && body.events.length < EVENTS);
      assert.ok(body.next_cursor, 'a cut page says where to go on');
    }
    // All 120 events are 48 MB: unbounded, the 8 answers would hold 384 MB of text at once (and the heap more).
    const held = pages.reduce((sum, res) => sum + res.body.length, 0);
    assert.ok(held <= 8 * (BUDGET + ATTRIBUTE_BYTES), `8 pages hold ${Math.round(held / 1e6)} MB`);

    const seen = new Set<string>();
    let cursor: string | null = null;
    let requests = 0;
    do {
      const url: string = `/api/v1/events?limit=10000&order=asc${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await app.inject({ method: 'GET', url, headers: AUTH });
      assert.equal(res.statusCode, 200);
      const body = res.json() as { events: Array<{ entity_id: string; last_updated: string }>; next_cursor: string };
      for (const e of body.events) {
        const k = `${e.entity_id}|${e.last_updated}`;
        assert.ok(!seen.has(k), `event ${k} served twice`);
        seen.add(k);
      }
      cursor = body.next_cursor;
      requests++;
    } while (cursor && requests < 100);
    assert.equal(seen.size, EVENTS, 'every event once across the cut pages');
  });

  test('a page under the budget is not marked, and its limit is exact', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/events?limit=3', headers: AUTH });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['x-homeiq-truncated'], undefined);
    assert.equal((res.json() as { events: unknown[] }).events.length, 3);
  });

  test('control characters in stored state and attributes come back unchanged', async () => {
    const state = 'nul\u0000and\u0001bell\u0007';
    const url = `/api/v1/events?state=${encodeURIComponent(state)}`;
    const res = await app.inject({ method: 'GET', url, headers: AUTH });
    assert.equal(res.statusCode, 200);
    const events = (res.json() as { events: Array<{ state: string; attributes: { ctrl: string } }> }).events;
    assert.equal(events.length, 1);
    assert.equal(events[0]!.state, state);
    assert.equal(events[0]!.attributes.ctrl, 'a\u0000b\u001fc');
  });

  for (const [path, param] of [
    ['/api/v1/events', 'limit'],
    ['/api/v1/summary', 'hours'],
    ['/api/v1/summary', 'busiest'],
  ] as const) {
    for (const value of ['Infinity', '-Infinity', '1e309', '9007199254740993', 'NaN']) {
      test(`${path}?${param}=${value}: 400 naming ${param}`, async () => {
        const res = await app.inject({ method: 'GET', url: `${path}?${param}=${value}`, headers: AUTH });
        assert.equal(res.statusCode, 400, res.body);
        const body = res.json() as { field: string; message: string };
        assert.equal(body.field, `querystring.${param}`);
        assert.match(body.message, new RegExp(param));
      });
    }
  }
});
