import { initialModel, type Model, stepModel, unavailableAttrs } from './entity-behaviour';
import { KINDS } from './entity-kinds';
import { EMPTY_ATTRS, EventLog, REMOTE, REMOVAL, USER_A, USER_B } from './event-log';
import { buildHome } from './home-layout';
import { Random } from './random';
import { Recorder } from './recorder';
import type { BusEvent, Registries } from './registry';
import { contextJson, eventJson, NULL_BYTES, stateChangedBytes, stateJsonParts } from './state-json';
import { isoFromMicros, pythonMicros, SimClock } from './time';
import type { CoreState, EmittedEvent, HaContext, StateRecord } from './types';
import { UlidFactory } from './ulid';

type Attrs = Record<string, unknown>;
type Origin = 'LOCAL' | 'REMOTE';

/** Where events go: the connection hub. `wants` lets the home skip serializing events nobody listens to. */
export interface EventSink {
  wants(eventType: string): boolean;
  /** `event` is the UTF-8 JSON of the event object. */
  publish(eventType: string, event: Buffer): void;
}

/** An entity of the state machine; its current state is row `row` of the log (-1: not in the state machine). */
interface SimEntity {
  entityId: string;
  nameId: number;
  idJson: string;
  /** The integration behind it; null for entities made by fire() / addEntity(). */
  model: Model | null;
  row: number;
  state: string;
  attrs: Attrs;
  lcIso: string;
  lrUs: number;
  /** UTF-8 JSON of the current state (null = not built). */
  bytes: Buffer | null;
  attrsFor: Attrs | null;
  attrsJson: string;
  /** The state to come back with after a restart. */
  restore: { state: string; attrs: Attrs } | null;
}

/** The simulated Home Assistant core: state machine, event bus, recorder and registries. */
export class Home {
  readonly clock: SimClock;
  readonly random: Random;
  readonly ulids: UlidFactory;
  readonly registries: Registries;
  readonly log: EventLog;
  readonly recorder: Recorder;
  readonly entities = new Map<string, SimEntity>();
  coreState: CoreState = 'RUNNING';
  private lottery: SimEntity[] = [];
  private lotteryDirty = true;

  constructor(
    seed: number,
    entityCount: number,
    startMs: number,
    private readonly sink: EventSink,
    commitIntervalMs = 0,
  ) {
    this.clock = new SimClock(startMs);
    this.random = new Random(seed);
    this.ulids = new UlidFactory(this.random);
    const startUs = Math.floor(startMs) * 1000;
    const built = buildHome(this.random, this.ulids, entityCount, startMs / 1000);
    this.registries = built.registries;
    this.log = new EventLog(this.ulids, [this.random.hex(32), this.random.hex(32)]);
    this.recorder = new Recorder(this.log, commitIntervalMs);
    for (const def of built.entities) {
      // The home was already running: each state dates from the last 6 hours (recorded, not emitted).
      const t = (startUs - 1 - this.random.next() * 6 * 3600e6) / 1e6;
      const us = pythonMicros(t);
      const model = initialModel(def.kind, def.friendlyName, this.random, isoFromMicros(us));
      const e = this.newEntity(def.entityId, model);
      this.ulids.next(Math.floor(us / 1000));
      const row = this.log.append(e.nameId, model.state, model.attrs, t, t, -1, Number.NaN, 0, null);
      this.setCurrent(e, row, isoFromMicros(us));
      this.entities.set(def.entityId, e);
    }
    this.log.firstEmitted = this.log.size;
    this.recorder.start();
  }

  private newEntity(entityId: string, model: Model | null): SimEntity {
    return {
      entityId,
      nameId: this.log.nameId(entityId),
      idJson: JSON.stringify(entityId),
      model,
      row: -1,
      state: '',
      attrs: EMPTY_ATTRS,
      lcIso: '',
      lrUs: 0,
      bytes: null,
      attrsFor: null,
      attrsJson: '{}',
      restore: null,
    };
  }

  private setCurrent(e: SimEntity, row: number, lcIso: string): void {
    this.recorder.add(e.entityId, row);
    e.row = row;
    e.state = this.log.state[row] as string;
    e.attrs = this.log.attrs[row] as Attrs;
    e.lrUs = this.log.lu[row] as number;
    e.lcIso = lcIso;
  }

  private attrsJsonOf(e: SimEntity, attrs: Attrs): string {
    if (attrs !== e.attrsFor) {
      e.attrsFor = attrs;
      e.attrsJson = JSON.stringify(attrs);
    }
    return e.attrsJson;
  }

  /** JSON of an entity's current state. */
  private currentJson(e: SimEntity): string {
    const lu = this.log.lu[e.row] as number;
    const ctx = contextJson(this.log.contextAt(e.row));
    return stateJsonParts(
      e.idJson,
      e.state,
      this.attrsJsonOf(e, e.attrs),
      e.lcIso,
      isoFromMicros(e.lrUs),
      isoFromMicros(lu),
      ctx,
    );
  }

  /** Draws the context of a change (user and automation contexts for things people switch). */
  private context(e: SimEntity | null, ms: number): { meta: number; parent: string | null; id: string } {
    const domain = e?.entityId.slice(0, e.entityId.indexOf('.'));
    const byUser = domain === 'light' || domain === 'switch' || domain === 'climate' || domain === 'media_player';
    const roll = byUser ? this.random.next() : 1;
    const parent = roll < 0.1 ? this.ulids.next(ms) : null;
    const id = this.ulids.next(ms);
    return { meta: roll < 0.1 || roll >= 0.35 ? 0 : roll < 0.25 ? USER_A : USER_B, parent, id };
  }

  /** Sets a state as HA's state machine does; returns false when nothing changed (only last_reported moves). */
  private write(e: SimEntity, state: string, attrs: Attrs, origin: Origin = 'LOCAL'): boolean {
    const present = e.row >= 0;
    const stateChanged = !present || e.state !== state;
    if (!stateChanged && e.attrs !== attrs && JSON.stringify(attrs) === this.attrsJsonOf(e, e.attrs)) attrs = e.attrs;
    if (present && !stateChanged && e.attrs === attrs) {
      this.reReport(e);
      return false;
    }
    const now = this.clock.nowSeconds();
    const nowUs = pythonMicros(now);
    const ms = Math.floor(nowUs / 1000);
    const iso = isoFromMicros(nowUs);
    const ctx = this.context(e, ms);
    const meta = ctx.meta | (origin === 'REMOTE' ? REMOTE : 0);
    const lastChanged = stateChanged ? now : (this.log.lcS[e.row] as number);
    const row = this.log.append(
      e.nameId,
      state,
      attrs,
      now,
      lastChanged,
      e.row,
      present ? e.lrUs : Number.NaN,
      meta,
      ctx.parent,
    );
    const lcIso = stateChanged ? iso : e.lcIso;
    if (this.sink.wants('state_changed')) {
      const ctxJson = contextJson({ id: ctx.id, parent_id: ctx.parent, user_id: this.log.userOf(meta) });
      const newBytes = Buffer.from(
        stateJsonParts(e.idJson, state, this.attrsJsonOf(e, attrs), lcIso, iso, iso, ctxJson),
      );
      const oldBytes = present ? (e.bytes ?? Buffer.from(this.currentJson(e))) : NULL_BYTES;
      this.sink.publish('state_changed', stateChangedBytes(e.idJson, oldBytes, newBytes, origin, iso, ctxJson));
      this.setCurrent(e, row, lcIso);
      e.bytes = newBytes;
    } else {
      this.setCurrent(e, row, lcIso);
      e.bytes = null;
    }
    return true;
  }

  /** An unchanged state re-reported: HA moves last_reported in place and fires no state_changed. */
  private reReport(e: SimEntity): void {
    e.lrUs = this.clock.nowMicros();
    e.bytes = null;
  }

  /** Fires a bus event that is not a state change (registry updates, homeassistant_started). */
  fireEvent(event: BusEvent): void {
    if (!this.sink.wants(event.event_type)) return;
    const nowUs = this.clock.nowMicros();
    const ctx: HaContext = { id: this.ulids.next(Math.floor(nowUs / 1000)), parent_id: null, user_id: null };
    const json = eventJson(event.event_type, JSON.stringify(event.data), 'LOCAL', isoFromMicros(nowUs), ctx);
    this.sink.publish(event.event_type, Buffer.from(json));
  }

  /** One generated change; returns false when the chosen entity only re-reported. */
  step(): boolean {
    if (this.lotteryDirty) this.rebuildLottery();
    if (this.lottery.length === 0) return false;
    const e = this.lottery[Math.floor(this.random.next() * this.lottery.length)] as SimEntity;
    const model = e.model as Model;
    if (e.row < 0) return false;
    if (!stepModel(model, this.random, this.clock)) {
      this.reReport(e);
      return false;
    }
    return this.write(e, model.state, model.attrs, this.random.chance(0.005) ? 'REMOTE' : 'LOCAL');
  }

  /** Emits `count` real state changes (re-reports do not count). */
  steps(count: number): void {
    for (let done = 0, tries = 0; done < count && tries < count * 20 + 100; tries++) if (this.step()) done++;
  }

  private rebuildLottery(): void {
    this.lottery = [];
    for (const e of this.entities.values()) {
      if (!e.model) continue;
      const copies = Math.max(1, Math.round(KINDS[e.model.kind].weight * 2));
      for (let i = 0; i < copies; i++) this.lottery.push(e);
    }
    this.lotteryDirty = false;
  }

  private current(e: SimEntity): StateRecord {
    return this.log.recordAt(e.row, e.lrUs);
  }

  fire(entityId: string, state: string, attributes?: Attrs): StateRecord {
    let e = this.entities.get(entityId);
    if (!e) {
      e = this.newEntity(entityId, null);
      this.entities.set(entityId, e);
    }
    const attrs = attributes ?? (e.row >= 0 ? e.attrs : {});
    if (e.model) {
      e.model.state = state;
      e.model.attrs = attrs;
      const n = Number(state);
      if (state !== '' && Number.isFinite(n)) e.model.value = n;
    }
    this.write(e, state, attrs);
    return this.current(e);
  }

  /** state_changed with new_state null; the entity leaves the state machine. */
  private removeState(e: SimEntity): void {
    this.entities.delete(e.entityId);
    this.lotteryDirty = true;
    if (e.row < 0) return;
    const now = this.clock.nowSeconds();
    const nowUs = pythonMicros(now);
    const iso = isoFromMicros(nowUs);
    const ctx = this.context(null, Math.floor(nowUs / 1000));
    const row = this.log.append(e.nameId, '', EMPTY_ATTRS, now, Number.NaN, e.row, e.lrUs, REMOVAL, null);
    this.recorder.add(e.entityId, row);
    if (this.sink.wants('state_changed')) {
      const ctxJson = contextJson({ id: ctx.id, parent_id: null, user_id: null });
      const oldBytes = e.bytes ?? Buffer.from(this.currentJson(e));
      this.sink.publish('state_changed', stateChangedBytes(e.idJson, oldBytes, NULL_BYTES, 'LOCAL', iso, ctxJson));
    }
    e.row = -1;
  }

  remove(entityId: string): void {
    const e = this.entities.get(entityId);
    const registryEvent = this.registries.removeEntity(entityId);
    if (!e && !registryEvent) throw new Error(`entityId: no entity ${entityId}`);
    if (registryEvent) this.fireEvent(registryEvent);
    if (e) this.removeState(e);
  }

  /** HA order: registry update event, recorder follows the rename, old id removed, new id added (old_state null). */
  rename(oldId: string, newId: string): void {
    if (this.entities.has(newId) || this.registries.entities.has(newId)) throw new Error(`newId: ${newId} exists`);
    const event = this.registries.renameEntity(oldId, newId, this.clock.peekMicros() / 1e6);
    if (!event) throw new Error(`oldId: ${oldId} is not in the entity registry (HA can only rename registry entities)`);
    this.fireEvent(event);
    this.recorder.rename(oldId, newId);
    const e = this.entities.get(oldId);
    if (!e) return;
    const { row, state, attrs } = e;
    this.removeState(e);
    const moved = this.newEntity(newId, e.model);
    this.entities.set(newId, moved);
    this.lotteryDirty = true;
    if (row >= 0) this.write(moved, state, attrs);
  }

  /** A new registry entity (entity_registry_updated create), then its first state. */
  addEntity(entityId: string, state: string, attributes: Attrs, deviceId: string | undefined): StateRecord {
    if (this.entities.has(entityId) || this.registries.entities.has(entityId))
      throw new Error(`entityId: ${entityId} exists`);
    const nowS = this.clock.peekMicros() / 1e6;
    this.fireEvent(this.registries.createEntity(entityId, deviceId, attributes, this.random, nowS));
    return this.fire(entityId, state, attributes);
  }

  emittedCount(): number {
    return this.log.size - this.log.firstEmitted;
  }

  emitted(): EmittedEvent[] {
    return this.log.emitted();
  }

  /** get_states' result. */
  statesJson(): string {
    const parts: string[] = [];
    for (const e of this.entities.values()) if (e.row >= 0) parts.push(this.currentJson(e));
    return `[${parts.join(',')}]`;
  }

  states(): StateRecord[] {
    const out: StateRecord[] = [];
    for (const e of this.entities.values()) if (e.row >= 0) out.push(this.current(e));
    return out;
  }

  /** Restart, part 1: the core stops; the state machine is empty when it comes back. */
  shutDown(): void {
    this.recorder.stop(); // HA's final write: everything queued is committed before the process ends
    this.coreState = 'NOT_RUNNING';
    for (const e of this.entities.values()) {
      e.restore = e.row >= 0 ? { state: e.state, attrs: e.attrs } : null;
      e.row = -1;
      e.bytes = null;
    }
  }

  /** Restart, part 2: every entity appears `unavailable` with old_state null. */
  appearUnavailable(): void {
    for (const e of this.entities.values()) {
      if (!e.restore) continue;
      const attrs = e.model
        ? unavailableAttrs(e.model)
        : { friendly_name: e.restore.attrs.friendly_name ?? e.entityId };
      this.write(e, 'unavailable', attrs);
    }
  }

  /** Restart, part 3: the real values, `limit` entities at a time; returns how many are still to come. */
  restoreValues(limit: number): number {
    let left = 0;
    for (const e of this.entities.values()) {
      if (!e.restore) continue;
      if (limit-- <= 0) {
        left++;
        continue;
      }
      const { state, attrs } = e.model ? { state: e.model.state, attrs: e.model.attrs } : e.restore;
      e.restore = null;
      this.write(e, state, attrs);
    }
    return left;
  }
}
