import { errorMessage, type Logger } from '@homeiq/core';
import type { GenericPoint, TimeSeriesStore } from '@homeiq/storage';
import type { SportsEventName } from '../webhooks/types';
import { FeedFormatError, type GameSnapshot, parseScoreboard, snapshotFor } from './espn';
import { FeedError, fetchFeed } from './fetch-feed';
import type { GameStore } from './game-store';
import type { TeamRef } from './leagues';
import { gameEvents } from './tracker';

export const SPORTS_MEASUREMENT = 'sports_data';
const MAX_PENDING_POINTS = 5000;

export interface ScoreboardPollerOptions {
  teams: TeamRef[];
  feedUrl: string;
  pollLiveMs: number;
  pollIdleMs: number;
  timeoutMs: number;
  games: GameStore;
  store: () => Promise<TimeSeriesStore>;
  onEvent: (event: SportsEventName, game: GameSnapshot, previous: GameSnapshot | undefined) => void;
  logger: Logger;
  clock?: () => number;
  random?: () => number;
}

export interface LeagueStatus {
  path: string;
  teams: string[];
  lastSuccessAt: number | null;
  lastError: string | null;
  consecutiveFailures: number;
  /** Scoreboard requests since start, and how many of them failed (metrics). */
  fetches: number;
  fetchFailures: number;
  nextPollAt: number | null;
  live: boolean;
  skippedEvents: number;
}

export function snapshotToPoint(s: GameSnapshot, timeUs: number): GenericPoint {
  return {
    time: timeUs,
    tags: { league: s.league, team: s.team, opponent: s.opponent, status: s.status },
    fields: { team_score: s.teamScore, opponent_score: s.opponentScore, period: s.period, clock: s.clock },
  };
}

function fingerprint(s: GameSnapshot): string {
  return `${s.status}|${s.teamScore}|${s.opponentScore}|${s.period}|${s.clock}`;
}

/**
 * Polls one scoreboard per followed league: every pollLive while a followed game is live or due to start,
 * every pollIdle otherwise, with backoff on failure. Each change of a followed game is written to `sports_data`
 * and turned into game_started / score_changed / game_ended against the last state kept in webhooks.db.
 */
export class ScoreboardPoller {
  private readonly leagues = new Map<string, { teams: TeamRef[]; status: LeagueStatus; timer?: NodeJS.Timeout }>();
  private readonly written = new Map<string, string>();
  private pending: GenericPoint[] = [];
  private storeError: string | null = null;
  private running = false;
  private abort = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly clock: () => number;
  private readonly random: () => number;

  constructor(private readonly options: ScoreboardPollerOptions) {
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
    for (const team of options.teams) {
      const entry = this.leagues.get(team.path) ?? {
        teams: [],
        status: {
          path: team.path,
          teams: [],
          lastSuccessAt: null,
          lastError: null,
          consecutiveFailures: 0,
          fetches: 0,
          fetchFailures: 0,
          nextPollAt: null,
          live: false,
          skippedEvents: 0,
        },
      };
      entry.teams.push(team);
      entry.status.teams.push(`${team.league}:${team.team}`);
      this.leagues.set(team.path, entry);
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    for (const path of this.leagues.keys()) this.schedule(path, 0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    for (const entry of this.leagues.values()) {
      clearTimeout(entry.timer);
      entry.status.nextPollAt = null;
    }
    await Promise.allSettled([...this.inFlight]);
  }

  status(): { leagues: LeagueStatus[]; storeError: string | null; pendingPoints: number } {
    return {
      leagues: [...this.leagues.values()].map((e) => ({ ...e.status })),
      storeError: this.storeError,
      pendingPoints: this.pending.length,
    };
  }

  /** Polls every league once (tests). */
  async pollAll(): Promise<void> {
    for (const path of this.leagues.keys()) await this.pollLeague(path);
  }

  /** One poll of one league; returns the delay until the next. */
  async pollLeague(path: string): Promise<number> {
    const entry = this.leagues.get(path);
    if (!entry) throw new Error(`no followed league ${path}`);
    const { status } = entry;
    const { pollLiveMs, pollIdleMs } = this.options;
    const url = `${this.options.feedUrl}/apis/site/v2/sports/${path}/scoreboard`;
    let snapshots: GameSnapshot[];
    status.fetches += 1;
    try {
      const { games, skipped } = parseScoreboard(await fetchFeed(url, this.options.timeoutMs, this.abort.signal));
      status.skippedEvents += skipped.length;
      snapshots = entry.teams.flatMap((t) =>
        games.map((g) => snapshotFor(g, t.league, t.team)).filter((s): s is GameSnapshot => s !== undefined),
      );
    } catch (error) {
      if (!(error instanceof FeedError || error instanceof FeedFormatError)) throw error;
      status.consecutiveFailures += 1;
      status.fetchFailures += 1;
      status.lastError = errorMessage(error);
      if (status.consecutiveFailures === 1)
        this.options.logger.warn({ league: path, error: status.lastError }, 'scoreboard poll failed');
      const backoff = Math.min(pollIdleMs, pollLiveMs * 2 ** (status.consecutiveFailures - 1));
      const jittered = Math.round(backoff * (0.5 + this.random() * 0.5));
      return Math.max(jittered, error instanceof FeedError ? (error.retryAfterMs ?? 0) : 0);
    }
    const now = this.clock();
    if (status.consecutiveFailures > 0) this.options.logger.info({ league: path }, 'scoreboard answering again');
    status.consecutiveFailures = 0;
    status.lastError = null;
    status.lastSuccessAt = now;
    for (const snapshot of snapshots) this.observe(snapshot, now);
    await this.flush();
    status.live = snapshots.some((s) => s.status === 'in' || (s.status === 'pre' && this.startsSoon(s, now)));
    return status.live ? pollLiveMs : pollIdleMs;
  }

  private startsSoon(s: GameSnapshot, now: number): boolean {
    if (!s.startTime) return false;
    return Date.parse(s.startTime) <= now + this.options.pollIdleMs;
  }

  private observe(snapshot: GameSnapshot, now: number): void {
    const previous = this.options.games.get(snapshot.gameId, snapshot.league, snapshot.team);
    const key = `${snapshot.gameId}|${snapshot.league}|${snapshot.team}`;
    const print = fingerprint(snapshot);
    if (this.written.get(key) !== print) {
      this.pending.push(snapshotToPoint(snapshot, now * 1000));
      this.written.set(key, print);
    }
    const events = gameEvents(previous, snapshot);
    this.options.games.put(snapshot, now);
    for (const event of events) {
      try {
        this.options.onEvent(event, snapshot, previous);
      } catch (error) {
        this.options.logger.error({ err: error, event }, 'cannot queue a sports event');
      }
    }
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    try {
      const store = await this.options.store();
      const result = await store.writePoints(SPORTS_MEASUREMENT, this.pending);
      // Rejected points are refused for good (the store says why): logged, never retried.
      if (result.rejected.length > 0) this.options.logger.warn({ rejected: result.rejected }, 'sports points rejected');
      this.pending = [];
      this.storeError = null;
    } catch (error) {
      if (this.storeError === null) this.options.logger.warn({ err: error }, 'cannot write sports points');
      this.storeError = errorMessage(error);
      if (this.pending.length > MAX_PENDING_POINTS) this.pending.splice(0, this.pending.length - MAX_PENDING_POINTS);
    }
  }

  private schedule(path: string, delayMs: number): void {
    const entry = this.leagues.get(path);
    if (!entry || !this.running) return;
    entry.status.nextPollAt = this.clock() + delayMs;
    entry.timer = setTimeout(() => {
      const run = this.pollLeague(path)
        .catch((error: unknown) => {
          this.options.logger.error({ err: error, league: path }, 'scoreboard poll crashed');
          return this.options.pollIdleMs;
        })
        .then((next) => {
          this.inFlight.delete(run);
          this.schedule(path, next);
        });
      this.inFlight.add(run);
    }, delayMs);
    entry.timer.unref();
  }
}
