import { createHash } from 'node:crypto';
import { createReadStream, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { makePrivateDir, PRIVATE_FILE_MODE } from '@homeiq/core/private-files';

/** Writes through a temp file and a rename, so a crash leaves the old file or the new one, never half of one. */
export function writeFileAtomic(file: string, content: string): void {
  makePrivateDir(dirname(file));
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: PRIVATE_FILE_MODE });
  renameSync(tmp, file);
}

/** sha256 of a file, hex, streamed. */
export async function sha256File(file: string, onBytes?: (n: number) => void): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    onBytes?.((chunk as Buffer).length);
  }
  return hash.digest('hex');
}
