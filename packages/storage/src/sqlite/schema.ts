// The embedded store's schema, as versioned migrations (PRAGMA user_version). Compact by design:
// - entities: one row per entity id with its tags, referenced by a small integer key;
// - attributes: every distinct attribute set once (JSON), found by a 53-bit hash of its full text; base NULL:
//   json is the full set; else json is a patch (the values that differ) onto the full set `base`, which has the
//   same keys in the same order and itself has base NULL (attribute-sets.ts);
// - events: WITHOUT ROWID, keyed (entity key, time) - the identity, and one entity's history is one contiguous
//   key range. It has no second index: cross-entity reads walk per-entity ranges (event-reader.ts).
// - recent: the same columns keyed (time, entity key): new events are appended here (a batch dirties a few
//   pages instead of one page per entity) and moved into `events` in bulk (event-writer.ts, merge).
//   An event is in exactly one of the two tables; readers see both in one read transaction.
// Times are µs relative to a per-database epoch (meta 'epoch_us', a month start), which keeps them in SQLite's
// 6-byte integers for ±4.4 years around it. Columns (codec.ts): s state (text, or a decimal's digits as an
// integer, NULL = removal), a attribute set (NULL = {}), lc = time - last_changed, c context id (10 random bytes
// of a ULID, or 16 bytes, or text), f flags (origin code, state decimals, context ms delta), x extras (parent
// context, user id, unusual origin; usually NULL). Zeros, ones and NULLs take no bytes in a SQLite record.

import { HomeIqError } from '@homeiq/core';
import type Database from 'better-sqlite3';
import { SQLITE_PRAGMAS } from '../config';

const MIGRATIONS: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
  CREATE TABLE entities (
    id INTEGER PRIMARY KEY,
    entity_id TEXT NOT NULL UNIQUE,
    domain TEXT NOT NULL,
    device_class TEXT,
    unit TEXT,
    area_id TEXT,
    device_id TEXT
  );
  CREATE TABLE attributes (id INTEGER PRIMARY KEY, hash INTEGER NOT NULL, json TEXT NOT NULL);
  CREATE INDEX attributes_hash ON attributes (hash);
  CREATE TABLE events (
    e INTEGER NOT NULL,
    t INTEGER NOT NULL,
    s,
    a INTEGER,
    lc INTEGER NOT NULL DEFAULT 0,
    c,
    f INTEGER NOT NULL DEFAULT 0,
    x,
    PRIMARY KEY (e, t)
  ) WITHOUT ROWID;
  CREATE TABLE recent (
    e INTEGER NOT NULL,
    t INTEGER NOT NULL,
    s,
    a INTEGER,
    lc INTEGER NOT NULL DEFAULT 0,
    c,
    f INTEGER NOT NULL DEFAULT 0,
    x,
    PRIMARY KEY (t, e)
  ) WITHOUT ROWID;
  CREATE TABLE statistics (
    period INTEGER NOT NULL,
    e INTEGER NOT NULL,
    start INTEGER NOT NULL,
    unit TEXT,
    mean REAL NOT NULL,
    min REAL NOT NULL,
    max REAL NOT NULL,
    count INTEGER NOT NULL,
    sum REAL,
    state REAL,
    PRIMARY KEY (period, e, start)
  ) WITHOUT ROWID;
  CREATE INDEX statistics_start ON statistics (period, start);
  CREATE TABLE points (
    measurement TEXT NOT NULL,
    t INTEGER NOT NULL,
    tags TEXT NOT NULL,
    fields TEXT NOT NULL,
    PRIMARY KEY (measurement, t, tags)
  ) WITHOUT ROWID;
  `,
  // 2: attribute sets stored as patches; every existing row is a full set.
  'ALTER TABLE attributes ADD COLUMN base INTEGER;',
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The default epoch of a new database: the start of the current UTC month, µs. */
function monthStartMicros(now = new Date()): number {
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) * 1000;
}

export function applyPragmas(db: Database.Database): void {
  for (const p of SQLITE_PRAGMAS) db.pragma(p);
}

/**
 * Brings the schema to SCHEMA_VERSION. Safe when several processes open the file at once: the check and
 * the migrations run under the write lock (BEGIN IMMEDIATE).
 */
export function migrate(db: Database.Database, epochMicros?: number): void {
  const found = db.pragma('user_version', { simple: true }) as number;
  if (found > SCHEMA_VERSION) {
    // A newer build's file: this one would misread what it does not know (e.g. attribute patches as whole sets).
    throw new HomeIqError(
      'SCHEMA_TOO_NEW',
      `events database: schema version ${found} is newer than this HomeIQ understands (${SCHEMA_VERSION}); upgrade HomeIQ`,
    );
  }
  if (found === SCHEMA_VERSION) return;
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    if (version === 0) {
      const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      insert.run('epoch_us', epochMicros ?? monthStartMicros());
      insert.run('events', 0);
      insert.run('max_t', null); // newest time ever written (relative): an upper bound for readers
    }
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

export function readEpoch(db: Database.Database): number {
  const row = db.prepare("SELECT value FROM meta WHERE key = 'epoch_us'").get() as { value: number } | undefined;
  if (!row) throw new Error('events database has no epoch (meta.epoch_us)');
  return Number(row.value);
}
