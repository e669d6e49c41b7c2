import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../files';
import { type Carry, deserializeCarry, type serializeCarry } from './entity-state';

/**
 * Where statistics compilation stands, kept in the data dir: every entity's state at `hour` (so the next run
 * resumes from there without reading older events) and the end of the last compiled 5-minute window.
 * Tied to one store: a checkpoint of another store (INFLUXDB_URL changed) is ignored.
 */
export interface Checkpoint {
  version: 1;
  store: string;
  /** Hour boundary the carry is valid at, µs. */
  hour: number;
  /** End of the last compiled 5-minute window, µs. */
  compiledUntil: number;
  carry: ReturnType<typeof serializeCarry>;
}

export class CheckpointFile {
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly storeId: string,
  ) {
    this.file = join(dataDir, 'statistics-checkpoint.json');
  }

  load(): { hour: number; compiledUntil: number; carry: Carry } | undefined {
    if (!existsSync(this.file)) return undefined;
    let cp: Checkpoint;
    try {
      cp = JSON.parse(readFileSync(this.file, 'utf8')) as Checkpoint;
    } catch {
      return undefined; // unreadable: recompiled from events like a first run
    }
    if (cp.version !== 1 || cp.store !== this.storeId || typeof cp.hour !== 'number') return undefined;
    return { hour: cp.hour, compiledUntil: cp.compiledUntil, carry: deserializeCarry(cp.carry) };
  }

  /** Forget where compilation stands (after a restore): the next run starts over like a first run. */
  clear(): void {
    rmSync(this.file, { force: true });
  }

  save(hour: number, compiledUntil: number, carry: Checkpoint['carry']): void {
    const cp: Checkpoint = { version: 1, store: this.storeId, hour, compiledUntil, carry };
    writeFileAtomic(this.file, JSON.stringify(cp));
  }
}
