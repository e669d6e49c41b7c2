// Shared setup of the InfluxDB tests: a real influxd (skipped locally when missing, a failure under CI=true)
// and stores on fresh databases of it.
import { loadConfig, silentLogger } from '@homeiq/core';
import { type InfluxServer, influxdAvailability, startInfluxd } from '@homeiq/core/testing/influxd';
import { storageSchema } from '../src/config';
import { InfluxStore } from '../src/influx/influx-store';
import type { StorageConfig } from '../src/runtime';

export const influxd = influxdAvailability();

export function influxConfig(url: string, database: string, extra: Record<string, string> = {}): StorageConfig {
  return loadConfig(storageSchema, { INFLUXDB_URL: url, INFLUXDB_DATABASE: database, ...extra });
}

let counter = 0;

/** A fresh database name per call (tests share one server). */
export function freshDatabase(prefix = 'test'): string {
  counter++;
  return `${prefix}_${process.pid}_${counter}`;
}

export async function openStore(
  server: InfluxServer,
  database = freshDatabase(),
  extra: Record<string, string> = {},
): Promise<InfluxStore> {
  const store = new InfluxStore(influxConfig(server.url, database, extra), silentLogger());
  await store.open();
  return store;
}

/** Raw InfluxQL against the server (test assertions and cleanup). */
export async function influxql(server: InfluxServer, database: string, q: string): Promise<unknown> {
  const res = await fetch(`${server.url}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q, db: database, epoch: 'u' }),
  });
  return res.json();
}

export interface Series {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** The series of every statement of `q`; a statement's error fails the calling test. */
export async function querySeries(server: InfluxServer, database: string, q: string): Promise<Series[]> {
  const body = (await influxql(server, database, q)) as { results: Array<{ series?: Series[]; error?: string }> };
  for (const r of body.results) {
    if (r.error !== undefined) throw new Error(`${q}: ${r.error}`);
  }
  return body.results.flatMap((r) => r.series ?? []);
}

export async function dropDatabase(server: InfluxServer, database: string): Promise<void> {
  await influxql(server, database, `DROP DATABASE "${database}"`);
}

export { type InfluxServer, startInfluxd };
