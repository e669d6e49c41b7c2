import { bool, ConfigError, type ConfigOf, duration, int, list, loadConfig, secret, url } from '@homeiq/core';
import { parseTeam, type TeamRef } from './feed/leagues';
import { EgressPolicy } from './webhooks/egress';
import { parseSecretKey } from './webhooks/secret-box';

export const sportsSchema = {
  teams: list('SPORTS_TEAMS', 'Teams to follow, league:TEAM pairs separated by commas (e.g. nfl:SEA,nba:LAL)'),
  feedUrl: url(
    'SPORTS_FEED_URL',
    'Base URL of the scoreboard feed (ESPN site-API format)',
    'https://site.api.espn.com',
  ),
  pollLive: duration('SPORTS_POLL_LIVE', 'Poll interval while a followed game is live or about to start', 15_000),
  pollIdle: duration('SPORTS_POLL_IDLE', 'Poll interval otherwise', 10 * 60_000),
  feedTimeout: duration('SPORTS_FEED_TIMEOUT', 'Timeout of one scoreboard request', 10_000),
  recent: duration('SPORTS_RECENT', 'How long finished games stay in /api/v1/sports/games', 3 * 86_400_000),
  webhookTimeout: duration('WEBHOOK_TIMEOUT', 'Timeout of one webhook delivery attempt', 10_000),
  webhookConcurrency: int('WEBHOOK_CONCURRENCY', 'Deliveries in flight at once (one per subscription)', 8, {
    min: 1,
    max: 256,
  }),
  webhookRetryBase: duration('WEBHOOK_RETRY_BASE', 'Delay before the first retry; doubles per attempt', 30_000),
  webhookRetryMax: duration('WEBHOOK_RETRY_MAX', 'Longest delay between two attempts', 3_600_000),
  webhookMaxAge: duration('WEBHOOK_MAX_AGE', 'How long a delivery is retried before it is given up', 86_400_000),
  webhookDisableAfter: int(
    'WEBHOOK_DISABLE_AFTER',
    'Consecutive given-up deliveries after which a subscription is disabled',
    5,
    { min: 1 },
  ),
  webhookMaxPending: int(
    'WEBHOOK_MAX_PENDING',
    'Pending deliveries kept per subscription; more are dropped and counted',
    10_000,
    {
      min: 1,
    },
  ),
  webhookAllowPrivate: bool(
    'WEBHOOK_ALLOW_PRIVATE',
    'Let webhooks reach private LAN addresses (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7); loopback and link-local stay refused',
    false,
  ),
  webhookAllowedHosts: list(
    'WEBHOOK_ALLOWED_HOSTS',
    'Webhook receivers allowed whatever their address: IPs, CIDRs, host names or *.suffix (e.g. 192.168.1.20,nodered.lan)',
  ),
  webhookMaxSubscriptions: int('WEBHOOK_MAX_SUBSCRIPTIONS', 'Most webhook subscriptions kept', 50, {
    min: 1,
    max: 10_000,
  }),
  webhookSecretKey: secret(
    'WEBHOOK_SECRET_KEY',
    'Key that encrypts webhook secrets in webhooks.db (64 hex characters or 32 bytes base64); default: a key file generated beside it, webhook-secret.key',
  ),
  webhookLogRetention: duration(
    'WEBHOOK_LOG_RETENTION',
    'How long finished deliveries stay in the log',
    7 * 86_400_000,
  ),
};

export type RawSportsConfig = ConfigOf<typeof sportsSchema>;

export interface SportsConfig extends Omit<RawSportsConfig, 'teams' | 'feedUrl'> {
  teams: TeamRef[];
  feedUrl: string;
}

/** Parses sports-data's variables; every problem is reported at once. */
export function loadSportsConfig(env: Record<string, string | undefined>): SportsConfig {
  const problems: string[] = [];
  let raw: RawSportsConfig | undefined;
  try {
    raw = loadConfig(sportsSchema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const teams: TeamRef[] = [];
  for (const entry of (env.SPORTS_TEAMS ?? '').split(',').filter((s) => s.trim())) {
    const parsed = parseTeam(entry);
    if (typeof parsed === 'string') problems.push(`SPORTS_TEAMS ${parsed}`);
    else if (!teams.some((t) => t.path === parsed.path && t.team === parsed.team)) teams.push(parsed);
  }
  // From the env itself, so these are reported even when another variable failed the schema.
  const badHosts = EgressPolicy.invalidEntries(sportsSchema.webhookAllowedHosts.parse(env.WEBHOOK_ALLOWED_HOSTS));
  if (badHosts.length > 0) {
    problems.push(
      `WEBHOOK_ALLOWED_HOSTS entries must be IPs, CIDRs or host names, got ${badHosts.map((h) => `"${h}"`).join(', ')}`,
    );
  }
  if (raw?.webhookSecretKey !== undefined && !parseSecretKey(raw.webhookSecretKey)) {
    problems.push(
      'WEBHOOK_SECRET_KEY must be 32 bytes: 64 hex characters or 44 characters of base64 (openssl rand -base64 32)',
    );
  }
  if (problems.length > 0 || !raw) throw new ConfigError(problems);
  return { ...raw, teams, feedUrl: raw.feedUrl ?? 'https://site.api.espn.com' };
}
