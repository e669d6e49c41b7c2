/** League codes accepted in SPORTS_TEAMS -> ESPN site-API path (`{sport}/{league}`). */
export const LEAGUES: Record<string, string> = {
  nfl: 'football/nfl',
  ncaaf: 'football/college-football',
  cfl: 'football/cfl',
  nba: 'basketball/nba',
  wnba: 'basketball/wnba',
  ncaab: 'basketball/mens-college-basketball',
  mlb: 'baseball/mlb',
  nhl: 'hockey/nhl',
  mls: 'soccer/usa.1',
  epl: 'soccer/eng.1',
  laliga: 'soccer/esp.1',
  bundesliga: 'soccer/ger.1',
  seriea: 'soccer/ita.1',
  ligue1: 'soccer/fra.1',
  ucl: 'soccer/uefa.champions',
};

export interface TeamRef {
  /** As written in SPORTS_TEAMS (lower case), the `league` tag. */
  league: string;
  /** ESPN path, e.g. football/nfl. */
  path: string;
  /** Team abbreviation, upper case, the `team` tag. */
  team: string;
}

/**
 * Parses one SPORTS_TEAMS entry: `nfl:SEA`, or `soccer/eng.1:ARS` for a league not in the table.
 * Returns an error message naming the entry when it is not valid.
 */
export function parseTeam(entry: string): TeamRef | string {
  const match = /^([a-z0-9-]+(?:\/[a-z0-9.-]+)?):([A-Za-z0-9]{1,10})$/i.exec(entry.trim());
  if (!match) return `"${entry}" is not league:TEAM (e.g. nfl:SEA)`;
  const league = (match[1] as string).toLowerCase();
  const team = (match[2] as string).toUpperCase();
  if (league.includes('/')) return { league, path: league, team };
  const path = LEAGUES[league];
  if (!path)
    return `"${entry}": unknown league "${league}" (one of ${Object.keys(LEAGUES).join(', ')}, or sport/league)`;
  return { league, path, team };
}
