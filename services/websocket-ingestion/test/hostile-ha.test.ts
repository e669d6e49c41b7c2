// A hostile Home Assistant: 50 MB states and attributes, attributes nested 5000 deep, NUL and control characters
// in entity ids, a 100 KB entity id, all mixed into a batch of normal events, on both stores (real SQLite, real
// influxd). The process lives, the rest of the batch is stored, the counters say what happened, and a backup
// (with a NUL entity id already in the store from before the limits) works afterwards.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { silentLogger } from '@homeiq/core';
import { type InfluxServer, influxdAvailability, startInfluxd } from '@homeiq/core/testing/influxd';
import { ManualClock } from '@homeiq/data-retention/clock';
import { loadRetentionConfig } from '@homeiq/data-retention/config';
import { DataRetention } from '@homeiq/data-retention/data-retention';
import { type SimulatedHome, startSimulatedHome } from '@homeiq/ha';
import type { StateEvent } from '@homeiq/storage';
import { API_KEY, type Started, startIngestion, storedEvents, waitFor } from './helpers';

const influxd = influxdAvailability();
const MB = 1024 * 1024;

/** A raw state_changed frame for subscription `id`, with `attributesJson` spliced in as text (no stringify). */
function rawStateChanged(id: number, entityId: string, state: string, attributesJson: string, at: Date): string {
  const iso = at.toISOString().replace('Z', '+00:00');
  const ns = `{"entity_id":${JSON.stringify(entityId)},"state":${JSON.stringify(state)},"attributes":${attributesJson},"last_changed":"${iso}","last_updated":"${iso}","context":{"id":"01HOSTILE${id}","parent_id":null,"user_id":null}}`;
  return `{"id":${id},"type":"event","event":{"event_type":"state_changed","data":{"entity_id":${JSON.stringify(entityId)},"old_state":null,"new_state":${ns}},"origin":"LOCAL","time_fired":"${iso}","context":{"id":"01HOSTILE${id}","parent_id":null,"user_id":null}}}`;
}

/** Which subscription id carries state_changed: a probe event per candidate id; only the right one is stored. */
async function stateChangedSubscription(home: SimulatedHome, ing: Started): Promise<number> {
  const t = Date.now();
  for (let id = 1; id <= 20; id++) {
    home.controls.sendRaw(rawStateChanged(id, `sensor.probe_${id}`, 'probe', '{}', new Date(t + id)));
  }
  const probes = await waitFor(
    async () => {
      const found = (await storedEvents(ing.runtime)).filter((e) => e.entityId.startsWith('sensor.probe_'));
      return found.length > 0 ? found : undefined;
    },
    20_000,
    'a probe event stored',
  );
  const id = Number(probes?.[0]?.entityId.slice('sensor.probe_'.length));
  assert.ok(Number.isInteger(id), 'the state_changed subscription id');
  return id;
}

let server: InfluxServer | undefined;
after(async () => {
  await server?.stop();
});

for (const kind of ['sqlite', 'influxdb'] as const) {
  describe(`hostile Home Assistant on ${kind}`, () => {
    test('huge, deep and control-character events among normal ones: the rest stored, counted, backups work', {
      skip: kind === 'influxdb' && influxd.skip,
      timeout: 180_000,
    }, async () => {
      const env: Record<string, string> = {};
      if (kind === 'influxdb') {
        server ??= await startInfluxd();
        Object.assign(env, { INFLUXDB_URL: server.url, INFLUXDB_DATABASE: 'hostile_ha' });
      }
      const home = await startSimulatedHome({ rate: 0, entityCount: 20, seed: 11 });
      const ing = await startIngestion(home, env);
      try {
        await waitFor(() => ing.service.stats().haConnected, 10_000, 'connected');
        const subscription = await stateChangedSubscription(home, ing);
        await waitFor(() => ing.service.stats().pending === 0, 10_000, 'probes stored');
        const before = ing.service.stats();
        const normalIds = home.controls
          .entityIds()
          .filter((id) => id.startsWith('sensor.'))
          .slice(0, 5);
        assert.ok(normalIds.length > 0);

        let normal = 0;
        const fireNormal = () => {
          for (const id of normalIds) home.controls.fire(id, `${100 + normal++}`);
        };
        const deep = `${'{"a":'.repeat(5000)}"bottom"${'}'.repeat(5000)}`;
        fireNormal();
        home.controls.fire('sensor.huge_attributes', 'on', { blob: 'x'.repeat(50 * MB) });
        fireNormal();
        home.controls.fire('sensor.huge_state', 's'.repeat(50 * MB));
        fireNormal();
        home.controls.sendRaw(rawStateChanged(subscription, 'sensor.deep', 'deep', `{"nest":${deep}}`, new Date()));
        home.controls.fire('sensor.nul\u0000id', '1');
        home.controls.fire('sensor.bell\u0007id', '1');
        home.controls.fire(`sensor.${'l'.repeat(100_000)}`, '1');
        const ctlState = 'nul\u0000 tab\t bell\u0007 esc\u001b del\u007f';
        const ctlAttributes = { unit_of_measurement: 'k\u0000W', device_class: 'en\u0001ergy', note: 'a\u0000b\nc\rd' };
        home.controls.fire('sensor.control_text', ctlState, ctlAttributes);
        fireNormal();

        const accepted = normal + 4; // huge attributes, huge state, deep, control text
        await waitFor(
          () => {
            const s = ing.service.stats();
            return s.received - before.received === accepted && s.pending === 0;
          },
          60_000,
          `${accepted} events received and stored`,
        );
        const s = ing.service.stats();
        assert.equal(s.haConnected, true, 'still connected: nothing made the link drop');
        assert.equal(s.rejected - before.rejected, 3, 'the NUL id, the control-character id and the 100 KB id');
        assert.equal(s.attributesTruncated - before.attributesTruncated, 2, 'the 50 MB and the 5000-deep attributes');
        assert.equal(s.statesTruncated - before.statesTruncated, 1);
        assert.equal(s.deadLettered, 0);
        assert.equal(s.spoolFailures, 0);

        const stored = await storedEvents(ing.runtime);
        const byEntity = (id: string) => stored.filter((e) => e.entityId === id);
        assert.equal(
          stored.filter((e) => normalIds.includes(e.entityId) && Number(e.state) >= 100).length,
          normal,
          'every normal event of the batch is stored',
        );
        const huge = byEntity('sensor.huge_attributes')[0];
        assert.equal(huge?.state, 'on');
        assert.equal(huge?.attributes._homeiq_truncated, true);
        assert.ok(Number(huge?.attributes.original_bytes) >= 50 * MB, String(huge?.attributes.original_bytes));
        const cut = byEntity('sensor.huge_state')[0];
        assert.equal(cut?.state, 's'.repeat(64 * 1024), 'cut to MAX_STATE_BYTES');
        assert.equal(cut?.attributes.state_original_bytes, 50 * MB);
        const deepStored = byEntity('sensor.deep')[0];
        assert.equal(deepStored?.attributes._homeiq_truncated, true);
        assert.match(String(deepStored?.attributes.reason), /deeper than 32/);
        const ctl = byEntity('sensor.control_text')[0];
        assert.equal(ctl?.state, ctlState, 'control characters in a state round-trip');
        assert.deepEqual(ctl?.attributes, ctlAttributes);
        assert.ok(
          stored.every((e) => e.entityId.length <= 255 && !/[\u0000-\u001f]/.test(e.entityId)),
          'no refused id reached the store',
        );
        const metrics = (
          await ing.service.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${API_KEY}` } })
        ).body;
        assert.match(metrics, new RegExp(`homeiq_ingestion_attributes_truncated_total ${s.attributesTruncated}\\n`));
        assert.match(metrics, new RegExp(`homeiq_ingestion_states_truncated_total ${s.statesTruncated}\\n`));

        // A NUL entity id and NUL tags stored before the limits existed must not break backups or statistics.
        const store = await ing.runtime.timeSeries();
        const legacy: StateEvent = { ...ctl!, entityId: 'sensor.legacy\u0000nul', time: ctl!.time + 1, state: '7' };
        await store.writeEvents([legacy]);
        const retention = new DataRetention({
          logger: silentLogger(),
          clock: new ManualClock(Date.now()),
          dataDir: ing.dataDir,
          config: loadRetentionConfig({ ...env, HOMEIQ_DATA_DIR: ing.dataDir }),
          storage: ing.runtime.storage,
          store: async () => store,
          storeId: `${kind}:hostile`,
          databases: () => ({}),
          catchUpOnStart: false,
        });
        const ctx = { id: 'hostile', progress: () => {} };
        await retention.statistics.run(ctx);
        const { job } = retention.startBackup('api');
        const done = await retention.runner.wait(job.id);
        assert.equal(done.state, 'succeeded', done.error ?? undefined);
        const backup = retention.backups.list()[0];
        assert.ok(backup && backup.events >= stored.length + 1, JSON.stringify(backup));
        assert.equal((await retention.health()).backup?.status, 'healthy');
      } finally {
        await ing.stop();
        await home.stop();
      }
    });
  });
}
