import type { Connection } from './connection';
import type { EventSink } from './home';

/** All client connections and their event subscriptions: the fan-out side of HA's event bus. */
export class Hub implements EventSink {
  readonly connections = new Set<Connection>();
  private readonly subscribers = new Set<Connection>();
  /** Subscriptions per event type; '*' = all events. */
  private readonly counts = new Map<string, number>();
  private waiters: (() => void)[] = [];

  wants(eventType: string): boolean {
    return (this.counts.get(eventType) ?? 0) > 0 || (this.counts.get('*') ?? 0) > 0;
  }

  publish(eventType: string, event: Buffer): void {
    for (const conn of this.subscribers) conn.deliver(eventType, event);
  }

  subscribe(conn: Connection, eventType: string): void {
    this.counts.set(eventType, (this.counts.get(eventType) ?? 0) + 1);
    this.subscribers.add(conn);
  }

  unsubscribe(conn: Connection, eventType: string): void {
    this.counts.set(eventType, (this.counts.get(eventType) ?? 1) - 1);
    if (conn.subscriptions.size === 0) this.subscribers.delete(conn);
  }

  add(conn: Connection): void {
    this.connections.add(conn);
  }

  /** A closed connection: drop it and its subscriptions. */
  remove(conn: Connection): void {
    this.connections.delete(conn);
    for (const eventType of conn.subscriptions.values()) {
      this.counts.set(eventType, (this.counts.get(eventType) ?? 1) - 1);
    }
    conn.subscriptions.clear();
    this.subscribers.delete(conn);
    this.notify();
  }

  /** Connections that receive state_changed events. */
  private stateReceivers(): Connection[] {
    return [...this.subscribers].filter((c) => c.wants('state_changed'));
  }

  /** True when every state_changed receiver has room for `chunk` more messages (burst back-pressure). */
  hasRoom(chunk: number): boolean {
    for (const conn of this.subscribers) if (conn.wants('state_changed') && !conn.hasRoom(chunk)) return false;
    return true;
  }

  /** Resolves when `ready()` holds, re-checked whenever a connection writes, drains or closes. */
  async until(ready: () => boolean, stopped: () => boolean): Promise<void> {
    while (!ready() && !stopped()) {
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        // A safety net: re-check now and then even without a signal.
        setTimeout(resolve, 100).unref();
      });
    }
  }

  /** Every receiver has written all it was given to its socket. */
  drained(): boolean {
    return this.stateReceivers().every((c) => c.drained());
  }

  notify(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
