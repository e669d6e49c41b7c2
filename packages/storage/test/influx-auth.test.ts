// Secured InfluxDB: the v1 API with a username and password (Basic auth) against a real influxd with authentication
// on, and the v2 write API (token, org, bucket) through InfluxDB 1.8's 2.x compatibility layer in front of the same
// server (influx-v2-compat.ts). Both run the whole store conformance suite; a wrong password loses nothing and
// never shows up in an error or a log line.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createLogger, silentLogger } from '@homeiq/core';
import { waitFor } from '@homeiq/core/testing/temp';
import { StoreError } from '../src/errors';
import { InfluxStore } from '../src/influx/influx-store';
import { createEventPipeline } from '../src/pipeline/event-pipeline';
import { describeStoreConformance } from './conformance/store-conformance';
import { freshDatabase, type InfluxServer, influxConfig, influxd, startInfluxd } from './influx-helpers';
import { startV2Compat, type V2Compat } from './influx-v2-compat';
import { event } from './pipeline-helpers';

const ADMIN = { username: 'homeiq', password: 'pässwörd "with" quotes' };
const basic = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`;

async function adminQuery(server: InfluxServer, q: string, db?: string): Promise<string> {
  const res = await fetch(`${server.url}/query`, {
    method: 'POST',
    headers: { authorization: basic },
    body: new URLSearchParams({ q, ...(db ? { db } : {}), epoch: 'u' }),
  });
  return res.text();
}

async function count(server: InfluxServer, db: string): Promise<number> {
  const body = JSON.parse(await adminQuery(server, 'SELECT count("state") FROM home_assistant_events', db)) as {
    results: Array<{ series?: Array<{ values: unknown[][] }> }>;
  };
  return Number(body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
}

/** A store on the v2 write API (through `compat`) into a bucket made beforehand, as v2 never creates buckets. */
async function v2Store(
  server: InfluxServer,
  compat: V2Compat,
  bucket: string,
  org = 'home',
  extra: Record<string, string> = {},
): Promise<InfluxStore> {
  await adminQuery(server, `CREATE DATABASE "${bucket}"`);
  const store = new InfluxStore(
    influxConfig(compat.url, 'unused', {
      INFLUXDB_TOKEN: `${ADMIN.username}:${ADMIN.password}`,
      INFLUXDB_ORG: org,
      INFLUXDB_BUCKET: bucket,
      ...extra,
    }),
    silentLogger(),
  );
  await store.open();
  return store;
}

describe('InfluxDB with authentication', { skip: influxd.skip }, () => {
  let server: InfluxServer;
  let compat: V2Compat;
  before(async () => {
    server = await startInfluxd({ admin: ADMIN });
    compat = await startV2Compat(server.url);
  });
  after(async () => {
    await compat?.close();
    await server?.stop();
  });

  test('the server really refuses requests without credentials', async () => {
    const res = await fetch(`${server.url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: 'SHOW DATABASES' }),
    });
    assert.equal(res.status, 401);
  });

  describeStoreConformance('influxdb v1 with username and password', async () => {
    const database = freshDatabase('basic');
    const store = new InfluxStore(
      influxConfig(server.url, database, { INFLUXDB_USERNAME: ADMIN.username, INFLUXDB_PASSWORD: ADMIN.password }),
      silentLogger(),
    );
    await store.open(); // creates the database, which needs the credentials
    return {
      store,
      cleanup: async () => {
        await store.close();
        await adminQuery(server, `DROP DATABASE "${database}"`);
      },
    };
  });

  describeStoreConformance('influxdb v2 write API (token, org, bucket)', async () => {
    const bucket = freshDatabase('bucket');
    const store = await v2Store(server, compat, bucket);
    return {
      store,
      cleanup: async () => {
        await store.close();
        await adminQuery(server, `DROP DATABASE "${bucket}"`);
      },
    };
  });

  describeStoreConformance('influxdb v2 write API, home-assistant layout', async () => {
    const bucket = freshDatabase('ha_bucket');
    const store = await v2Store(server, compat, bucket, 'home', { INFLUXDB_LAYOUT: 'home-assistant' });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await adminQuery(server, `DROP DATABASE "${bucket}"`);
      },
    };
  });

  test('with a token, org and bucket, writes go to /api/v2/write in µs with the Token scheme', async () => {
    const bucket = freshDatabase('v2shape');
    const store = await v2Store(server, compat, bucket, 'my org');
    const from = compat.requests.length;
    await store.writeEvents([event(1), event(2)]);
    const writes = compat.requests
      .slice(from)
      .filter((r) => r.startsWith('POST /api/v2/write') || r.includes('/write'));
    assert.deepEqual(writes, [`POST /api/v2/write?org=my+org&bucket=${bucket}&precision=us`]);
    assert.ok(compat.schemes.slice(from).every((s) => s === 'Token'));
    const [e] = (await store.queryEvents({ entityIds: [event(1).entityId], limit: 1, order: 'asc' })).events;
    assert.equal(e?.time, event(1).time, 'microseconds kept');
    await store.close();
    await adminQuery(server, `DROP DATABASE "${bucket}"`);
  });

  test('a wrong password: writes fail as retryable 401s, events wait in the spool, the password is never shown', async () => {
    const db = freshDatabase('wrongpw');
    await adminQuery(server, `CREATE DATABASE "${db}"`);
    const wrong = 'not-the-right-password';
    const store = new InfluxStore(
      influxConfig(server.url, db, { INFLUXDB_USERNAME: ADMIN.username, INFLUXDB_PASSWORD: wrong }),
      silentLogger(),
    );
    // Opening says so at once: credentials do not fix themselves.
    await assert.rejects(store.open(), (e: StoreError) => e.status === 401 && !e.message.includes(wrong));
    const error = await store.writeEvents([event(1)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof StoreError);
    assert.deepEqual([error.retryable, error.status], [true, 401]);
    assert.ok(!error.message.includes(wrong));

    // Through the pipeline: nothing lost, nothing logged with the password, all written once it is fixed.
    const dir = mkdtempSync(join(tmpdir(), 'homeiq-auth-'));
    let logged = '';
    const logger = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk, _enc, done) {
          logged += String(chunk);
          done();
        },
      }),
    });
    const options = {
      dir: join(dir, 'spool'),
      batchSize: 10,
      batchTimeoutMs: 20,
      maxRetries: 1,
      spoolMaxBytes: 64 * 1024 * 1024,
      deadLetterPath: join(dir, 'dead-letter.jsonl'),
      logger,
      retryBaseMs: 5,
      outageBaseMs: 10,
      outageMaxMs: 20,
    };
    const pipeline = createEventPipeline({ ...options, store });
    await pipeline.start();
    let stats: ReturnType<typeof pipeline.stats>;
    try {
      const events = Array.from({ length: 25 }, (_, i) => event(i));
      pipeline.accept(events);
      // A busy machine may take a while to use up the quick retries: wait for outage mode, not a fixed time.
      await waitFor(() => pipeline.stats().outage, 10_000, 'outage mode');
      stats = pipeline.stats();
      assert.equal(stats.pending, 25);
      assert.equal(stats.stored, 0);
      assert.match(stats.lastError ?? '', /401/);
    } finally {
      await pipeline.stop(100); // a failed assertion must not leave the writer running (the file would never end)
    }
    assert.match(logged, /outage mode/);
    assert.ok(!logged.includes(wrong) && !(stats.lastError ?? '').includes(wrong));

    const fixed = new InfluxStore(
      influxConfig(server.url, db, { INFLUXDB_USERNAME: ADMIN.username, INFLUXDB_PASSWORD: ADMIN.password }),
      silentLogger(),
    );
    await fixed.open();
    const again = createEventPipeline({ ...options, store: fixed });
    await again.start(); // replays the spool
    await again.flush();
    await again.stop();
    assert.equal(await count(server, db), 25);
    rmSync(dir, { recursive: true, force: true });
    await adminQuery(server, `DROP DATABASE "${db}"`);
  });
});
