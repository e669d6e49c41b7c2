// The read path of the embedded store. Events are ordered by (time, entity_id), both in the query's direction,
// and paged with a keyset cursor on that pair, so pages stay stable while new events arrive (and while rows move
// from `recent` to `events`: an event keeps its key). Each call runs in one read transaction, so it sees both
// tables at one instant.
import type Database from 'better-sqlite3';
import type { EventFilter, EventPage, EventQuery, HistoryQuery, StateEvent } from '../types';
import { DECIMALS_SQL, encodeState } from './codec';
import { type EntityInfo, EVENT_COLUMNS, type EventRow, RowDecoder } from './event-rows';
import {
  ArraySource,
  EntitySource,
  type Item,
  mergeSources,
  type Source,
  Statements,
  WindowSource,
} from './event-sources';

/** Up to this many matching entities are read from their own key ranges; more go by time windows. */
const PER_ENTITY_MAX = 64;
const LOW = Number.MIN_SAFE_INTEGER;
const HIGH = Number.MAX_SAFE_INTEGER;
const ENTITY_COLUMNS = 'en.id, en.entity_id, en.area_id, en.device_id';
const prefixed = (alias: string) => EVENT_COLUMNS.replace(/(\w+)/g, `${alias}.$1`);

/** A WHERE clause built from parts, each with its parameters. */
class Where {
  readonly parts: string[] = [];
  readonly args: unknown[] = [];
  add(part: string, ...args: unknown[]): this {
    this.parts.push(part);
    this.args.push(...args);
    return this;
  }
  get sql(): string {
    return this.parts.length ? ` WHERE ${this.parts.join(' AND ')}` : '';
  }
}

/** The entity-level part of a filter, on alias `en`. */
function entityWhere(f: EventFilter): Where {
  const w = new Where();
  if (f.entityIds) w.add('en.entity_id IN (SELECT value FROM json_each(?))', JSON.stringify(f.entityIds));
  if (f.domain !== undefined) w.add('en.domain = ?', f.domain);
  if (f.areaId !== undefined) w.add('en.area_id = ?', f.areaId);
  if (f.deviceId !== undefined) w.add('en.device_id = ?', f.deviceId);
  return w;
}

/** The state filter, on the stored form of the state (see encodeState). */
function addState(w: Where, alias: string, state: string | undefined): void {
  if (state === undefined) return;
  if (state === '') {
    w.add(`(${alias}.s IS NULL OR ${alias}.s = '')`);
    return;
  }
  const [value, decimals] = encodeState(state, false);
  if (typeof value === 'string') w.add(`${alias}.s = ?`, value);
  else w.add(`${alias}.s = ? AND ${DECIMALS_SQL.replace('f', `${alias}.f`)} = ?`, value, decimals);
}

export class EventReader {
  private readonly decoder: RowDecoder;
  private readonly stmts: Statements;

  constructor(
    private readonly db: Database.Database,
    private readonly epoch: number,
  ) {
    this.decoder = new RowDecoder(db, epoch);
    this.stmts = new Statements(db);
  }

  query(q: EventQuery): EventPage {
    const items = this.db.transaction(() => this.items(q))();
    const events = items.map((i) => this.decoder.decode(i.r, i.en));
    if (events.length <= q.limit) return { events };
    events.length = q.limit;
    const last = events[q.limit - 1]!;
    return { events, nextCursor: { time: last.time, entityId: last.entityId } };
  }

  history(q: HistoryQuery): StateEvent[] {
    return this.db.transaction(() => {
      const en = this.stmts
        .get('SELECT id, entity_id, area_id, device_id FROM entities WHERE entity_id = ?')
        .get(q.entityId) as EntityInfo | undefined;
      if (!en) return [];
      const lo = q.start - this.epoch;
      const hi = q.end - this.epoch;
      const range = (table: string) =>
        this.stmts.get(`SELECT ${EVENT_COLUMNS} FROM ${table} WHERE e = ? AND t >= ? AND t < ? ORDER BY t`);
      const rows = [
        ...(range('events').all(en.id, lo, hi) as EventRow[]),
        ...(range('recent').all(en.id, lo, hi) as EventRow[]),
      ];
      rows.sort((a, b) => a.t - b.t); // backfilled events may wait in `recent` behind newer ones in `events`
      if (q.includeStartState) {
        const before = (table: string) =>
          this.stmts
            .get(`SELECT ${EVENT_COLUMNS} FROM ${table} WHERE e = ? AND t < ? ORDER BY t DESC LIMIT 1`)
            .get(en.id, lo) as EventRow | undefined;
        const a = before('events');
        const b = before('recent');
        const start = a && b ? (a.t > b.t ? a : b) : (a ?? b);
        if (start) rows.unshift(start);
      }
      return rows.map((r) => this.decoder.decode(r, en));
    })();
  }

  hasEntity(entityId: string): boolean {
    const sql = `SELECT 1 FROM entities en WHERE en.entity_id = ?
      AND (EXISTS (SELECT 1 FROM events WHERE e = en.id) OR EXISTS (SELECT 1 FROM recent WHERE e = en.id))`;
    return this.db.transaction(() => this.stmts.get(sql).get(entityId) !== undefined)();
  }

  lastEventTime(): number | null {
    const t = this.db.transaction(() => {
      const recent = this.stmts.get('SELECT max(t) FROM recent').pluck().get() as number | null;
      const main = this.edgeTime('max');
      return recent === null ? main : main === null ? recent : Math.max(main, recent);
    })();
    return t === null ? null : t + this.epoch;
  }

  /** Oldest or newest time (relative) in `events`: one key-range probe per entity. */
  private edgeTime(fn: 'min' | 'max'): number | null {
    const sql = `SELECT ${fn}((SELECT ${fn}(t) FROM events WHERE e = en.id)) FROM entities en`;
    return this.stmts.get(sql).pluck().get() as number | null;
  }

  private items(q: EventQuery): Item[] {
    const desc = q.order === 'desc';
    let lo = q.start === undefined ? LOW : q.start - this.epoch;
    let hi = q.end === undefined ? HIGH : q.end - this.epoch;
    const c = q.cursor && { t: q.cursor.time - this.epoch, id: q.cursor.entityId };
    const ew = entityWhere(q);
    const entities =
      ew.parts.length > 0
        ? (this.stmts
            .get(`SELECT ${ENTITY_COLUMNS} FROM entities en${ew.sql} LIMIT ${PER_ENTITY_MAX + 1}`)
            .all(...ew.args) as EntityInfo[])
        : undefined;
    const few = entities && entities.length <= PER_ENTITY_MAX ? entities : undefined;
    // Few entities: `recent` is filtered by their keys (cheaper than joining every row first).
    const sources: Source[] = [
      this.recentSource(
        q,
        few ? new Where().add('r.e IN (SELECT value FROM json_each(?))', JSON.stringify(few.map((e) => e.id))) : ew,
        lo,
        hi,
        c,
      ),
    ];
    if (few) {
      const fetch = this.entityFetcher(desc, q.state);
      const chunk = Math.max(16, Math.ceil((q.limit + 1) / Math.max(1, few.length)) + 1);
      for (const en of few) {
        let [elo, ehi] = [lo, hi];
        if (c && desc) ehi = Math.min(ehi, en.entity_id < c.id ? c.t + 1 : c.t);
        if (c && !desc) elo = Math.max(elo, en.entity_id > c.id ? c.t : c.t + 1);
        sources.push(new EntitySource(en, elo, ehi, desc, chunk, fetch));
      }
    } else {
      // The cursor's own time is fetched again and the entities it passed are dropped.
      if (c && desc) hi = Math.min(hi, c.t + 1);
      if (c && !desc) lo = Math.max(lo, c.t);
      const skip = (i: Item) =>
        c !== undefined && i.r.t === c.t && (desc ? i.en.entity_id >= c.id : i.en.entity_id <= c.id);
      // Without a time bound the walk stops at the oldest (newest) time stored in `events`.
      const min = this.edgeTime('min');
      const max = this.edgeTime('max');
      const bound = desc ? (lo !== LOW ? lo : min) : hi !== HIGH ? hi : max;
      const start = desc ? (hi !== HIGH ? hi : max) : lo !== LOW ? lo : min;
      const empty = bound === null || start === null;
      const stop = empty ? 0 : desc ? bound : hi !== HIGH ? bound : bound + 1;
      const from = empty ? 0 : desc && hi === HIGH ? start + 1 : start;
      // First window: what the average density says holds the page (filters make later windows wider).
      const count = this.stmts.get("SELECT value FROM meta WHERE key = 'events'").pluck().get() as number;
      const span = min === null || max === null ? 0 : max - min + 1;
      const width = Math.max(1_000_000, count > 0 ? ((q.limit + 1) / count) * span * 1.2 : span);
      const window = this.windowFetcher(ew, q.state);
      sources.push(new WindowSource(from, stop, desc, q.limit + 1, width, window, skip));
    }
    return mergeSources(sources, desc, q.limit + 1);
  }

  /** The matching rows of `recent` (a small table), ordered and cut by SQL. */
  private recentSource(
    q: EventQuery,
    ew: Where,
    lo: number,
    hi: number,
    c: { t: number; id: string } | undefined,
  ): Source {
    const desc = q.order === 'desc';
    const w = new Where().add('r.t >= ? AND r.t < ?', lo, hi);
    w.parts.push(...ew.parts);
    w.args.push(...ew.args);
    addState(w, 'r', q.state);
    if (c)
      w.add(
        desc ? '(r.t < ? OR (r.t = ? AND en.entity_id < ?))' : '(r.t > ? OR (r.t = ? AND en.entity_id > ?))',
        c.t,
        c.t,
        c.id,
      );
    const dir = desc ? 'DESC' : 'ASC';
    const sql = `SELECT ${prefixed('r')}, ${ENTITY_COLUMNS} FROM recent r CROSS JOIN entities en ON en.id = r.e${w.sql}
      ORDER BY r.t ${dir}, en.entity_id ${dir} LIMIT ?`;
    const rows = this.stmts.get(sql).all(...w.args, q.limit + 1) as Array<EventRow & EntityInfo>;
    return new ArraySource(rows.map((r) => ({ r, en: r })));
  }

  private entityFetcher(desc: boolean, state: string | undefined) {
    const w = new Where().add('e = ? AND t >= ? AND t < ?');
    addState(w, 'events', state);
    const stmt = this.stmts.get(
      `SELECT ${EVENT_COLUMNS} FROM events${w.sql} ORDER BY t ${desc ? 'DESC' : 'ASC'} LIMIT ?`,
    );
    const stateArgs = w.args;
    return (e: number, lo: number, hi: number, limit: number) => stmt.all(e, lo, hi, ...stateArgs, limit) as EventRow[];
  }

  /** Every matching entity's rows in [from, to): the entity loop outside, its key range inside. */
  private windowFetcher(ew: Where, state: string | undefined) {
    const w = new Where();
    w.parts.push(...ew.parts);
    w.args.push(...ew.args);
    addState(w, 'ev', state);
    const stmt = this.stmts.get(
      `SELECT ${prefixed('ev')}, ev.e FROM entities en CROSS JOIN events ev ON ev.e = en.id AND ev.t >= ? AND ev.t < ?${w.sql}`,
    );
    // Entity columns once per entity rather than once per row: rows are many, entities few.
    const infos = new Map<number, EntityInfo>();
    for (const en of this.stmts
      .get(`SELECT ${ENTITY_COLUMNS} FROM entities en${ew.sql}`)
      .all(...ew.args) as EntityInfo[]) {
      infos.set(en.id, en);
    }
    return (from: number, to: number) =>
      (stmt.all(from, to, ...w.args) as Array<EventRow & { e: number }>).map((r) => ({ r, en: infos.get(r.e)! }));
  }
}
