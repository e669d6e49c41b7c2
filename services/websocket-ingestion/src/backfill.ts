import type { Logger } from '@homeiq/core';
import { type HaConnection, type HaHistory, type HaState, messages } from '@homeiq/ha';
import { isoFromMicros, type StateEvent } from '@homeiq/storage';
import type { EntityFilter } from './filter';
import { haTimeMicros } from './ha-time';
import type { Ingestor } from './ingestor';
import type { Normalizer } from './normalize';

const ENTITIES_PER_REQUEST = 200;
const ACCEPT_CHUNK = 1000;

export interface BackfillResult {
  /** History rows received. */
  fetched: number;
  /** Events handed to the pipeline (rows inside the gap). */
  accepted: number;
  from: number;
  requests: number;
}

export interface BackfillOptions {
  connection: HaConnection;
  normalizer: Normalizer;
  ingestor: Ingestor;
  filter: EntityFilter;
  logger: Logger;
  /** Entity ids the registry knows (in addition to get_states). */
  registryIds: () => string[];
  windowMs: number;
  commandTimeoutMs: number;
}

/**
 * Fills the gap since `fromMicros` from HA's history/history_during_period (every change, with attributes): all known
 * entities (get_states + registry), in windows of `windowMs` and groups of entities so that no answer gets huge.
 * Rows at or after an entity's first live event on this connection are skipped (the live path has them), and so is
 * the newest event already accepted; anything else already stored is a harmless duplicate (identity = entity, time).
 */
export interface Gap {
  /** Newest event time already accepted or stored (µs); null on a first start with an empty store. */
  from: number | null;
  /** The entity of that newest event: its row at `from` is skipped (it is stored). */
  fromEntity?: string;
  /** With `from` null: how far back to fetch (0 = nothing). */
  lookbackMs: number;
}

export async function backfillGap(options: BackfillOptions, gap: Gap): Promise<BackfillResult> {
  const { connection } = options;
  const states = await connection.command<HaState[]>(messages.getStates());
  const ids = new Set<string>();
  let haNow = gap.from ?? 0;
  for (const s of states) {
    if (typeof s?.entity_id !== 'string') continue;
    ids.add(s.entity_id);
    const t = typeof s.last_reported === 'string' ? haTimeMicros(s.last_reported) : undefined;
    const u = typeof s.last_updated === 'string' ? haTimeMicros(s.last_updated) : undefined;
    haNow = Math.max(haNow, t ?? 0, u ?? 0);
  }
  for (const id of options.registryIds()) ids.add(id);
  if (gap.from === null && gap.lookbackMs <= 0) return { fetched: 0, accepted: 0, from: haNow, requests: 0 };
  const fromMicros = gap.from ?? haNow - gap.lookbackMs * 1000;
  const wanted = [...ids].filter((id) => options.filter.accepts(id)).sort();
  const result: BackfillResult = { fetched: 0, accepted: 0, from: fromMicros, requests: 0 };
  if (wanted.length === 0) return result;

  // HA's bounds are strict (last_updated > start): start 1 µs early so an event at exactly `from` is not missed.
  const windowUs = Math.max(1, options.windowMs) * 1000;
  let start = fromMicros - 1;
  for (;;) {
    const last = start + windowUs >= haNow;
    const end = last ? undefined : start + windowUs;
    for (let i = 0; i < wanted.length; i += ENTITIES_PER_REQUEST) {
      const group = wanted.slice(i, i + ENTITIES_PER_REQUEST);
      const history = await connection.command<HaHistory>(
        messages.historyDuringPeriod({
          entityIds: group,
          startTime: isoFromMicros(start),
          endTime: end === undefined ? undefined : isoFromMicros(end),
        }),
        { timeoutMs: options.commandTimeoutMs * 4 },
      );
      result.requests++;
      await acceptHistory(options, history ?? {}, fromMicros, gap.fromEntity, result);
    }
    if (last) break;
    start = end as number;
  }
  return result;
}

async function acceptHistory(
  options: BackfillOptions,
  history: HaHistory,
  fromMicros: number,
  fromEntity: string | undefined,
  result: BackfillResult,
): Promise<void> {
  const { normalizer, ingestor } = options;
  let chunk: StateEvent[] = [];
  for (const [entityId, rows] of Object.entries(history)) {
    if (!Array.isArray(rows)) continue;
    const liveFrom = ingestor.firstLive?.get(entityId) ?? Number.POSITIVE_INFINITY;
    let previous: StateEvent | undefined;
    for (const row of rows) {
      result.fetched++;
      let e: StateEvent;
      try {
        e = normalizer.historyRow(entityId, row, previous);
      } catch {
        ingestor.counters.rejected++;
        continue;
      }
      previous = e;
      if (e.time < fromMicros || e.time >= liveFrom) continue;
      if (e.time === fromMicros && entityId === fromEntity) continue;
      chunk.push(e);
      if (chunk.length >= ACCEPT_CHUNK) {
        await waitForRoom(ingestor);
        ingestor.acceptBackfill(chunk);
        result.accepted += chunk.length;
        chunk = [];
      }
    }
  }
  if (chunk.length > 0) {
    await waitForRoom(ingestor);
    ingestor.acceptBackfill(chunk);
    result.accepted += chunk.length;
  }
}

async function waitForRoom(ingestor: Ingestor): Promise<void> {
  while (ingestor.full) await new Promise((r) => setTimeout(r, 100));
}
