// The backend-agnostic store conformance suite, run against a real InfluxDB in both layouts.
import { after, before, describe } from 'node:test';
import { describeStoreConformance } from './conformance/store-conformance';
import { dropDatabase, freshDatabase, type InfluxServer, influxd, openStore, startInfluxd } from './influx-helpers';

describe('InfluxStore', { skip: influxd.skip }, () => {
  let server: InfluxServer;
  before(async () => {
    server = await startInfluxd();
  });
  after(async () => {
    await server?.stop();
  });

  describeStoreConformance('influxdb', async () => {
    const database = freshDatabase('conformance');
    const store = await openStore(server, database);
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropDatabase(server, database);
      },
    };
  });

  // INFLUXDB_LAYOUT=home-assistant: HA's own points beside HomeIQ's events; every read answers the same.
  describeStoreConformance('influxdb home-assistant layout', async () => {
    const database = freshDatabase('ha_conformance');
    const store = await openStore(server, database, {
      INFLUXDB_LAYOUT: 'home-assistant',
      INFLUXDB_HA_TAGS_ATTRIBUTES: 'friendly_name',
      INFLUXDB_HA_TAGS: 'source=homeiq',
    });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropDatabase(server, database);
      },
    };
  });
});
