import type { SportsEventName } from '../webhooks/types';
import type { GameSnapshot } from './espn';

/**
 * What happened between two snapshots of one game, in order. A game first seen already live counts as
 * started (the subscriber learns it is on); one first seen finished is old news and emits nothing.
 * pre -> post without play (postponed, cancelled) emits nothing.
 */
export function gameEvents(previous: GameSnapshot | undefined, next: GameSnapshot): SportsEventName[] {
  if (!previous) return next.status === 'in' ? ['game_started'] : [];
  const out: SportsEventName[] = [];
  if (previous.status === 'pre' && next.status === 'in') out.push('game_started');
  const scoreMoved = previous.teamScore !== next.teamScore || previous.opponentScore !== next.opponentScore;
  if (scoreMoved && next.status !== 'pre' && (previous.status === 'in' || next.status === 'in'))
    out.push('score_changed');
  if (previous.status === 'in' && next.status === 'post') out.push('game_ended');
  return out;
}

/** Whether a subscription's team filter (`league:TEAM` or `TEAM` entries; empty = all) covers this team. */
export function teamMatches(filter: readonly string[], league: string, team: string): boolean {
  if (filter.length === 0) return true;
  const full = `${league}:${team}`.toLowerCase();
  return filter.some((f) => {
    const entry = f.toLowerCase();
    return entry === full || entry === team.toLowerCase();
  });
}
