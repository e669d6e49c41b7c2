import { isoFromMicros, pythonMicros } from './time';
import type { EmittedEvent, HaContext, StateRecord } from './types';
import type { UlidFactory } from './ulid';

type Attrs = Record<string, unknown>;

/** Row flags. */
export const REMOVAL = 1;
export const REMOTE = 2;
export const USER_A = 4;
export const USER_B = 8;

export const EMPTY_ATTRS: Attrs = Object.freeze({}) as Attrs;

/**
 * Every state row the home ever had, columnar: typed arrays for the numbers, plain arrays for the state strings and the
 * (shared) attribute objects. The simulator keeps millions of these for history and tests; as objects they would cost
 * several hundred bytes each and most of the CPU in garbage collection. Records and events are rebuilt on demand.
 */
export class EventLog {
  size = 0;
  /** Rows before this one are the states the home had before the simulation started: recorded, never emitted. */
  firstEmitted = 0;
  private cap = 4096;
  private ent = new Int32Array(this.cap);
  /** last_updated as the µs its ISO text shows (the identity a client sees in events). */
  lu = new Float64Array(this.cap);
  /** NaN for a removal. */
  lc = new Float64Array(this.cap);
  /** last_updated / last_changed as HA keeps them: `time.time()` doubles (what the recorder stores and history sends). */
  luS = new Float64Array(this.cap);
  lcS = new Float64Array(this.cap);
  /** last_reported of the old state (it moves on re-reports); NaN when there was none. */
  private oldLr = new Float64Array(this.cap);
  /** Row of the old state; -1 when there was none. */
  private prev = new Int32Array(this.cap);
  private rand = new Uint32Array(this.cap * 3);
  private meta = new Uint8Array(this.cap);
  readonly state: string[] = [];
  readonly attrs: Attrs[] = [];
  private readonly parents = new Map<number, string>();
  private readonly names: string[] = [];
  private readonly nameIds = new Map<string, number>();

  constructor(
    private readonly ulids: UlidFactory,
    private readonly users: readonly string[],
  ) {}

  nameId(entityId: string): number {
    let id = this.nameIds.get(entityId);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(entityId);
      this.nameIds.set(entityId, id);
    }
    return id;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const copy = <T extends Int32Array | Float64Array | Uint32Array | Uint8Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n);
      b.set(a);
      return b;
    };
    this.ent = copy(this.ent, cap);
    this.lu = copy(this.lu, cap);
    this.lc = copy(this.lc, cap);
    this.luS = copy(this.luS, cap);
    this.lcS = copy(this.lcS, cap);
    this.oldLr = copy(this.oldLr, cap);
    this.prev = copy(this.prev, cap);
    this.rand = copy(this.rand, cap * 3);
    this.meta = copy(this.meta, cap);
    this.cap = cap;
  }

  /** Appends a row (times as `time.time()` doubles); its context id is the ULID the factory drew last. */
  append(
    nameId: number,
    state: string,
    attrs: Attrs,
    luSeconds: number,
    lcSeconds: number,
    prev: number,
    oldLrUs: number,
    meta: number,
    parentId: string | null,
  ): number {
    if (this.size === this.cap) this.grow();
    const i = this.size++;
    this.ent[i] = nameId;
    this.luS[i] = luSeconds;
    this.lcS[i] = lcSeconds;
    this.lu[i] = pythonMicros(luSeconds);
    this.lc[i] = Number.isNaN(lcSeconds) ? Number.NaN : pythonMicros(lcSeconds);
    this.prev[i] = prev;
    this.oldLr[i] = oldLrUs;
    this.meta[i] = meta;
    this.rand[i * 3] = this.ulids.r0;
    this.rand[i * 3 + 1] = this.ulids.r1;
    this.rand[i * 3 + 2] = this.ulids.r2;
    this.state.push(state);
    this.attrs.push(attrs);
    if (parentId !== null) this.parents.set(i, parentId);
    return i;
  }

  userOf(meta: number): string | null {
    return (meta & USER_A ? this.users[0] : meta & USER_B ? this.users[1] : undefined) ?? null;
  }

  contextAt(i: number): HaContext {
    const meta = this.meta[i] as number;
    const id = this.ulids.format(
      Math.floor((this.lu[i] as number) / 1000),
      this.rand[i * 3] as number,
      this.rand[i * 3 + 1] as number,
      this.rand[i * 3 + 2] as number,
    );
    return { id, parent_id: this.parents.get(i) ?? null, user_id: this.userOf(meta) };
  }

  /** The state a row holds (last_reported = last_updated unless given). */
  recordAt(i: number, lrUs?: number): StateRecord {
    const lu = this.lu[i] as number;
    const luIso = isoFromMicros(lu);
    const lc = this.lc[i] as number;
    return {
      entity_id: this.names[this.ent[i] as number] as string,
      state: this.state[i] as string,
      attributes: this.attrs[i] as Attrs,
      last_changed: lc === lu ? luIso : isoFromMicros(lc),
      last_reported: lrUs === undefined || lrUs === lu ? luIso : isoFromMicros(lrUs),
      last_updated: luIso,
      context: this.contextAt(i),
    };
  }

  isRemoval(i: number): boolean {
    return ((this.meta[i] as number) & REMOVAL) !== 0;
  }

  /** Every emitted state_changed, rebuilt from the rows. */
  emitted(): EmittedEvent[] {
    const out: EmittedEvent[] = [];
    for (let i = this.firstEmitted; i < this.size; i++) {
      const prev = this.prev[i] as number;
      const context = this.contextAt(i);
      out.push({
        entity_id: this.names[this.ent[i] as number] as string,
        new_state: this.isRemoval(i) ? null : this.recordAt(i),
        old_state: prev < 0 ? null : this.recordAt(prev, this.oldLr[i] as number),
        time_fired: isoFromMicros(this.lu[i] as number),
        context,
        origin: (this.meta[i] as number) & REMOTE ? 'REMOTE' : 'LOCAL',
      });
    }
    return out;
  }
}
