// Retention deletes of the embedded store, in bounded steps: each step is one short IMMEDIATE transaction
// removing at most `chunk` rows, so a writer (in this process or another) never waits long for the lock.
import type Database from 'better-sqlite3';
import type { EventCursor, RetentionTarget } from '../types';
import { PERIOD_CODE } from './aggregates';

export interface RetentionStep {
  changes: number;
  more: boolean;
}

/** Deletes what is older than `before` (µs) in one tier, one step per `step()` call. */
export class RetentionRun {
  /** Events: the entity key up to which every older row is gone. */
  private lastKey = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly epoch: number,
    private readonly target: RetentionTarget,
    private readonly before: number,
    private readonly chunk: number,
  ) {}

  step(): RetentionStep {
    return this.db.transaction(() => (this.target === 'events' ? this.eventsStep() : this.tableStep())).immediate();
  }

  /** `events` is keyed by entity: walk the entities, deleting each one's oldest rows within the budget. */
  private eventsStep(): RetentionStep {
    const before = this.before - this.epoch;
    const keys = this.db
      .prepare('SELECT id FROM entities WHERE id > ? ORDER BY id')
      .pluck()
      .all(this.lastKey) as number[];
    const nth = this.db.prepare('SELECT t FROM events WHERE e = ? AND t < ? ORDER BY t LIMIT 1 OFFSET ?').pluck();
    const del = this.db.prepare('DELETE FROM events WHERE e = ? AND t < ?');
    let budget = this.chunk;
    let changes = 0;
    for (const key of keys) {
      const cut = nth.get(key, before, budget) as number | undefined;
      const n = del.run(key, cut ?? before).changes;
      changes += n;
      budget -= n;
      if (cut !== undefined) return this.counted(changes, true); // this entity has more: next step
      this.lastKey = key;
      if (budget <= 0) return this.counted(changes, true);
    }
    changes += this.db.prepare('DELETE FROM recent WHERE t < ?').run(before).changes;
    return this.counted(changes, false);
  }

  private counted(changes: number, more: boolean): RetentionStep {
    if (changes > 0) this.db.prepare("UPDATE meta SET value = value - ? WHERE key = 'events'").run(changes);
    return { changes, more };
  }

  /** Statistics and points are keyed with time second: cut at the chunk-th oldest time. */
  private tableStep(): RetentionStep {
    const stats = this.target === '5minute' || this.target === 'hour';
    const [find, del, key] = stats
      ? [
          'SELECT start FROM statistics WHERE period = ? AND start < ? ORDER BY start LIMIT 1 OFFSET ?',
          'DELETE FROM statistics WHERE period = ? AND start < ?',
          PERIOD_CODE[this.target as '5minute' | 'hour'],
        ]
      : [
          'SELECT t FROM points WHERE measurement = ? AND t < ? ORDER BY t LIMIT 1 OFFSET ?',
          'DELETE FROM points WHERE measurement = ? AND t < ?',
          this.target,
        ];
    const cut = this.db.prepare(find).pluck().get(key, this.before, this.chunk) as number | undefined;
    let changes = this.db.prepare(del).run(key, cut ?? this.before).changes;
    // More than `chunk` rows share the oldest time: that whole time goes in this step.
    if (changes === 0 && cut !== undefined) changes = this.db.prepare(del).run(key, cut + 1).changes;
    return { changes, more: cut !== undefined };
  }
}

/** Deletes single events by identity (repairs), in one transaction; returns how many were stored. */
export function deleteEventRows(db: Database.Database, epoch: number, keys: EventCursor[]): number {
  const key = db.prepare('SELECT id FROM entities WHERE entity_id = ?').pluck();
  const fromEvents = db.prepare('DELETE FROM events WHERE e = ? AND t = ?');
  const fromRecent = db.prepare('DELETE FROM recent WHERE e = ? AND t = ?');
  return db.transaction(() => {
    let changes = 0;
    for (const k of keys) {
      const e = key.get(k.entityId) as number | undefined;
      if (e === undefined) continue;
      changes += fromEvents.run(e, k.time - epoch).changes + fromRecent.run(e, k.time - epoch).changes;
    }
    if (changes > 0) db.prepare("UPDATE meta SET value = value - ? WHERE key = 'events'").run(changes);
    return changes;
  })();
}
