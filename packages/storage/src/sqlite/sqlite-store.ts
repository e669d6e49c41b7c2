// The embedded time-series store: SQLite (WAL) through better-sqlite3, with the compact schema of schema.ts.
// One process writes events; others may open the same file with { readonly: true } (data-api split) or write
// statistics and run retention (data-retention): WAL readers never block the writer, and every write is a
// short IMMEDIATE transaction waiting up to busy_timeout for the lock.
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { makePrivateDir, restrictFile } from '@homeiq/core/private-files';
import Database from 'better-sqlite3';
import { StoreError } from '../errors';
import type {
  EventCursor,
  EventFilter,
  EventPage,
  EventQuery,
  GenericPoint,
  HistoryQuery,
  PointQuery,
  RetentionTarget,
  StateEvent,
  StatisticsQuery,
  StatisticsRow,
  StorageInfo,
  Summary,
  TimeSeriesStore,
  WriteResult,
} from '../types';
import { Aggregates } from './aggregates';
import { EventReader } from './event-reader';
import { EventWriter } from './event-writer';
import { Points } from './points';
import { deleteEventRows, RetentionRun } from './retention';
import { applyPragmas, migrate, readEpoch } from './schema';

export interface SqliteStoreOptions {
  /** Refuse every write (PRAGMA query_only): for a reader process beside the writer. */
  readonly?: boolean;
  /** Epoch of a NEW database file, µs (default: the current UTC month's start). Ignored for existing files. */
  epochMicros?: number;
  /** Rows deleted per retention transaction (default 5000). */
  deleteChunk?: number;
  /** Events gathered in `recent` before they move to `events` in one transaction (default 8192). */
  mergeRows?: number;
  /**
   * WAL pages before an automatic checkpoint (default 10000, about 40 MB; SQLite's own is 1000). Each checkpoint
   * syncs the disk twice and copies pages back; fewer, larger ones write a page rewritten by many batches once.
   */
  walAutocheckpoint?: number;
}

/** Errors a later attempt may not hit: busy/locked past busy_timeout, I/O, a full disk. */
const RETRYABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL)/;

function storeError(action: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const code = (error as { code?: unknown }).code;
  const retryable = typeof code === 'string' && RETRYABLE.test(code);
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError(`sqlite ${action} failed: ${message}`, { retryable, cause: error });
}

interface Open {
  db: Database.Database;
  epoch: number;
  writer: EventWriter;
  reader: EventReader;
  aggregates: Aggregates;
  points: Points;
}

export class SqliteTimeSeriesStore implements TimeSeriesStore {
  readonly kind = 'sqlite' as const;
  private state: Open | undefined;

  constructor(
    readonly path: string,
    private readonly options: SqliteStoreOptions = {},
  ) {}

  async open(): Promise<void> {
    if (this.state) return;
    try {
      if (this.path !== ':memory:') makePrivateDir(dirname(this.path));
      const db = new Database(this.path);
      // Before any pragma: SQLite gives the -wal and -shm files the mode of the main file.
      if (this.path !== ':memory:' && !this.options.readonly) restrictFile(this.path);
      try {
        applyPragmas(db);
        migrate(db, this.options.epochMicros);
        if (this.options.readonly) db.pragma('query_only = ON');
        else db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(this.options.walAutocheckpoint ?? 10_000))}`);
        const epoch = readEpoch(db);
        this.state = {
          db,
          epoch,
          writer: new EventWriter(db, epoch, this.options.mergeRows ?? 8192),
          reader: new EventReader(db, epoch),
          aggregates: new Aggregates(db, epoch),
          points: new Points(db),
        };
      } catch (error) {
        db.close();
        throw error;
      }
    } catch (error) {
      throw storeError(`open ${this.path}`, error);
    }
  }

  async close(): Promise<void> {
    const s = this.state;
    this.state = undefined;
    if (!s) return;
    if (!this.options.readonly) {
      // Leave `recent` empty for the next start; if another writer holds the lock, the rows simply stay there.
      try {
        s.writer.merge();
        s.db.pragma('optimize');
      } catch {}
    }
    s.db.close();
  }

  async ping(): Promise<void> {
    this.run('ping', (s) => s.db.prepare('SELECT 1').get());
  }

  async writeEvents(events: StateEvent[]): Promise<WriteResult> {
    return this.write('write events', (s) => s.writer.write(events));
  }

  async lastEventTime(): Promise<number | null> {
    return this.run('read', (s) => s.reader.lastEventTime());
  }

  async queryEvents(query: EventQuery): Promise<EventPage> {
    if (!Number.isSafeInteger(query.limit) || query.limit < 1) {
      throw new StoreError('limit: must be a positive integer', { retryable: false });
    }
    return this.run('query events', (s) => s.reader.query(query));
  }

  async hasEntity(entityId: string): Promise<boolean> {
    return this.run('read', (s) => s.reader.hasEntity(entityId));
  }

  async history(query: HistoryQuery): Promise<StateEvent[]> {
    return this.run('history', (s) => s.reader.history(query));
  }

  /** Pages of 1000 by keyset, so memory stays flat on any table size; other work runs between pages. */
  async *scan(filter: EventFilter): AsyncIterable<StateEvent> {
    let cursor: EventQuery['cursor'];
    for (;;) {
      const page = await this.queryEvents({ ...filter, limit: 1000, order: 'asc', ...(cursor ? { cursor } : {}) });
      yield* page.events;
      if (!page.nextCursor) return;
      cursor = page.nextCursor;
      await yieldToLoop();
    }
  }

  async summary(start: number, end: number, busiestLimit: number): Promise<Summary> {
    return this.run('summary', (s) => s.aggregates.summary(start, end, busiestLimit));
  }

  async writeStatistics(rows: StatisticsRow[]): Promise<void> {
    this.write('write statistics', (s) => s.aggregates.writeStatistics(rows));
  }

  async queryStatistics(query: StatisticsQuery): Promise<StatisticsRow[]> {
    return this.run('query statistics', (s) => s.aggregates.queryStatistics(query));
  }

  async writePoints(measurement: string, points: GenericPoint[]): Promise<WriteResult> {
    return this.write('write points', (s) => s.points.write(measurement, points));
  }

  async queryPoints(query: PointQuery): Promise<GenericPoint[]> {
    return this.run('query points', (s) => s.points.query(query));
  }

  /**
   * Deletes in transactions of at most `deleteChunk` rows, oldest first, yielding between them, so the event
   * writer (in this process or another) waits at most one chunk.
   */
  async deleteEvents(keys: EventCursor[]): Promise<number> {
    return this.write('delete events', (s) => deleteEventRows(s.db, s.epoch, keys));
  }

  async deleteBefore(target: RetentionTarget, before: number): Promise<number | null> {
    if (!Number.isSafeInteger(before)) throw new StoreError('before: must be an integer of µs', { retryable: false });
    if (typeof target !== 'string' || target.length === 0) {
      throw new StoreError('target: must be events, 5minute, hour or a measurement name', { retryable: false });
    }
    const run = this.write(
      'delete',
      (s) => new RetentionRun(s.db, s.epoch, target, before, this.options.deleteChunk ?? 5000),
    );
    let total = 0;
    for (;;) {
      const step = this.write('delete', () => run.step());
      total += step.changes;
      if (!step.more) return total;
      await yieldToLoop();
    }
  }

  async info(): Promise<StorageInfo> {
    return this.run('info', (s) => {
      const events = Number(s.db.prepare("SELECT value FROM meta WHERE key = 'events'").pluck().get());
      let bytes: number | null = null;
      if (this.path !== ':memory:') {
        bytes = statSync(this.path).size;
        for (const extra of [`${this.path}-wal`]) if (existsSync(extra)) bytes += statSync(extra).size;
      }
      return { kind: 'sqlite', bytes, events };
    });
  }

  private run<T>(action: string, fn: (s: Open) => T): T {
    const s = this.state;
    if (!s) throw new StoreError(`sqlite ${action}: the store is not open`, { retryable: false });
    try {
      return fn(s);
    } catch (error) {
      throw storeError(action, error);
    }
  }

  private write<T>(action: string, fn: (s: Open) => T): T {
    if (this.options.readonly) {
      throw new StoreError(`sqlite ${action}: the store was opened read-only`, { retryable: false });
    }
    return this.run(action, fn);
  }
}
