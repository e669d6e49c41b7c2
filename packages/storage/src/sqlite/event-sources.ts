// Sorted sources of stored events, merged by the reader. Order is (time, entity_id), both ascending or both
// descending. `events` has no time index, so time-ordered reads come from per-entity key ranges:
// - EntitySource: one entity's range, fetched in growing chunks (few entities: cheap and exact);
// - WindowSource: every matching entity over a time window, sorted here, windows sized to the density seen;
// - ArraySource: rows already in order (the small `recent` table, sorted by SQL).
import type Database from 'better-sqlite3';
import type { EntityInfo, EventRow } from './event-rows';

export interface Item {
  r: EventRow;
  en: EntityInfo;
}

export interface Source {
  /** The next item in order, or undefined when the source is exhausted. */
  peek(): Item | undefined;
  pop(): void;
}

export const cmpItems = (a: Item, b: Item): number =>
  a.r[0] - b.r[0] || (a.en.entity_id < b.en.entity_id ? -1 : a.en.entity_id > b.en.entity_id ? 1 : 0);

export class ArraySource implements Source {
  private pos = 0;
  constructor(private readonly items: Item[]) {}
  peek(): Item | undefined {
    return this.items[this.pos];
  }
  pop(): void {
    this.pos++;
  }
}

/** One entity's rows in [lo, hi) from the primary key, in chunks that double up to 1024. */
export class EntitySource implements Source {
  private rows: EventRow[] = [];
  private pos = 0;
  private done: boolean;

  constructor(
    private readonly en: EntityInfo,
    private lo: number,
    private hi: number,
    private readonly desc: boolean,
    private chunk: number,
    private readonly fetch: (e: number, lo: number, hi: number, limit: number) => EventRow[],
  ) {
    this.done = lo >= hi;
  }

  peek(): Item | undefined {
    if (this.pos >= this.rows.length) {
      if (this.done) return undefined;
      this.rows = this.fetch(this.en.id, this.lo, this.hi, this.chunk);
      this.pos = 0;
      if (this.rows.length < this.chunk) this.done = true;
      const last = this.rows[this.rows.length - 1];
      if (last) {
        if (this.desc) this.hi = last[0];
        else this.lo = last[0] + 1;
      }
      this.chunk = Math.min(1024, this.chunk * 2);
    }
    const r = this.rows[this.pos];
    return r && { r, en: this.en };
  }

  pop(): void {
    this.pos++;
  }
}

/**
 * Every matching entity over [from, to), one window at a time from `edge` (undefined: nothing stored) towards the
 * far end `bound` (exclusive going up, inclusive going down); when that is not given, `stop()` finds it, called
 * only when a window came back short.
 * `skip` drops items a cursor has already passed.
 */
export class WindowSource implements Source {
  private items: Item[] = [];
  private pos = 0;
  private seen = 0;
  private windows = 0;

  constructor(
    private edge: number | undefined,
    private bound: number | undefined,
    private readonly stop: () => number,
    private readonly desc: boolean,
    private readonly want: number,
    private width: number,
    private readonly fetch: (from: number, to: number) => Item[],
    private readonly skip: (item: Item) => boolean,
  ) {}

  peek(): Item | undefined {
    while (this.pos >= this.items.length) {
      if (this.edge === undefined) return undefined;
      const edge = this.edge;
      // An unknown far end is looked up only once a window came back short of the page.
      if (this.bound === undefined && this.windows > 0) this.bound = this.stop();
      const bound = this.bound ?? (this.desc ? -Infinity : Infinity);
      if (this.desc ? edge <= bound : edge >= bound) return undefined;
      const from = this.desc ? Math.max(bound, edge - this.width) : edge;
      const to = this.desc ? edge : Math.min(bound, edge + this.width);
      const found = this.fetch(from, to).filter((i) => !this.skip(i));
      found.sort(this.desc ? (a, b) => cmpItems(b, a) : cmpItems);
      this.items = found;
      this.pos = 0;
      this.edge = this.desc ? from : to;
      this.seen += found.length;
      this.windows++;
      // Next window: wide enough for what is still wanted at the density seen so far (at least double).
      const missing = Math.max(1, this.want - this.seen);
      const perWindow = this.seen / this.windows;
      this.width *= perWindow > 0 ? Math.min(64, Math.max(2, (missing / perWindow) * 1.25)) : 8;
    }
    return this.items[this.pos];
  }

  pop(): void {
    this.pos++;
  }
}

/** The first `want` items of sorted sources, merged. */
export function mergeSources(sources: Source[], desc: boolean, want: number): Item[] {
  const out: Item[] = [];
  while (out.length < want) {
    let best: Source | undefined;
    let bestItem: Item | undefined;
    for (const s of sources) {
      const item = s.peek();
      if (!item) continue;
      if (!bestItem || (desc ? cmpItems(item, bestItem) > 0 : cmpItems(item, bestItem) < 0)) {
        best = s;
        bestItem = item;
      }
    }
    if (!best || !bestItem) break;
    out.push(bestItem);
    best.pop();
  }
  return out;
}

/** A statement cache: every distinct SQL text is prepared once per connection. */
export class Statements {
  private readonly cache = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database) {}
  get(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }
}
