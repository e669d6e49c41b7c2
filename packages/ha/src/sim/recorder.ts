import { epochSeconds } from './time';
import type { StateRecord } from './types';

/**
 * One entity's recorded rows, as parallel arrays (compact: the numbers stay unboxed). A removal is a row with no state
 * (st null, shown as state "") and no last_changed (NaN), as HA's recorder stores it.
 */
interface Rows {
  st: (StateRecord | null)[];
  /** µs since epoch, ascending. */
  lu: number[];
  /** µs since epoch; NaN for a removal. */
  lc: number[];
}

export interface HistoryQuery {
  startUs: number;
  endUs: number | undefined;
  entityIds: string[];
  includeStartTimeState: boolean;
  significantChangesOnly: boolean;
  minimalResponse: boolean;
  noAttributes: boolean;
}

export type CompressedState = { s: string; a?: Record<string, unknown>; lu: number; lc?: number };

// homeassistant/components/recorder/history/const.py
const SIGNIFICANT_DOMAINS = new Set(['climate', 'device_tracker', 'humidifier', 'thermostat', 'water_heater']);
const NEED_ATTRIBUTE_DOMAINS = new Set(['climate', 'humidifier', 'input_datetime', 'thermostat', 'water_heater']);
const EMPTY: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

function domainOf(entityId: string): string {
  const dot = entityId.indexOf('.');
  return dot > 0 ? entityId.slice(0, dot) : entityId;
}

/** First index whose lu is > us. */
function firstAfter(lu: number[], us: number): number {
  let lo = 0;
  let hi = lu.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((lu[mid] as number) <= us) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The simulated recorder: every state the home ever had, per entity, in last_updated order. Answers
 * `history/history_during_period` the way HA's recorder does (compressed format, strict time bounds, start-time state
 * stamped at start_time, significant / minimal / no_attributes filters, removals as state "").
 */
export class Recorder {
  private readonly rows = new Map<string, Rows>();
  private oldestUs = Number.POSITIVE_INFINITY;

  add(entityId: string, st: StateRecord | null, luUs: number, lcUs: number | null): void {
    let rows = this.rows.get(entityId);
    if (!rows) {
      rows = { st: [], lu: [], lc: [] };
      this.rows.set(entityId, rows);
    }
    rows.st.push(st);
    rows.lu.push(luUs);
    rows.lc.push(lcUs ?? Number.NaN);
    if (luUs < this.oldestUs) this.oldestUs = luUs;
  }

  /** HA's recorder renames the states metadata on an entity id change: the history follows the new id. */
  rename(oldId: string, newId: string): void {
    const moved = this.rows.get(oldId);
    if (!moved) return;
    this.rows.delete(oldId);
    const existing = this.rows.get(newId);
    if (!existing) {
      this.rows.set(newId, moved);
      return;
    }
    const order = [...moved.lu.keys()].map((i) => [moved, i] as const);
    for (const i of existing.lu.keys()) order.push([existing, i]);
    order.sort((a, b) => (a[0].lu[a[1]] as number) - (b[0].lu[b[1]] as number));
    this.rows.set(newId, {
      st: order.map(([r, i]) => r.st[i] as StateRecord | null),
      lu: order.map(([r, i]) => r.lu[i] as number),
      lc: order.map(([r, i]) => r.lc[i] as number),
    });
  }

  query(q: HistoryQuery): Record<string, CompressedState[]> {
    const out: Record<string, CompressedState[]> = {};
    const includeStart = q.includeStartTimeState && this.oldestUs < q.startUs;
    const withLastChanged = !q.significantChangesOnly;
    for (const entityId of q.entityIds) {
      const rows = this.rows.get(entityId);
      if (!rows || out[entityId]) continue;
      const domain = domainOf(entityId);
      const keepAll = !q.significantChangesOnly || SIGNIFICANT_DOMAINS.has(domain);
      const selected: number[] = [];
      const from = firstAfter(rows.lu, q.startUs);
      // The latest state strictly before start_time (HA: last_updated_ts < start), whatever its significance.
      let startIndex = -1;
      if (includeStart) {
        startIndex = from - 1;
        while (startIndex >= 0 && (rows.lu[startIndex] as number) >= q.startUs) startIndex--;
        if (startIndex >= 0) selected.push(startIndex);
      }
      for (let i = from; i < rows.lu.length; i++) {
        const lu = rows.lu[i] as number;
        if (q.endUs !== undefined && lu >= q.endUs) break;
        const lc = rows.lc[i] as number;
        if (keepAll || Number.isNaN(lc) || lc === lu) selected.push(i);
      }
      if (selected.length === 0) continue;
      const minimal = q.minimalResponse && !NEED_ATTRIBUTE_DOMAINS.has(domain);
      const list: CompressedState[] = [];
      let prev: string | undefined;
      for (const i of selected) {
        const st = rows.st[i] as StateRecord | null;
        const s = st ? st.state : '';
        const lu = rows.lu[i] as number;
        if (minimal && list.length > 0) {
          if (s !== prev) list.push({ s, lu: epochSeconds(lu) });
          prev = s;
          continue;
        }
        // Key order as HA writes it: s, a, lu, lc. With no_attributes the non-minimal rows carry `a: {}`.
        const item = { s } as CompressedState;
        if (!q.noAttributes) item.a = st ? st.attributes : EMPTY;
        else if (!minimal) item.a = EMPTY;
        const atStart = i === startIndex;
        item.lu = epochSeconds(atStart ? q.startUs : lu);
        const lc = rows.lc[i] as number;
        if (withLastChanged && !atStart && !Number.isNaN(lc) && lc !== lu) item.lc = epochSeconds(lc);
        list.push(item);
        prev = s;
      }
      out[entityId] = list;
    }
    return out;
  }
}
