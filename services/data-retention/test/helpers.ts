// Shared setup of data-retention's tests: fresh stores of both kinds (real SQLite in a temp dir, real InfluxDB on
// a fresh database of one influxd per test file), events, and a DataRetention wired to them.
import { loadConfig, silentLogger } from '@homeiq/core';
import { type InfluxServer, influxdAvailability, startInfluxd } from '@homeiq/core/testing/influxd';
import { tempDir } from '@homeiq/core/testing/temp';
import { type StateEvent, type StorageConfig, storageSchema, type TimeSeriesStore, toEventJson } from '@homeiq/storage';
import { InfluxStore } from '@homeiq/storage/influx/influx-store';
import { SqliteTimeSeriesStore } from '@homeiq/storage/sqlite/sqlite-store';
import type { Clock } from '../src/clock';
import { loadRetentionConfig } from '../src/config';
import { DataRetention } from '../src/data-retention';

export const SECOND = 1_000_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const influxd = influxdAvailability();
export type Kind = 'sqlite' | 'influxdb';
export const KINDS: Kind[] = ['sqlite', 'influxdb'];
export const skipKind = (kind: Kind) => (kind === 'influxdb' ? influxd.skip : false);

let server: Promise<InfluxServer> | undefined;
/** One influxd per test file, started on first use; stop it in the file's after(). */
export function influxServer(): Promise<InfluxServer> {
  server ??= startInfluxd();
  return server;
}
export async function stopInfluxServer(): Promise<void> {
  const s = server;
  server = undefined;
  if (s) await (await s).stop();
}

let counter = 0;

export interface StoreHandle {
  kind: Kind;
  store: TimeSeriesStore;
  /** Env selecting this store (INFLUXDB_* for InfluxDB). */
  env: Record<string, string>;
  storage: StorageConfig;
  /** Unique per store: the statistics checkpoint's store id. */
  id: string;
  dataDir: string;
  cleanup(): Promise<void>;
}

/** An opened, empty store of `kind` and a fresh data dir. */
export async function freshStore(kind: Kind): Promise<StoreHandle> {
  const dir = tempDir('homeiq-retention-');
  if (kind === 'sqlite') {
    const path = `${dir.path}/homeiq.db`;
    const store = new SqliteTimeSeriesStore(path);
    await store.open();
    const env = { HOMEIQ_DATA_DIR: dir.path };
    return {
      kind,
      store,
      env,
      storage: loadConfig(storageSchema, env),
      id: `sqlite:${path}`,
      dataDir: dir.path,
      cleanup: async () => {
        await store.close();
        dir.remove();
      },
    };
  }
  const s = await influxServer();
  counter++;
  const database = `retention_${process.pid}_${counter}`;
  const env = { HOMEIQ_DATA_DIR: dir.path, INFLUXDB_URL: s.url, INFLUXDB_DATABASE: database };
  const storage = loadConfig(storageSchema, env);
  const store = new InfluxStore(storage, silentLogger());
  await store.open();
  return {
    kind,
    store,
    env,
    storage,
    id: `influxdb:${s.url}/${database}`,
    dataDir: dir.path,
    cleanup: async () => {
      await store.close();
      await fetch(`${s.url}/query`, {
        method: 'POST',
        body: new URLSearchParams({ q: `DROP DATABASE "${database}"` }),
      });
      dir.remove();
    },
  };
}

/** An event with every field set (so a round trip that drops one shows). */
export function ev(
  entityId: string,
  time: number,
  state: string,
  attributes: Record<string, unknown> = {},
): StateEvent {
  return {
    entityId,
    time,
    lastChanged: time,
    state,
    removed: false,
    attributes,
    contextId: `01J${String(time).slice(-10)}${entityId.length}`.padEnd(26, 'X').slice(0, 26),
    contextParentId: null,
    contextUserId: null,
    origin: 'LOCAL',
    areaId: null,
    deviceId: null,
  };
}

/** The store's whole content in the export format, one JSON line per event (what `homeiq export` prints). */
export async function exportLines(store: TimeSeriesStore): Promise<string[]> {
  const out: string[] = [];
  for await (const e of store.scan({})) out.push(JSON.stringify(toEventJson(e)));
  return out;
}

/** A DataRetention on an explicit store and clock, schedules not started. */
export function service(
  h: StoreHandle,
  clock: Clock,
  env: Record<string, string> = {},
  databases: Record<string, string> = {},
): DataRetention {
  const fullEnv = { ...h.env, ...env };
  return new DataRetention({
    logger: silentLogger(),
    clock,
    dataDir: h.dataDir,
    config: loadRetentionConfig(fullEnv),
    storage: h.storage,
    store: async () => h.store,
    storeId: h.id,
    databases: () => databases,
    catchUpOnStart: false,
  });
}
