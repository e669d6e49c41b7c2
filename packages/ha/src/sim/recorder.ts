import { EMPTY_ATTRS, type EventLog } from './event-log';
import { epochSeconds } from './time';

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

function domainOf(entityId: string): string {
  const dot = entityId.indexOf('.');
  return dot > 0 ? entityId.slice(0, dot) : entityId;
}

/** One entity's rows in the event log, in last_updated order. */
class RowList {
  rows = new Int32Array(16);
  length = 0;

  push(row: number): void {
    if (this.length === this.rows.length) {
      const bigger = new Int32Array(this.rows.length * 2);
      bigger.set(this.rows);
      this.rows = bigger;
    }
    this.rows[this.length++] = row;
  }
}

/**
 * The simulated recorder: an index of the event log per entity id. Answers `history/history_during_period` the way HA's
 * recorder does (compressed format, exclusive time bounds, the start-time state stamped at start_time, significant /
 * minimal / no_attributes filters, removals as state "" without last_changed).
 */
export class Recorder {
  private readonly byEntity = new Map<string, RowList>();
  private oldestUs = Number.POSITIVE_INFINITY;

  constructor(private readonly log: EventLog) {}

  add(entityId: string, row: number): void {
    let list = this.byEntity.get(entityId);
    if (!list) {
      list = new RowList();
      this.byEntity.set(entityId, list);
    }
    list.push(row);
    const lu = this.log.lu[row] as number;
    if (lu < this.oldestUs) this.oldestUs = lu;
  }

  /** HA's recorder renames the states metadata on an entity id change: the history follows the new id. */
  rename(oldId: string, newId: string): void {
    const moved = this.byEntity.get(oldId);
    if (!moved) return;
    this.byEntity.delete(oldId);
    const existing = this.byEntity.get(newId);
    const rows = [...moved.rows.subarray(0, moved.length), ...(existing?.rows.subarray(0, existing.length) ?? [])];
    rows.sort((a, b) => (this.log.lu[a] as number) - (this.log.lu[b] as number));
    const list = new RowList();
    for (const row of rows) list.push(row);
    this.byEntity.set(newId, list);
  }

  /** First position in `list` whose row's last_updated is > us. */
  private firstAfter(list: RowList, us: number): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.log.lu[list.rows[mid] as number] as number) <= us) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  query(q: HistoryQuery): Record<string, CompressedState[]> {
    const { log } = this;
    const out: Record<string, CompressedState[]> = {};
    const includeStart = q.includeStartTimeState && this.oldestUs < q.startUs;
    const withLastChanged = !q.significantChangesOnly;
    for (const entityId of q.entityIds) {
      const list = this.byEntity.get(entityId);
      if (!list || out[entityId]) continue;
      const domain = domainOf(entityId);
      const keepAll = !q.significantChangesOnly || SIGNIFICANT_DOMAINS.has(domain);
      const selected: number[] = [];
      const from = this.firstAfter(list, q.startUs);
      // The latest state strictly before start_time (HA: last_updated_ts < start), whatever its significance.
      let startRow = -1;
      if (includeStart) {
        let k = from - 1;
        while (k >= 0 && (log.lu[list.rows[k] as number] as number) >= q.startUs) k--;
        if (k >= 0) {
          startRow = list.rows[k] as number;
          selected.push(startRow);
        }
      }
      for (let k = from; k < list.length; k++) {
        const row = list.rows[k] as number;
        const lu = log.lu[row] as number;
        if (q.endUs !== undefined && lu >= q.endUs) break;
        const lc = log.lc[row] as number;
        if (keepAll || Number.isNaN(lc) || lc === lu) selected.push(row);
      }
      if (selected.length === 0) continue;
      const minimal = q.minimalResponse && !NEED_ATTRIBUTE_DOMAINS.has(domain);
      const states: CompressedState[] = [];
      let prev: string | undefined;
      for (const row of selected) {
        const s = log.state[row] as string;
        const lu = log.lu[row] as number;
        if (minimal && states.length > 0) {
          if (s !== prev) states.push({ s, lu: epochSeconds(lu) });
          prev = s;
          continue;
        }
        // Key order as HA writes it: s, a, lu, lc. With no_attributes the non-minimal rows carry `a: {}`.
        const item = { s } as CompressedState;
        if (!q.noAttributes) item.a = log.attrs[row];
        else if (!minimal) item.a = EMPTY_ATTRS;
        const atStart = row === startRow;
        item.lu = epochSeconds(atStart ? q.startUs : lu);
        const lc = log.lc[row] as number;
        if (withLastChanged && !atStart && !Number.isNaN(lc) && lc !== lu) item.lc = epochSeconds(lc);
        states.push(item);
        prev = s;
      }
      out[entityId] = states;
    }
    return out;
  }
}
