export type GameStatus = 'pre' | 'in' | 'post';

export interface Competitor {
  abbreviation: string;
  name: string | null;
  score: number;
  home: boolean;
}

/** One event of an ESPN scoreboard, reduced to what HomeIQ follows. */
export interface ScoreboardGame {
  id: string;
  name: string | null;
  /** Scheduled start, ISO. */
  startTime: string | null;
  status: GameStatus;
  period: number;
  clock: string;
  /** ESPN's short text, e.g. "Final", "Q3 4:12", "Sun, Jan 12th at 4:30 PM". */
  detail: string;
  competitors: Competitor[];
}

export class FeedFormatError extends Error {}

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new FeedFormatError(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function score(v: unknown): number {
  if (v === undefined || v === null || v === '') return 0; // no score before kickoff
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) throw new FeedFormatError(`score "${String(v)}" is not a number`);
  return n;
}

function parseGame(raw: unknown): ScoreboardGame {
  const event = record(raw, 'event');
  if (typeof event.id !== 'string' && typeof event.id !== 'number') throw new FeedFormatError('event.id is missing');
  const competitions = event.competitions;
  if (!Array.isArray(competitions) || competitions.length === 0) {
    throw new FeedFormatError(`event ${event.id}: no competitions`);
  }
  const competition = record(competitions[0], 'competition');
  const status = record(competition.status ?? event.status, 'status');
  const type = record(status.type, 'status.type');
  const state = type.state;
  if (state !== 'pre' && state !== 'in' && state !== 'post') {
    throw new FeedFormatError(`event ${event.id}: status.type.state "${String(state)}" is not pre, in or post`);
  }
  if (!Array.isArray(competition.competitors)) throw new FeedFormatError(`event ${event.id}: no competitors`);
  const competitors = competition.competitors.map((c): Competitor => {
    const comp = record(c, 'competitor');
    const team = record(comp.team, 'competitor.team');
    if (typeof team.abbreviation !== 'string') throw new FeedFormatError('competitor.team.abbreviation is missing');
    return {
      abbreviation: team.abbreviation.toUpperCase(),
      name: typeof team.displayName === 'string' ? team.displayName : null,
      score: score(comp.score),
      home: comp.homeAway === 'home',
    };
  });
  const date = typeof competition.date === 'string' ? competition.date : event.date;
  return {
    id: String(event.id),
    name: typeof event.name === 'string' ? event.name : null,
    startTime: typeof date === 'string' && !Number.isNaN(Date.parse(date)) ? new Date(date).toISOString() : null,
    status: state,
    period: typeof status.period === 'number' ? status.period : 0,
    clock: typeof status.displayClock === 'string' ? status.displayClock : '',
    detail:
      typeof type.shortDetail === 'string' ? type.shortDetail : typeof type.detail === 'string' ? type.detail : '',
    competitors,
  };
}

/**
 * Parses a scoreboard body (`/apis/site/v2/sports/{sport}/{league}/scoreboard`). A body without an
 * `events` array is a FeedFormatError; a single malformed event is skipped and counted, not fatal.
 */
export function parseScoreboard(body: unknown): { games: ScoreboardGame[]; skipped: string[] } {
  const root = record(body, 'scoreboard');
  if (!Array.isArray(root.events)) throw new FeedFormatError('scoreboard has no "events" array');
  const games: ScoreboardGame[] = [];
  const skipped: string[] = [];
  for (const raw of root.events) {
    try {
      games.push(parseGame(raw));
    } catch (error) {
      if (!(error instanceof FeedFormatError)) throw error;
      skipped.push(error.message);
    }
  }
  return { games, skipped };
}

/** A followed team's view of one game. */
export interface GameSnapshot {
  gameId: string;
  league: string;
  team: string;
  opponent: string;
  home: boolean;
  status: GameStatus;
  period: number;
  clock: string;
  teamScore: number;
  opponentScore: number;
  startTime: string | null;
  detail: string;
  name: string | null;
}

export function snapshotFor(game: ScoreboardGame, league: string, team: string): GameSnapshot | undefined {
  const us = game.competitors.find((c) => c.abbreviation === team);
  if (!us) return undefined;
  const them = game.competitors.find((c) => c !== us);
  return {
    gameId: game.id,
    league,
    team,
    opponent: them?.abbreviation ?? 'TBD',
    home: us.home,
    status: game.status,
    period: game.period,
    clock: game.clock,
    teamScore: us.score,
    opponentScore: them?.score ?? 0,
    startTime: game.startTime,
    detail: game.detail,
    name: game.name,
  };
}
