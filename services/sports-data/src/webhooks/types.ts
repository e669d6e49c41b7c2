export const SPORTS_EVENTS = ['game_started', 'score_changed', 'game_ended'] as const;
export type SportsEventName = (typeof SPORTS_EVENTS)[number];
/** The event name of entity-filter deliveries (Home Assistant's own). */
export const STATE_CHANGED = 'state_changed';
/** Sent by POST /api/v1/webhooks/{id}/test. */
export const PING = 'ping';

export interface StateCondition {
  equals?: string;
  not_equals?: string;
  /** Numeric state strictly above. */
  above?: number;
  /** Numeric state strictly below. */
  below?: number;
}

export interface EntityFilter {
  /** Globs: `*` any run of characters, `?` one character, e.g. sensor.*_temperature. */
  entity_ids?: string[];
  domains?: string[];
  state?: StateCondition;
}

export type SubscriptionKind = 'sports' | 'entity';

export interface Subscription {
  id: string;
  url: string;
  kind: SubscriptionKind;
  /** Sports events subscribed to; [state_changed] for entity subscriptions. */
  events: string[];
  /** `league:TEAM` or `TEAM`; empty = every followed team. */
  teams: string[];
  entityFilter: EntityFilter | null;
  /** HMAC key; never leaves the service. */
  secret: string;
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: number | null;
  /** Given-up deliveries in a row (reset by a success). */
  consecutiveFailures: number;
  /** Deliveries not queued because WEBHOOK_MAX_PENDING was reached. */
  dropped: number;
  createdAt: number;
  updatedAt: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface Delivery {
  id: string;
  subscriptionId: string;
  event: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  createdAt: number;
  expiresAt: number;
  nextAttemptAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  finishedAt: number | null;
}

export interface AttemptRecord {
  attempt: number;
  startedAt: number;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}

/** A delivery to queue: the body is fixed now, so every retry sends the same bytes. */
export interface NewDelivery {
  id: string;
  subscriptionId: string;
  event: string;
  body: string;
}
