import type { Logger } from '@homeiq/core';
import { type LiveFeed, type StateEvent, toEventJson } from '@homeiq/storage';
import type { DeliveryEngine } from './engine';
import { compileEntityFilter, type EventPredicate } from './filters';
import { STATE_CHANGED, type Subscription } from './types';

/** What an entity-filter webhook receives: the event in the export format plus the previous state. */
export function stateChangedPayload(e: StateEvent): Record<string, unknown> {
  return { ...toEventJson(e), old_state: e.oldState ?? null };
}

/**
 * Feeds Home Assistant state changes from the live feed to the entity-filter subscriptions. Subscribes to the
 * feed only while such a subscription exists. The feed's callback only queues (it must not block ingestion);
 * matching and queueing deliveries happen on the next turn of the event loop, one transaction per batch.
 */
export class LiveBridge {
  private unsubscribeFeed: (() => void) | undefined;
  private unsubscribeChanges: (() => void) | undefined;
  private queue: StateEvent[] = [];
  private scheduled = false;
  private readonly compiled = new Map<string, { updatedAt: number; match: EventPredicate }>();
  private readonly counters = { received: 0, matched: 0, overflow: 0 };

  constructor(
    private readonly feed: LiveFeed,
    private readonly engine: DeliveryEngine,
    private readonly logger: Logger,
    private readonly maxQueue = 50_000,
  ) {}

  start(): void {
    this.unsubscribeChanges ??= this.engine.onSubscriptionsChanged(() => this.sync());
    this.sync();
  }

  stop(): void {
    this.unsubscribeChanges?.();
    this.unsubscribeChanges = undefined;
    this.unsubscribeFeed?.();
    this.unsubscribeFeed = undefined;
    this.flush();
  }

  stats(): { listening: boolean; received: number; matched: number; overflow: number } {
    return { listening: this.unsubscribeFeed !== undefined, ...this.counters };
  }

  private entitySubscriptions(): Subscription[] {
    return this.engine.enabledSubscriptions().filter((s) => s.kind === 'entity' && s.entityFilter !== null);
  }

  private sync(): void {
    const wanted = this.entitySubscriptions().length > 0;
    if (wanted && !this.unsubscribeFeed) {
      this.unsubscribeFeed = this.feed.subscribe((events) => this.onEvents(events));
    } else if (!wanted && this.unsubscribeFeed) {
      this.unsubscribeFeed();
      this.unsubscribeFeed = undefined;
    }
  }

  private onEvents(events: readonly StateEvent[]): void {
    this.counters.received += events.length;
    if (this.queue.length + events.length > this.maxQueue) {
      if (this.counters.overflow === 0) this.logger.warn('webhook live queue full: state changes skipped');
      this.counters.overflow += events.length;
      return;
    }
    for (const e of events) this.queue.push(e);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Matches the queued events against every entity subscription and queues the deliveries. */
  flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const events = this.queue;
    this.queue = [];
    const items: Array<{ subscription: Subscription; event: string; data: unknown }> = [];
    for (const sub of this.entitySubscriptions()) {
      const match = this.predicateFor(sub);
      for (const e of events)
        if (match(e)) items.push({ subscription: sub, event: STATE_CHANGED, data: stateChangedPayload(e) });
    }
    this.counters.matched += items.length;
    try {
      this.engine.enqueue(items);
    } catch (error) {
      this.logger.error({ err: error, deliveries: items.length }, 'cannot queue state-change deliveries');
    }
  }

  private predicateFor(sub: Subscription): EventPredicate {
    const cached = this.compiled.get(sub.id);
    if (cached && cached.updatedAt === sub.updatedAt) return cached.match;
    const match = compileEntityFilter(sub.entityFilter ?? {});
    this.compiled.set(sub.id, { updatedAt: sub.updatedAt, match });
    return match;
  }
}
