import type { Logger } from '@homeiq/core';
import { parseTeam, type TeamRef } from '../feed/leagues';
import type { AutoplayTeam } from './autoplay';
import { startSimulatedScoreboard } from './scoreboard-sim';

const DEMO_TEAMS = 'nfl:SEA,nba:LAL';
const OPPONENTS: Record<string, string[]> = {
  football: ['SF', 'LAR', 'ARI', 'DAL', 'GB', 'KC'],
  basketball: ['BOS', 'GSW', 'DEN', 'PHX', 'MIA', 'NYK'],
  baseball: ['NYY', 'BOS', 'LAD', 'HOU'],
  hockey: ['VAN', 'EDM', 'COL', 'BOS'],
  soccer: ['LIV', 'MCI', 'CHE', 'TOT'],
};
const POINTS: Record<string, number[]> = {
  football: [3, 7],
  basketball: [2, 2, 3],
  baseball: [1],
  hockey: [1],
  soccer: [1],
};

function autoplayFor(team: TeamRef): AutoplayTeam {
  const sport = team.path.split('/')[0] ?? 'football';
  const opponents = (OPPONENTS[sport] ?? ['OPP']).filter((o) => o !== team.team);
  return { league: team.path, abbreviation: team.team, opponents, points: POINTS[sport] ?? [1] };
}

/**
 * For `homeiq start` with no network (the simulated home): when SPORTS_FEED_URL is unset, starts the simulated
 * scoreboard with self-playing games for SPORTS_TEAMS (default nfl:SEA,nba:LAL) and points sports-data at it.
 * Returns the stop function, or undefined when a feed URL is configured.
 */
export async function startDemoScoreboard(
  env: Record<string, string | undefined>,
  logger: Logger,
): Promise<(() => Promise<void>) | undefined> {
  if (env.SPORTS_FEED_URL) return undefined;
  env.SPORTS_TEAMS ||= DEMO_TEAMS;
  const teams = env.SPORTS_TEAMS.split(',')
    .map((entry) => parseTeam(entry))
    .filter((t): t is TeamRef => typeof t !== 'string');
  const sim = await startSimulatedScoreboard({ autoplay: teams.map(autoplayFor) });
  env.SPORTS_FEED_URL = sim.url;
  logger.warn(
    { url: sim.url, teams: env.SPORTS_TEAMS },
    'SPORTS_FEED_URL is not set: sports-data follows a SIMULATED scoreboard (games replay every 20 minutes).',
  );
  return () => sim.stop();
}
