// The store conformance suite against the embedded SQLite store (a fresh file per test): once with events
// still waiting in `recent`, once with small merges so that every query sees both tables at once.
import { join } from 'node:path';
import { tempDir } from '@homeiq/core/testing/temp';
import { type SqliteStoreOptions, SqliteTimeSeriesStore } from '../src/sqlite/sqlite-store';
import { describeStoreConformance } from './conformance/store-conformance';

function sqlite(options: SqliteStoreOptions) {
  return async () => {
    const dir = tempDir('homeiq-sqlite-conf-');
    const store = new SqliteTimeSeriesStore(join(dir.path, 'events.db'), options);
    await store.open();
    return {
      store,
      cleanup: async () => {
        await store.close();
        dir.remove();
      },
    };
  };
}

describeStoreConformance('sqlite', sqlite({}));
describeStoreConformance('sqlite, merging every 37 events', sqlite({ mergeRows: 37, deleteChunk: 7 }));
