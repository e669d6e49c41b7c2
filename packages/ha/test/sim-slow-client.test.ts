import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, test } from 'node:test';
import type { SimulatedHome } from '@homeiq/ha/sim/index';
import { sleep, TestClient, withHome } from './sim-helpers';

async function stalledSubscriber(home: SimulatedHome): Promise<{ client: TestClient; socket: Socket }> {
  const client = await TestClient.authed(home);
  await client.command({ type: 'subscribe_events', event_type: 'state_changed' });
  // biome-ignore lint/suspicious/noExplicitAny: reaching the socket under ws to stop reading
  const socket = (client.ws as any)._socket as Socket;
  socket.pause();
  return { client, socket };
}

describe('simulated HA: slow clients are closed as HA closes them', () => {
  test('a client whose queue reaches 4096 pending messages is closed (HA 2024+)', async () => {
    // The peak timer is pushed out of the way: only the 4096 limit can close this client.
    await withHome({ entityCount: 300, pendingPeakMs: 600_000 }, async (home) => {
      const { client } = await stalledSubscriber(home);
      home.controls.setRate(20_000);
      await client.waitFor(() => home.controls.clients() === 0, 15_000, 'the stalled client to be closed');
      home.controls.setRate(0);
      assert.ok(home.controls.emitted().length >= 4096, 'at least a full queue was produced');
      client.close();
    });
  });

  test('a client whose queue stays above the peak for the peak time is closed; one that drains in time is not', async () => {
    await withHome(
      { entityCount: 100, pendingPeak: 200, pendingPeakMs: 400, maxPendingMessages: 1e9 },
      async (home) => {
        const { client, socket } = await stalledSubscriber(home);
        home.controls.setRate(8000);
        const started = Date.now();
        await client.waitFor(() => home.controls.clients() === 0, 15_000, 'the stalled client to be closed');
        home.controls.setRate(0);
        assert.ok(Date.now() - started >= 400);
        socket.destroy();

        const { client: brief, socket: briefSocket } = await stalledSubscriber(home);
        home.controls.setRate(8000);
        await sleep(150);
        home.controls.setRate(0);
        briefSocket.resume();
        await sleep(800);
        assert.equal(home.controls.clients(), 1, 'a short stall is tolerated');
        brief.close();
      },
    );
  });
});
