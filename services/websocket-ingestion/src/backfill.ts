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
  /** HA's newest state stamp when the pass began (its clock, µs): what came later was received live. */
  haNow: number;
  /** Per entity, the newest row this pass accepted: a later pass over the same span takes only newer rows. */
  seen: Map<string, number>;
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

/** Where a gap begins. */
export interface Gap {
  /** Newest event time already accepted or stored (µs); null on a first start with an empty store. */
  from: number | null;
  /** The entity of that newest event: its row at `from` is skipped (it is stored). */
  fromEntity?: string;
  /** With `from` null: how far back to fetch (0 = nothing). */
  lookbackMs: number;
  /**
   * Entities known before the gap (the registry mirror as it was): one removed inside the gap is in neither
   * get_states nor the registry any more, yet its removal is in history.
   */
  knownIds?: Set<string>;
}

/**
 * Fills the gap since `gap.from` from HA's history/history_during_period (every change, with attributes): all known
 * entities (get_states + registry), in windows of `windowMs` and groups of entities so that no answer gets huge.
 * Rows at or after an entity's first live event on this connection are skipped (the live path has them), and so is
 * the newest event already accepted; anything else already stored is a harmless duplicate (identity = entity, time).
 * `seen` (from an earlier pass over the same span) skips rows that pass already took.
 */
export async function backfillGap(
  options: BackfillOptions,
  gap: Gap,
  seen: Map<string, number> = new Map(),
): Promise<BackfillResult> {
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
  for (const id of gap.knownIds ?? []) ids.add(id);
  const result: BackfillResult = { fetched: 0, accepted: 0, from: haNow, requests: 0, haNow, seen };
  if (gap.from === null && gap.lookbackMs <= 0) return result;
  const fromMicros = gap.from ?? haNow - gap.lookbackMs * 1000;
  result.from = fromMicros;
  const wanted = [...ids].filter((id) => options.filter.accepts(id)).sort();
  if (wanted.length === 0) return result;

  // HA's bounds are strict (start < last_updated < end), compared on its float stamps, which lie up to 0.5 µs either
  // side of the µs we know: start 1 µs early, and let each window overlap the next by 1 µs. Identity drops the overlap.
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
    start = (end as number) - 1;
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
  const { seen } = result;
  let chunk: StateEvent[] = [];
  for (const [entityId, rows] of Object.entries(history)) {
    if (!Array.isArray(rows)) continue;
    const liveFrom = ingestor.firstLive?.get(entityId) ?? Number.POSITIVE_INFINITY;
    const taken = seen.get(entityId) ?? Number.NEGATIVE_INFINITY;
    let newest = taken;
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
      if (e.time < fromMicros || e.time >= liveFrom || e.time <= taken) continue;
      if (e.time === fromMicros && entityId === fromEntity) continue;
      if (e.time > newest) newest = e.time;
      chunk.push(e);
      if (chunk.length >= ACCEPT_CHUNK) {
        await waitForRoom(ingestor);
        ingestor.acceptBackfill(chunk);
        result.accepted += chunk.length;
        chunk = [];
      }
    }
    if (newest > taken) seen.set(entityId, newest);
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
