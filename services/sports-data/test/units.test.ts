import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import type { StateEvent } from '@homeiq/storage';
import { loadSportsConfig } from '../src/config';
import { FeedFormatError, type GameSnapshot, parseScoreboard, snapshotFor } from '../src/feed/espn';
import { parseTeam } from '../src/feed/leagues';
import { gameEvents, teamMatches } from '../src/feed/tracker';
import { renderGame } from '../src/sim/scoreboard-sim';
import { backoffDelay, nextAttemptAt } from '../src/webhooks/backoff';
import { compileEntityFilter, globToRegExp } from '../src/webhooks/filters';
import { signature, verifySignature } from '../src/webhooks/signing';

/** A scoreboard as ESPN's site API writes it (trimmed to the fields a client reads, plus some it ignores). */
const ESPN_BODY = {
  leagues: [{ id: '28', abbreviation: 'NFL', slug: 'nfl' }],
  season: { type: 2, year: 2024 },
  week: { number: 18 },
  events: [
    {
      id: '401671789',
      date: '2025-01-05T21:25Z',
      name: 'Seattle Seahawks at Los Angeles Rams',
      shortName: 'SEA @ LAR',
      competitions: [
        {
          id: '401671789',
          date: '2025-01-05T21:25Z',
          competitors: [
            {
              id: '14',
              homeAway: 'home',
              team: { id: '14', abbreviation: 'LAR', displayName: 'Los Angeles Rams' },
              score: '25',
            },
            {
              id: '26',
              homeAway: 'away',
              team: { id: '26', abbreviation: 'SEA', displayName: 'Seattle Seahawks' },
              score: '30',
            },
          ],
          status: {
            clock: 0,
            displayClock: '0:00',
            period: 4,
            type: {
              id: '3',
              name: 'STATUS_FINAL',
              state: 'post',
              completed: true,
              detail: 'Final',
              shortDetail: 'Final',
            },
          },
        },
      ],
    },
    {
      id: '401671790',
      date: '2025-01-05T18:00Z',
      competitions: [
        {
          competitors: [
            { homeAway: 'home', team: { abbreviation: 'KC' }, score: '7' },
            { homeAway: 'away', team: { abbreviation: 'DEN' }, score: '14' },
          ],
          status: { displayClock: '4:12', period: 2, type: { state: 'in', shortDetail: '4:12 - 2nd' } },
        },
      ],
    },
    { id: '999', competitions: [] },
  ],
};

describe('ESPN scoreboard', () => {
  test('parses games; a malformed event is skipped and counted, not fatal', () => {
    const { games, skipped } = parseScoreboard(ESPN_BODY);
    assert.equal(games.length, 2);
    assert.equal(skipped.length, 1);
    assert.match(skipped[0] ?? '', /event 999: no competitions/);
    assert.deepEqual(games[0], {
      id: '401671789',
      name: 'Seattle Seahawks at Los Angeles Rams',
      startTime: '2025-01-05T21:25:00.000Z',
      status: 'post',
      period: 4,
      clock: '0:00',
      detail: 'Final',
      competitors: [
        { abbreviation: 'LAR', name: 'Los Angeles Rams', score: 25, home: true },
        { abbreviation: 'SEA', name: 'Seattle Seahawks', score: 30, home: false },
      ],
    });
    assert.equal(games[1]?.status, 'in');
    assert.equal(games[1]?.clock, '4:12');
  });

  test('a followed team sees its own score first', () => {
    const game = parseScoreboard(ESPN_BODY).games[0];
    assert.ok(game);
    const s = snapshotFor(game, 'nfl', 'SEA');
    assert.equal(s?.opponent, 'LAR');
    assert.equal(s?.teamScore, 30);
    assert.equal(s?.opponentScore, 25);
    assert.equal(s?.home, false);
    assert.equal(snapshotFor(game, 'nfl', 'SF'), undefined);
  });

  test('bodies that are not a scoreboard are FeedFormatErrors', () => {
    for (const body of [null, [], { events: 'x' }, { leagues: [] }]) {
      assert.throws(() => parseScoreboard(body), FeedFormatError);
    }
    const badScore = structuredClone(ESPN_BODY);
    (badScore.events[0]?.competitions[0]?.competitors[0] as { score: string }).score = 'lots';
    assert.equal(parseScoreboard(badScore).skipped.length, 2);
  });

  test('the simulator renders what the parser reads (same format both ways)', () => {
    const rendered = renderGame({
      id: 'g1',
      league: 'basketball/nba',
      date: '2025-02-01T03:00:00Z',
      home: { abbreviation: 'LAL', score: 88 },
      away: { abbreviation: 'BOS', score: 90 },
      state: 'in',
      period: 3,
      displayClock: '5:31',
    });
    const [game] = parseScoreboard({ events: [rendered] }).games;
    assert.equal(game?.startTime, '2025-02-01T03:00:00.000Z');
    assert.deepEqual(game && { ...snapshotFor(game, 'nba', 'LAL'), detail: '' }, {
      gameId: 'g1',
      league: 'nba',
      team: 'LAL',
      opponent: 'BOS',
      home: true,
      status: 'in',
      period: 3,
      clock: '5:31',
      teamScore: 88,
      opponentScore: 90,
      startTime: '2025-02-01T03:00:00.000Z',
      detail: '',
      name: 'BOS at LAL',
    });
  });
});

describe('game events', () => {
  const base: GameSnapshot = {
    gameId: '1',
    league: 'nfl',
    team: 'SEA',
    opponent: 'SF',
    home: true,
    status: 'pre',
    period: 0,
    clock: '0:00',
    teamScore: 0,
    opponentScore: 0,
    startTime: null,
    detail: '',
    name: null,
  };
  const at = (patch: Partial<GameSnapshot>): GameSnapshot => ({ ...base, ...patch });
  const table: Array<[string, GameSnapshot | undefined, GameSnapshot, string[]]> = [
    ['first seen scheduled', undefined, at({}), []],
    ['first seen live', undefined, at({ status: 'in', teamScore: 7 }), ['game_started']],
    ['first seen final', undefined, at({ status: 'post' }), []],
    ['kickoff', at({}), at({ status: 'in', period: 1 }), ['game_started']],
    ['kickoff missed, already scored', at({}), at({ status: 'in', teamScore: 3 }), ['game_started', 'score_changed']],
    ['clock only', at({ status: 'in', clock: '5:00' }), at({ status: 'in', clock: '4:00' }), []],
    ['score', at({ status: 'in' }), at({ status: 'in', opponentScore: 7 }), ['score_changed']],
    ['final whistle', at({ status: 'in', teamScore: 7 }), at({ status: 'post', teamScore: 7 }), ['game_ended']],
    [
      'last score and final together',
      at({ status: 'in' }),
      at({ status: 'post', teamScore: 3 }),
      ['score_changed', 'game_ended'],
    ],
    ['postponed', at({}), at({ status: 'post' }), []],
    ['unchanged final', at({ status: 'post' }), at({ status: 'post' }), []],
  ];
  for (const [name, previous, next, expected] of table) {
    test(name, () => assert.deepEqual(gameEvents(previous, next), expected));
  }

  test('team filters', () => {
    assert.equal(teamMatches([], 'nfl', 'SEA'), true);
    assert.equal(teamMatches(['SEA'], 'nfl', 'SEA'), true);
    assert.equal(teamMatches(['nfl:SEA'], 'nfl', 'SEA'), true);
    assert.equal(teamMatches(['nba:SEA'], 'nfl', 'SEA'), false);
    assert.equal(teamMatches(['LAL'], 'nfl', 'SEA'), false);
  });
});

describe('SPORTS_TEAMS', () => {
  test('league:TEAM pairs, known leagues or an explicit ESPN path', () => {
    assert.deepEqual(parseTeam('nfl:sea'), { league: 'nfl', path: 'football/nfl', team: 'SEA' });
    assert.deepEqual(parseTeam('soccer/eng.1:ARS'), { league: 'soccer/eng.1', path: 'soccer/eng.1', team: 'ARS' });
    assert.match(parseTeam('SEA') as string, /not league:TEAM/);
    assert.match(parseTeam('curling:SWE') as string, /unknown league "curling"/);
  });

  test('config reports every bad entry and variable at once', () => {
    assert.throws(
      () => loadSportsConfig({ SPORTS_TEAMS: 'nfl:SEA,SEA,xfl:DC', SPORTS_POLL_LIVE: 'fast' }),
      (e: Error) =>
        /SPORTS_POLL_LIVE/.test(e.message) && /"SEA" is not/.test(e.message) && /unknown league "xfl"/.test(e.message),
    );
    assert.equal(loadSportsConfig({ SPORTS_TEAMS: 'nfl:SEA, nfl:sea ,nba:LAL' }).teams.length, 2);
  });
});

describe('retry schedule', () => {
  const policy = { baseMs: 30_000, maxDelayMs: 3_600_000, maxAgeMs: 86_400_000 };
  test('exponential with equal jitter, capped', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 1)),
      [30_000, 60_000, 120_000, 240_000],
    );
    assert.equal(
      backoffDelay(1, policy, () => 0),
      15_000,
    );
    assert.equal(
      backoffDelay(30, policy, () => 1),
      3_600_000,
    );
  });

  test('attempts continue for 24 h, then the delivery is given up', () => {
    let now = 0;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const next = nextAttemptAt(0, attempts, now, policy, () => 1);
      if (next === null) break;
      now = next;
    }
    assert.ok(now <= 86_400_000 && now > 86_400_000 - 3_600_000, `last attempt at ${now}`);
    assert.equal(attempts, 30, '7 doubling gaps (30 s .. 32 min), then hourly: 30 attempts in a day');
  });
});

describe('signatures', () => {
  test('sha256= hex HMAC over "timestamp.body"', () => {
    const expected = createHmac('sha256', 'secret').update('1700000000.{"a":1}').digest('hex');
    assert.equal(signature('secret', 1700000000, '{"a":1}'), `sha256=${expected}`);
    const sig = signature('secret', 1700000000, 'body');
    assert.equal(verifySignature('secret', '1700000000', 'body', sig, { nowSeconds: 1700000010 }), true);
    assert.equal(verifySignature('other', '1700000000', 'body', sig, { nowSeconds: 1700000010 }), false);
    assert.equal(verifySignature('secret', '1700000000', 'body!', sig, { nowSeconds: 1700000010 }), false);
    assert.equal(verifySignature('secret', '1700000000', 'body', sig, { nowSeconds: 1700009999 }), false, 'too old');
  });
});

describe('entity filters', () => {
  const ev = (entityId: string, state: string, removed = false): StateEvent => ({
    entityId,
    time: 1,
    lastChanged: 1,
    state,
    removed,
    attributes: {},
    contextId: null,
    contextParentId: null,
    contextUserId: null,
    origin: null,
    areaId: null,
    deviceId: null,
  });

  test('globs', () => {
    assert.equal(globToRegExp('sensor.*_temperature').test('sensor.kitchen_temperature'), true);
    assert.equal(globToRegExp('sensor.*_temperature').test('sensorXkitchen_temperature'), false, 'the dot is literal');
    assert.equal(globToRegExp('light.?').test('light.a'), true);
    assert.equal(globToRegExp('light.?').test('light.ab'), false);
  });

  test('entity ids, domains and state conditions combine', () => {
    const cases: Array<[Parameters<typeof compileEntityFilter>[0], StateEvent, boolean]> = [
      [{ entity_ids: ['sensor.*'] }, ev('sensor.a', '1'), true],
      [{ entity_ids: ['sensor.*'] }, ev('light.a', 'on'), false],
      [{ domains: ['light', 'switch'] }, ev('switch.fan', 'off'), true],
      [{ domains: ['light'], entity_ids: ['*.kitchen*'] }, ev('light.hall', 'on'), false],
      [{ domains: ['light'], state: { equals: 'on' } }, ev('light.hall', 'on'), true],
      [{ domains: ['light'], state: { equals: 'on' } }, ev('light.hall', 'off'), false],
      [{ domains: ['lock'], state: { not_equals: 'locked' } }, ev('lock.door', 'unlocked'), true],
      [{ domains: ['sensor'], state: { above: 25 } }, ev('sensor.t', '25.5'), true],
      [{ domains: ['sensor'], state: { above: 25 } }, ev('sensor.t', '25'), false],
      [{ domains: ['sensor'], state: { above: 25 } }, ev('sensor.t', 'unavailable'), false],
      [{ domains: ['sensor'], state: { above: 10, below: 20 } }, ev('sensor.t', '15'), true],
      [{ domains: ['sensor'], state: { below: 20 } }, ev('sensor.t', ''), false],
      [{ domains: ['sensor'] }, ev('sensor.t', '', true), true],
      [{ domains: ['sensor'], state: { below: 20 } }, ev('sensor.t', '', true), false],
    ];
    for (const [filter, event, expected] of cases) {
      assert.equal(
        compileEntityFilter(filter)(event),
        expected,
        `${JSON.stringify(filter)} on ${event.entityId}=${event.state}`,
      );
    }
  });
});
