import { dirname } from 'node:path';
import { makePrivateDir, restrictFile } from '@homeiq/core/private-files';
import { SQLITE_PRAGMAS } from '@homeiq/storage';
import Database from 'better-sqlite3';

/** Migrations in order; user_version says how many ran. Append only. */
const MIGRATIONS = [
  `CREATE TABLE subscriptions (
     id TEXT PRIMARY KEY,
     url TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('sports', 'entity')),
     events TEXT NOT NULL,
     teams TEXT NOT NULL,
     entity_filter TEXT,
     secret TEXT NOT NULL,
     description TEXT,
     enabled INTEGER NOT NULL DEFAULT 1,
     disabled_reason TEXT,
     disabled_at INTEGER,
     consecutive_failures INTEGER NOT NULL DEFAULT 0,
     dropped INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE deliveries (
     id TEXT PRIMARY KEY,
     subscription_id TEXT NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
     event TEXT NOT NULL,
     body TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
     attempts INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     next_attempt_at INTEGER,
     last_status INTEGER,
     last_error TEXT,
     finished_at INTEGER
   );
   CREATE INDEX deliveries_pending ON deliveries(subscription_id, next_attempt_at) WHERE status = 'pending';
   CREATE INDEX deliveries_log ON deliveries(subscription_id, created_at);
   CREATE INDEX deliveries_finished ON deliveries(finished_at) WHERE finished_at IS NOT NULL;
   CREATE TABLE delivery_attempts (
     delivery_id TEXT NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
     attempt INTEGER NOT NULL,
     started_at INTEGER NOT NULL,
     duration_ms INTEGER NOT NULL,
     status_code INTEGER,
     error TEXT,
     PRIMARY KEY (delivery_id, attempt)
   ) WITHOUT ROWID;
   CREATE TABLE games (
     game_id TEXT NOT NULL,
     league TEXT NOT NULL,
     team TEXT NOT NULL,
     status TEXT NOT NULL,
     snapshot TEXT NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (game_id, league, team)
   ) WITHOUT ROWID;`,
];

export type WebhookDb = Database.Database;

/** Opens (creating when needed) webhooks.db with the house pragmas and runs pending migrations. */
export function openWebhookDb(path: string): WebhookDb {
  if (path !== ':memory:') makePrivateDir(dirname(path));
  const db = new Database(path);
  // Before any pragma: SQLite gives the -wal and -shm files the mode of the main file (secrets live here).
  if (path !== ':memory:') restrictFile(path);
  for (const pragma of SQLITE_PRAGMAS) db.pragma(pragma);
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let i = version; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i] as string);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
  return db;
}
