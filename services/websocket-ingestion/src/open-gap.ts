import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Gap } from './backfill';

interface Saved {
  from: number | null;
  fromEntity?: string;
  knownIds?: string[];
}

/**
 * The start of the gap being filled, on disk until it is closed. Live events stored after a reconnect would
 * otherwise hide it: a process killed before its backfill finished would restart from its newest stored event
 * and never ask for the rest of the gap.
 */
export class OpenGapFile {
  constructor(private readonly path: string) {}

  read(): Saved | undefined {
    try {
      const saved = JSON.parse(readFileSync(this.path, 'utf8')) as Saved;
      if (saved.from !== null && !Number.isSafeInteger(saved.from)) return undefined;
      if (saved.knownIds !== undefined && !Array.isArray(saved.knownIds)) delete saved.knownIds;
      return saved;
    } catch {
      return undefined; // none, or torn: the stored data still gives a start
    }
  }

  save(gap: Gap): void {
    const saved: Saved = { from: gap.from };
    if (gap.fromEntity !== undefined) saved.fromEntity = gap.fromEntity;
    if (gap.knownIds !== undefined) saved.knownIds = [...gap.knownIds];
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(saved));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }

  clear(): void {
    rmSync(this.path, { force: true });
  }
}

/** The gap to fill at start: the one a previous run left open, when it began earlier than the newest stored event. */
export function startGap(saved: Saved | undefined, storedBefore: number | null, lookbackMs: number): Gap {
  if (!saved) return { from: storedBefore, lookbackMs };
  const gap: Gap =
    saved.from === null || storedBefore === null || saved.from <= storedBefore
      ? { from: saved.from, lookbackMs }
      : { from: storedBefore, lookbackMs };
  if (gap.from === saved.from && saved.fromEntity !== undefined) gap.fromEntity = saved.fromEntity;
  if (saved.knownIds) gap.knownIds = new Set(saved.knownIds.filter((id) => typeof id === 'string'));
  return gap;
}
