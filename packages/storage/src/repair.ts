import type { EventCursor, StateEvent, TimeSeriesStore } from './types';

/** A state stored twice, 1 µs apart: the copy to remove and the one that stays. */
export interface LateDuplicate {
  remove: EventCursor;
  keep: EventCursor;
  state: string;
}

/**
 * Finds the duplicates left by HomeIQ before it converted HA's float history stamps as Python does: the same state of
 * an entity stored twice, 1 µs apart, one of them from a backfill (history carries no context id). The backfilled copy
 * goes (when both came from backfill, the later one). Streams the store once, oldest first; memory is one event per entity.
 */
export async function* findLateDuplicates(store: TimeSeriesStore): AsyncIterable<LateDuplicate> {
  const last = new Map<string, StateEvent>();
  for await (const e of store.scan({})) {
    const prev = last.get(e.entityId);
    last.set(e.entityId, e);
    if (!prev || e.time - prev.time !== 1 || e.state !== prev.state || e.removed !== prev.removed) continue;
    if (prev.contextId !== null && e.contextId !== null) continue; // two live events: two real states
    const [remove, keep] = prev.contextId === null && e.contextId !== null ? [prev, e] : [e, prev];
    yield { remove: cursor(remove), keep: cursor(keep), state: e.state };
    last.set(e.entityId, keep);
  }
}

function cursor(e: StateEvent): EventCursor {
  return { entityId: e.entityId, time: e.time };
}
