// HomeIQ's ingestion service in the bench's own process (as the reference client runs), from the simulated home
// into whichever store `env` selects, timed from the start of a burst until every event is committed.
import { silentLogger } from '@homeiq/core';
import { waitFor } from '@homeiq/core/testing/temp';
import { Runtime } from '@homeiq/storage';
import { createIngestionService } from '@homeiq/websocket-ingestion';

const API_KEY = 'bench-api-key-0123456789';

export interface BurstSource {
  url: string;
  token: string;
  burst(count: number): Promise<void>;
}

/** Events per second from the burst's start to `count` committed, and this process's CPU per event (µs). */
export async function ingestBurst(
  sim: BurstSource,
  count: number,
  dir: string,
  env: Record<string, string> = {},
): Promise<{ rate: number; cpuUsPerEvent: number; stored: number }> {
  const runtime = new Runtime(
    {
      HOMEIQ_DATA_DIR: dir,
      HA_URL: sim.url,
      HA_TOKEN: sim.token,
      API_KEY,
      WEBSOCKET_INGESTION_PORT: '0',
      HOMEIQ_HOST: '127.0.0.1',
      HOMEIQ_INITIAL_BACKFILL: '0',
      // Under a burst every batch is full; a short timeout only keeps the last partial batch from idling.
      BATCH_TIMEOUT: '100ms',
      ...env,
    },
    silentLogger(),
  );
  const service = createIngestionService(runtime);
  await service.start();
  await waitFor(() => service.stats().haConnected && !service.stats().backfillPending, 20_000, 'HomeIQ connected');
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  void sim.burst(count);
  await waitFor(() => service.stats().stored >= count, 600_000, 'HomeIQ burst committed');
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const stored = service.stats().stored;
  await service.stop();
  await runtime.close();
  return { rate: count / seconds, cpuUsPerEvent: (cpu.user + cpu.system) / stored, stored };
}
