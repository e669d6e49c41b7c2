import type { Order } from '../types';
import type { InfluxHttp } from './http';
import { timeLiteral } from './influxql';
import { tableOf } from './rows';

export interface KeysetSpec<T> {
  /** Quoted measurement. */
  from: string;
  /** Conditions joined with AND. */
  where: string[];
  order: Order;
  limit: number;
  /** The last item of the previous page: (time, key). */
  cursor?: { time: number; key: string } | undefined;
  /** Builds a row decoder for one result's columns (columns can differ between statements and shards). */
  decoder(columns: string[]): (row: unknown[]) => T;
  timeOf(item: T): number;
  /** Orders items sharing a timestamp (the entity id for events). */
  keyOf(item: T): string;
}

function select(from: string, where: string[], tail = ''): string {
  return `SELECT * FROM ${from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}${tail}`;
}

/**
 * One page of a keyset walk over (time, key). InfluxDB orders by time only, so rows sharing a timestamp are
 * completed and ordered here: the rows at the cursor's own time are read whole and filtered by key, and when the
 * LIMIT cuts through a run of equal timestamps, that run is read whole too. Rows with the same (time, key) in two
 * series (tags changed between writes) count once.
 */
export async function keysetPage<T>(http: InfluxHttp, spec: KeysetSpec<T>): Promise<{ items: T[]; more: boolean }> {
  const { from, where, order, limit, cursor } = spec;
  if (limit <= 0) return { items: [], more: false };
  const desc = order === 'desc';
  const dir = desc ? 'DESC' : 'ASC';
  const tail = ` ORDER BY time ${dir} LIMIT ${limit + 1}`;
  const statements: string[] = [];
  if (cursor) {
    statements.push(select(from, [...where, `time = ${timeLiteral(cursor.time)}`]));
    statements.push(select(from, [...where, `time ${desc ? '<' : '>'} ${timeLiteral(cursor.time)}`], tail));
  } else statements.push(select(from, where, tail));
  const results = await http.query(statements.join('; '));
  const decodeAll = (i: number): T[] => {
    const table = tableOf(results[i]);
    const decode = spec.decoder(table.columns);
    return table.rows.map(decode);
  };

  let items: T[] = [];
  if (cursor) {
    const key = cursor.key;
    for (const item of decodeAll(0)) {
      const k = spec.keyOf(item);
      if (desc ? k < key : k > key) items.push(item);
    }
  }
  let rest = decodeAll(cursor ? 1 : 0);
  const cut = rest.length > limit;
  if (cut) {
    // The run of rows at the last timestamp may continue past the LIMIT: read it whole.
    const boundary = spec.timeOf(rest[rest.length - 1]!);
    const [run] = await http.query(select(from, [...where, `time = ${timeLiteral(boundary)}`]));
    const table = tableOf(run);
    const decode = spec.decoder(table.columns);
    rest = rest.filter((item) => spec.timeOf(item) !== boundary);
    for (const row of table.rows) rest.push(decode(row));
  }
  items = items.length ? items.concat(rest) : rest;

  const sign = desc ? -1 : 1;
  items.sort((a, b) => {
    const dt = spec.timeOf(a) - spec.timeOf(b);
    if (dt !== 0) return sign * dt;
    const ka = spec.keyOf(a);
    const kb = spec.keyOf(b);
    return ka < kb ? -sign : ka > kb ? sign : 0;
  });
  // Same (time, key) in two series: keep one.
  let w = 0;
  for (let r = 0; r < items.length; r++) {
    const item = items[r]!;
    const prev = w > 0 ? items[w - 1]! : undefined;
    if (prev && spec.timeOf(prev) === spec.timeOf(item) && spec.keyOf(prev) === spec.keyOf(item)) continue;
    items[w++] = item;
  }
  items.length = w;
  const more = items.length > limit || cut;
  if (items.length > limit) items.length = limit;
  return { items, more };
}

/** Every item matching, in pages, oldest (or newest) first. */
export async function* keysetWalk<T>(
  http: InfluxHttp,
  spec: Omit<KeysetSpec<T>, 'cursor'>,
  max = Number.POSITIVE_INFINITY,
): AsyncGenerator<T> {
  let cursor: { time: number; key: string } | undefined;
  let left = max;
  for (;;) {
    const page = await keysetPage(http, { ...spec, limit: Math.min(spec.limit, left), cursor });
    for (const item of page.items) yield item;
    left -= page.items.length;
    const last = page.items[page.items.length - 1];
    if (!page.more || !last || left <= 0) return;
    cursor = { time: spec.timeOf(last), key: spec.keyOf(last) };
  }
}
