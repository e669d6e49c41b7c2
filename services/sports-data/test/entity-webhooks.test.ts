import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { freePort, tempDir, waitFor } from '@homeiq/core/testing/temp';
import { InProcessLiveFeed, Runtime, type StateEvent } from '@homeiq/storage';
import { createService } from '../src/index';
import { API_KEY, AUTH, createWebhook, LOOPBACK_RECEIVERS, SECRET, sportsFixture, startReceiver } from './helpers';

let clock = Date.UTC(2025, 0, 10, 10) * 1000;
function event(entityId: string, state: string, extra: Partial<StateEvent> = {}): StateEvent {
  clock += 1_000_000;
  return {
    entityId,
    time: clock,
    lastChanged: clock,
    state,
    removed: false,
    attributes: { friendly_name: entityId },
    contextId: '01JH8ZK7Q2V3J1M8W4X6Y9Z0AB',
    contextParentId: null,
    contextUserId: null,
    origin: 'LOCAL',
    areaId: 'kitchen',
    deviceId: null,
    ...extra,
  };
}

describe('entity-filter webhooks', () => {
  test('matching Home Assistant state changes from the live feed are delivered, signed, through the same engine', async () => {
    const feed = new InProcessLiveFeed();
    const hot = await startReceiver();
    const lights = await startReceiver();
    const scores = await startReceiver();
    const f = await sportsFixture({ liveFeed: feed });
    try {
      await createWebhook(f, { url: scores.url, events: ['score_changed'] });
      assert.equal(feed.listenerCount, 0, 'no entity webhook: the feed is not even subscribed');
      const hotId = await createWebhook(f, {
        url: hot.url,
        entity_filter: { entity_ids: ['sensor.*_temperature'], state: { above: 25 } },
      });
      const lightId = await createWebhook(f, {
        url: lights.url,
        entity_filter: { domains: ['light'], state: { equals: 'on' } },
      });
      assert.equal(feed.listenerCount, 1, 'one subscription to the feed for all entity webhooks');

      feed.publish([
        event('sensor.kitchen_temperature', '24.5'),
        event('sensor.kitchen_temperature', '26.1', { oldState: '24.5' }),
        event('sensor.kitchen_humidity', '80'),
        event('light.hall', 'on'),
      ]);
      feed.publish([
        event('light.hall', 'off'),
        event('sensor.attic_temperature', 'unavailable'),
        event('sensor.attic_temperature', '31'),
      ]);

      await waitFor(() => hot.received.length === 2 && lights.received.length === 1, 5000, 'deliveries');
      await f.engine.settle();
      assert.deepEqual(
        hot.received.map((r) => [r.payload.data.entity_id, r.payload.data.state]),
        [
          ['sensor.kitchen_temperature', '26.1'],
          ['sensor.attic_temperature', '31'],
        ],
      );
      assert.equal(hot.received[0]?.payload.data.old_state, '24.5');
      assert.equal(hot.received[0]?.payload.data.area_id, 'kitchen');
      assert.match(String(hot.received[0]?.payload.data.last_updated), /^2025-01-10T10:00:02\.000000\+00:00$/);
      assert.ok([...hot.received, ...lights.received].every((r) => r.event === 'state_changed' && r.verified));
      assert.equal(lights.received[0]?.payload.data.entity_id, 'light.hall');
      assert.equal(scores.received.length, 0);

      const log = (await f.app.inject({ url: `/api/v1/webhooks/${hotId}/deliveries`, headers: AUTH })).json();
      assert.equal(log.deliveries.length, 2);
      assert.ok(log.deliveries.every((d: { status: string }) => d.status === 'delivered'));

      for (const id of [hotId, lightId])
        await f.app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${id}`, headers: AUTH });
      assert.equal(feed.listenerCount, 0, 'unsubscribed with the last entity webhook');
    } finally {
      await f.close();
      await Promise.all([hot.stop(), lights.stop(), scores.stop()]);
    }
  });
});

describe('createService', () => {
  test('with websocket-ingestion in the same process, entity webhooks read runtime.live; real sockets', async () => {
    const dir = tempDir('homeiq-sports-svc-');
    const port = await freePort();
    const receiver = await startReceiver();
    const runtime = new Runtime(
      {
        HOMEIQ_DATA_DIR: dir.path,
        API_KEY,
        HOMEIQ_HOST: '127.0.0.1',
        SPORTS_DATA_PORT: String(port),
        ...LOOPBACK_RECEIVERS,
      },
      silentLogger(),
    );
    runtime.local.add('websocket-ingestion');
    runtime.local.add('sports-data');
    const service = createService(runtime);
    try {
      await service.start();
      assert.equal(service.port, port);
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/webhooks`, {
        method: 'POST',
        headers: { ...AUTH, 'content-type': 'application/json' },
        body: JSON.stringify({ url: receiver.url, secret: SECRET, entity_filter: { entity_ids: ['switch.*'] } }),
      });
      assert.equal(res.status, 201);
      runtime.live.publish([event('switch.coffee', 'on')]);
      await waitFor(() => receiver.received.length === 1, 5000, 'delivery');
      assert.equal(receiver.received[0]?.payload.data.entity_id, 'switch.coffee');
      const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Record<string, unknown>;
      assert.equal(health.status, 'healthy');
    } finally {
      await service.stop();
      await runtime.close();
      await receiver.stop();
      dir.remove();
    }
  });
});

describe('split deployment', () => {
  test('health says so when the remote live feed is down while an entity webhook needs it', async () => {
    const dir = tempDir('homeiq-sports-split-');
    const nobody = await freePort();
    const runtime = new Runtime(
      {
        HOMEIQ_DATA_DIR: dir.path,
        API_KEY,
        HOMEIQ_HOST: '127.0.0.1',
        SPORTS_DATA_PORT: '0',
        WEBSOCKET_INGESTION_URL: `http://127.0.0.1:${nobody}`,
        ...LOOPBACK_RECEIVERS,
      },
      silentLogger(),
    );
    runtime.local.add('sports-data');
    const service = createService(runtime);
    try {
      await service.start();
      assert.equal(
        (await service.app.inject({ url: '/health' })).json().status,
        'healthy',
        'no entity webhook: no need',
      );
      const res = await service.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: AUTH,
        payload: { url: 'http://127.0.0.1:9/h', secret: SECRET, entity_filter: { domains: ['light'] } },
      });
      assert.equal(res.statusCode, 201);
      const report = await waitFor(
        async () => {
          const body = (await service.app.inject({ url: '/health' })).json();
          return body.status === 'degraded' ? body : undefined;
        },
        5000,
        'degraded',
      );
      assert.match(report.reasons[0], /live feed from websocket-ingestion disconnected/);
    } finally {
      await service.stop();
      await runtime.close();
      dir.remove();
    }
  });
});
