import { initialModel, type Model, stepModel, unavailableAttrs } from './entity-behaviour';
import { KINDS } from './entity-kinds';
import { buildHome } from './home-layout';
import { Random } from './random';
import { Recorder } from './recorder';
import type { BusEvent, Registries } from './registry';
import { eventJson, stateJson } from './state-json';
import { isoFromMicros, SimClock } from './time';
import type { CoreState, EmittedEvent, HaContext, StateRecord } from './types';
import { UlidFactory } from './ulid';

type Attrs = Record<string, unknown>;
type Origin = 'LOCAL' | 'REMOTE';

/** Where events go: the connection hub. `wants` lets the home skip serializing events nobody listens to. */
export interface EventSink {
  wants(eventType: string): boolean;
  publish(eventType: string, eventJson: string): void;
}

/** A removal in the emitted log. */
class Removal {
  constructor(
    readonly entity_id: string,
    readonly time_fired: string,
    readonly context: HaContext,
  ) {}
}

interface SimEntity {
  entityId: string;
  idJson: string;
  /** The integration behind it; null for entities made by fire() / addEntity(). */
  model: Model | null;
  current: StateRecord | null;
  /** µs of current.last_changed. */
  lcUs: number;
  /** Cached JSON of `current` (null = not built yet). */
  json: string | null;
  attrs: Attrs | null;
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
  readonly recorder = new Recorder();
  // The emitted-event log, compact (events are kept by the million): new state (or removal) and old state per event.
  private readonly logNew: (StateRecord | Removal)[] = [];
  private readonly logOld: (StateRecord | null)[] = [];
  private readonly logRemote = new Set<number>();
  readonly entities = new Map<string, SimEntity>();
  coreState: CoreState = 'RUNNING';
  private lottery: SimEntity[] = [];
  private lotteryDirty = true;
  private readonly users: string[];

  constructor(
    seed: number,
    entityCount: number,
    startMs: number,
    private readonly sink: EventSink,
  ) {
    this.clock = new SimClock(startMs);
    this.random = new Random(seed);
    this.ulids = new UlidFactory(this.random);
    const startUs = Math.floor(startMs) * 1000;
    const built = buildHome(this.random, this.ulids, entityCount, startMs / 1000);
    this.registries = built.registries;
    this.users = [this.random.hex(32), this.random.hex(32)];
    for (const def of built.entities) {
      // The home was already running: each entity's state dates from some time in the last 6 hours (recorded, not emitted).
      const lcUs = startUs - 1 - Math.floor(this.random.next() * 6 * 3600e6);
      const iso = isoFromMicros(lcUs);
      const model = initialModel(def.kind, def.friendlyName, this.random, iso);
      const ctx: HaContext = { id: this.ulids.next(Math.floor(lcUs / 1000)), parent_id: null, user_id: null };
      const st: StateRecord = {
        entity_id: def.entityId,
        state: model.state,
        attributes: model.attrs,
        last_changed: iso,
        last_reported: iso,
        last_updated: iso,
        context: ctx,
      };
      this.entities.set(def.entityId, this.newEntity(def.entityId, model, st, lcUs));
      this.recorder.add(def.entityId, st, lcUs, lcUs);
    }
  }

  private newEntity(entityId: string, model: Model | null, current: StateRecord | null, lcUs: number): SimEntity {
    return {
      entityId,
      idJson: JSON.stringify(entityId),
      model,
      current,
      lcUs,
      json: null,
      attrs: null,
      attrsJson: '',
      restore: null,
    };
  }

  private attrsJsonOf(e: SimEntity, attrs: Attrs): string {
    if (attrs !== e.attrs) {
      e.attrs = attrs;
      e.attrsJson = JSON.stringify(attrs);
    }
    return e.attrsJson;
  }

  private context(e: SimEntity | null): HaContext {
    const ms = Math.floor(this.clock.peekMicros() / 1000);
    const domain = e?.entityId.slice(0, e.entityId.indexOf('.'));
    const byUser = domain === 'light' || domain === 'switch' || domain === 'climate' || domain === 'media_player';
    const roll = byUser ? this.random.next() : 1;
    return {
      id: this.ulids.next(ms),
      parent_id: roll < 0.1 ? this.ulids.next(ms) : null,
      user_id: roll >= 0.1 && roll < 0.35 ? (this.users[roll < 0.25 ? 0 : 1] as string) : null,
    };
  }

  /** Sets a state as HA's state machine does; returns null when nothing changed (only last_reported moves). */
  private write(e: SimEntity, state: string, attrs: Attrs, origin: Origin = 'LOCAL'): StateRecord | null {
    const old = e.current;
    const stateChanged = old === null || old.state !== state;
    if (!stateChanged && old.attributes !== attrs) {
      const oldJson = this.attrsJsonOf(e, old.attributes);
      if (JSON.stringify(attrs) === oldJson) attrs = old.attributes;
    }
    if (old !== null && !stateChanged && old.attributes === attrs) {
      this.reReport(e, old);
      return null;
    }
    const nowUs = this.clock.nowMicros();
    const iso = isoFromMicros(nowUs);
    const ctx = this.context(e);
    const rec: StateRecord = {
      entity_id: e.entityId,
      state,
      attributes: attrs,
      last_changed: stateChanged ? iso : old.last_changed,
      last_reported: iso,
      last_updated: iso,
      context: ctx,
    };
    const lcUs = stateChanged ? nowUs : e.lcUs;
    if (origin === 'REMOTE') this.logRemote.add(this.logNew.length);
    this.logNew.push(rec);
    this.logOld.push(old);
    this.recorder.add(e.entityId, rec, nowUs, lcUs);
    if (this.sink.wants('state_changed')) {
      const oldJson = old === null ? 'null' : (e.json ?? stateJson(e.idJson, old, this.attrsJsonOf(e, old.attributes)));
      const newJson = stateJson(e.idJson, rec, this.attrsJsonOf(e, attrs));
      const data = `{"entity_id":${e.idJson},"old_state":${oldJson},"new_state":${newJson}}`;
      this.sink.publish('state_changed', eventJson('state_changed', data, origin, iso, ctx));
      e.json = newJson;
    } else {
      e.json = null;
    }
    e.current = rec;
    e.lcUs = lcUs;
    return rec;
  }

  /** An unchanged state re-reported: HA moves last_reported in place and fires no state_changed. */
  private reReport(e: SimEntity, old: StateRecord): void {
    e.current = { ...old, last_reported: isoFromMicros(this.clock.nowMicros()) };
    e.json = null;
  }

  /** Fires a bus event that is not a state change (registry updates, homeassistant_started). */
  fireEvent(event: BusEvent): void {
    if (!this.sink.wants(event.event_type)) return;
    const iso = isoFromMicros(this.clock.nowMicros());
    this.sink.publish(
      event.event_type,
      eventJson(event.event_type, JSON.stringify(event.data), 'LOCAL', iso, this.context(null)),
    );
  }

  /** One generated event; returns false when the chosen entity only re-reported. */
  step(): boolean {
    if (this.lotteryDirty) this.rebuildLottery();
    if (this.lottery.length === 0) return false;
    const e = this.lottery[Math.floor(this.random.next() * this.lottery.length)] as SimEntity;
    const model = e.model as Model;
    if (e.current === null) return false;
    const changed = stepModel(model, this.random, isoFromMicros(this.clock.peekMicros()));
    if (!changed) {
      this.reReport(e, e.current);
      return false;
    }
    return this.write(e, model.state, model.attrs, this.random.chance(0.005) ? 'REMOTE' : 'LOCAL') !== null;
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

  fire(entityId: string, state: string, attributes?: Attrs): StateRecord {
    let e = this.entities.get(entityId);
    if (!e) {
      e = this.newEntity(entityId, null, null, 0);
      this.entities.set(entityId, e);
    }
    const attrs = attributes ?? e.current?.attributes ?? {};
    if (e.model) {
      e.model.state = state;
      e.model.attrs = attrs;
      const n = Number(state);
      if (state !== '' && Number.isFinite(n)) e.model.value = n;
    }
    return this.write(e, state, attrs) ?? (e.current as StateRecord);
  }

  addEntity(entityId: string, state: string, attributes: Attrs, deviceId: string | undefined): StateRecord {
    if (this.entities.has(entityId) || this.registries.entities.has(entityId))
      throw new Error(`entityId: ${entityId} exists`);
    const device = deviceId === undefined ? undefined : this.registries.devices.get(deviceId);
    if (deviceId !== undefined && !device) throw new Error(`deviceId: no device ${deviceId}`);
    const nowS = this.clock.peekMicros() / 1e6;
    this.fireEvent(
      this.registries.addEntity({
        area_id: null,
        categories: {},
        config_entry_id: device?.primary_config_entry ?? null,
        created_at: nowS,
        device_id: device?.id ?? null,
        disabled_by: null,
        entity_category: null,
        entity_id: entityId,
        has_entity_name: false,
        hidden_by: null,
        icon: null,
        id: this.random.hex(32),
        labels: [],
        modified_at: nowS,
        name: null,
        options: {},
        original_name: typeof attributes.friendly_name === 'string' ? attributes.friendly_name : null,
        platform: device?.identifiers[0]?.[0] ?? 'template',
        translation_key: null,
        unique_id: this.random.hex(16),
      }),
    );
    return this.fire(entityId, state, attributes);
  }

  /** state_changed with new_state null; the entity is gone from the state machine. */
  private removeState(e: SimEntity): void {
    const old = e.current;
    this.entities.delete(e.entityId);
    this.lotteryDirty = true;
    if (old === null) return;
    const nowUs = this.clock.nowMicros();
    const iso = isoFromMicros(nowUs);
    const ctx = this.context(null);
    this.logNew.push(new Removal(e.entityId, iso, ctx));
    this.logOld.push(old);
    this.recorder.add(e.entityId, null, nowUs, null);
    if (this.sink.wants('state_changed')) {
      const oldJson = e.json ?? stateJson(e.idJson, old, this.attrsJsonOf(e, old.attributes));
      const data = `{"entity_id":${e.idJson},"old_state":${oldJson},"new_state":null}`;
      this.sink.publish('state_changed', eventJson('state_changed', data, 'LOCAL', iso, ctx));
    }
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
    const current = e.current;
    this.removeState(e);
    const moved = this.newEntity(newId, e.model, null, 0);
    this.entities.set(newId, moved);
    this.lotteryDirty = true;
    if (current) this.write(moved, current.state, current.attributes);
  }

  emittedCount(): number {
    return this.logNew.length;
  }

  /** Every state_changed emitted so far, in order (built on demand from the compact log). */
  emitted(): EmittedEvent[] {
    const out: EmittedEvent[] = new Array(this.logNew.length);
    for (let i = 0; i < this.logNew.length; i++) {
      const n = this.logNew[i] as StateRecord | Removal;
      const old_state = this.logOld[i] ?? null;
      out[i] =
        n instanceof Removal
          ? {
              entity_id: n.entity_id,
              new_state: null,
              old_state,
              time_fired: n.time_fired,
              context: n.context,
              origin: 'LOCAL',
            }
          : {
              entity_id: n.entity_id,
              new_state: n,
              old_state,
              time_fired: n.last_updated,
              context: n.context,
              origin: this.logRemote.has(i) ? 'REMOTE' : 'LOCAL',
            };
    }
    return out;
  }

  /** get_states' result, reusing each entity's cached JSON. */
  statesJson(): string {
    const parts: string[] = [];
    for (const e of this.entities.values()) {
      if (!e.current) continue;
      e.json ??= stateJson(e.idJson, e.current, this.attrsJsonOf(e, e.current.attributes));
      parts.push(e.json);
    }
    return `[${parts.join(',')}]`;
  }

  states(): StateRecord[] {
    const out: StateRecord[] = [];
    for (const e of this.entities.values()) if (e.current) out.push(e.current);
    return out;
  }

  /** Restart, part 1: the core stops; the state machine is empty when it comes back. */
  shutDown(): void {
    this.coreState = 'NOT_RUNNING';
    for (const e of this.entities.values()) {
      e.restore = e.current ? { state: e.current.state, attrs: e.current.attributes } : null;
      e.current = null;
      e.json = null;
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
