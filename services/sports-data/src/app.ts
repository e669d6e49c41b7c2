import { createServiceApp, type HealthCheck, type HttpApp, type Logger } from '@homeiq/core';
import type { LiveFeed, TimeSeriesStore } from '@homeiq/storage';
import { type SportsConfig, sportsSchema } from './config';
import type { GameSnapshot } from './feed/espn';
import { GameStore } from './feed/game-store';
import { ScoreboardPoller } from './feed/poller';
import { teamMatches } from './feed/tracker';
import { registerSportsMetrics } from './metrics';
import { SPORTS_OPENAPI } from './openapi';
import { registerGameRoutes } from './routes/games';
import { registerWebhookRoutes } from './routes/webhooks';
import { openWebhookDb } from './webhooks/db';
import { EgressPolicy, type Resolver } from './webhooks/egress';
import { DeliveryEngine } from './webhooks/engine';
import { LiveBridge } from './webhooks/live-bridge';
import { SecretBox } from './webhooks/secret-box';
import { WebhookStore } from './webhooks/store';
import type { SportsEventName } from './webhooks/types';

export interface SportsAppDeps {
  config: SportsConfig;
  logger: Logger;
  apiKey: string;
  store: () => Promise<TimeSeriesStore>;
  /** webhooks.db */
  webhooksDbPath: string;
  /** Key sealing the webhook secrets in webhooks.db (loadSecretKey). */
  secretKey: Buffer;
  /** Home Assistant state changes for entity-filter webhooks; none means such webhooks only queue nothing. */
  liveFeed?: LiveFeed;
  /** State of a remote live feed (split deployment); undefined when in-process. */
  liveFeedStatus?: () => { connected: boolean; lastError: string | null } | undefined;
  colocated?: () => string[];
  clock?: () => number;
  random?: () => number;
  /** DNS for webhook receivers (tests inject one); default the system resolver. */
  resolve?: Resolver;
  /** false: no timers, the test drives engine.pump() with its own clock. */
  autoPump?: boolean;
}

export interface SportsApp {
  app: HttpApp;
  engine: DeliveryEngine;
  poller: ScoreboardPoller;
  bridge: LiveBridge | undefined;
  webhooks: WebhookStore;
  /** Starts the engine, the live bridge and the scoreboard polls (not the HTTP listener). */
  start(): void;
  /** Stops them and closes webhooks.db. */
  stop(): Promise<void>;
}

/** What a sports webhook receives as `data`. */
export function sportsPayload(event: SportsEventName, game: GameSnapshot, previous: GameSnapshot | undefined) {
  return {
    event,
    league: game.league,
    team: game.team,
    opponent: game.opponent,
    game: {
      id: game.gameId,
      status: game.status,
      period: game.period,
      clock: game.clock,
      team_score: game.teamScore,
      opponent_score: game.opponentScore,
      home: game.home,
      start_time: game.startTime,
      detail: game.detail,
    },
    previous: previous
      ? { status: previous.status, team_score: previous.teamScore, opponent_score: previous.opponentScore }
      : null,
  };
}

/** Builds sports-data from its dependencies; opens webhooks.db, starts nothing. */
export function buildSportsApp(deps: SportsAppDeps): SportsApp {
  const { config } = deps;
  const clock = deps.clock ?? Date.now;
  const db = openWebhookDb(deps.webhooksDbPath);
  const webhooks = new WebhookStore(db, new SecretBox(deps.secretKey));
  const sealing = webhooks.sealSecrets(clock());
  if (sealing.sealed > 0) deps.logger.info({ sealed: sealing.sealed }, 'webhook secrets encrypted at rest');
  if (sealing.unreadable.length > 0) {
    deps.logger.warn(
      { subscriptions: sealing.unreadable },
      'webhook secrets do not open with this key: subscriptions disabled',
    );
  }
  const games = new GameStore(db);
  const egress = new EgressPolicy({
    allowPrivate: config.webhookAllowPrivate,
    allowedHosts: config.webhookAllowedHosts,
    resolve: deps.resolve,
  });
  const engine = new DeliveryEngine({
    store: webhooks,
    egress,
    logger: deps.logger.child({ module: 'webhooks' }),
    policy: { baseMs: config.webhookRetryBase, maxDelayMs: config.webhookRetryMax, maxAgeMs: config.webhookMaxAge },
    timeoutMs: config.webhookTimeout,
    concurrency: config.webhookConcurrency,
    disableAfter: config.webhookDisableAfter,
    maxPending: config.webhookMaxPending,
    logRetentionMs: config.webhookLogRetention,
    clock,
    random: deps.random,
    autoPump: deps.autoPump,
  });
  const poller = new ScoreboardPoller({
    teams: config.teams,
    feedUrl: config.feedUrl,
    pollLiveMs: config.pollLive,
    pollIdleMs: config.pollIdle,
    timeoutMs: config.feedTimeout,
    games,
    store: deps.store,
    logger: deps.logger.child({ module: 'scoreboard' }),
    clock,
    random: deps.random,
    onEvent: (event, game, previous) => {
      const data = sportsPayload(event, game, previous);
      const subs = engine
        .enabledSubscriptions()
        .filter((s) => s.kind === 'sports' && s.events.includes(event) && teamMatches(s.teams, game.league, game.team));
      engine.enqueue(subs.map((subscription) => ({ subscription, event, data })));
    },
  });
  const bridge = deps.liveFeed
    ? new LiveBridge(deps.liveFeed, engine, deps.logger.child({ module: 'live-webhooks' }))
    : undefined;
  const teamNames = config.teams.map((t) => `${t.league}:${t.team}`);

  const { app, metrics } = createServiceApp({
    name: 'sports-data',
    logger: deps.logger,
    apiKey: deps.apiKey,
    colocated: deps.colocated,
    config: () => [{ schema: sportsSchema, config: { ...config, teams: teamNames } }],
    checks: () => ({
      feed: feedCheck(poller, teamNames),
      store: storeCheck(poller),
      webhooks: webhooksCheck(engine, bridge, deps.liveFeedStatus),
    }),
    openApi: SPORTS_OPENAPI,
  });
  registerSportsMetrics(metrics, poller, engine);
  registerGameRoutes(app, { games, poller, teams: teamNames, recentMs: config.recent, clock });
  registerWebhookRoutes(app, {
    store: webhooks,
    engine,
    egress,
    maxSubscriptions: config.webhookMaxSubscriptions,
    clock,
  });

  let stopped = false;
  return {
    app,
    engine,
    poller,
    bridge,
    webhooks,
    start() {
      engine.start();
      bridge?.start();
      poller.start();
      games.prune(clock() - Math.max(config.recent, 86_400_000));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await poller.stop();
      bridge?.stop();
      await engine.stop();
      db.close();
    },
  };
}

function feedCheck(poller: ScoreboardPoller, teams: string[]): HealthCheck {
  if (teams.length === 0) return { status: 'healthy', note: 'no teams followed (SPORTS_TEAMS is empty)', leagues: [] };
  const leagues = poller.status().leagues.map((l) => ({
    league: l.path,
    live: l.live,
    lastSuccess: l.lastSuccessAt === null ? null : new Date(l.lastSuccessAt).toISOString(),
    consecutiveFailures: l.consecutiveFailures,
    lastError: l.lastError,
  }));
  const failing = leagues.filter((l) => l.consecutiveFailures > 0);
  if (failing.length === 0) return { status: 'healthy', leagues };
  const reason = failing
    .map((l) => `${l.league} failing (last success ${l.lastSuccess ?? 'never'}): ${l.lastError}`)
    .join('; ');
  return { status: 'degraded', reason, leagues };
}

function storeCheck(poller: ScoreboardPoller): HealthCheck {
  const s = poller.status();
  if (s.storeError === null) return { status: 'healthy', pendingPoints: s.pendingPoints };
  return { status: 'degraded', reason: `cannot write sports points: ${s.storeError}`, pendingPoints: s.pendingPoints };
}

function webhooksCheck(
  engine: DeliveryEngine,
  bridge: LiveBridge | undefined,
  liveFeedStatus: SportsAppDeps['liveFeedStatus'],
): HealthCheck {
  const live = bridge?.stats();
  const detail = { ...engine.stats(), live: live ?? null };
  const remote = live?.listening ? liveFeedStatus?.() : undefined;
  if (remote && !remote.connected) {
    const reason = `live feed from websocket-ingestion disconnected (${remote.lastError ?? 'connecting'}): entity-filter webhooks miss state changes meanwhile`;
    return { status: 'degraded', reason, ...detail };
  }
  return { status: 'healthy', ...detail };
}
