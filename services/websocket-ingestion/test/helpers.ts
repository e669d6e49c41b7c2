import type { Service } from '@homeiq/core';
import { silentLogger } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import type { EmittedEvent, SimulatedHome } from '@homeiq/ha';
import { microsFromIso, Runtime, type StateEvent } from '@homeiq/storage';
import { createIngestionService } from '../src/app';
import type { IngestionStats } from '../src/stats';

export const API_KEY = 'test-api-key-ingestion-0123456789';

export interface Started {
  runtime: Runtime;
  service: Service & { stats(): IngestionStats };
  dataDir: string;
  stop(): Promise<void>;
}

/** The real service on a temp data dir (real SQLite), connected to the simulated home over a real socket. */
export async function startIngestion(
  home: SimulatedHome,
  env: Record<string, string> = {},
  dataDir?: string,
): Promise<Started> {
  const dir = dataDir ? { path: dataDir, remove() {} } : tempDir('homeiq-ingest-');
  const runtime = new Runtime(
    {
      HOMEIQ_DATA_DIR: dir.path,
      HA_URL: home.url,
      HA_TOKEN: home.token,
      API_KEY,
      WEBSOCKET_INGESTION_PORT: '0',
      HOMEIQ_HOST: '127.0.0.1',
      HOMEIQ_INITIAL_BACKFILL: '0',
      BATCH_TIMEOUT: '100ms',
      HA_RECONNECT_MAX: '500ms',
      ...env,
    },
    silentLogger(),
  );
  const service = createIngestionService(runtime);
  try {
    await service.start();
  } catch (error) {
    await runtime.close();
    dir.remove();
    throw error;
  }
  return {
    runtime,
    service,
    dataDir: dir.path,
    async stop() {
      await service.stop();
      await runtime.close();
      if (!dataDir) dir.remove();
    },
  };
}

/** Identity of an emitted event: (entity_id, new_state.last_updated or time_fired for a removal). */
export function emittedKey(e: EmittedEvent): string {
  return `${e.entity_id}|${microsFromIso(e.new_state?.last_updated ?? e.time_fired)}`;
}

export function storedKey(e: StateEvent): string {
  return `${e.entityId}|${e.time}`;
}

export async function storedEvents(runtime: Runtime, filter = {}): Promise<StateEvent[]> {
  const store = await runtime.timeSeries();
  const out: StateEvent[] = [];
  for await (const e of store.scan(filter)) out.push(e);
  return out;
}

/** Every emitted event is stored once with its state, and nothing else is stored. */
export function compare(
  emitted: EmittedEvent[],
  stored: StateEvent[],
): { missing: string[]; extra: string[]; dupes: string[]; wrong: string[] } {
  const want = new Map(emitted.map((e) => [emittedKey(e), e]));
  const seen = new Set<string>();
  const dupes: string[] = [];
  const extra: string[] = [];
  const wrong: string[] = [];
  for (const s of stored) {
    const k = storedKey(s);
    if (seen.has(k)) dupes.push(k);
    seen.add(k);
    const e = want.get(k);
    if (!e) extra.push(k);
    else if ((e.new_state?.state ?? '') !== s.state || (e.new_state === null) !== s.removed) wrong.push(k);
  }
  const missing = [...want.keys()].filter((k) => !seen.has(k));
  return { missing, extra, dupes, wrong };
}

export async function waitFor<T>(check: () => T | Promise<T>, ms = 20_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = undefined;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until the store holds exactly what the home emitted (or times out with the difference). */
export async function waitForExact(home: SimulatedHome, started: Started, ms = 20_000): Promise<void> {
  let diff: ReturnType<typeof compare> | undefined;
  try {
    await waitFor(
      async () => {
        diff = compare(home.controls.emitted(), await storedEvents(started.runtime));
        return diff.missing.length + diff.extra.length + diff.dupes.length + diff.wrong.length === 0;
      },
      ms,
      'store == emitted',
    );
  } catch (error) {
    const d = diff!;
    throw new Error(
      `${(error as Error).message}: missing ${d.missing.length} ${d.missing.slice(0, 3)}, extra ${d.extra.length} ${d.extra.slice(0, 3)}, dupes ${d.dupes.length}, wrong ${d.wrong.length}`,
    );
  }
}

/** A stored event at an ISO time, live-like (with a context) unless `extra` says otherwise. */
export function eventAt(entityId: string, iso: string, state: string, extra: Partial<StateEvent> = {}): StateEvent {
  const t = microsFromIso(iso)!;
  return {
    entityId,
    time: t,
    lastChanged: t,
    state,
    removed: false,
    attributes: { friendly_name: `Name of ${entityId}` },
    contextId: '01JH8ZK7Q2V3J1M8W4X6Y9Z0AB',
    contextParentId: null,
    contextUserId: null,
    origin: 'LOCAL',
    areaId: null,
    deviceId: null,
    ...extra,
  };
}
