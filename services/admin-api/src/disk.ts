import { lstat, readdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';

export interface DiskUse {
  dataDir: string;
  /** Bytes under the data dir (SQLite files, spool, backups). */
  dataDirBytes: number;
  freeBytes: number;
  totalBytes: number;
  freePercent: number;
}

/** Sum of file sizes under `dir`, not following links; a file that vanishes mid-walk is skipped. */
export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) pending.push(full);
      else if (entry.isFile())
        total += await lstat(full).then(
          (s) => s.size,
          () => 0,
        );
    }
  }
  return total;
}

/** Free space on the file system holding the data dir (what the spool and SQLite files grow into). */
export async function diskUse(dataDir: string): Promise<DiskUse> {
  const [fs, dataDirBytes] = await Promise.all([statfs(dataDir), directorySize(dataDir)]);
  const freeBytes = fs.bavail * fs.bsize;
  const totalBytes = fs.blocks * fs.bsize;
  const freePercent = totalBytes > 0 ? Math.round((freeBytes / totalBytes) * 1000) / 10 : 0;
  return { dataDir, dataDirBytes, freeBytes, totalBytes, freePercent };
}
