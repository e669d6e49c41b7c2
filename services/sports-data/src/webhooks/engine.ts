import { randomUUID } from 'node:crypto';
import { errorMessage, type Logger } from '@homeiq/core';
import { type BackoffPolicy, nextAttemptAt } from './backoff';
import { type EgressPolicy, EgressRefused } from './egress';
import { postWebhook } from './post';
import { signature } from './signing';
import type { WebhookStore } from './store';
import type { AttemptRecord, Delivery, Subscription } from './types';

export interface EngineOptions {
  store: WebhookStore;
  logger: Logger;
  policy: BackoffPolicy;
  /** Which receiver addresses may be reached, checked again when each attempt connects. */
  egress: EgressPolicy;
  /** Timeout of one attempt, ms. */
  timeoutMs: number;
  /** Attempts in flight at once; each subscription has at most one, so a slow receiver holds one slot. */
  concurrency: number;
  /** Consecutive given-up deliveries after which the subscription is disabled. */
  disableAfter: number;
  /** Pending deliveries kept per subscription; more are dropped and counted on the subscription. */
  maxPending: number;
  /** Finished deliveries older than this are pruned from the log, ms. */
  logRetentionMs: number;
  clock?: () => number;
  random?: () => number;
  /** Wake up by timers (default). Tests with a fake clock turn it off and call pump() themselves. */
  autoPump?: boolean;
}

export interface EngineStats {
  inFlight: number;
  pending: number;
  attempts: number;
  delivered: number;
  retried: number;
  givenUp: number;
  dropped: number;
  disabled: number;
}

const PRUNE_EVERY_MS = 3_600_000;

// What the delivery log says when no HTTP answer came. One message for a refused connection, a timeout,
// a reset or a DNS failure alike: the log must not turn webhooks into a port scanner.
export const NO_ANSWER = 'delivery failed: no HTTP answer from the receiver';
export const REFUSED = 'delivery refused: the receiver address is not permitted by the webhook egress policy';

function describe(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * Delivers webhooks: signed POSTs with exponential backoff and jitter, every state change in webhooks.db
 * (a restart resumes from the due times stored there), bounded concurrency, a timeout per attempt.
 * Sports events and Home Assistant state changes go through the same queue.
 */
export class DeliveryEngine {
  private readonly store: WebhookStore;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly busy = new Set<string>();
  private pendingBySub = new Map<string, number>();
  private enabledCache: Subscription[] | undefined;
  private readonly changeListeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private running = false;
  private abort = new AbortController();
  private turn = 0;
  private readonly counters = { attempts: 0, delivered: 0, retried: 0, givenUp: 0, dropped: 0, disabled: 0 };

  constructor(private readonly options: EngineOptions) {
    this.store = options.store;
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.pendingBySub = this.store.pendingCounts();
    if (this.options.autoPump !== false) {
      this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS);
      this.pruneTimer.unref();
      this.prune();
    }
    this.pump();
  }

  /** Stops starting attempts, cancels those in flight (they stay pending and are resent after a restart). */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    clearInterval(this.pruneTimer);
    this.abort.abort();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Resolves once nothing is in flight (tests). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  stats(): EngineStats {
    let pending = 0;
    for (const n of this.pendingBySub.values()) pending += n;
    return { inFlight: this.inFlight.size, pending, ...this.counters };
  }

  pendingFor(subscriptionId: string): number {
    return this.pendingBySub.get(subscriptionId) ?? 0;
  }

  /** Enabled subscriptions (cached until a change). */
  enabledSubscriptions(): Subscription[] {
    this.enabledCache ??= this.store.listSubscriptions(true);
    return this.enabledCache;
  }

  /** Called after any subscription change (create, delete, enable, disable). */
  subscriptionsChanged(): void {
    this.enabledCache = undefined;
    for (const id of this.pendingBySub.keys()) if (!this.store.getSubscription(id)) this.pendingBySub.delete(id);
    for (const listener of this.changeListeners) listener();
    this.pump();
  }

  onSubscriptionsChanged(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Queues one event for every given subscription; returns how many deliveries were queued. */
  enqueue(items: Array<{ subscription: Subscription; event: string; data: unknown }>): number {
    const now = this.clock();
    const rows: Array<{ id: string; subscriptionId: string; event: string; body: string }> = [];
    const dropped = new Map<string, number>();
    for (const { subscription, event, data } of items) {
      const pending = this.pendingBySub.get(subscription.id) ?? 0;
      if (pending >= this.options.maxPending) {
        dropped.set(subscription.id, (dropped.get(subscription.id) ?? 0) + 1);
        continue;
      }
      this.pendingBySub.set(subscription.id, pending + 1);
      const id = randomUUID();
      const body = JSON.stringify({ id, event, created_at: new Date(now).toISOString(), data });
      rows.push({ id, subscriptionId: subscription.id, event, body });
    }
    this.store.insertDeliveries(rows, now, this.options.policy.maxAgeMs);
    for (const [id, n] of dropped) {
      this.store.addDropped(id, n);
      this.counters.dropped += n;
      this.options.logger.warn({ subscription: id, dropped: n }, 'webhook backlog full: deliveries dropped');
    }
    if (rows.length > 0) this.pump();
    return rows.length;
  }

  /** Starts every due delivery there is room for, then sets a timer for the next due time. */
  pump(): void {
    if (!this.running) return;
    const now = this.clock();
    const subs = this.enabledSubscriptions();
    const n = subs.length;
    for (let i = 0; i < n && this.inFlight.size < this.options.concurrency; i++) {
      const sub = subs[(i + this.turn) % n] as Subscription;
      if (this.busy.has(sub.id) || (this.pendingBySub.get(sub.id) ?? 0) === 0) continue;
      const due = this.store.nextDue(sub.id, now);
      if (due) this.launch(sub, due);
    }
    this.turn = n === 0 ? 0 : (this.turn + 1) % n;
    this.scheduleWake(now);
  }

  private scheduleWake(now: number): void {
    if (this.options.autoPump === false) return;
    clearTimeout(this.timer);
    let earliest: number | null = null;
    for (const sub of this.enabledSubscriptions()) {
      if ((this.pendingBySub.get(sub.id) ?? 0) === 0) continue;
      const t = this.store.earliestPending(sub.id);
      if (t !== null && (earliest === null || t < earliest)) earliest = t;
    }
    if (earliest === null) return;
    // Due but not started means every slot is busy: a finishing attempt pumps again; the timer is a safety net.
    const delay = earliest > now ? Math.min(earliest - now, 60_000) : 1000;
    this.timer = setTimeout(() => this.pump(), delay);
    this.timer.unref();
  }

  private launch(sub: Subscription, delivery: Delivery): void {
    this.busy.add(sub.id);
    const run = this.attempt(sub, delivery)
      .catch((error: unknown) =>
        this.options.logger.error({ err: error, delivery: delivery.id }, 'webhook attempt failed'),
      )
      .finally(() => {
        this.inFlight.delete(delivery.id);
        this.busy.delete(sub.id);
        this.pump();
      });
    this.inFlight.set(delivery.id, run);
  }

  private async attempt(sub: Subscription, d: Delivery): Promise<void> {
    const { timeoutMs, policy } = this.options;
    const startedAt = this.clock();
    const timestamp = Math.floor(startedAt / 1000);
    const timeout = AbortSignal.timeout(timeoutMs);
    let statusCode: number | null = null;
    let error: string | null = null;
    let refused = false;
    this.counters.attempts += 1;
    try {
      statusCode = await postWebhook(
        sub.url,
        d.body,
        {
          'content-type': 'application/json',
          'user-agent': 'HomeIQ-Webhooks/0.1',
          'x-homeiq-event': d.event,
          'x-homeiq-delivery': d.id,
          'x-homeiq-timestamp': String(timestamp),
          'x-homeiq-signature': signature(sub.secret, timestamp, d.body),
          'x-homeiq-attempt': String(d.attempts + 1),
        },
        { policy: this.options.egress, signal: AbortSignal.any([timeout, this.abort.signal]) },
      );
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
    } catch (e) {
      // Stopping: record nothing, the delivery stays due and the next start sends it again (same delivery id).
      if (this.abort.signal.aborted && !timeout.aborted) return;
      refused = e instanceof EgressRefused;
      error = refused ? REFUSED : NO_ANSWER;
      // The operator may see the cause; API callers may not.
      this.options.logger.debug({ subscription: sub.id, reason: errorMessage(e) }, 'webhook attempt got no answer');
    }
    const now = this.clock();
    const record: AttemptRecord = {
      attempt: d.attempts + 1,
      startedAt,
      durationMs: now - startedAt,
      statusCode,
      error,
    };
    if (error === null) {
      this.store.recordSuccess(d, record);
      this.counters.delivered += 1;
      this.decrementPending(sub.id);
      return;
    }
    const permanent = statusCode === 410 || refused;
    const next = permanent ? null : nextAttemptAt(d.createdAt, record.attempt, now, policy, this.random);
    if (next !== null) {
      this.store.recordRetry(d, record, next);
      this.counters.retried += 1;
      return;
    }
    const failures = this.store.recordGiveUp(d, record, now);
    this.counters.givenUp += 1;
    this.decrementPending(sub.id);
    if (statusCode === 410) this.disable(sub.id, 'the receiver answered 410 Gone');
    else if (refused) this.disable(sub.id, 'the receiver address is not permitted by the webhook egress policy');
    else if (failures >= this.options.disableAfter) {
      this.disable(
        sub.id,
        `${failures} deliveries in a row failed for ${describe(policy.maxAgeMs)} each (last: ${error})`,
      );
    }
  }

  private disable(subscriptionId: string, reason: string): void {
    this.store.disable(subscriptionId, reason, this.clock());
    this.pendingBySub.set(subscriptionId, 0);
    this.counters.disabled += 1;
    this.options.logger.warn({ subscription: subscriptionId, reason }, 'webhook subscription disabled');
    this.subscriptionsChanged();
  }

  private decrementPending(subscriptionId: string): void {
    const n = this.pendingBySub.get(subscriptionId) ?? 0;
    if (n > 0) this.pendingBySub.set(subscriptionId, n - 1);
  }

  private prune(): void {
    try {
      this.store.pruneFinished(this.clock() - this.options.logRetentionMs);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'cannot prune the webhook delivery log');
    }
  }
}
