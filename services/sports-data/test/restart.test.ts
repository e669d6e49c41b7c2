import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { waitFor } from '@homeiq/core/testing/temp';
import { AUTH, createWebhook, deliveries, type SportsFixture, sportsFixture, startReceiver } from './helpers';

async function ping(f: SportsFixture, id: string): Promise<void> {
  const res = await f.app.inject({ method: 'POST', url: `/api/v1/webhooks/${id}/test`, headers: AUTH });
  assert.equal(res.statusCode, 202);
}

describe('a restart in the middle of a retry schedule', () => {
  test('the pending delivery resumes from webhooks.db and completes exactly once', async () => {
    const receiver = await startReceiver(undefined, (_r, i) => (i === 0 ? 500 : 200));
    const env = { WEBHOOK_RETRY_BASE: '3s' };
    // The first process runs no timers: however slow this machine is, its retry cannot fire before the restart.
    let f = await sportsFixture({ env, autoPump: false });
    const dir = f.dir;
    try {
      const id = await createWebhook(f, { url: receiver.url, events: ['game_started'] });
      await ping(f, id);
      await waitFor(() => receiver.received.length === 1, 5000, 'first attempt');
      await f.engine.settle();
      const [before] = await deliveries(f, id);
      assert.equal(before?.status, 'pending');
      const due = Date.parse(String(before?.next_attempt_at));
      assert.ok(due > Date.now(), 'stopped before the retry was due');

      await f.stop(); // webhooks.db closed; the retry is only on disk now
      f = await sportsFixture({ env, dir });
      await waitFor(() => receiver.successes().size === 1, 10_000, 'delivered after the restart');
      await new Promise((r) => setTimeout(r, 300)); // room for a duplicate to show up, if there were one
      await f.engine.settle();

      const deliveryId = before?.id as string;
      assert.equal(receiver.successes().get(deliveryId), 1, 'accepted exactly once');
      assert.equal(receiver.received.length, 2, 'one failed attempt before, one after the restart');
      assert.ok(receiver.received.every((r) => r.id === deliveryId && r.verified));
      const [after] = await deliveries(f, id);
      assert.equal(after?.status, 'delivered');
      assert.deepEqual(
        after?.log.map((a) => a.status_code),
        [500, 200],
      );
      assert.ok(Date.parse(String(after?.log[1]?.at)) >= due, 'not before its due time');
    } finally {
      await f.close();
      await receiver.stop();
    }
  });

  test('a service down past the due time sends at once when it comes back', async () => {
    const receiver = await startReceiver(undefined, (_r, i) => (i === 0 ? 502 : 200));
    const env = { WEBHOOK_RETRY_BASE: '300ms' };
    let f = await sportsFixture({ env, autoPump: false }); // no timers: the retry can only run after the restart
    const dir = f.dir;
    try {
      const id = await createWebhook(f, { url: receiver.url, events: ['game_started'] });
      await ping(f, id);
      await waitFor(() => receiver.received.length === 1, 5000, 'first attempt');
      await f.engine.settle();
      const due = Date.parse(String((await deliveries(f, id))[0]?.next_attempt_at));
      await f.stop();
      await waitFor(() => Date.now() > due + 100, 5000, 'down past the due time');
      const restartedAt = Date.now();
      f = await sportsFixture({ env, dir });
      await waitFor(() => receiver.successes().size === 1, 5000, 'delivered');
      await f.engine.settle(); // the receiver has answered; let the engine record it
      assert.ok(Date.now() - restartedAt < 3000);
      assert.equal(receiver.received.length, 2);
      const [d] = await deliveries(f, id);
      assert.ok(Date.parse(String(d?.log[1]?.at)) >= restartedAt, 'the retry ran in the new process');
      assert.deepEqual(
        d?.log.map((a) => a.status_code),
        [502, 200],
      );
    } finally {
      await f.close();
      await receiver.stop();
    }
  });

  test('stopped during an attempt: not recorded as failed, resent after the restart with the same delivery id', async () => {
    const receiver = await startReceiver(undefined, (_r, i) => (i === 0 ? 'hang' : 200));
    let f = await sportsFixture({ env: { WEBHOOK_TIMEOUT: '30s' } });
    const dir = f.dir;
    try {
      const id = await createWebhook(f, { url: receiver.url, events: ['game_started'] });
      await ping(f, id);
      await waitFor(() => receiver.received.length === 1, 5000, 'attempt in flight');
      await f.stop();
      f = await sportsFixture({ dir });
      await waitFor(() => receiver.successes().size === 1, 5000, 'resent');
      await f.engine.settle();
      assert.equal(
        receiver.received[0]?.id,
        receiver.received[1]?.id,
        'same X-HomeIQ-Delivery: the receiver can deduplicate',
      );
      const [d] = await deliveries(f, id);
      assert.equal(d?.status, 'delivered');
      assert.equal(d?.attempts, 1, 'the interrupted attempt is not counted against the receiver');
    } finally {
      await f.close();
      await receiver.stop();
    }
  });
});
