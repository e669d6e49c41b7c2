// The store conformance suite against the embedded SQLite store (a fresh file per test).
import { join } from 'node:path';
import { tempDir } from '@homeiq/core/testing/temp';
import { SqliteTimeSeriesStore } from '../src/sqlite/sqlite-store';
import { describeStoreConformance } from './conformance/store-conformance';

describeStoreConformance('sqlite', async () => {
  const dir = tempDir('homeiq-sqlite-conf-');
  const store = new SqliteTimeSeriesStore(join(dir.path, 'events.db'));
  await store.open();
  return {
    store,
    cleanup: async () => {
      await store.close();
      dir.remove();
    },
  };
});
