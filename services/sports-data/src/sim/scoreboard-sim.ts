import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AutoplayTeam, autoplayGames } from './autoplay';

export type ScoreboardFault = 'http500' | 'http429' | 'timeout' | 'malformed' | 'wrong-shape';

export interface SimTeam {
  abbreviation: string;
  displayName?: string;
  score?: number;
}

/** One game as the simulator holds it; rendered in ESPN's site-API scoreboard format. */
export interface SimGame {
  id: string;
  /** ESPN path, e.g. football/nfl. */
  league: string;
  date: string;
  home: SimTeam;
  away: SimTeam;
  state: 'pre' | 'in' | 'post';
  period?: number;
  displayClock?: string;
}

export interface SimulatedScoreboardOptions {
  port?: number;
  host?: string;
  games?: SimGame[];
  /** Games that play themselves on a loop (the demo). */
  autoplay?: AutoplayTeam[];
  clock?: () => number;
}

export interface SimulatedScoreboard {
  url: string;
  port: number;
  readonly requests: string[];
  setGame(game: SimGame): void;
  updateGame(
    id: string,
    patch: Partial<Omit<SimGame, 'home' | 'away'>> & { homeScore?: number; awayScore?: number },
  ): void;
  removeGame(id: string): void;
  failNext(fault: ScoreboardFault, times?: number): void;
  setFault(fault: ScoreboardFault | null): void;
  stop(): Promise<void>;
}

const STATUS: Record<SimGame['state'], { id: string; name: string; description: string }> = {
  pre: { id: '1', name: 'STATUS_SCHEDULED', description: 'Scheduled' },
  in: { id: '2', name: 'STATUS_IN_PROGRESS', description: 'In Progress' },
  post: { id: '3', name: 'STATUS_FINAL', description: 'Final' },
};

function espnDate(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16)}Z`; // ESPN writes minutes, no seconds: 2025-01-12T21:30Z
}

function competitor(team: SimTeam, homeAway: 'home' | 'away', index: number) {
  return {
    id: String(100 + index),
    uid: `s:20~l:28~t:${100 + index}`,
    type: 'team',
    order: homeAway === 'home' ? 0 : 1,
    homeAway,
    winner: false,
    team: {
      id: String(100 + index),
      abbreviation: team.abbreviation,
      displayName: team.displayName ?? team.abbreviation,
      shortDisplayName: team.displayName ?? team.abbreviation,
    },
    score: String(team.score ?? 0),
  };
}

export function renderGame(g: SimGame) {
  const s = STATUS[g.state];
  const period = g.period ?? (g.state === 'pre' ? 0 : 4);
  const clock = g.displayClock ?? (g.state === 'in' ? '15:00' : '0:00');
  const detail =
    g.state === 'pre' ? new Date(g.date).toUTCString() : g.state === 'post' ? 'Final' : `${clock} - ${period}`;
  const status = {
    clock: 0,
    displayClock: clock,
    period,
    type: { ...s, state: g.state, completed: g.state === 'post', detail, shortDetail: detail },
  };
  return {
    id: g.id,
    uid: `s:20~l:28~e:${g.id}`,
    date: espnDate(g.date),
    name: `${g.away.displayName ?? g.away.abbreviation} at ${g.home.displayName ?? g.home.abbreviation}`,
    shortName: `${g.away.abbreviation} @ ${g.home.abbreviation}`,
    competitions: [
      {
        id: g.id,
        date: espnDate(g.date),
        attendance: 0,
        competitors: [competitor(g.home, 'home', 0), competitor(g.away, 'away', 1)],
        status,
      },
    ],
    status,
  };
}

/**
 * A loopback HTTP server answering `/apis/site/v2/sports/{sport}/{league}/scoreboard` like ESPN's site API,
 * with faults on demand. The tests drive games by hand; the demo lets them play themselves.
 */
export async function startSimulatedScoreboard(options: SimulatedScoreboardOptions = {}): Promise<SimulatedScoreboard> {
  const clock = options.clock ?? Date.now;
  const games = new Map<string, SimGame>((options.games ?? []).map((g) => [g.id, structuredClone(g)]));
  const requests: string[] = [];
  const queued: ScoreboardFault[] = [];
  let standing: ScoreboardFault | null = null;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    requests.push(url.pathname);
    const fault = queued.shift() ?? standing;
    if (fault === 'timeout') return;
    if (fault) return sendFault(res, fault);
    const match = /^\/apis\/site\/v2\/sports\/([a-z-]+\/[a-z0-9.-]+)\/scoreboard$/.exec(url.pathname);
    if (!match) return send(res, 404, { code: 404, message: 'Not Found' });
    const league = match[1] as string;
    const all = [...games.values(), ...autoplayGames(options.autoplay ?? [], clock())].filter(
      (g) => g.league === league,
    );
    const [sport, slug] = league.split('/') as [string, string];
    send(res, 200, {
      leagues: [{ id: '1', uid: 's:1~l:1', name: slug.toUpperCase(), abbreviation: slug.toUpperCase(), slug, sport }],
      day: { date: new Date(clock()).toISOString().slice(0, 10) },
      events: all.map(renderGame),
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setGame: (game) => void games.set(game.id, structuredClone(game)),
    updateGame(id, patch) {
      const g = games.get(id);
      if (!g) throw new Error(`no simulated game ${id}`);
      const { homeScore, awayScore, ...rest } = patch;
      Object.assign(g, rest);
      if (homeScore !== undefined) g.home.score = homeScore;
      if (awayScore !== undefined) g.away.score = awayScore;
    },
    removeGame: (id) => void games.delete(id),
    failNext(fault, times = 1) {
      for (let i = 0; i < times; i++) queued.push(fault);
    },
    setFault(fault) {
      standing = fault;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

function sendFault(res: ServerResponse, fault: ScoreboardFault): void {
  if (fault === 'http500') {
    res.writeHead(500, { 'content-type': 'text/html' });
    res.end('<html><body>Internal Server Error</body></html>');
  } else if (fault === 'http429') send(res, 429, { code: 429, message: 'Too Many Requests' }, { 'retry-after': '1' });
  else if (fault === 'malformed') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"leagues":[{"id":"28"}],"events":[{"id":"40');
  } else send(res, 200, { leagues: [], day: {}, eventz: 'nope' });
}
