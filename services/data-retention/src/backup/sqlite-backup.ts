import { closeSync, openSync } from 'node:fs';
import { PRIVATE_FILE_MODE, restrictFile } from '@homeiq/core/private-files';
import Database from 'better-sqlite3';

/**
 * Copies a live SQLite database with SQLite's online backup API: a consistent snapshot even in WAL mode while
 * other connections write. The copy goes in steps so progress can be reported; a write by another connection
 * restarts an online backup, so after the first restart the rest is copied in one step (one read transaction,
 * which WAL writers do not wait for) instead of chasing a busy database forever.
 */
export async function backupSqlite(
  source: string,
  destination: string,
  onProgress: (fraction: number) => void = () => {},
  pagesPerStep = 256,
): Promise<{ pages: number; restarted: boolean }> {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 30000');
    let lastRemaining = Number.POSITIVE_INFINITY;
    let restarted = false;
    // Created private first: SQLite keeps the mode of a file it opens, and the copy holds the same data.
    closeSync(openSync(destination, 'w', PRIVATE_FILE_MODE));
    const done = await db.backup(destination, {
      progress({ totalPages, remainingPages }) {
        if (remainingPages > lastRemaining) restarted = true;
        lastRemaining = remainingPages;
        onProgress(totalPages > 0 ? 1 - remainingPages / totalPages : 0);
        return restarted ? 0x7fffffff : pagesPerStep;
      },
    });
    restrictFile(destination);
    onProgress(1);
    return { pages: done.totalPages, restarted };
  } finally {
    db.close();
  }
}

/** `PRAGMA integrity_check` of a database file: "ok" or the first problems. */
export function integrityCheck(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    db.close();
  }
}
