import { createHash } from 'node:crypto';
import { createWriteStream, statSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PRIVATE_FILE_MODE } from '@homeiq/core/private-files';
import {
  type EventFilter,
  isoFromMicros,
  type StateEvent,
  type StatisticsRow,
  type TimeSeriesStore,
  toEventJson,
} from '@homeiq/storage';
import type { StatisticsJsonShape } from './manifest';

export interface WrittenFile {
  bytes: number;
  sha256: string;
}

/** Writes text chunks gzip-compressed to `file`, hashing the compressed bytes on the way. */
export async function writeGzip(file: string, chunks: AsyncIterable<string>): Promise<WrittenFile> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  await pipeline(
    Readable.from(chunks),
    createGzip({ level: 6 }),
    tap,
    createWriteStream(file, { mode: PRIVATE_FILE_MODE }),
  );
  return { bytes: statSync(file).size, sha256: hash.digest('hex') };
}

/** Groups lines into chunks so the stream moves kilobytes, not single lines. */
async function* chunked(lines: AsyncIterable<string>, size = 512): AsyncIterable<string> {
  let buf: string[] = [];
  for await (const line of lines) {
    buf.push(line);
    if (buf.length >= size) {
      yield `${buf.join('\n')}\n`;
      buf = [];
    }
  }
  if (buf.length > 0) yield `${buf.join('\n')}\n`;
}

export interface EventExport extends WrittenFile {
  events: number;
  first: number | null;
  last: number | null;
  entityIds: Set<string>;
}

/** The events of `filter` in the export format (the `homeiq export` JSON lines), gzip-compressed. */
export async function exportEvents(
  store: TimeSeriesStore,
  filter: EventFilter,
  file: string,
  onEvent: (e: StateEvent, n: number) => void = () => {},
): Promise<EventExport> {
  const out = { events: 0, first: null as number | null, last: null as number | null, entityIds: new Set<string>() };
  async function* lines(): AsyncIterable<string> {
    for await (const e of store.scan(filter)) {
      out.events++;
      out.first ??= e.time;
      out.last = e.time;
      out.entityIds.add(e.entityId);
      onEvent(e, out.events);
      yield JSON.stringify(toEventJson(e));
    }
  }
  const written = await writeGzip(file, chunked(lines()));
  return { ...out, ...written };
}

export function toStatisticsJson(r: StatisticsRow): StatisticsJsonShape {
  const o: StatisticsJsonShape = {
    entity_id: r.entityId,
    period: r.period,
    start: isoFromMicros(r.start),
    unit: r.unit,
    mean: r.mean,
    min: r.min,
    max: r.max,
    count: r.count,
  };
  if (r.sum !== undefined && r.sum !== null) o.sum = r.sum;
  if (r.state !== undefined && r.state !== null) o.state = r.state;
  return o;
}

const SLICE_US = 30 * 86_400_000_000;

/**
 * The statistics of `entityIds` in [start, end), one entity and one 30-day slice at a time so memory stays flat
 * (two years of 5-minute rows of one entity is 210 000 rows). Hourly rows first tell where an entity's history begins.
 */
export async function exportStatistics(
  store: TimeSeriesStore,
  entityIds: string[],
  range: { start: number; end: number },
  file: string,
  onEntity: (done: number, total: number) => void = () => {},
): Promise<WrittenFile & { rows: number }> {
  let rows = 0;
  async function* lines(): AsyncIterable<string> {
    for (const [i, entityId] of entityIds.entries()) {
      const hourly = await store.queryStatistics({ entityIds: [entityId], period: 'hour', ...range });
      for (const r of hourly) {
        rows++;
        yield JSON.stringify(toStatisticsJson(r));
      }
      // 5-minute rows can exist without an hourly row only in the last, still-open hour.
      const begin = Math.max(range.start, hourly[0]?.start ?? range.end - 3_600_000_000);
      for (let from = begin; from < range.end; from += SLICE_US) {
        const slice = { start: from, end: Math.min(range.end, from + SLICE_US) };
        for (const r of await store.queryStatistics({ entityIds: [entityId], period: '5minute', ...slice })) {
          if (r.start < slice.start || r.start >= slice.end) continue;
          rows++;
          yield JSON.stringify(toStatisticsJson(r));
        }
      }
      onEntity(i + 1, entityIds.length);
    }
  }
  const written = await writeGzip(file, chunked(lines()));
  return { ...written, rows };
}
