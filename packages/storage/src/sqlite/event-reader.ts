// The read path of the embedded store. Events are ordered by (time, entity_id), both in the query's direction,
// and paged with a keyset cursor on that pair, so pages stay stable while new events arrive.
// Two plans: a handful of entities are read straight from the primary key (one contiguous range each) and
// merged here; anything broader walks the (t, e) index in time order and joins the entity.
import type Database from 'better-sqlite3';
import type { EventCursor, EventFilter, EventPage, EventQuery, HistoryQuery, StateEvent } from '../types';
import { type EntityInfo, EVENT_COLUMNS, type EventRow, RowDecoder } from './event-rows';

/** Up to this many matching entities are merged from their own key ranges. */
const MERGE_MAX_ENTITIES = 64;
const LOW = Number.MIN_SAFE_INTEGER;
const HIGH = Number.MAX_SAFE_INTEGER;

interface Stream {
  entity: EntityInfo;
  lo: number;
  hi: number;
  rows: EventRow[];
  pos: number;
  done: boolean;
}

/** A WHERE clause built from parts, each with its parameters. */
class Where {
  private readonly parts: string[] = [];
  readonly args: unknown[] = [];
  add(part: string, ...args: unknown[]): void {
    this.parts.push(part);
    this.args.push(...args);
  }
  get empty(): boolean {
    return this.parts.length === 0;
  }
  get sql(): string {
    return this.parts.length ? ` WHERE ${this.parts.join(' AND ')}` : '';
  }
}

const cmpKey = (ta: number, ea: string, tb: number, eb: string) => ta - tb || (ea < eb ? -1 : ea > eb ? 1 : 0);

export class EventReader {
  private readonly decoder: RowDecoder;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly epoch: number,
  ) {
    this.decoder = new RowDecoder(db, epoch);
  }

  query(q: EventQuery): EventPage {
    const entities = this.matchingEntities(q);
    const rel = {
      lo: q.start === undefined ? LOW : q.start - this.epoch,
      hi: q.end === undefined ? HIGH : q.end - this.epoch,
    };
    const events =
      entities && entities.length <= MERGE_MAX_ENTITIES
        ? this.merged(entities, q, rel)
        : this.byTime(
            entities?.map((e) => e.id),
            q,
            rel,
          );
    if (events.length <= q.limit) return { events };
    events.length = q.limit;
    const last = events[q.limit - 1]!;
    return { events, nextCursor: { time: last.time, entityId: last.entityId } };
  }

  history(q: HistoryQuery): StateEvent[] {
    const entity = this.stmt('SELECT id, entity_id, area_id, device_id FROM entities WHERE entity_id = ?').get(
      q.entityId,
    ) as EntityInfo | undefined;
    if (!entity) return [];
    const lo = q.start - this.epoch;
    const rows = this.stmt(`SELECT ${EVENT_COLUMNS} FROM events WHERE e = ? AND t >= ? AND t < ? ORDER BY t`).all(
      entity.id,
      lo,
      q.end - this.epoch,
    ) as EventRow[];
    if (q.includeStartState) {
      const before = this.stmt(`SELECT ${EVENT_COLUMNS} FROM events WHERE e = ? AND t < ? ORDER BY t DESC LIMIT 1`).get(
        entity.id,
        lo,
      ) as EventRow | undefined;
      if (before) rows.unshift(before);
    }
    return rows.map((r) => this.decoder.decode(r, entity));
  }

  hasEntity(entityId: string): boolean {
    return (
      this.stmt(
        'SELECT 1 FROM entities en WHERE en.entity_id = ? AND EXISTS (SELECT 1 FROM events WHERE e = en.id)',
      ).get(entityId) !== undefined
    );
  }

  lastEventTime(): number | null {
    const t = this.stmt('SELECT max(t) FROM events').pluck().get() as number | null;
    return t === null ? null : t + this.epoch;
  }

  /** The entities an entity-level filter selects, or undefined when the filter has none. */
  private matchingEntities(f: EventFilter): EntityInfo[] | undefined {
    const w = new Where();
    if (f.entityIds) w.add('entity_id IN (SELECT value FROM json_each(?))', JSON.stringify(f.entityIds));
    if (f.domain !== undefined) w.add('domain = ?', f.domain);
    if (f.areaId !== undefined) w.add('area_id = ?', f.areaId);
    if (f.deviceId !== undefined) w.add('device_id = ?', f.deviceId);
    if (w.empty) return undefined;
    return this.stmt(`SELECT id, entity_id, area_id, device_id FROM entities${w.sql}`).all(...w.args) as EntityInfo[];
  }

  /** Per-entity primary-key ranges, merged by (time, entity_id). */
  private merged(entities: EntityInfo[], q: EventQuery, rel: { lo: number; hi: number }): StateEvent[] {
    const desc = q.order === 'desc';
    const want = q.limit + 1;
    const chunk = Math.max(16, Math.ceil(want / Math.max(1, entities.length)) + 1);
    const streams: Stream[] = entities.map((entity) => {
      let { lo, hi } = rel;
      const c = q.cursor;
      if (c) {
        const ct = c.time - this.epoch;
        if (desc) hi = Math.min(hi, entity.entity_id < c.entityId ? ct + 1 : ct);
        else lo = Math.max(lo, entity.entity_id > c.entityId ? ct : ct + 1);
      }
      return { entity, lo, hi, rows: [], pos: 0, done: lo >= hi };
    });
    const out: StateEvent[] = [];
    while (out.length < want) {
      let best: Stream | undefined;
      for (const s of streams) {
        if (s.pos >= s.rows.length) {
          if (s.done) continue;
          this.refill(s, q, chunk);
          if (s.pos >= s.rows.length) continue;
        }
        if (!best) best = s;
        else {
          const c = cmpKey(s.rows[s.pos]!.t, s.entity.entity_id, best.rows[best.pos]!.t, best.entity.entity_id);
          if (desc ? c > 0 : c < 0) best = s;
        }
      }
      if (!best) break;
      out.push(this.decoder.decode(best.rows[best.pos++]!, best.entity));
    }
    return out;
  }

  private refill(s: Stream, q: EventQuery, chunk: number): void {
    const desc = q.order === 'desc';
    const state = q.state === undefined ? '' : q.state === '' ? ' AND (s IS NULL OR s = ?)' : ' AND s = ?';
    const sql = `SELECT ${EVENT_COLUMNS} FROM events WHERE e = ? AND t >= ? AND t < ?${state} ORDER BY t ${desc ? 'DESC' : 'ASC'} LIMIT ?`;
    const args: unknown[] = [s.entity.id, s.lo, s.hi];
    if (q.state !== undefined) args.push(q.state);
    s.rows = this.stmt(sql).all(...args, chunk) as EventRow[];
    s.pos = 0;
    if (s.rows.length < chunk) s.done = true;
    const last = s.rows[s.rows.length - 1];
    if (last) {
      if (desc) s.hi = last.t;
      else s.lo = last.t + 1;
    }
  }

  /** The (t, e) index walked in time order, entity joined; keys restrict it when given. */
  private byTime(keys: number[] | undefined, q: EventQuery, rel: { lo: number; hi: number }): StateEvent[] {
    const desc = q.order === 'desc';
    const w = new Where();
    if (rel.lo !== LOW) w.add('ev.t >= ?', rel.lo);
    if (rel.hi !== HIGH) w.add('ev.t < ?', rel.hi);
    const c: EventCursor | undefined = q.cursor;
    if (c) {
      // (t, entity_id) beyond the cursor, written so that the t part stays an index range.
      const ct = c.time - this.epoch;
      if (desc) w.add('ev.t <= ? AND (ev.t < ? OR en.entity_id < ?)', ct, ct, c.entityId);
      else w.add('ev.t >= ? AND (ev.t > ? OR en.entity_id > ?)', ct, ct, c.entityId);
    }
    if (keys) w.add('ev.e IN (SELECT value FROM json_each(?))', JSON.stringify(keys));
    if (q.state !== undefined) w.add(q.state === '' ? '(ev.s IS NULL OR ev.s = ?)' : 'ev.s = ?', q.state);
    const dir = desc ? 'DESC' : 'ASC';
    const sql =
      `SELECT ${EVENT_COLUMNS.replace(/(\w+)/g, 'ev.$1')}, en.id, en.entity_id, en.area_id, en.device_id ` +
      `FROM events ev CROSS JOIN entities en ON en.id = ev.e${w.sql} ORDER BY ev.t ${dir}, en.entity_id ${dir} LIMIT ?`;
    const rows = this.stmt(sql).all(...w.args, q.limit + 1) as Array<EventRow & EntityInfo>;
    return rows.map((r) => this.decoder.decode(r, r));
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}
