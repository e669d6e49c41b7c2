import type { Home } from './home';
import type { Hub } from './hub';
import type { SimServer } from './server';
import type { EmittedEvent, SimControls, StateRecord } from './types';

/** Events generated per step of a burst or restart flood: one coalesced frame per client per step. */
const CHUNK = 512;
const TICK_MS = 20;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Scenario driver: the steady rate, bursts with back-pressure, drops, restarts and the test controls. */
export class Simulation {
  private rate: number;
  private carry = 0;
  private lastTick = performance.now();
  private readonly timer: NodeJS.Timeout;
  private paused = false;
  private stopped = false;
  private restarting: Promise<void> | undefined;

  constructor(
    private readonly home: Home,
    private readonly hub: Hub,
    private readonly server: SimServer,
    rate: number,
  ) {
    this.rate = checkRate(rate);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  private tick(): void {
    const now = performance.now();
    const elapsed = now - this.lastTick;
    this.lastTick = now;
    if (this.paused || this.rate === 0) {
      this.carry = 0;
      return;
    }
    // A stalled event loop does not turn into a flood: at most half a second of backlog.
    this.carry = Math.min(this.carry + (this.rate * elapsed) / 1000, Math.max(1, this.rate / 2));
    const n = Math.floor(this.carry);
    this.carry -= n;
    if (n > 0) this.home.steps(n);
  }

  /** Generates `count` events in chunks, each after every receiver has room: as fast as the clients read. */
  private async flood(count: number): Promise<void> {
    let left = count;
    while (left > 0 && !this.stopped) {
      await this.hub.until(
        () => this.hub.hasRoom(CHUNK),
        () => this.stopped,
      );
      const n = Math.min(left, CHUNK);
      this.home.steps(n);
      left -= n;
      // Nobody reading: still yield, so sockets, timers and other work go on during a long burst.
      if (this.hub.hasRoom(CHUNK)) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await this.hub.until(
      () => this.hub.drained(),
      () => this.stopped,
    );
  }

  async burst(count: number): Promise<void> {
    if (!Number.isInteger(count) || count < 0) throw new Error(`count: must be a non-negative integer, got ${count}`);
    await this.flood(count);
  }

  dropConnections(refuseForMs = 0): void {
    if (refuseForMs > 0) this.server.refuseFor(refuseForMs);
    for (const conn of [...this.hub.connections]) conn.cancel();
  }

  restart(downMs = 1000, startingMs = 500): Promise<void> {
    this.restarting ??= this.runRestart(downMs, startingMs).finally(() => {
      this.restarting = undefined;
    });
    return this.restarting;
  }

  private async runRestart(downMs: number, startingMs: number): Promise<void> {
    this.paused = true;
    this.home.coreState = 'STOPPING';
    this.home.fireEvent({ event_type: 'homeassistant_stop', data: {} });
    await this.server.close();
    this.home.shutDown();
    await sleep(downMs);
    if (this.stopped) return;
    this.home.coreState = 'STARTING';
    this.home.recorder.start();
    await this.server.listen(this.server.port);
    await sleep(startingMs);
    if (this.stopped) return;
    this.home.appearUnavailable();
    while (!this.stopped && this.home.restoreValues(CHUNK) > 0) {
      await this.hub.until(
        () => this.hub.hasRoom(CHUNK),
        () => this.stopped,
      );
    }
    this.home.coreState = 'RUNNING';
    this.home.fireEvent({ event_type: 'homeassistant_started', data: {} });
    this.paused = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.home.recorder.stop();
    this.hub.notify();
    await this.server.stop();
  }

  controls(): SimControls {
    const home = this.home;
    return {
      setRate: (eventsPerSecond) => {
        this.rate = checkRate(eventsPerSecond);
      },
      burst: (count) => this.burst(count),
      dropConnections: (opts) => this.dropConnections(opts?.refuseForMs),
      restart: (opts) => this.restart(opts?.downMs, opts?.startingMs),
      removeEntity: (entityId) => home.remove(entityId),
      renameEntity: (oldId, newId) => home.rename(oldId, newId),
      fire: (entityId, state, attributes): StateRecord => home.fire(entityId, state, attributes),
      addEntity: (entityId, state, attributes, deviceId) => home.addEntity(entityId, state, attributes ?? {}, deviceId),
      updateDevice: (deviceId, changes) =>
        home.fireEvent(home.registries.updateDevice(deviceId, changes, home.clock.peekMicros() / 1e6)),
      updateArea: (areaId, changes) =>
        home.fireEvent(home.registries.updateArea(areaId, changes, home.clock.peekMicros() / 1e6)),
      emitted: (): EmittedEvent[] => home.emitted(),
      emittedCount: () => home.emittedCount(),
      entityIds: () => [...home.entities.keys()],
      sendRaw: (frame) => {
        for (const conn of this.hub.connections) conn.sendRaw(frame);
      },
      clients: () => this.hub.connections.size,
    };
  }
}

function checkRate(rate: number): number {
  if (!Number.isFinite(rate) || rate < 0) throw new Error(`rate: must be a number >= 0, got ${rate}`);
  return rate;
}
