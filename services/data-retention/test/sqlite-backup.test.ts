// The online backup copies a database another connection writes to mid-copy: the copy restarts once, then finishes
// in one step, and holds a consistent state (intact, the write either wholly in or wholly out).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '@homeiq/core/testing/temp';
import Database from 'better-sqlite3';
import { backupSqlite, integrityCheck } from '../src/backup/sqlite-backup';

test('a write by another connection during the copy restarts it once; the copy is consistent', async () => {
  const dir = tempDir();
  try {
    const source = join(dir.path, 'live.db');
    const db = new Database(source);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)');
    const insert = db.prepare('INSERT INTO t (payload) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('x'.repeat(1000));
    })();
    let steps = 0;
    let wroteDuringCopy = false;
    const result = await backupSqlite(
      source,
      join(dir.path, 'copy.db'),
      (f) => {
        steps++;
        // A writer commits between two steps of the copy.
        if (f > 0.2 && !wroteDuringCopy) {
          wroteDuringCopy = true;
          db.transaction(() => {
            for (let i = 0; i < 10; i++) insert.run('late');
          })();
        }
      },
      16,
    );
    assert.ok(wroteDuringCopy && steps > 3, `copied in ${steps} steps`);
    assert.equal(result.restarted, true);
    assert.equal(integrityCheck(join(dir.path, 'copy.db')), 'ok');
    const copy = new Database(join(dir.path, 'copy.db'), { readonly: true });
    const late = copy.prepare("SELECT count(*) AS n FROM t WHERE payload = 'late'").get() as { n: number };
    const all = copy.prepare('SELECT count(*) AS n FROM t').get() as { n: number };
    copy.close();
    db.close();
    assert.equal(late.n, 10, 'the copy finished after the write and holds all of it');
    assert.equal(all.n, 2010);
  } finally {
    dir.remove();
  }
});
