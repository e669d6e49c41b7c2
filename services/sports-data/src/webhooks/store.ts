import type { WebhookDb } from './db';
import { SecretBox } from './secret-box';
import type { AttemptRecord, Delivery, DeliveryStatus, EntityFilter, Subscription, SubscriptionKind } from './types';

interface SubscriptionRow {
  id: string;
  url: string;
  kind: SubscriptionKind;
  events: string;
  teams: string;
  entity_filter: string | null;
  secret: string;
  description: string | null;
  enabled: number;
  disabled_reason: string | null;
  disabled_at: number | null;
  consecutive_failures: number;
  dropped: number;
  created_at: number;
  updated_at: number;
}

interface DeliveryRow {
  id: string;
  subscription_id: string;
  event: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  created_at: number;
  expires_at: number;
  next_attempt_at: number | null;
  last_status: number | null;
  last_error: string | null;
  finished_at: number | null;
}

function toSubscription(r: SubscriptionRow, secret: string): Subscription {
  return {
    id: r.id,
    url: r.url,
    kind: r.kind,
    events: JSON.parse(r.events) as string[],
    teams: JSON.parse(r.teams) as string[],
    entityFilter: r.entity_filter ? (JSON.parse(r.entity_filter) as EntityFilter) : null,
    secret,
    description: r.description,
    enabled: r.enabled === 1,
    disabledReason: r.disabled_reason,
    disabledAt: r.disabled_at,
    consecutiveFailures: r.consecutive_failures,
    dropped: r.dropped,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    event: r.event,
    body: r.body,
    status: r.status,
    attempts: r.attempts,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    nextAttemptAt: r.next_attempt_at,
    lastStatus: r.last_status,
    lastError: r.last_error,
    finishedAt: r.finished_at,
  };
}

export type NewSubscription = Pick<
  Subscription,
  'id' | 'url' | 'kind' | 'events' | 'teams' | 'entityFilter' | 'secret' | 'description'
>;

/** Subscriptions and the delivery log in webhooks.db. Synchronous (better-sqlite3); one writer: this process. */
function prepareStatements(db: WebhookDb) {
  return {
    insertSub: db.prepare(
      `INSERT INTO subscriptions (id, url, kind, events, teams, entity_filter, secret, description, created_at, updated_at)
       VALUES (@id, @url, @kind, @events, @teams, @entity_filter, @secret, @description, @now, @now)`,
    ),
    getSub: db.prepare('SELECT * FROM subscriptions WHERE id = ?'),
    secrets: db.prepare('SELECT id, secret FROM subscriptions'),
    setSecret: db.prepare('UPDATE subscriptions SET secret = ? WHERE id = ?'),
    countSubs: db.prepare('SELECT COUNT(*) FROM subscriptions').pluck(),
    listSubs: db.prepare('SELECT * FROM subscriptions ORDER BY created_at, id'),
    enabledSubs: db.prepare('SELECT * FROM subscriptions WHERE enabled = 1 ORDER BY created_at, id'),
    deleteSub: db.prepare('DELETE FROM subscriptions WHERE id = ?'),
    enable: db.prepare(
      `UPDATE subscriptions SET enabled = 1, disabled_reason = NULL, disabled_at = NULL, consecutive_failures = 0,
       updated_at = ? WHERE id = ?`,
    ),
    disable: db.prepare(
      'UPDATE subscriptions SET enabled = 0, disabled_reason = ?, disabled_at = ?, updated_at = ? WHERE id = ?',
    ),
    cancelPending: db.prepare(
      `UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL, finished_at = ?, last_error = ?
       WHERE subscription_id = ? AND status = 'pending'`,
    ),
    addDropped: db.prepare('UPDATE subscriptions SET dropped = dropped + ? WHERE id = ?'),
    insertDelivery: db.prepare(
      `INSERT INTO deliveries (id, subscription_id, event, body, status, created_at, expires_at, next_attempt_at)
       VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
    ),
    pendingCounts: db.prepare(
      "SELECT subscription_id AS id, COUNT(*) AS n FROM deliveries WHERE status = 'pending' GROUP BY subscription_id",
    ),
    nextDue: db.prepare(
      `SELECT * FROM deliveries WHERE subscription_id = ? AND status = 'pending' AND next_attempt_at <= ?
       ORDER BY next_attempt_at, created_at LIMIT 1`,
    ),
    earliest: db
      .prepare("SELECT MIN(next_attempt_at) FROM deliveries WHERE subscription_id = ? AND status = 'pending'")
      .pluck(),
    insertAttempt: db.prepare(
      `INSERT OR REPLACE INTO delivery_attempts (delivery_id, attempt, started_at, duration_ms, status_code, error)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    delivered: db.prepare(
      `UPDATE deliveries SET status = 'delivered', attempts = ?, next_attempt_at = NULL, last_status = ?,
       last_error = NULL, finished_at = ? WHERE id = ? AND status = 'pending'`,
    ),
    retry: db.prepare(
      `UPDATE deliveries SET attempts = ?, next_attempt_at = ?, last_status = ?, last_error = ?
       WHERE id = ? AND status = 'pending'`,
    ),
    failed: db.prepare(
      `UPDATE deliveries SET status = 'failed', attempts = ?, next_attempt_at = NULL, last_status = ?, last_error = ?,
       finished_at = ? WHERE id = ? AND status = 'pending'`,
    ),
    resetFailures: db.prepare(
      'UPDATE subscriptions SET consecutive_failures = 0 WHERE id = ? AND consecutive_failures > 0',
    ),
    addFailure: db.prepare(
      'UPDATE subscriptions SET consecutive_failures = consecutive_failures + 1 WHERE id = ? RETURNING consecutive_failures',
    ),
    getDelivery: db.prepare('SELECT * FROM deliveries WHERE id = ?'),
    exists: db.prepare('SELECT status FROM deliveries WHERE id = ?').pluck(),
    log: db.prepare(
      `SELECT * FROM deliveries WHERE subscription_id = @sub AND (@status IS NULL OR status = @status)
       ORDER BY created_at DESC, id DESC LIMIT @limit`,
    ),
    attempts: db.prepare(
      'SELECT attempt, started_at, duration_ms, status_code, error FROM delivery_attempts WHERE delivery_id = ? ORDER BY attempt',
    ),
    prune: db.prepare(
      "DELETE FROM deliveries WHERE finished_at IS NOT NULL AND finished_at < ? AND status != 'pending'",
    ),
  };
}

export class WebhookStore {
  private readonly s: ReturnType<typeof prepareStatements>;

  constructor(
    readonly db: WebhookDb,
    private readonly box: SecretBox,
  ) {
    this.s = prepareStatements(db);
  }

  /**
   * Seals the secrets of rows written before secrets were encrypted, and disables subscriptions whose secret
   * does not open with this key (webhooks.db restored without its key): they could only send bad signatures.
   */
  sealSecrets(now: number): { sealed: number; unreadable: string[] } {
    let sealed = 0;
    const unreadable: string[] = [];
    this.db.transaction(() => {
      for (const row of this.s.secrets.all() as Array<{ id: string; secret: string }>) {
        if (!SecretBox.isSealed(row.secret)) {
          this.s.setSecret.run(this.box.seal(row.id, row.secret), row.id);
          sealed += 1;
        } else if (this.box.open(row.id, row.secret) === undefined) {
          unreadable.push(row.id);
          this.disable(row.id, 'its secret does not open with this WEBHOOK_SECRET_KEY; create the webhook again', now);
        }
      }
    })();
    return { sealed, unreadable };
  }

  private toSubscription(row: SubscriptionRow): Subscription {
    // A secret that does not open reads as empty; sealSecrets has disabled its subscription at start.
    return toSubscription(row, this.box.open(row.id, row.secret) ?? '');
  }

  createSubscription(sub: NewSubscription, now: number): Subscription {
    this.s.insertSub.run({
      id: sub.id,
      url: sub.url,
      kind: sub.kind,
      events: JSON.stringify(sub.events),
      teams: JSON.stringify(sub.teams),
      entity_filter: sub.entityFilter ? JSON.stringify(sub.entityFilter) : null,
      secret: this.box.seal(sub.id, sub.secret),
      description: sub.description,
      now,
    });
    return this.getSubscription(sub.id) as Subscription;
  }

  getSubscription(id: string): Subscription | undefined {
    const row = this.s.getSub.get(id) as SubscriptionRow | undefined;
    return row ? this.toSubscription(row) : undefined;
  }

  countSubscriptions(): number {
    return this.s.countSubs.get() as number;
  }

  listSubscriptions(onlyEnabled = false): Subscription[] {
    return ((onlyEnabled ? this.s.enabledSubs : this.s.listSubs).all() as SubscriptionRow[]).map((r) =>
      this.toSubscription(r),
    );
  }

  /** Deletes the subscription and (cascade) its delivery log. */
  deleteSubscription(id: string): boolean {
    return this.s.deleteSub.run(id).changes > 0;
  }

  enable(id: string, now: number): void {
    this.s.enable.run(now, id);
  }

  /** Disables the subscription and cancels what it still had pending, keeping the reason. */
  disable(id: string, reason: string, now: number): void {
    this.db.transaction(() => {
      this.s.disable.run(reason, now, now, id);
      this.s.cancelPending.run(now, `not delivered: subscription disabled (${reason})`, id);
    })();
  }

  insertDeliveries(
    items: Array<{ id: string; subscriptionId: string; event: string; body: string }>,
    now: number,
    maxAgeMs: number,
  ): void {
    if (items.length === 0) return;
    this.db.transaction(() => {
      for (const d of items)
        this.s.insertDelivery.run(d.id, d.subscriptionId, d.event, d.body, now, now + maxAgeMs, now);
    })();
  }

  addDropped(subscriptionId: string, count: number): void {
    this.s.addDropped.run(count, subscriptionId);
  }

  pendingCounts(): Map<string, number> {
    const rows = this.s.pendingCounts.all() as Array<{ id: string; n: number }>;
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  /** The oldest due delivery of one subscription. */
  nextDue(subscriptionId: string, now: number): Delivery | undefined {
    const row = this.s.nextDue.get(subscriptionId, now) as DeliveryRow | undefined;
    return row ? toDelivery(row) : undefined;
  }

  /** Earliest next attempt of one subscription, ms, or null when nothing is pending. */
  earliestPending(subscriptionId: string): number | null {
    return (this.s.earliest.get(subscriptionId) as number | null | undefined) ?? null;
  }

  getDelivery(id: string): Delivery | undefined {
    const row = this.s.getDelivery.get(id) as DeliveryRow | undefined;
    return row ? toDelivery(row) : undefined;
  }

  // The record* methods do nothing when the delivery went away meanwhile (its subscription was deleted).

  recordSuccess(d: Delivery, attempt: AttemptRecord): void {
    this.db.transaction(() => {
      if (!this.s.exists.get(d.id)) return;
      this.insertAttempt(d.id, attempt);
      this.s.delivered.run(attempt.attempt, attempt.statusCode, attempt.startedAt + attempt.durationMs, d.id);
      this.s.resetFailures.run(d.subscriptionId);
    })();
  }

  recordRetry(d: Delivery, attempt: AttemptRecord, nextAttemptAt: number): void {
    this.db.transaction(() => {
      if (!this.s.exists.get(d.id)) return;
      this.insertAttempt(d.id, attempt);
      this.s.retry.run(attempt.attempt, nextAttemptAt, attempt.statusCode, attempt.error, d.id);
    })();
  }

  /** Gives the delivery up; returns the subscription's count of consecutive given-up deliveries. */
  recordGiveUp(d: Delivery, attempt: AttemptRecord, now: number): number {
    return this.db.transaction(() => {
      if (this.s.exists.get(d.id) !== 'pending') return 0;
      this.insertAttempt(d.id, attempt);
      this.s.failed.run(attempt.attempt, attempt.statusCode, attempt.error, now, d.id);
      const row = this.s.addFailure.get(d.subscriptionId) as { consecutive_failures: number } | undefined;
      return row?.consecutive_failures ?? 0;
    })();
  }

  deliveryLog(
    subscriptionId: string,
    options: { status?: DeliveryStatus; limit: number },
  ): Array<Delivery & { log: AttemptRecord[] }> {
    const rows = this.s.log.all({
      sub: subscriptionId,
      status: options.status ?? null,
      limit: options.limit,
    }) as DeliveryRow[];
    return rows.map((r) => ({ ...toDelivery(r), log: this.attemptsOf(r.id) }));
  }

  attemptsOf(deliveryId: string): AttemptRecord[] {
    const rows = this.s.attempts.all(deliveryId) as Array<{
      attempt: number;
      started_at: number;
      duration_ms: number;
      status_code: number | null;
      error: string | null;
    }>;
    return rows.map((a) => ({
      attempt: a.attempt,
      startedAt: a.started_at,
      durationMs: a.duration_ms,
      statusCode: a.status_code,
      error: a.error,
    }));
  }

  /** Removes finished deliveries (and their attempts) older than `before`; returns how many. */
  pruneFinished(before: number): number {
    return this.s.prune.run(before).changes;
  }

  private insertAttempt(deliveryId: string, a: AttemptRecord): void {
    this.s.insertAttempt.run(deliveryId, a.attempt, a.startedAt, a.durationMs, a.statusCode, a.error);
  }
}
