// Decoding stored event rows back into StateEvents.
import type Database from 'better-sqlite3';
import type { StateEvent } from '../types';
import { decodeContext, decodeOrigin, decodeUserId } from './codec';

/** The stored columns of one event (see schema.ts). */
export interface EventRow {
  t: number;
  s: string | null;
  a: number | null;
  lc: number;
  c: Buffer | string | null;
  cd: number;
  cp: Buffer | string | null;
  cpd: number;
  cu: Buffer | string | null;
  o: number | string | null;
}

export const EVENT_COLUMNS = 't, s, a, lc, c, cd, cp, cpd, cu, o';

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
    const ms = Math.floor(time / 1000);
    return {
      entityId: entity.entity_id,
      time,
      lastChanged: time - r.lc,
      state: r.s ?? '',
      removed: r.s === null,
      attributes: r.a === null ? {} : (JSON.parse(this.attributes(r.a)) as Record<string, unknown>),
      contextId: decodeContext(r.c, r.cd, ms),
      contextParentId: decodeContext(r.cp, r.cpd, ms),
      contextUserId: decodeUserId(r.cu),
      origin: decodeOrigin(r.o),
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
