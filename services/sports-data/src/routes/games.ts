import type { HttpApp } from '@homeiq/core';
import { Type } from '@sinclair/typebox';
import type { GameSnapshot } from '../feed/espn';
import type { GameStore } from '../feed/game-store';
import type { ScoreboardPoller } from '../feed/poller';

const ORDER: Record<GameSnapshot['status'], number> = { in: 0, pre: 1, post: 2 };

export function gameJson(g: GameSnapshot & { updatedAt: number }): Record<string, unknown> {
  return {
    game_id: g.gameId,
    league: g.league,
    team: g.team,
    opponent: g.opponent,
    home: g.home,
    status: g.status,
    period: g.period,
    clock: g.clock,
    team_score: g.teamScore,
    opponent_score: g.opponentScore,
    start_time: g.startTime,
    detail: g.detail,
    name: g.name,
    updated_at: new Date(g.updatedAt).toISOString(),
  };
}

/** GET /api/v1/sports/games: the followed teams' live, upcoming and recently finished games. */
export function registerGameRoutes(
  app: HttpApp,
  deps: { games: GameStore; poller: ScoreboardPoller; teams: string[]; recentMs: number; clock: () => number },
): void {
  app.get(
    '/api/v1/sports/games',
    {
      schema: {
        querystring: Type.Object(
          {
            team: Type.Optional(Type.String({ maxLength: 60, description: 'TEAM or league:TEAM' })),
            status: Type.Optional(Type.Union([Type.Literal('pre'), Type.Literal('in'), Type.Literal('post')])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { team, status } = request.query;
      const wanted = team?.toUpperCase();
      const games = deps.games
        .list(deps.clock() - deps.recentMs)
        .filter((g) => !wanted || g.team === wanted || `${g.league}:${g.team}`.toUpperCase() === wanted)
        .filter((g) => !status || g.status === status)
        .sort((a, b) => {
          if (a.status !== b.status) return ORDER[a.status] - ORDER[b.status];
          const ta = Date.parse(a.startTime ?? '') || 0;
          const tb = Date.parse(b.startTime ?? '') || 0;
          return a.status === 'post' ? tb - ta : ta - tb; // upcoming soonest first, finished latest first
        });
      const feed = deps.poller.status();
      return {
        teams: deps.teams,
        games: games.map(gameJson),
        feeds: feed.leagues.map((l) => ({
          league: l.path,
          teams: l.teams,
          live: l.live,
          last_success: l.lastSuccessAt === null ? null : new Date(l.lastSuccessAt).toISOString(),
          last_error: l.lastError,
        })),
      };
    },
  );
}
