// Decoding stored event rows back into StateEvents.
import type Database from 'better-sqlite3';
import type { StateEvent } from '../types';
import { decodeContext, decodeExtras, decodeState, originFromCode, unpackFlags } from './codec';

/** The stored columns of one event (see schema.ts). */
export interface EventRow {
  t: number;
  s: string | number | null;
  a: number | null;
  lc: number;
  c: Buffer | string | null;
  f: number;
  x: Buffer | null;
}

export const EVENT_COLUMNS = 't, s, a, lc, c, f, x';

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
    this.selectAttr = db.prepare('SELECT json FROM attributes WHERE id = ?').pluck();
  }

  decode(r: EventRow, entity: EntityInfo): StateEvent {
    const time = r.t + this.epoch;
    const flags = unpackFlags(r.f);
    const extras = decodeExtras(r.x);
    return {
      entityId: entity.entity_id,
      time,
      lastChanged: time - r.lc,
      state: decodeState(r.s, flags.decimals),
      removed: r.s === null,
      attributes: r.a === null ? {} : (JSON.parse(this.attributes(r.a)) as Record<string, unknown>),
      contextId: decodeContext(r.c, flags.contextDelta, Math.floor(time / 1000)),
      contextParentId: extras.parent,
      contextUserId: extras.user,
      origin: originFromCode(flags.originCode, extras.origin),
      areaId: entity.area_id,
      deviceId: entity.device_id,
    };
  }

  private attributes(id: number): string {
    let text = this.attrText.get(id);
    if (text !== undefined) return text;
    text = this.selectAttr.get(id) as string | undefined;
    if (text === undefined) throw new Error(`events database: attribute set ${id} is missing`);
    if (this.cachedChars + text.length > CACHE_CHARS) {
      this.attrText.clear();
      this.cachedChars = 0;
    }
    this.attrText.set(id, text);
    this.cachedChars += text.length;
    return text;
  }
}
