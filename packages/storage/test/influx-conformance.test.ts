// The backend-agnostic store conformance suite, run against a real InfluxDB.
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
});
