import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { waitFor } from '@homeiq/core/testing/temp';
import { NO_ANSWER } from '../src/webhooks/engine';
import { AUTH, createWebhook, deliveries, type SportsFixture, sportsFixture, startReceiver } from './helpers';

async function ping(f: SportsFixture, id: string): Promise<void> {
  const res = await f.app.inject({ method: 'POST', url: `/api/v1/webhooks/${id}/test`, headers: AUTH });
  assert.equal(res.statusCode, 202, res.body);
}

async function webhook(f: SportsFixture, id: string) {
  return (await f.app.inject({ url: `/api/v1/webhooks/${id}`, headers: AUTH })).json();
}

describe('webhook delivery', () => {
  test('a failing receiver sees the same signed delivery retried with growing delays until it accepts', async () => {
    const receiver = await startReceiver(undefined, (_r, i) => [500, 503][i] ?? 200);
    const f = await sportsFixture({ env: { WEBHOOK_RETRY_BASE: '1s' } });
    try {
      const id = await createWebhook(f, { url: receiver.url, events: ['game_started'] });
      await ping(f, id);
      await waitFor(() => receiver.received.length === 1, 5000, 'first attempt');
      await f.engine.settle();
      const [pending] = await deliveries(f, id);
      assert.equal(pending?.status, 'pending');
      assert.equal(pending?.attempts, 1);
      assert.equal(pending?.last_status_code, 500);
      assert.ok(Date.parse(String(pending?.next_attempt_at)) > Date.now(), 'the next attempt is scheduled');

      await waitFor(() => receiver.received.length === 3, 10_000, 'three attempts');
      await f.engine.settle();
      const r = receiver.received;
      assert.ok(
        r.every((x) => x.verified),
        'signature valid on every attempt',
      );
      assert.equal(new Set(r.map((x) => x.id)).size, 1, 'one delivery id across retries');
      assert.equal(new Set(r.map((x) => x.body)).size, 1, 'the same body every time');
      assert.deepEqual(
        r.map((x) => x.attempt),
        [1, 2, 3],
      );
      assert.deepEqual(
        r.map((x) => x.event),
        ['ping', 'ping', 'ping'],
      );

      const [done] = await deliveries(f, id);
      assert.equal(done?.status, 'delivered');
      assert.equal(done?.attempts, 3);
      assert.equal(done?.next_attempt_at, null);
      assert.deepEqual(
        done?.log.map((a) => [a.attempt, a.status_code, a.error]),
        [
          [1, 500, 'HTTP 500'],
          [2, 503, 'HTTP 503'],
          [3, 200, null],
        ],
      );
      // Gaps from the end of one attempt to the start of the next: never early; late only by timer slack.
      const log = done?.log ?? [];
      const gap = (i: number) =>
        Date.parse(String(log[i]?.at)) - Date.parse(String(log[i - 1]?.at)) - Number(log[i - 1]?.duration_ms);
      assert.ok(gap(1) >= 499 && gap(1) < 2000, `first retry after 0.5-1 s, was ${gap(1)}`);
      assert.ok(gap(2) >= 999 && gap(2) < 3000, `second retry after 1-2 s, was ${gap(2)}`);
    } finally {
      await f.close();
      await receiver.stop();
    }
  });

  test('deliveries given up after WEBHOOK_MAX_AGE; repeated give-ups disable the subscription with the reason', async () => {
    const receiver = await startReceiver(undefined, () => 500);
    const f = await sportsFixture({
      env: { WEBHOOK_RETRY_BASE: '40ms', WEBHOOK_MAX_AGE: '2s', WEBHOOK_DISABLE_AFTER: '2' },
    });
    try {
      const id = await createWebhook(f, { url: receiver.url, events: ['game_ended'] });
      await ping(f, id);
      await ping(f, id);
      await waitFor(async () => (await webhook(f, id)).enabled === false, 10_000, 'disabled');
      await f.engine.settle();
      const sub = await webhook(f, id);
      assert.match(sub.disabled_reason, /^2 deliveries in a row failed for 2 s each \(last: HTTP 500\)$/);
      assert.equal(sub.consecutive_failures, 2);
      assert.ok(sub.disabled_at);
      const log = await deliveries(f, id);
      assert.deepEqual(
        log.map((d) => d.status),
        ['failed', 'failed'],
      );
      for (const d of log) {
        assert.ok(Number(d.attempts) >= 3, `retried before giving up: ${d.attempts}`);
        assert.ok(Date.parse(String(d.finished_at)) <= Date.parse(String(d.created_at)) + 2000 + 1000);
      }
      const attempts = receiver.received.length;
      const refused = await f.app.inject({ method: 'POST', url: `/api/v1/webhooks/${id}/test`, headers: AUTH });
      assert.equal(refused.statusCode, 400);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(receiver.received.length, attempts, 'nothing more is sent to a disabled webhook');

      receiver.setResponder(() => 204);
      const on = await f.app.inject({
        method: 'PATCH',
        url: `/api/v1/webhooks/${id}`,
        headers: AUTH,
        payload: { enabled: true },
      });
      assert.equal(on.json().consecutive_failures, 0);
      await ping(f, id);
      await waitFor(
        async () => (await deliveries(f, id, '?status=delivered')).length === 1,
        5000,
        'delivered after re-enabling',
      );
    } finally {
      await f.close();
      await receiver.stop();
    }
  });

  test('410 Gone disables at once', async () => {
    const receiver = await startReceiver(undefined, () => 410);
    const f = await sportsFixture();
    try {
      const id = await createWebhook(f, { url: receiver.url, events: ['game_ended'] });
      await ping(f, id);
      await waitFor(async () => (await webhook(f, id)).enabled === false, 5000, 'disabled');
      assert.equal((await webhook(f, id)).disabled_reason, 'the receiver answered 410 Gone');
      assert.equal(receiver.received.length, 1);
    } finally {
      await f.close();
      await receiver.stop();
    }
  });

  test('a receiver that never answers times out and does not hold up the others', async () => {
    const slow = await startReceiver(undefined, () => 'hang');
    const fast = await startReceiver();
    const f = await sportsFixture({
      env: { WEBHOOK_TIMEOUT: '1500ms', WEBHOOK_CONCURRENCY: '2', WEBHOOK_RETRY_BASE: '10s' },
    });
    try {
      const slowId = await createWebhook(f, { url: slow.url, events: ['game_started'] });
      const fastId = await createWebhook(f, { url: fast.url, events: ['game_started'] });
      for (let i = 0; i < 3; i++) {
        await ping(f, slowId);
        await ping(f, fastId);
      }
      const started = Date.now();
      await waitFor(() => fast.received.length === 3, 5000, 'fast receiver served');
      assert.ok(Date.now() - started < 1500, 'all three fast deliveries before the slow one timed out');
      assert.equal(slow.received.length, 1, 'one attempt at a time per receiver');
      await waitFor(async () => (await deliveries(f, slowId)).some((d) => d.attempts === 1), 5000, 'timeout recorded');
      const timedOut = (await deliveries(f, slowId)).find((d) => d.attempts === 1);
      assert.equal(timedOut?.last_error, NO_ANSWER, 'a timeout reads like any other missing answer');
      assert.equal(timedOut?.status, 'pending', 'will be retried');
    } finally {
      await f.close();
      await slow.stop();
      await fast.stop();
    }
  });

  test('concurrency is bounded by WEBHOOK_CONCURRENCY', async () => {
    const receiver = await startReceiver(undefined, () => ({ status: 200, delayMs: 200 }));
    const f = await sportsFixture({ env: { WEBHOOK_CONCURRENCY: '3' }, start: false });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++)
        ids.push(await createWebhook(f, { url: `${receiver.url}?n=${i}`, events: ['game_started'] }));
      for (const id of ids) for (let k = 0; k < 3; k++) await ping(f, id);
      f.start(); // 18 deliveries due at once
      await waitFor(() => receiver.successes().size === 18, 10_000, 'all 18 delivered');
      assert.equal(receiver.peak, 3);
      assert.equal(receiver.received.length, 18, 'each exactly once');
    } finally {
      await f.close();
      await receiver.stop();
    }
  });

  test('the schedule follows an injected clock: nothing is sent before the due time', async () => {
    let now = Date.UTC(2025, 0, 1);
    const receiver = await startReceiver(undefined, (_r, i) => (i === 0 ? 500 : 200));
    const f = await sportsFixture({ env: { WEBHOOK_RETRY_BASE: '10m' }, clock: () => now, autoPump: false });
    try {
      const id = await createWebhook(f, { url: receiver.url, events: ['game_started'] });
      await ping(f, id);
      await f.engine.settle();
      assert.equal(receiver.received.length, 1);
      const [d] = await deliveries(f, id);
      const due = Date.parse(String(d?.next_attempt_at));
      assert.ok(
        due >= now + 5 * 60_000 && due <= now + 10 * 60_000,
        'first retry 5-10 min later (base 10 min, jitter)',
      );
      now = due - 1;
      f.engine.pump();
      await f.engine.settle();
      assert.equal(receiver.received.length, 1, 'not yet due');
      now = due;
      f.engine.pump();
      await f.engine.settle();
      assert.equal(receiver.received.length, 2);
      assert.equal((await deliveries(f, id))[0]?.status, 'delivered');
    } finally {
      await f.close();
      await receiver.stop();
    }
  });
});
