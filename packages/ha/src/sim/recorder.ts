import { EMPTY_ATTRS, type EventLog } from './event-log';

export interface HistoryQuery {
  /** The bounds as HA's query gets them: datetime.timestamp() doubles, both excluded. */
  startSeconds: number;
  endSeconds: number | undefined;
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
 * recorder does (compressed format, exclusive time bounds compared on the float stamps, the start-time state stamped at
 * start_time, significant / minimal / no_attributes filters, removals as state "" without last_changed).
 *
 * Like HA's, it commits late: rows wait in a queue until the next commit, every `commitIntervalMs` (HA's
 * `commit_interval`, default 5 s; 0 commits each row at once), and history sees committed rows only.
 */
export class Recorder {
  private readonly byEntity = new Map<string, RowList>();
  private oldestSeconds = Number.POSITIVE_INFINITY;
  private queue: { entityId: string; row: number }[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: EventLog,
    private readonly commitIntervalMs = 0,
  ) {}

  /** Starts the commit timer (HA: the recorder thread's periodic commit). */
  start(): void {
    if (this.commitIntervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => this.commit(), this.commitIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer after a final commit (HA's final write on shutdown). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.commit();
  }

  add(entityId: string, row: number): void {
    if (this.commitIntervalMs > 0 && this.timer) this.queue.push({ entityId, row });
    else this.index(entityId, row);
  }

  /** Rows recorded but not yet visible to history. */
  get uncommitted(): number {
    return this.queue.length;
  }

  commit(): void {
    const queue = this.queue;
    if (queue.length === 0) return;
    this.queue = [];
    for (const { entityId, row } of queue) this.index(entityId, row);
  }

  private index(entityId: string, row: number): void {
    let list = this.byEntity.get(entityId);
    if (!list) {
      list = new RowList();
      this.byEntity.set(entityId, list);
    }
    list.push(row);
    const lu = this.log.luS[row] as number;
    if (lu < this.oldestSeconds) this.oldestSeconds = lu;
  }

  /** HA's recorder renames the states metadata on an entity id change: the history follows the new id. */
  rename(oldId: string, newId: string): void {
    for (const item of this.queue) if (item.entityId === oldId) item.entityId = newId;
    const moved = this.byEntity.get(oldId);
    if (!moved) return;
    this.byEntity.delete(oldId);
    const existing = this.byEntity.get(newId);
    const rows = [...moved.rows.subarray(0, moved.length), ...(existing?.rows.subarray(0, existing.length) ?? [])];
    rows.sort((a, b) => (this.log.luS[a] as number) - (this.log.luS[b] as number));
    const list = new RowList();
    for (const row of rows) list.push(row);
    this.byEntity.set(newId, list);
  }

  /** First position in `list` whose row's last_updated is > seconds. */
  private firstAfter(list: RowList, seconds: number): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.log.luS[list.rows[mid] as number] as number) <= seconds) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  query(q: HistoryQuery): Record<string, CompressedState[]> {
    const { log } = this;
    const out: Record<string, CompressedState[]> = {};
    const includeStart = q.includeStartTimeState && this.oldestSeconds < q.startSeconds;
    const withLastChanged = !q.significantChangesOnly;
    for (const entityId of q.entityIds) {
      const list = this.byEntity.get(entityId);
      if (!list || out[entityId]) continue;
      const domain = domainOf(entityId);
      const keepAll = !q.significantChangesOnly || SIGNIFICANT_DOMAINS.has(domain);
      const selected: number[] = [];
      const from = this.firstAfter(list, q.startSeconds);
      // The latest state strictly before start_time (HA: last_updated_ts < start), whatever its significance.
      let startRow = -1;
      if (includeStart) {
        let k = from - 1;
        while (k >= 0 && (log.luS[list.rows[k] as number] as number) >= q.startSeconds) k--;
        if (k >= 0) {
          startRow = list.rows[k] as number;
          selected.push(startRow);
        }
      }
      for (let k = from; k < list.length; k++) {
        const row = list.rows[k] as number;
        const lu = log.luS[row] as number;
        if (q.endSeconds !== undefined && lu >= q.endSeconds) break;
        const lc = log.lcS[row] as number;
        if (keepAll || Number.isNaN(lc) || lc === lu) selected.push(row);
      }
      if (selected.length === 0) continue;
      const minimal = q.minimalResponse && !NEED_ATTRIBUTE_DOMAINS.has(domain);
      const states: CompressedState[] = [];
      let prev: string | undefined;
      for (const row of selected) {
        const s = log.state[row] as string;
        const lu = log.luS[row] as number;
        if (minimal && states.length > 0) {
          if (s !== prev) states.push({ s, lu });
          prev = s;
          continue;
        }
        // Key order as HA writes it: s, a, lu, lc. With no_attributes the non-minimal rows carry `a: {}`.
        const item = { s } as CompressedState;
        if (!q.noAttributes) item.a = log.attrs[row];
        else if (!minimal) item.a = EMPTY_ATTRS;
        const atStart = row === startRow;
        item.lu = atStart ? q.startSeconds : lu;
        const lc = log.lcS[row] as number;
        if (withLastChanged && !atStart && !Number.isNaN(lc) && lc !== lu) item.lc = lc;
        states.push(item);
        prev = s;
      }
      out[entityId] = states;
    }
    return out;
  }
}
