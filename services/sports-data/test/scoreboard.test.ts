import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitFor } from '@homeiq/core/testing/temp';
import { type SimulatedScoreboard, startSimulatedScoreboard } from '../src/sim/scoreboard-sim';
import { AUTH, createWebhook, deliveries, type SportsFixture, sportsFixture, startReceiver } from './helpers';

const NFL = 'football/nfl';

describe('following a game through the scoreboard feed', () => {
  let sim: SimulatedScoreboard;
  let f: SportsFixture;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let seaHook: string;
  let lalHook: string;
  const env = () => ({
    SPORTS_TEAMS: 'nfl:SEA,nba:LAL',
    SPORTS_FEED_URL: sim.url,
    SPORTS_FEED_TIMEOUT: '2s',
  });

  before(async () => {
    sim = await startSimulatedScoreboard({
      games: [
        {
          id: 'g1',
          league: NFL,
          date: new Date(Date.now() + 5 * 60_000).toISOString(),
          home: { abbreviation: 'SEA', displayName: 'Seattle Seahawks' },
          away: { abbreviation: 'SF', displayName: 'San Francisco 49ers' },
          state: 'pre',
        },
        {
          id: 'g2',
          league: 'basketball/nba',
          date: new Date(Date.now() + 3 * 86_400_000).toISOString(),
          home: { abbreviation: 'BOS' },
          away: { abbreviation: 'LAL' },
          state: 'pre',
        },
      ],
    });
    receiver = await startReceiver();
    // Warm up fetch (undici loads lazily) so that a busy machine does not turn the first request into a timeout.
    await (await fetch(`${sim.url}/apis/site/v2/sports/${NFL}/scoreboard`)).text();
    f = await sportsFixture({ env: env() });
    seaHook = await createWebhook(f, {
      url: receiver.url,
      events: ['game_started', 'score_changed', 'game_ended'],
      teams: ['nfl:SEA'],
    });
    lalHook = await createWebhook(f, { url: `${receiver.url}?lal`, events: ['game_started'], teams: ['LAL'] });
  });
  after(async () => {
    await f.close();
    await sim.stop();
    await receiver.stop();
  });

  test('a game about to start is polled at the live rate, a game in 3 days at the idle rate', async () => {
    assert.equal(await f.poller.pollLeague(NFL), 15_000);
    assert.equal(await f.poller.pollLeague('basketball/nba'), 10 * 60_000);
    assert.equal(receiver.received.length, 0, 'nothing happened yet');
    const points = await f.store.queryPoints({ measurement: 'sports_data' });
    assert.equal(points.length, 2);
    assert.deepEqual(points.find((p) => p.tags.team === 'SEA')?.tags, {
      league: 'nfl',
      team: 'SEA',
      opponent: 'SF',
      status: 'pre',
    });
  });

  test('kickoff, scores and the final whistle become signed webhook deliveries', async () => {
    sim.updateGame('g1', { state: 'in', period: 1, displayClock: '15:00' });
    await f.poller.pollLeague(NFL);
    sim.updateGame('g1', { displayClock: '9:12' });
    await f.poller.pollLeague(NFL); // clock only: a point, no event
    sim.updateGame('g1', { displayClock: '8:40', homeScore: 7 });
    await f.poller.pollLeague(NFL);
    sim.updateGame('g1', { state: 'post', period: 4, displayClock: '0:00', awayScore: 3 });
    assert.equal(await f.poller.pollLeague(NFL), 10 * 60_000, 'back to the idle rate once it is over');

    await waitFor(() => receiver.received.length >= 4, 5000, 'four deliveries');
    await f.engine.settle();
    assert.deepEqual(
      receiver.received.map((r) => r.event),
      ['game_started', 'score_changed', 'score_changed', 'game_ended'],
    );
    assert.ok(
      receiver.received.every((r) => r.verified),
      'every signature checks out',
    );
    assert.ok(receiver.received.every((r) => r.payload.id === r.id && r.payload.event === r.event));
    assert.equal(new Set(receiver.received.map((r) => r.id)).size, 4, 'unique delivery ids');
    const score = receiver.received[1]?.payload.data as {
      team: string;
      game: Record<string, unknown>;
      previous: Record<string, unknown>;
    };
    assert.equal(score.team, 'SEA');
    assert.equal(score.game.team_score, 7);
    assert.equal(score.game.opponent_score, 0);
    assert.deepEqual(score.previous, { status: 'in', team_score: 0, opponent_score: 0 });
    const ended = receiver.received[3]?.payload.data as { game: Record<string, unknown> };
    assert.equal(ended.game.status, 'post');
    assert.equal(ended.game.opponent_score, 3);

    const log = await deliveries(f, seaHook);
    assert.equal(log.length, 4);
    assert.ok(log.every((d) => d.status === 'delivered' && d.attempts === 1 && d.last_status_code === 200));
    assert.equal((await deliveries(f, lalHook)).length, 0, 'the LAL webhook saw nothing of SEA');
  });

  test('every change is a sports_data point; the game shows in /api/v1/sports/games', async () => {
    const points = (await f.store.queryPoints({ measurement: 'sports_data', tags: { team: 'SEA' } })).map((p) => ({
      status: p.tags.status,
      ...p.fields,
    }));
    assert.deepEqual(points, [
      { status: 'pre', team_score: 0, opponent_score: 0, period: 0, clock: '0:00' },
      { status: 'in', team_score: 0, opponent_score: 0, period: 1, clock: '15:00' },
      { status: 'in', team_score: 0, opponent_score: 0, period: 1, clock: '9:12' },
      { status: 'in', team_score: 7, opponent_score: 0, period: 1, clock: '8:40' },
      { status: 'post', team_score: 7, opponent_score: 3, period: 4, clock: '0:00' },
    ]);
    await f.poller.pollLeague(NFL);
    assert.equal(
      (await f.store.queryPoints({ measurement: 'sports_data', tags: { team: 'SEA' } })).length,
      5,
      'unchanged: no new point',
    );

    const res = await f.app.inject({ url: '/api/v1/sports/games', headers: AUTH });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(body.teams, ['nfl:SEA', 'nba:LAL']);
    assert.deepEqual(
      body.games.map((g: Record<string, unknown>) => [g.team, g.status, g.team_score, g.opponent_score]),
      [
        ['LAL', 'pre', 0, 0],
        ['SEA', 'post', 7, 3],
      ],
    );
    const onlySea = await f.app.inject({ url: '/api/v1/sports/games?team=nfl:SEA', headers: AUTH });
    assert.equal(onlySea.json().games.length, 1);
    const bad = await f.app.inject({ url: '/api/v1/sports/games?status=live', headers: AUTH });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().field, 'querystring.status');
  });

  test('a restart does not repeat events it already sent', async () => {
    const count = receiver.received.length;
    await f.stop();
    f = await sportsFixture({ env: env(), dir: f.dir });
    await f.poller.pollAll();
    await f.engine.settle();
    assert.equal(receiver.received.length, count);
  });

  for (const fault of ['http500', 'http429', 'timeout', 'malformed', 'wrong-shape'] as const) {
    test(`feed ${fault}: health degraded with the reason, no events, then recovery`, async () => {
      const count = receiver.received.length;
      const points = (await f.store.queryPoints({ measurement: 'sports_data' })).length;
      sim.failNext(fault);
      const delay = await f.poller.pollLeague(NFL);
      assert.ok(delay >= 7_500 && delay <= 15_000, `first retry within the live interval, got ${delay}`);
      const report = (await f.app.inject({ url: '/health' })).json();
      assert.equal(report.status, 'degraded');
      assert.match(report.checks.feed.reason, /football\/nfl failing \(last success 20/);
      await f.poller.pollLeague(NFL);
      assert.equal((await f.app.inject({ url: '/health' })).json().status, 'healthy');
      assert.equal(receiver.received.length, count);
      assert.equal((await f.store.queryPoints({ measurement: 'sports_data' })).length, points);
    });
  }
});

describe('sports-data with its timers', () => {
  test('polls by itself at SPORTS_POLL_LIVE during a live game and delivers the score', async () => {
    const sim = await startSimulatedScoreboard({
      games: [
        {
          id: 'live',
          league: 'hockey/nhl',
          date: new Date().toISOString(),
          home: { abbreviation: 'SEA' },
          away: { abbreviation: 'VAN' },
          state: 'in',
          period: 2,
        },
      ],
    });
    const receiver = await startReceiver();
    const f = await sportsFixture({
      env: { SPORTS_TEAMS: 'nhl:SEA', SPORTS_FEED_URL: sim.url, SPORTS_POLL_LIVE: '50ms', SPORTS_POLL_IDLE: '1h' },
      start: false,
    });
    try {
      await createWebhook(f, { url: receiver.url, events: ['game_started', 'score_changed'] });
      f.start();
      await waitFor(() => receiver.received.length === 1, 5000, 'game_started (first seen live)');
      sim.updateGame('live', { homeScore: 1 });
      await waitFor(() => receiver.received.length === 2, 5000, 'score_changed');
      assert.equal(receiver.received[1]?.event, 'score_changed');
      assert.ok(sim.requests.length >= 2);
    } finally {
      await f.close();
      await sim.stop();
      await receiver.stop();
    }
  });
});
