import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';

/**
 * Everything HomeIQ writes (databases, spool, backups, the API key, webhook secrets) is for its own user
 * only. The CLI sets umask 077 for the whole process; these helpers make the same promise explicitly where
 * files are created, for code run outside the CLI (tests, embedders) and for folders that already existed.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The umask `homeiq` runs with: group and others get nothing. */
export const PRIVATE_UMASK = 0o077;

/** mkdir -p with mode 0700 for every folder it creates. */
export function makePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
}

// Best effort on folders HomeIQ may not own: another user's (EPERM, EACCES), a read-only mount (admin-api's view
// of the data volume: EROFS), or one not made yet (ENOENT, created 0700 where first needed).
const NOT_OURS_TO_CHANGE = ['EPERM', 'EACCES', 'EROFS', 'ENOENT'];

/** chmod 0700 an existing folder HomeIQ owns (the data dir); one it cannot change is left alone. */
export function restrictDir(path: string): void {
  try {
    chmodSync(path, PRIVATE_DIR_MODE);
  } catch (error) {
    if (!NOT_OURS_TO_CHANGE.includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
}

/** chmod 0600 a file just created by a library that chose its own mode (SQLite, its online backup). */
export function restrictFile(path: string): void {
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch (error) {
    if (!NOT_OURS_TO_CHANGE.includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
}

/** Creates the file 0600 when missing (kept as it is when present), then makes sure of the mode. */
export function createPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  restrictFile(path);
}
