import { randomBytes } from 'node:crypto';
import { type HttpApp, NotFoundError, ValidationError } from '@homeiq/core';
import { type Static, Type } from '@sinclair/typebox';
import { type EgressPolicy, EgressRefused } from '../webhooks/egress';
import type { DeliveryEngine } from '../webhooks/engine';
import type { WebhookStore } from '../webhooks/store';
import {
  type AttemptRecord,
  type Delivery,
  type EntityFilter,
  PING,
  SPORTS_EVENTS,
  STATE_CHANGED,
  type Subscription,
} from '../webhooks/types';

const TeamEntry = Type.String({ pattern: '^([a-z0-9-]+(/[a-z0-9.-]+)?:)?[A-Za-z0-9]{1,10}$', maxLength: 60 });
const Glob = Type.String({ minLength: 1, maxLength: 255, pattern: '^[a-z0-9_.*?]+$' });

const EntityFilterSchema = Type.Object(
  {
    entity_ids: Type.Optional(Type.Array(Glob, { minItems: 1, maxItems: 100 })),
    domains: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z0-9_]+$', maxLength: 64 }), { minItems: 1, maxItems: 50 }),
    ),
    state: Type.Optional(
      Type.Object(
        {
          equals: Type.Optional(Type.String({ maxLength: 255 })),
          not_equals: Type.Optional(Type.String({ maxLength: 255 })),
          above: Type.Optional(Type.Number()),
          below: Type.Optional(Type.Number()),
        },
        { additionalProperties: false, minProperties: 1 },
      ),
    ),
  },
  { additionalProperties: false },
);

const CreateBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    secret: Type.String({ minLength: 16, maxLength: 256, description: 'HMAC key; write-only, never returned' }),
    events: Type.Optional(
      Type.Array(Type.Union(SPORTS_EVENTS.map((e) => Type.Literal(e))), { minItems: 1, uniqueItems: true }),
    ),
    teams: Type.Optional(Type.Array(TeamEntry, { maxItems: 50 })),
    entity_filter: Type.Optional(EntityFilterSchema),
    description: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
type CreateBody = Static<typeof CreateBody>;

const IdParams = Type.Object({ id: Type.String({ pattern: '^wh_[0-9a-f]{16}$' }) });

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The public view of a subscription: everything but the secret. */
export function subscriptionJson(sub: Subscription, pending: number): Record<string, unknown> {
  return {
    id: sub.id,
    url: sub.url,
    kind: sub.kind,
    events: sub.events,
    teams: sub.teams,
    entity_filter: sub.entityFilter,
    description: sub.description,
    enabled: sub.enabled,
    disabled_reason: sub.disabledReason,
    disabled_at: iso(sub.disabledAt),
    consecutive_failures: sub.consecutiveFailures,
    pending,
    dropped: sub.dropped,
    created_at: iso(sub.createdAt),
    updated_at: iso(sub.updatedAt),
  };
}

function deliveryJson(d: Delivery & { log: AttemptRecord[] }): Record<string, unknown> {
  let payload: unknown = null;
  try {
    payload = (JSON.parse(d.body) as { data?: unknown }).data ?? null;
  } catch {
    // bodies are always JSON we wrote; keep the log readable regardless
  }
  return {
    id: d.id,
    event: d.event,
    status: d.status,
    attempts: d.attempts,
    created_at: iso(d.createdAt),
    next_attempt_at: iso(d.nextAttemptAt),
    expires_at: iso(d.expiresAt),
    finished_at: iso(d.finishedAt),
    last_status_code: d.lastStatus,
    last_error: d.lastError,
    log: d.log.map((a) => ({
      attempt: a.attempt,
      at: iso(a.startedAt),
      duration_ms: a.durationMs,
      status_code: a.statusCode,
      error: a.error,
    })),
    payload,
  };
}

/** `NFL:sea` -> `nfl:SEA`, `sea` -> `SEA`. */
function normalizeTeam(entry: string): string {
  const colon = entry.lastIndexOf(':');
  return colon < 0
    ? entry.toUpperCase()
    : `${entry.slice(0, colon).toLowerCase()}:${entry.slice(colon + 1).toUpperCase()}`;
}

/** A syntactically valid http(s) URL whose host the egress policy lets webhooks reach. */
async function checkUrl(raw: string, egress: EgressPolicy): Promise<string> {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ValidationError('url', `must be an absolute http or https URL, got "${raw.slice(0, 100)}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError('url', `must use http or https, got ${parsed.protocol.replace(':', '')}`);
  }
  if (parsed.username || parsed.password) throw new ValidationError('url', 'must not carry user:password@');
  try {
    await egress.addressesFor(parsed.hostname);
  } catch (error) {
    if (error instanceof EgressRefused) throw new ValidationError('url', error.message);
    // Not resolvable now (receiver offline, DNS down): accepted; every delivery is vetted when it connects.
  }
  return parsed.toString();
}

function checkKind(body: CreateBody): { kind: 'sports' | 'entity'; events: string[]; filter: EntityFilter | null } {
  if (body.entity_filter) {
    if (body.events)
      throw new ValidationError(
        'events',
        'cannot be combined with entity_filter (entity filters receive state_changed)',
      );
    if (body.teams) throw new ValidationError('teams', 'cannot be combined with entity_filter');
    const f = body.entity_filter;
    if (!f.entity_ids && !f.domains) throw new ValidationError('entity_filter', 'needs entity_ids or domains');
    const { above, below } = f.state ?? {};
    if (above !== undefined && below !== undefined && above >= below) {
      throw new ValidationError('entity_filter.state.below', 'must be greater than above');
    }
    return { kind: 'entity', events: [STATE_CHANGED], filter: f };
  }
  if (!body.events)
    throw new ValidationError(
      'events',
      `is required unless entity_filter is given (any of ${SPORTS_EVENTS.join(', ')})`,
    );
  return { kind: 'sports', events: body.events, filter: null };
}

export function registerWebhookRoutes(
  app: HttpApp,
  deps: {
    store: WebhookStore;
    engine: DeliveryEngine;
    egress: EgressPolicy;
    /** WEBHOOK_MAX_SUBSCRIPTIONS */
    maxSubscriptions: number;
    clock: () => number;
  },
): void {
  const { store, engine, egress, clock } = deps;
  const find = (id: string): Subscription => {
    const sub = store.getSubscription(id);
    if (!sub) throw new NotFoundError('webhook', id);
    return sub;
  };

  app.post('/api/v1/webhooks', { schema: { body: CreateBody } }, async (request, reply) => {
    const body = request.body;
    const url = await checkUrl(body.url, egress);
    const { kind, events, filter } = checkKind(body);
    if (store.countSubscriptions() >= deps.maxSubscriptions) {
      return reply.code(409).send({
        error: 'too_many_webhooks',
        message: `at most ${deps.maxSubscriptions} webhook subscriptions (WEBHOOK_MAX_SUBSCRIPTIONS); delete one first`,
      });
    }
    const sub = store.createSubscription(
      {
        id: `wh_${randomBytes(8).toString('hex')}`,
        url,
        kind,
        events,
        teams: (body.teams ?? []).map(normalizeTeam),
        entityFilter: filter,
        secret: body.secret,
        description: body.description ?? null,
      },
      clock(),
    );
    engine.subscriptionsChanged();
    return reply.code(201).send(subscriptionJson(sub, 0));
  });

  app.get('/api/v1/webhooks', async () => ({
    webhooks: store.listSubscriptions().map((s) => subscriptionJson(s, engine.pendingFor(s.id))),
  }));

  app.get('/api/v1/webhooks/:id', { schema: { params: IdParams } }, async (request) => {
    const sub = find(request.params.id);
    return subscriptionJson(sub, engine.pendingFor(sub.id));
  });

  app.delete('/api/v1/webhooks/:id', { schema: { params: IdParams } }, async (request, reply) => {
    if (!store.deleteSubscription(request.params.id)) throw new NotFoundError('webhook', request.params.id);
    engine.subscriptionsChanged();
    return reply.code(204).send();
  });

  app.patch(
    '/api/v1/webhooks/:id',
    {
      schema: {
        params: IdParams,
        body: Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const sub = find(request.params.id);
      if (request.body.enabled) store.enable(sub.id, clock());
      else store.disable(sub.id, 'disabled by request', clock());
      engine.subscriptionsChanged();
      return subscriptionJson(find(sub.id), engine.pendingFor(sub.id));
    },
  );

  app.post('/api/v1/webhooks/:id/test', { schema: { params: IdParams } }, async (request, reply) => {
    const sub = find(request.params.id);
    if (!sub.enabled) throw new ValidationError('id', 'the webhook is disabled; enable it first');
    engine.enqueue([{ subscription: sub, event: PING, data: { message: 'HomeIQ webhook test', webhook_id: sub.id } }]);
    return reply.code(202).send({ queued: true });
  });

  app.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      schema: {
        params: IdParams,
        querystring: Type.Object(
          {
            status: Type.Optional(
              Type.Union(['pending', 'delivered', 'failed', 'cancelled'].map((s) => Type.Literal(s))),
            ),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const sub = find(request.params.id);
      const { status, limit = 50 } = request.query;
      const deliveries = store.deliveryLog(sub.id, { status: status as Delivery['status'] | undefined, limit });
      return { webhook_id: sub.id, deliveries: deliveries.map(deliveryJson) };
    },
  );
}
