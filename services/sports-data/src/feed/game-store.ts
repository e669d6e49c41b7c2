import type { WebhookDb } from '../webhooks/db';
import type { GameSnapshot } from './espn';

/**
 * The last seen state of every followed game (table `games` in webhooks.db). It is what events are computed
 * against, so a restart neither repeats game_started/score_changed nor misses what changed while down.
 */
export class GameStore {
  private readonly s;

  constructor(db: WebhookDb) {
    this.s = {
      get: db.prepare('SELECT snapshot FROM games WHERE game_id = ? AND league = ? AND team = ?').pluck(),
      put: db.prepare(
        `INSERT INTO games (game_id, league, team, status, snapshot, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (game_id, league, team) DO UPDATE SET status = excluded.status, snapshot = excluded.snapshot,
         updated_at = excluded.updated_at`,
      ),
      list: db.prepare('SELECT snapshot, updated_at FROM games WHERE updated_at >= ? ORDER BY updated_at DESC'),
      prune: db.prepare('DELETE FROM games WHERE updated_at < ?'),
    };
  }

  get(gameId: string, league: string, team: string): GameSnapshot | undefined {
    const raw = this.s.get.get(gameId, league, team) as string | undefined;
    return raw ? (JSON.parse(raw) as GameSnapshot) : undefined;
  }

  put(snapshot: GameSnapshot, now: number): void {
    this.s.put.run(snapshot.gameId, snapshot.league, snapshot.team, snapshot.status, JSON.stringify(snapshot), now);
  }

  /** Games seen since `since` (ms), most recently updated first. */
  list(since: number): Array<GameSnapshot & { updatedAt: number }> {
    const rows = this.s.list.all(since) as Array<{ snapshot: string; updated_at: number }>;
    return rows.map((r) => ({ ...(JSON.parse(r.snapshot) as GameSnapshot), updatedAt: r.updated_at }));
  }

  prune(before: number): number {
    return this.s.prune.run(before).changes;
  }
}
