import { counterFrom, gaugeFrom, labelledCounterFrom, labelledGaugeFrom, type MetricsRegistry } from '@homeiq/core';
import type { ScoreboardPoller } from './feed/poller';
import type { DeliveryEngine } from './webhooks/engine';

/** sports-data's metrics: scoreboard fetches per league and webhook deliveries, read at scrape time. */
export function registerSportsMetrics(
  registry: MetricsRegistry,
  poller: ScoreboardPoller,
  engine: DeliveryEngine,
): void {
  const leagues = () => poller.status().leagues;
  const perLeague = (read: (l: ReturnType<typeof leagues>[number]) => number) =>
    Object.fromEntries(leagues().map((l) => [l.path, read(l)]));
  labelledCounterFrom(registry, 'homeiq_sports_fetches_total', 'Scoreboard requests by league', 'league', () =>
    perLeague((l) => l.fetches),
  );
  labelledCounterFrom(
    registry,
    'homeiq_sports_fetch_failures_total',
    'Scoreboard requests that failed, by league (retried with backoff)',
    'league',
    () => perLeague((l) => l.fetchFailures),
  );
  labelledGaugeFrom(
    registry,
    'homeiq_sports_last_success_timestamp_seconds',
    'When the scoreboard of a league last answered (0: not yet)',
    ['league'],
    () => leagues().map((l) => ({ labels: { league: l.path }, value: (l.lastSuccessAt ?? 0) / 1000 })),
  );
  const stats = () => engine.stats();
  labelledCounterFrom(
    registry,
    'homeiq_webhook_deliveries_total',
    'Webhook delivery outcomes: delivered, retried (an attempt failed), given_up, dropped (queue full)',
    'outcome',
    () => {
      const s = stats();
      return { delivered: s.delivered, retried: s.retried, given_up: s.givenUp, dropped: s.dropped };
    },
  );
  counterFrom(
    registry,
    'homeiq_webhook_attempts_total',
    'Webhook delivery attempts (HTTP requests)',
    () => stats().attempts,
  );
  counterFrom(
    registry,
    'homeiq_webhook_subscriptions_disabled_total',
    'Subscriptions disabled after WEBHOOK_DISABLE_AFTER consecutive given-up deliveries',
    () => stats().disabled,
  );
  gaugeFrom(registry, 'homeiq_webhook_deliveries_pending', 'Deliveries waiting or in flight', () => {
    const s = stats();
    return s.pending + s.inFlight;
  });
}
