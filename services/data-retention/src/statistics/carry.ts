import type { TimeSeriesStore } from '@homeiq/storage';
import { applyEvent, type Carry } from './entity-state';
import { startSum } from './sum';
import { FIVE_MINUTES_US } from './windows';

const LOOKBACK_US = 86_400_000_000;

/**
 * Every entity's state at `at` when no checkpoint has it (first run, or a recompile from a chosen time):
 * the last state of each entity seen in the day before, plus `known` entities looked up one by one.
 * Meter sums continue from the newest 5-minute statistics row before `at`, else start at the carried value.
 */
export async function deriveCarry(store: TimeSeriesStore, at: number, known: Iterable<string> = []): Promise<Carry> {
  const carry: Carry = new Map();
  for await (const e of store.scan({ start: at - LOOKBACK_US, end: at })) {
    if (e.time < at) applyEvent(carry, e, false);
  }
  for (const entityId of known) {
    if (carry.has(entityId)) continue;
    const before = await store.history({ entityId, start: at, end: at + 1, includeStartState: true });
    const last = before.filter((e) => e.time < at).at(-1);
    if (last) applyEvent(carry, last, false);
  }
  const meters = [...carry].filter(([, es]) => es.sumClass !== null).map(([id]) => id);
  const latest = new Map<string, { sum: number; state: number }>();
  if (meters.length > 0) {
    const rows = await store.queryStatistics({
      entityIds: meters,
      period: '5minute',
      start: at - LOOKBACK_US,
      end: at - FIVE_MINUTES_US + 1,
    });
    for (const r of rows.sort((a, b) => a.start - b.start)) {
      if (typeof r.sum === 'number' && typeof r.state === 'number')
        latest.set(r.entityId, { sum: r.sum, state: r.state });
    }
  }
  for (const id of meters) {
    const es = carry.get(id);
    if (!es) continue;
    const row = latest.get(id);
    if (row) es.sum = { sum: row.sum, last: row.state, lastReset: undefined };
    else if (es.value !== null) es.sum = startSum(es.value, undefined);
  }
  return carry;
}
