// The write path of the embedded store: one IMMEDIATE transaction per batch appending to `recent` with
// multi-row INSERTs (prepared once per row count), caches for entity keys and attribute-set ids so that a typical
// event needs no lookup, and a bulk move of `recent` into the entity-clustered `events` table every
// `mergeRows` events (see schema.ts for why). A new attribute set is stored as a patch on its entity's keyframe
// when it can be (attribute-sets.ts).
import type Database from 'better-sqlite3';
import { domainOf } from '../event-json';
import type { StateEvent, WriteResult } from '../types';
import { applyPatch, encodePatch, type Keyframe, keyframe } from './attribute-sets';
import { encodeContext, encodeExtras, encodeState, hash53, packFlags } from './codec';

interface EntityState {
  key: number;
  deviceClass: string | null;
  unit: string | null;
  areaId: string | null;
  deviceId: string | null;
  /** Newest stored event time (relative µs): only an event at least this new may change the tags. */
  maxT: number;
  /** The entity's last attribute set: most events repeat it, and comparing text beats hashing it. */
  lastJson: string;
  lastAttr: number | null;
}

/** Attribute-set cache bound (total JSON chars); cleared when exceeded. */
const ATTR_CACHE_CHARS = 16 * 1024 * 1024;
/** Rows per INSERT statement: fewer calls into SQLite, well under its parameter limit. */
const ROWS_PER_INSERT = 64;
const COLS = 'e, t, s, a, lc, c, f, x';
const NCOLS = 8;
const NONE = Number.MIN_SAFE_INTEGER;

const nullableString = (v: unknown) => v === null || typeof v === 'string';
const NULLABLE_STRINGS = ['contextId', 'contextParentId', 'contextUserId', 'origin', 'areaId', 'deviceId'] as const;

/** Why an event cannot be stored, or undefined when it can. */
export function invalidReason(e: StateEvent): string | undefined {
  if (typeof e !== 'object' || e === null) return 'event: must be an object';
  if (typeof e.entityId !== 'string' || e.entityId.length === 0) return 'entityId: must be a non-empty string';
  if (!Number.isSafeInteger(e.time)) return `time: must be an integer of µs (${e.entityId})`;
  if (!Number.isSafeInteger(e.lastChanged)) return `lastChanged: must be an integer of µs (${e.entityId})`;
  if (typeof e.state !== 'string') return `state: must be a string (${e.entityId})`;
  if (typeof e.removed !== 'boolean') return `removed: must be a boolean (${e.entityId})`;
  if (typeof e.attributes !== 'object' || e.attributes === null || Array.isArray(e.attributes)) {
    return `attributes: must be an object (${e.entityId})`;
  }
  for (const k of NULLABLE_STRINGS) {
    if (!nullableString(e[k])) return `${k}: must be a string or null (${e.entityId})`;
  }
  return undefined;
}

const tagOf = (attributes: Record<string, unknown>, key: string): string | null => {
  const v = attributes[key];
  return typeof v === 'string' ? v : null;
};

export class EventWriter {
  private readonly entities = new Map<string, EntityState>();
  private readonly attrIds = new Map<string, number>();
  private attrChars = 0;
  /**
   * Each entity's keyframe (by entity key), the newest full set stored by this writer. Set ids never change, so
   * unlike `entities` this survives commits by other connections; it goes with a rolled-back transaction.
   */
  private readonly keyframes = new Map<number, Keyframe>();
  private dataVersion = -1;
  /** Newest time in `events` (relative µs): newer events cannot be stored there yet, so skip the probe. */
  private mainMaxT = NONE;
  /** Rows waiting in `recent`. */
  private recentRows = 0;
  private readonly inserts = new Map<number, Database.Statement>();
  private readonly selectEntity: Database.Statement;
  private readonly insertEntity: Database.Statement;
  private readonly updateEntity: Database.Statement;
  private readonly maxTime: Database.Statement;
  private readonly findAttr: Database.Statement;
  private readonly selectAttr: Database.Statement;
  private readonly insertAttr: Database.Statement;
  private readonly bumpCount: Database.Statement;
  private readonly bumpMaxT: Database.Statement;
  private readonly batch: Database.Transaction<(events: StateEvent[], result: WriteResult) => void>;

  constructor(
    private readonly db: Database.Database,
    private readonly epoch: number,
    private readonly mergeRows: number,
  ) {
    this.selectEntity = db.prepare(
      'SELECT id, device_class, unit, area_id, device_id FROM entities WHERE entity_id = ?',
    );
    this.insertEntity = db.prepare(
      'INSERT INTO entities (entity_id, domain, device_class, unit, area_id, device_id) VALUES (?,?,?,?,?,?)',
    );
    this.updateEntity = db.prepare(
      'UPDATE entities SET device_class = ?, unit = ?, area_id = ?, device_id = ? WHERE id = ?',
    );
    this.maxTime = db
      .prepare(
        'SELECT max(t) FROM (SELECT max(t) AS t FROM events WHERE e = @e UNION ALL SELECT max(t) FROM recent WHERE e = @e)',
      )
      .pluck();
    this.findAttr = db.prepare('SELECT id, base, json FROM attributes WHERE hash = ?');
    this.selectAttr = db.prepare('SELECT json FROM attributes WHERE id = ?').pluck();
    this.insertAttr = db.prepare('INSERT INTO attributes (hash, json, base) VALUES (?, ?, ?)');
    this.bumpCount = db.prepare("UPDATE meta SET value = value + ? WHERE key = 'events'");
    this.bumpMaxT = db.prepare("UPDATE meta SET value = max(coalesce(value, @t), @t) WHERE key = 'max_t'");
    this.batch = db.transaction((events, result) => this.writeAll(events, result));
  }

  write(events: StateEvent[]): WriteResult {
    const result: WriteResult = { written: 0, duplicates: 0, rejected: [] };
    if (events.length === 0) return result;
    try {
      this.batch.immediate(events, result);
    } catch (error) {
      // Keys and ids handed out inside the rolled-back transaction no longer exist.
      this.clearCaches();
      throw error;
    }
    this.recentRows += result.written;
    if (this.recentRows >= this.mergeRows) {
      try {
        this.merge();
      } catch {
        // The batch is committed; `recent` stays readable and the move is retried after the next batch.
      }
    }
    return result;
  }

  /** Moves every row of `recent` into `events` in one transaction. */
  merge(): void {
    this.db
      .transaction(() => {
        const rows = this.db.prepare('SELECT count(*) FROM recent').pluck().get() as number;
        if (rows === 0) return;
        const newest = this.db.prepare('SELECT max(t) FROM recent').pluck().get() as number;
        // In `recent` order (time): sorting by the target key first costs more than it saves.
        const moved = this.db
          .prepare(`INSERT OR IGNORE INTO events (${COLS}) SELECT ${COLS} FROM recent`)
          .run().changes;
        this.db.prepare('DELETE FROM recent').run();
        // Only a row already in `events` (written by another connection meanwhile) is not moved: one copy stays.
        if (moved < rows) this.bumpCount.run(moved - rows);
        if (newest > this.mainMaxT) this.mainMaxT = newest;
      })
      .immediate();
    this.recentRows = 0;
  }

  clearCaches(): void {
    this.entities.clear();
    this.attrIds.clear();
    this.attrChars = 0;
    this.keyframes.clear();
  }

  private writeAll(events: StateEvent[], result: WriteResult): void {
    // Another connection committed since our last batch (a restore, a second writer): re-read what we cached.
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (version !== this.dataVersion) {
      this.entities.clear();
      this.dataVersion = version;
      this.mainMaxT =
        (this.db.prepare('SELECT max((SELECT max(t) FROM events WHERE e = en.id)) FROM entities en').pluck().get() as
          | number
          | null) ?? NONE;
      this.recentRows = this.db.prepare('SELECT count(*) FROM recent').pluck().get() as number;
    }
    const args: unknown[] = [];
    let rows = 0;
    let valid = 0;
    let batchMaxT = Number.MIN_SAFE_INTEGER;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const reason = invalidReason(e);
      if (reason) {
        result.rejected.push({ index: i, reason });
        continue;
      }
      let json: string;
      try {
        json = JSON.stringify(e.attributes);
      } catch (error) {
        result.rejected.push({ index: i, reason: `attributes: not JSON (${e.entityId}): ${String(error)}` });
        continue;
      }
      const t = e.time - this.epoch;
      const entity = this.entity(e, t);
      const [c, delta] = encodeContext(e.contextId, Math.floor(e.time / 1000));
      const [state, decimals] = encodeState(e.state, e.removed);
      args.push(
        entity.key,
        t,
        state,
        json === entity.lastJson ? entity.lastAttr : this.attributeId(entity, json),
        e.time - e.lastChanged,
        c,
        packFlags(e.origin, decimals, delta),
        encodeExtras(e.contextParentId, e.contextUserId, e.origin),
      );
      if (t > entity.maxT) entity.maxT = t;
      if (t > batchMaxT) batchMaxT = t;
      valid++;
      if (++rows === ROWS_PER_INSERT) {
        result.written += this.insert(rows).run(...args, this.mainMaxT).changes;
        args.length = 0;
        rows = 0;
      }
    }
    if (rows > 0) result.written += this.insert(rows).run(...args, this.mainMaxT).changes;
    result.duplicates = valid - result.written;
    if (result.written > 0) {
      this.bumpCount.run(result.written);
      this.bumpMaxT.run({ t: batchMaxT });
    }
  }

  /**
   * INSERT of `rows` events into `recent`, skipping any already in `events` (an event newer than everything
   * there cannot be, so the probe is skipped for live data) or in `recent` (its key).
   */
  private insert(rows: number): Database.Statement {
    let stmt = this.inserts.get(rows);
    if (!stmt) {
      const tuple = `(${Array(NCOLS).fill('?').join(',')})`;
      stmt = this.db.prepare(
        `INSERT OR IGNORE INTO recent (${COLS}) SELECT * FROM (VALUES ${Array(rows).fill(tuple).join(',')}) v
         WHERE v.column2 > ? OR NOT EXISTS (SELECT 1 FROM events m WHERE m.e = v.column1 AND m.t = v.column2)`,
      );
      this.inserts.set(rows, stmt);
    }
    return stmt;
  }

  /** The entity's key; creates the row, or updates its tags when this event is its newest and they changed. */
  private entity(e: StateEvent, t: number): EntityState {
    const deviceClass = tagOf(e.attributes, 'device_class');
    const unit = tagOf(e.attributes, 'unit_of_measurement');
    let s = this.entities.get(e.entityId);
    if (!s) {
      const row = this.selectEntity.get(e.entityId) as
        | {
            id: number;
            device_class: string | null;
            unit: string | null;
            area_id: string | null;
            device_id: string | null;
          }
        | undefined;
      if (row) {
        const max = this.maxTime.get({ e: row.id }) as number | null;
        s = {
          key: row.id,
          deviceClass: row.device_class,
          unit: row.unit,
          areaId: row.area_id,
          deviceId: row.device_id,
          maxT: max ?? Number.NEGATIVE_INFINITY,
          lastJson: '{}',
          lastAttr: null,
        };
      } else {
        const key = Number(
          this.insertEntity.run(e.entityId, domainOf(e.entityId), deviceClass, unit, e.areaId, e.deviceId)
            .lastInsertRowid,
        );
        s = {
          key,
          deviceClass,
          unit,
          areaId: e.areaId,
          deviceId: e.deviceId,
          maxT: Number.NEGATIVE_INFINITY,
          lastJson: '{}',
          lastAttr: null,
        };
      }
      this.entities.set(e.entityId, s);
    }
    if (
      t >= s.maxT &&
      (s.deviceClass !== deviceClass || s.unit !== unit || s.areaId !== e.areaId || s.deviceId !== e.deviceId)
    ) {
      this.updateEntity.run(deviceClass, unit, e.areaId, e.deviceId, s.key);
      s.deviceClass = deviceClass;
      s.unit = unit;
      s.areaId = e.areaId;
      s.deviceId = e.deviceId;
    }
    return s;
  }

  private attributeId(entity: EntityState, json: string): number | null {
    entity.lastJson = json;
    entity.lastAttr = json === '{}' ? null : this.attrSet(entity.key, json);
    return entity.lastAttr;
  }

  private attrSet(entityKey: number, json: string): number {
    const cached = this.attrIds.get(json);
    if (cached !== undefined) return cached;
    const hash = hash53(json);
    const id = this.findSet(hash, json) ?? this.insertSet(entityKey, hash, json);
    if (this.attrChars + json.length > ATTR_CACHE_CHARS) {
      this.attrIds.clear();
      this.attrChars = 0;
    }
    this.attrIds.set(json, id);
    this.attrChars += json.length;
    return id;
  }

  /** The stored set whose full text is `json`: rows of the same hash, each confirmed by its full text. */
  private findSet(hash: number, json: string): number | undefined {
    for (const row of this.findAttr.all(hash) as Array<{ id: number; base: number | null; json: string }>) {
      if (row.base === null) {
        if (row.json === json) return row.id;
        continue;
      }
      // A patch whose base is missing (a damaged file) matches nothing: the set is stored anew.
      const base = this.selectAttr.get(row.base) as string | undefined;
      if (base !== undefined && applyPatch(base, row.json) === json) return row.id;
    }
    return undefined;
  }

  /** Stores a new set: a patch on the entity's keyframe when it has the same keys and the patch is small. */
  private insertSet(entityKey: number, hash: number, json: string): number {
    const values = JSON.parse(json) as Record<string, unknown>;
    const base = this.keyframes.get(entityKey);
    const patch = base && encodePatch(base, values, json);
    if (base && patch !== undefined) return Number(this.insertAttr.run(hash, patch, base.id).lastInsertRowid);
    const id = Number(this.insertAttr.run(hash, json, null).lastInsertRowid);
    this.keyframes.set(entityKey, keyframe(id, values));
    return id;
  }
}
