// metadata.db: Home Assistant's area, device and entity registries as HomeIQ mirrors them.
// Lists (aliases, labels, identifiers, previous_entity_ids) are JSON text. Versioned by PRAGMA user_version.
import type Database from 'better-sqlite3';

const MIGRATIONS: string[] = [
  `
  CREATE TABLE areas (
    area_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    floor_id TEXT,
    icon TEXT,
    aliases TEXT NOT NULL DEFAULT '[]',
    labels TEXT NOT NULL DEFAULT '[]'
  );
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    name TEXT,
    name_by_user TEXT,
    manufacturer TEXT,
    model TEXT,
    sw_version TEXT,
    hw_version TEXT,
    area_id TEXT,
    via_device_id TEXT,
    disabled_by TEXT,
    entry_type TEXT,
    identifiers TEXT NOT NULL DEFAULT '[]',
    labels TEXT NOT NULL DEFAULT '[]'
  );
  CREATE INDEX devices_area ON devices (area_id);
  CREATE TABLE entities (
    entity_id TEXT PRIMARY KEY,
    domain TEXT NOT NULL,
    id TEXT,
    unique_id TEXT,
    platform TEXT,
    device_id TEXT,
    area_id TEXT,
    name TEXT,
    original_name TEXT,
    icon TEXT,
    entity_category TEXT,
    disabled_by TEXT,
    hidden_by TEXT,
    labels TEXT NOT NULL DEFAULT '[]',
    previous_entity_ids TEXT NOT NULL DEFAULT '[]'
  );
  CREATE INDEX entities_registry_id ON entities (id);
  CREATE INDEX entities_device ON entities (device_id);
  CREATE INDEX entities_domain ON entities (domain);
  `,
];

export function migrateMetadata(db: Database.Database): void {
  if ((db.pragma('user_version', { simple: true }) as number) >= MIGRATIONS.length) return;
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
