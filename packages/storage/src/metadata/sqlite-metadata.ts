// The registry mirror on metadata.db (SQLite, WAL, the seed's pragmas). Synchronous: every call is one short
// statement or transaction. One writer (websocket-ingestion); readers in other processes see committed state.
import { dirname } from 'node:path';
import { makePrivateDir, restrictFile } from '@homeiq/core/private-files';
import Database from 'better-sqlite3';
import { domainOf } from '../event-json';
import type { AreaRecord, DeviceRecord, EntityFilter, EntityRecord, MetadataStore } from '../metadata-types';
import { applyPragmas } from '../sqlite/schema';
import { migrateMetadata } from './metadata-schema';

type Row = Record<string, unknown>;

const AREA_COLS = ['area_id', 'name', 'floor_id', 'icon', 'aliases', 'labels'] as const;
const DEVICE_COLS = [
  'id',
  'name',
  'name_by_user',
  'manufacturer',
  'model',
  'sw_version',
  'hw_version',
  'area_id',
  'via_device_id',
  'disabled_by',
  'entry_type',
  'identifiers',
  'labels',
] as const;
const ENTITY_COLS = [
  'entity_id',
  'id',
  'unique_id',
  'platform',
  'device_id',
  'area_id',
  'name',
  'original_name',
  'icon',
  'entity_category',
  'disabled_by',
  'hidden_by',
  'labels',
  'previous_entity_ids',
] as const;
const JSON_COLS = new Set(['aliases', 'labels', 'identifiers', 'previous_entity_ids']);

/** A record as statement parameters: lists as JSON text, missing optional fields as NULL. */
function toParams(record: object, cols: readonly string[], key: string): Row {
  const r = record as Row;
  if (typeof r[key] !== 'string' || (r[key] as string).length === 0)
    throw new Error(`${key}: must be a non-empty string`);
  const out: Row = {};
  for (const c of cols) {
    const v = r[c];
    if (JSON_COLS.has(c)) {
      if (v !== undefined && v !== null && !Array.isArray(v))
        throw new Error(`${c}: must be an array (${String(r[key])})`);
      out[c] = JSON.stringify(v ?? []);
    } else {
      if (v !== undefined && v !== null && typeof v !== 'string')
        throw new Error(`${c}: must be a string or null (${String(r[key])})`);
      out[c] = v ?? null;
    }
  }
  return out;
}

function fromRow<T>(row: Row | undefined, cols: readonly string[]): T | undefined {
  if (!row) return undefined;
  const out: Row = {};
  for (const c of cols) out[c] = JSON_COLS.has(c) ? JSON.parse(row[c] as string) : row[c];
  return out as T;
}

const upsertSql = (table: string, cols: readonly string[], key: string, extra = '') =>
  `INSERT INTO ${table} (${cols.join(', ')}${extra ? ', domain' : ''}) VALUES (${cols.map((c) => `@${c}`).join(', ')}${extra})
   ON CONFLICT (${key}) DO UPDATE SET ${cols
     .filter((c) => c !== key)
     .map((c) => `${c} = excluded.${c}`)
     .join(', ')}`;

/** `a` then whatever of `b` is not in it yet: previous ids accumulate, oldest first, never lost. */
const union = (a: string[], b: string[]) => [...a, ...b.filter((x) => !a.includes(x))];

export class SqliteMetadataStore implements MetadataStore {
  private readonly db: Database.Database;

  constructor(readonly path: string) {
    if (path !== ':memory:') makePrivateDir(dirname(path));
    this.db = new Database(path);
    // Before any pragma: SQLite gives the -wal and -shm files the mode of the main file.
    if (path !== ':memory:') restrictFile(path);
    try {
      applyPragmas(this.db);
      migrateMetadata(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  replaceAll(snapshot: { areas: AreaRecord[]; devices: DeviceRecord[]; entities: EntityRecord[] }): void {
    const areas = snapshot.areas.map((a) => toParams(a, AREA_COLS, 'area_id'));
    const devices = snapshot.devices.map((d) => toParams(d, DEVICE_COLS, 'id'));
    this.db.transaction(() => {
      // Former ids survive a full refresh: keep what the mirror knew under the same entity id or registry id.
      const known = this.listEntities();
      const entities = snapshot.entities.map((e) => {
        const before =
          known.find((k) => k.entity_id === e.entity_id) ?? (e.id ? known.find((k) => k.id === e.id) : undefined);
        let previous = union(before?.previous_entity_ids ?? [], e.previous_entity_ids ?? []);
        if (before && before.entity_id !== e.entity_id) previous = union(previous, [before.entity_id]);
        return {
          ...toParams({ ...e, previous_entity_ids: previous }, ENTITY_COLS, 'entity_id'),
          domain: domainOf(e.entity_id),
        };
      });
      this.db.exec('DELETE FROM areas; DELETE FROM devices; DELETE FROM entities;');
      const putArea = this.db.prepare(upsertSql('areas', AREA_COLS, 'area_id'));
      const putDevice = this.db.prepare(upsertSql('devices', DEVICE_COLS, 'id'));
      const putEntity = this.db.prepare(upsertSql('entities', ENTITY_COLS, 'entity_id', ', @domain'));
      for (const a of areas) putArea.run(a);
      for (const d of devices) putDevice.run(d);
      for (const e of entities) putEntity.run(e);
    })();
  }

  upsertArea(area: AreaRecord): void {
    this.db.prepare(upsertSql('areas', AREA_COLS, 'area_id')).run(toParams(area, AREA_COLS, 'area_id'));
  }

  removeArea(areaId: string): void {
    this.db.prepare('DELETE FROM areas WHERE area_id = ?').run(areaId);
  }

  upsertDevice(device: DeviceRecord): void {
    this.db.prepare(upsertSql('devices', DEVICE_COLS, 'id')).run(toParams(device, DEVICE_COLS, 'id'));
  }

  removeDevice(deviceId: string): void {
    this.db.prepare('DELETE FROM devices WHERE id = ?').run(deviceId);
  }

  /** Keeps the former ids already known; an entity that reappears under a new id with the same registry id is a rename. */
  upsertEntity(entity: EntityRecord): void {
    this.db.transaction(() => {
      const current = this.getEntity(entity.entity_id);
      if (!current && entity.id) {
        const moved = fromRow<EntityRecord>(
          this.db.prepare('SELECT * FROM entities WHERE id = ?').get(entity.id) as Row,
          ENTITY_COLS,
        );
        if (moved) this.renameEntity(moved.entity_id, entity.entity_id);
      }
      const previous = union(
        this.getEntity(entity.entity_id)?.previous_entity_ids ?? [],
        entity.previous_entity_ids ?? [],
      );
      const params = toParams({ ...entity, previous_entity_ids: previous }, ENTITY_COLS, 'entity_id');
      this.db
        .prepare(upsertSql('entities', ENTITY_COLS, 'entity_id', ', @domain'))
        .run({ ...params, domain: domainOf(entity.entity_id) });
    })();
  }

  removeEntity(entityId: string): void {
    this.db.prepare('DELETE FROM entities WHERE entity_id = ?').run(entityId);
  }

  renameEntity(oldEntityId: string, newEntityId: string): void {
    if (oldEntityId === newEntityId) return;
    this.db.transaction(() => {
      const old = this.getEntity(oldEntityId);
      const target = this.getEntity(newEntityId);
      const previous = union(
        union(old?.previous_entity_ids ?? [], [oldEntityId]),
        target?.previous_entity_ids ?? [],
      ).filter((id) => id !== newEntityId);
      if (old) {
        // The registry row moves to the new id (a row already there under the new id is the same entity).
        this.db.prepare('DELETE FROM entities WHERE entity_id = ?').run(newEntityId);
        this.db
          .prepare('UPDATE entities SET entity_id = ?, domain = ?, previous_entity_ids = ? WHERE entity_id = ?')
          .run(newEntityId, domainOf(newEntityId), JSON.stringify(previous), oldEntityId);
      } else if (target) {
        this.db
          .prepare('UPDATE entities SET previous_entity_ids = ? WHERE entity_id = ?')
          .run(JSON.stringify(previous), newEntityId);
      } else {
        // Not mirrored yet: remember the rename so history under the old id stays reachable.
        const blank = Object.fromEntries(ENTITY_COLS.map((c) => [c, null])) as unknown as EntityRecord;
        const params = toParams(
          { ...blank, entity_id: newEntityId, labels: [], previous_entity_ids: previous },
          ENTITY_COLS,
          'entity_id',
        );
        this.db
          .prepare(upsertSql('entities', ENTITY_COLS, 'entity_id', ', @domain'))
          .run({ ...params, domain: domainOf(newEntityId) });
      }
    })();
  }

  listAreas(): AreaRecord[] {
    const rows = this.db.prepare('SELECT * FROM areas ORDER BY name, area_id').all() as Row[];
    return rows.map((r) => fromRow<AreaRecord>(r, AREA_COLS)!);
  }

  getArea(areaId: string): AreaRecord | undefined {
    return fromRow(this.db.prepare('SELECT * FROM areas WHERE area_id = ?').get(areaId) as Row | undefined, AREA_COLS);
  }

  listDevices(filter: { areaId?: string } = {}): DeviceRecord[] {
    const rows = (
      filter.areaId === undefined
        ? this.db.prepare('SELECT * FROM devices ORDER BY id').all()
        : this.db.prepare('SELECT * FROM devices WHERE area_id = ? ORDER BY id').all(filter.areaId)
    ) as Row[];
    return rows.map((r) => fromRow<DeviceRecord>(r, DEVICE_COLS)!);
  }

  getDevice(id: string): DeviceRecord | undefined {
    return fromRow(this.db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as Row | undefined, DEVICE_COLS);
  }

  /** areaId matches the effective area: the entity's own, else its device's. */
  listEntities(filter: EntityFilter = {}): EntityRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, ...a: unknown[]) => {
      where.push(sql);
      args.push(...a);
    };
    if (filter.domain !== undefined) add('e.domain = ?', filter.domain);
    if (filter.deviceId !== undefined) add('e.device_id = ?', filter.deviceId);
    if (filter.platform !== undefined) add('e.platform = ?', filter.platform);
    if (filter.areaId !== undefined) add('coalesce(e.area_id, d.area_id) = ?', filter.areaId);
    const sql =
      'SELECT e.* FROM entities e LEFT JOIN devices d ON d.id = e.device_id' +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY e.entity_id';
    return (this.db.prepare(sql).all(...args) as Row[]).map((r) => fromRow<EntityRecord>(r, ENTITY_COLS)!);
  }

  getEntity(entityId: string): EntityRecord | undefined {
    const row = this.db.prepare('SELECT * FROM entities WHERE entity_id = ?').get(entityId) as Row | undefined;
    return fromRow(row, ENTITY_COLS);
  }

  effectiveAreaId(entityId: string): string | null {
    const row = this.db
      .prepare(
        'SELECT coalesce(e.area_id, d.area_id) AS area FROM entities e LEFT JOIN devices d ON d.id = e.device_id WHERE e.entity_id = ?',
      )
      .get(entityId) as { area: string | null } | undefined;
    return row?.area ?? null;
  }

  historyIds(entityId: string): string[] {
    return union([entityId], this.getEntity(entityId)?.previous_entity_ids ?? []);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
