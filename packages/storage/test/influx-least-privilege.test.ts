// The credentials docs/deployment.md and SECURITY.md prescribe for InfluxDB 1.x, on a real influxd with
// authentication: a writer user (GRANT ALL on the one database, no admin), a reader user (GRANT READ). The writer
// stores and reads back without the admin right to CREATE DATABASE; the reader can read and cannot write.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { StoreError } from '../src/errors';
import { InfluxStore } from '../src/influx/influx-store';
import { freshDatabase, type InfluxServer, influxConfig, influxd, startInfluxd } from './influx-helpers';
import { event } from './pipeline-helpers';

const ADMIN = { username: 'operator', password: 'operator-password-0123456789' };
const WRITER = { username: 'homeiq_writer', password: 'writer-password-0123456789' };
const READER = { username: 'homeiq_reader', password: 'reader-password-0123456789' };

async function asAdmin(server: InfluxServer, q: string): Promise<void> {
  const res = await fetch(`${server.url}/query`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}` },
    body: new URLSearchParams({ q }),
  });
  const body = await res.text();
  assert.ok(res.ok && !body.includes('"error"'), `${q}: ${body}`);
}

const storeAs = (server: InfluxServer, database: string, user: { username: string; password: string }) =>
  new InfluxStore(
    influxConfig(server.url, database, { INFLUXDB_USERNAME: user.username, INFLUXDB_PASSWORD: user.password }),
    silentLogger(),
  );

describe('InfluxDB 1.x users with least privilege', { skip: influxd.skip }, () => {
  let server: InfluxServer;
  const database = freshDatabase('roles');
  before(async () => {
    server = await startInfluxd({ admin: ADMIN });
    await asAdmin(server, `CREATE DATABASE "${database}"`);
    for (const [user, grant] of [
      [WRITER, 'ALL'],
      [READER, 'READ'],
    ] as const) {
      await asAdmin(server, `CREATE USER "${user.username}" WITH PASSWORD '${user.password}'`);
      await asAdmin(server, `GRANT ${grant} ON "${database}" TO "${user.username}"`);
    }
  });
  after(async () => {
    await server?.stop();
  });

  test('the writer, who may not CREATE DATABASE, opens, writes and reads back', async () => {
    const store = storeAs(server, database, WRITER);
    await store.open();
    const events = [event(1), event(2), event(3)];
    const result = await store.writeEvents(events);
    assert.deepEqual(result.rejected, []);
    assert.equal(await store.lastEventTime(), events[2]?.time);
    await store.close();
  });

  test('the reader reads, and its writes are refused by the server', async () => {
    const store = storeAs(server, database, READER);
    const page = await store.queryEvents({ limit: 10, order: 'asc' });
    assert.equal(page.events.length, 3);
    await assert.rejects(store.writeEvents([event(4)]), (e: unknown) => e instanceof StoreError && e.status === 403);
    await store.close();
  });
});
