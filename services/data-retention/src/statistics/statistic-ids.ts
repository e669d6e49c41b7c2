import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../files';

/**
 * Every entity that ever got statistics, kept in the data dir. Statistics outlive raw events (hourly rows are kept
 * forever by default), so backups need this list to find the statistics of entities whose events are long gone.
 */
export class StatisticIds {
  private readonly file: string;
  private cache: Set<string> | undefined;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'statistics-ids.json');
  }

  all(): Set<string> {
    if (!this.cache) {
      this.cache = new Set();
      if (existsSync(this.file)) {
        try {
          for (const id of JSON.parse(readFileSync(this.file, 'utf8')) as string[]) this.cache.add(id);
        } catch {
          // rebuilt from the next compile
        }
      }
    }
    return this.cache;
  }

  add(ids: Iterable<string>): void {
    const all = this.all();
    const before = all.size;
    for (const id of ids) all.add(id);
    if (all.size !== before) writeFileAtomic(this.file, JSON.stringify([...all].sort()));
  }
}
