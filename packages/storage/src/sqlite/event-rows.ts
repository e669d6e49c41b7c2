// Fetching stored event rows and decoding them back into StateEvents. A fetch returns all its rows as ONE JSON
// text built by SQLite (json_group_array): better-sqlite3 materializes a JS object per row and per column at
// about 1 µs each, while JSON.parse of the whole set costs a fraction of that.
import type Database from 'better-sqlite3';
import type { StateEvent } from '../types';
import { applyPatch } from './attribute-sets';
import { decodeContextHex, decodeExtras, decodeState, originFromCode } from './codec';

const NO_EXTRAS = { parent: null, user: null, origin: null } as const;

/**
 * One stored event as fetched (see schema.ts for the columns): [t, s, a, lc, context as hex when a blob,
 * context when text, f, extras as hex ('' when none), entity key].
 */
export type EventRow = [
  t: number,
  s: string | number | null,
  a: number | null,
  lc: number,
  cHex: string | null,
  cText: string | null,
  f: number,
  xHex: string,
  e: number,
];

/** The stored columns of an event table, for inner queries whose rows `jsonRows` aggregates. */
export const EVENT_COLUMNS = 't, s, a, lc, c, f, x, e';

/**
 * One JSON text holding the rows of `inner` (which selects EVENT_COLUMNS, plus whatever `order` names) as
 * EventRow arrays, in `order` (columns of alias q). An empty result is '[]'.
 */
export function jsonRows(inner: string, order?: string): string {
  const row =
    "json_array(q.t, q.s, q.a, q.lc, iif(typeof(q.c) = 'blob', hex(q.c), NULL), iif(typeof(q.c) = 'text', q.c, NULL), " +
    'q.f, hex(q.x), q.e)';
  return `SELECT json_group_array(${row}${order ? ` ORDER BY ${order}` : ''}) FROM (${inner}) q`;
}

/** Runs a jsonRows statement. */
export function fetchRows(stmt: Database.Statement, ...args: unknown[]): EventRow[] {
  return JSON.parse((stmt.pluck().get(...args) as string | null) ?? '[]') as EventRow[];
}

/** An entity as the read side needs it to complete its events. */
export interface EntityInfo {
  id: number;
  entity_id: string;
  area_id: string | null;
  device_id: string | null;
}

/** Attribute-set text cache bound (total chars). Sets never change once written, so entries never go stale. */
const CACHE_CHARS = 16 * 1024 * 1024;

export class RowDecoder {
  private readonly attrText = new Map<number, string>();
  private cachedChars = 0;
  private readonly selectAttr: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly epoch: number,
  ) {
    this.selectAttr = db.prepare('SELECT json, base FROM attributes WHERE id = ?');
  }

  decode(r: EventRow, entity: EntityInfo): StateEvent {
    const time = r[0] + this.epoch;
    const f = r[6]; // the flags, unpacked inline (see packFlags): this runs once per event read
    const extras = r[7] === '' ? NO_EXTRAS : decodeExtras(Buffer.from(r[7], 'hex'));
    return {
      entityId: entity.entity_id,
      time,
      lastChanged: time - r[3],
      state: decodeState(r[1], Math.floor(f / 4) % 8),
      removed: r[1] === null,
      attributes: r[2] === null ? {} : (JSON.parse(this.attributes(r[2])) as Record<string, unknown>),
      contextId: decodeContextHex(r[4], r[5], Math.floor(f / 32), Math.floor(time / 1000)),
      contextParentId: extras.parent,
      contextUserId: extras.user,
      origin: originFromCode(f % 4, extras.origin),
      areaId: entity.area_id,
      deviceId: entity.device_id,
    };
  }

  /** The full text of a set (a patch applied onto its base's full text). */
  private attributes(id: number): string {
    let text = this.attrText.get(id);
    if (text !== undefined) return text;
    const row = this.selectAttr.get(id) as { json: string; base: number | null } | undefined;
    if (row === undefined) throw new Error(`events database: attribute set ${id} is missing`);
    text = row.base === null ? row.json : applyPatch(this.attributes(row.base), row.json);
    if (this.cachedChars + text.length > CACHE_CHARS) {
      this.attrText.clear();
      this.cachedChars = 0;
    }
    this.attrText.set(id, text);
    this.cachedChars += text.length;
    return text;
  }
}
