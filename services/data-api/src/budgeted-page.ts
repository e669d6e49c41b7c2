import { type EventPage, type EventQuery, type TimeSeriesStore, toEventJson } from '@homeiq/storage';

/** Events read from the store per step while filling a page: a first small step measures the events' size. */
const FIRST_STEP = 50;

export interface BudgetedPage {
  /** Each event already serialized (JSON text): the response is their concatenation, built once. */
  json: string[];
  bytes: number;
  nextCursor: EventPage['nextCursor'];
  /** True when the byte budget, not the limit, ended the page. */
  cut: boolean;
}

/**
 * One page of events under a byte budget as well as the limit: the store is read in steps sized from the events
 * seen so far, each event is serialized once, and the page ends early (with a cursor after its last event) once
 * the budget is spent. So parallel large-limit reads of huge attributes hold at most about budget + one step each.
 * The first event is always included, whatever its size, so paging always moves on.
 */
export async function budgetedPage(store: TimeSeriesStore, query: EventQuery, maxBytes: number): Promise<BudgetedPage> {
  const json: string[] = [];
  let bytes = 0;
  let cursor = query.cursor;
  let step = Math.min(query.limit, FIRST_STEP);
  for (;;) {
    const page = await store.queryEvents({ ...query, limit: step, ...(cursor ? { cursor } : {}) });
    for (const e of page.events) {
      const text = JSON.stringify(toEventJson(e));
      if (json.length > 0 && bytes + text.length > maxBytes) return { json, bytes, nextCursor: cursor, cut: true };
      json.push(text);
      bytes += text.length + 1;
      cursor = key(e);
    }
    const left = query.limit - json.length;
    if (!page.nextCursor || left <= 0) return { json, bytes, nextCursor: page.nextCursor, cut: false };
    const average = bytes / json.length;
    step = Math.max(1, Math.min(left, Math.floor((maxBytes - bytes) / average) + 1));
  }
}

function key(e: { time: number; entityId: string }): { time: number; entityId: string } {
  return { time: e.time, entityId: e.entityId };
}
