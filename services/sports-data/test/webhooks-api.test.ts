import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AUTH, SECRET, type SportsFixture, sportsFixture } from './helpers';

describe('/api/v1/webhooks', () => {
  let f: SportsFixture;
  before(async () => {
    f = await sportsFixture();
  });
  after(() => f.close());

  const post = (payload: Record<string, unknown>, headers: Record<string, string> = AUTH) =>
    f.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers, payload });

  test('create, read, list, disable, enable, delete; the secret is never returned', async () => {
    const created = await post({
      url: 'https://example.test/hooks/sports',
      secret: SECRET,
      events: ['score_changed', 'game_ended'],
      teams: ['nfl:sea', 'lal'],
      description: 'scores to the kitchen display',
    });
    assert.equal(created.statusCode, 201);
    const sub = created.json();
    assert.match(sub.id, /^wh_[0-9a-f]{16}$/);
    assert.equal(sub.kind, 'sports');
    assert.deepEqual(sub.teams, ['nfl:SEA', 'LAL']);
    assert.equal(sub.enabled, true);
    assert.equal(sub.pending, 0);

    const entity = await post({
      url: 'http://nodered.example.test:1880/ha',
      secret: SECRET,
      entity_filter: { entity_ids: ['sensor.*_temperature'], state: { above: 25 } },
    });
    assert.equal(entity.statusCode, 201);
    assert.equal(entity.json().kind, 'entity');
    assert.deepEqual(entity.json().events, ['state_changed']);

    const one = await f.app.inject({ url: `/api/v1/webhooks/${sub.id}`, headers: AUTH });
    assert.equal(one.json().description, 'scores to the kitchen display');
    const list = await f.app.inject({ url: '/api/v1/webhooks', headers: AUTH });
    assert.equal(list.json().webhooks.length, 2);
    for (const body of [created.body, entity.body, one.body, list.body]) {
      assert.ok(!body.includes(SECRET), 'secret leaked');
      assert.ok(!body.includes('"secret"'), 'no secret field at all');
    }

    const off = await f.app.inject({
      method: 'PATCH',
      url: `/api/v1/webhooks/${sub.id}`,
      headers: AUTH,
      payload: { enabled: false },
    });
    assert.equal(off.json().enabled, false);
    assert.equal(off.json().disabled_reason, 'disabled by request');
    const on = await f.app.inject({
      method: 'PATCH',
      url: `/api/v1/webhooks/${sub.id}`,
      headers: AUTH,
      payload: { enabled: true },
    });
    assert.equal(on.json().enabled, true);
    assert.equal(on.json().disabled_reason, null);

    const del = await f.app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${sub.id}`, headers: AUTH });
    assert.equal(del.statusCode, 204);
    const gone = await f.app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${sub.id}`, headers: AUTH });
    assert.equal(gone.statusCode, 404);
    assert.equal((await f.app.inject({ url: `/api/v1/webhooks/${sub.id}/deliveries`, headers: AUTH })).statusCode, 404);
  });

  test('bad input is a 400 naming the field, and nothing is created', async () => {
    const before = (await f.app.inject({ url: '/api/v1/webhooks', headers: AUTH })).json().webhooks.length;
    const ok = { url: 'https://example.test/h', secret: SECRET, events: ['game_started'] };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...ok, url: 'ftp://example.test/h' }, 'url'],
      [{ ...ok, url: 'not a url' }, 'url'],
      [{ ...ok, url: undefined }, 'body.url'],
      [{ ...ok, secret: 'short' }, 'body.secret'],
      [{ ...ok, secret: undefined }, 'body.secret'],
      [{ ...ok, events: ['touchdown'] }, 'body.events.0'],
      [{ ...ok, events: [] }, 'body.events'],
      [{ ...ok, events: undefined }, 'events'],
      [{ ...ok, teams: ['not a team!'] }, 'body.teams.0'],
      [{ ...ok, entity_filter: { domains: ['light'] } }, 'events'],
      [{ url: ok.url, secret: SECRET, entity_filter: {} }, 'entity_filter'],
      [
        { url: ok.url, secret: SECRET, entity_filter: { domains: ['light'], state: { above: 5, below: 1 } } },
        'entity_filter.state.below',
      ],
      [
        { url: ok.url, secret: SECRET, entity_filter: { domains: ['light'], state: { above: 'warm' } } },
        'body.entity_filter.state.above',
      ],
      [{ ...ok, colour: 'blue' }, 'body'],
    ];
    for (const [payload, field] of cases) {
      const res = await post(payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().field, field, JSON.stringify(payload));
    }
    assert.equal((await f.app.inject({ url: '/api/v1/webhooks/nope', headers: AUTH })).json().field, 'params.id');
    const after = (await f.app.inject({ url: '/api/v1/webhooks', headers: AUTH })).json().webhooks.length;
    assert.equal(after, before);
  });

  test('behind API_KEY', async () => {
    assert.equal((await f.app.inject({ url: '/api/v1/webhooks' })).statusCode, 401);
    assert.equal(
      (await f.app.inject({ url: '/api/v1/webhooks', headers: { authorization: 'Bearer wrong' } })).statusCode,
      403,
    );
    assert.equal((await post({ url: 'https://x.test', secret: SECRET, events: ['game_started'] }, {})).statusCode, 401);
    assert.equal((await f.app.inject({ url: '/health' })).statusCode, 200);
  });
});
