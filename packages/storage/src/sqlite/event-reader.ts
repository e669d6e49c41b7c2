// The read path of the embedded store. Events are ordered by (time, entity_id), both in the query's direction,
// and paged with a keyset cursor on that pair, so pages stay stable while new events arrive (and while rows move
// from `recent` to `events`: an event keeps its key). Each call runs in one read transaction, so it sees both
// tables at one instant.
import type Database from 'better-sqlite3';
import type { EventFilter, EventPage, EventQuery, HistoryQuery, StateEvent } from '../types';
import { DECIMALS_SQL, encodeState } from './codec';
import { type EntityInfo, EVENT_COLUMNS, fetchRows, jsonRows, RowDecoder } from './event-rows';
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
const HOUR_US = 3_600_000_000;
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
        this.stmts.get(jsonRows(`SELECT ${EVENT_COLUMNS} FROM ${table} WHERE e = ? AND t >= ? AND t < ?`, 'q.t'));
      const rows = [...fetchRows(range('events'), en.id, lo, hi), ...fetchRows(range('recent'), en.id, lo, hi)];
      rows.sort((a, b) => a[0] - b[0]); // backfilled events may wait in `recent` behind newer ones in `events`
      if (q.includeStartState) {
        const before = (table: string) =>
          fetchRows(
            this.stmts.get(
              jsonRows(`SELECT ${EVENT_COLUMNS} FROM ${table} WHERE e = ? AND t < ? ORDER BY t DESC LIMIT 1`),
            ),
            en.id,
            lo,
          )[0];
        const a = before('events');
        const b = before('recent');
        const start = a && b ? (a[0] > b[0] ? a : b) : (a ?? b);
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
    const lo = q.start === undefined ? LOW : q.start - this.epoch;
    const hi = q.end === undefined ? HIGH : q.end - this.epoch;
    const c = q.cursor && { t: q.cursor.time - this.epoch, id: q.cursor.entityId };
    const ew = entityWhere(q);
    const entities =
      ew.parts.length > 0
        ? (this.stmts
            .get(`SELECT ${ENTITY_COLUMNS} FROM entities en${ew.sql} LIMIT ${PER_ENTITY_MAX + 1}`)
            .all(...ew.args) as EntityInfo[])
        : undefined;
    const few = entities && entities.length <= PER_ENTITY_MAX ? entities : undefined;
    const infos = new Map<number, EntityInfo>();
    for (const en of entities ?? []) infos.set(en.id, en);
    const infoOf = (e: number): EntityInfo => {
      let en = infos.get(e);
      if (!en) {
        en = this.stmts.get(`SELECT ${ENTITY_COLUMNS} FROM entities en WHERE id = ?`).get(e) as EntityInfo;
        infos.set(e, en);
      }
      return en;
    };
    // Few entities: `recent` is filtered by their keys (cheaper than joining every row first).
    const recentFilter = few
      ? new Where().add('r.e IN (SELECT value FROM json_each(?))', JSON.stringify(few.map((e) => e.id)))
      : ew;
    const sources: Source[] = [this.recentSource(q, recentFilter, lo, hi, c, infoOf)];
    if (few) {
      const fetch = this.entityFetcher(desc, q.state);
      const chunk = Math.max(16, Math.ceil((q.limit + 1) / Math.max(1, few.length)) + 1);
      for (const en of few) {
        let [elo, ehi] = [lo, hi];
        if (c && desc) ehi = Math.min(ehi, en.entity_id < c.id ? c.t + 1 : c.t);
        if (c && !desc) elo = Math.max(elo, en.entity_id > c.id ? c.t : c.t + 1);
        sources.push(new EntitySource(en, elo, ehi, desc, chunk, fetch));
      }
    } else sources.push(this.windowSource(q, ew, lo, hi, c, infoOf));
    return mergeSources(sources, desc, q.limit + 1);
  }

  /** Many or all entities: time windows over their key ranges, from the newest (oldest) end. */
  private windowSource(
    q: EventQuery,
    ew: Where,
    lo: number,
    hi: number,
    c: { t: number; id: string } | undefined,
    infoOf: (e: number) => EntityInfo,
  ): Source {
    const desc = q.order === 'desc';
    // The cursor's own time is fetched again and the entities it passed are dropped.
    if (c && desc) hi = Math.min(hi, c.t + 1);
    if (c && !desc) lo = Math.max(lo, c.t);
    const skip = (i: Item) =>
      c !== undefined && i.r[0] === c.t && (desc ? i.en.entity_id >= c.id : i.en.entity_id <= c.id);
    // The walk starts at the bound (or the newest/oldest time stored) and, without a bound at its far end, stops
    // at the oldest/newest time in `events` - looked up only if the page does not fill before.
    const newest = () =>
      (this.stmts.get("SELECT value FROM meta WHERE key = 'max_t'").pluck().get() as number | null | undefined) ??
      this.edgeTime('max');
    const edge = desc ? (hi !== HIGH ? hi : newest()) : lo !== LOW ? lo : this.edgeTime('min');
    const from = edge === null ? 0 : desc && hi === HIGH ? edge + 1 : edge;
    const bound = desc ? (lo !== LOW ? lo : undefined) : hi !== HIGH ? hi : undefined;
    const stop = (): number => {
      const far = this.edgeTime(desc ? 'min' : 'max');
      return far === null ? from : desc ? far : far + 1;
    };
    // First window: what the density of `recent` (the newest events) says holds the page.
    const r = this.stmts.get('SELECT count(*) AS n, max(t) - min(t) AS span FROM recent').get() as {
      n: number;
      span: number | null;
    };
    const width = r.n > 1 && r.span ? Math.max(1_000_000, ((q.limit + 1) / r.n) * r.span * 1.2) : HOUR_US;
    const window = this.windowFetcher(ew, q.state, infoOf);
    return new WindowSource(edge === null ? undefined : from, bound, stop, desc, q.limit + 1, width, window, skip);
  }

  /** The matching rows of `recent` (a small table), ordered and cut by SQL. */
  private recentSource(
    q: EventQuery,
    ew: Where,
    lo: number,
    hi: number,
    c: { t: number; id: string } | undefined,
    infoOf: (e: number) => EntityInfo,
  ): Source {
    const desc = q.order === 'desc';
    const w = new Where().add('r.t >= ? AND r.t < ?', lo, hi);
    w.parts.push(...ew.parts);
    w.args.push(...ew.args);
    addState(w, 'r', q.state);
    if (c) {
      const after = desc
        ? '(r.t < ? OR (r.t = ? AND en.entity_id < ?))'
        : '(r.t > ? OR (r.t = ? AND en.entity_id > ?))';
      w.add(after, c.t, c.t, c.id);
    }
    const dir = desc ? 'DESC' : 'ASC';
    const inner = `SELECT ${prefixed('r')}, en.entity_id FROM recent r CROSS JOIN entities en ON en.id = r.e${w.sql}
      ORDER BY r.t ${dir}, en.entity_id ${dir} LIMIT ?`;
    const rows = fetchRows(this.stmts.get(jsonRows(inner, `q.t ${dir}, q.entity_id ${dir}`)), ...w.args, q.limit + 1);
    return new ArraySource(rows.map((r) => ({ r, en: infoOf(r[8]) })));
  }

  private entityFetcher(desc: boolean, state: string | undefined) {
    const w = new Where().add('e = ? AND t >= ? AND t < ?');
    addState(w, 'events', state);
    const dir = desc ? 'DESC' : 'ASC';
    const stmt = this.stmts.get(
      jsonRows(`SELECT ${EVENT_COLUMNS} FROM events${w.sql} ORDER BY t ${dir} LIMIT ?`, `q.t ${dir}`),
    );
    const stateArgs = w.args;
    return (e: number, lo: number, hi: number, limit: number) => fetchRows(stmt, e, lo, hi, ...stateArgs, limit);
  }

  /** Every matching entity's rows in [from, to): the entity loop outside, its key range inside. */
  private windowFetcher(ew: Where, state: string | undefined, infoOf: (e: number) => EntityInfo) {
    const w = new Where();
    w.parts.push(...ew.parts);
    w.args.push(...ew.args);
    addState(w, 'ev', state);
    const stmt = this.stmts.get(
      jsonRows(
        `SELECT ${prefixed('ev')} FROM entities en CROSS JOIN events ev ON ev.e = en.id AND ev.t >= ? AND ev.t < ?${w.sql}`,
      ),
    );
    return (from: number, to: number) => fetchRows(stmt, from, to, ...w.args).map((r) => ({ r, en: infoOf(r[8]) }));
  }
}
