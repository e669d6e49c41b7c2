// The backend-agnostic conformance suite of TimeSeriesStore. Every backend runs it and must give the same answers:
//   describeStoreConformance('sqlite', async () => ({ store, cleanup }))
// `makeStore` returns an opened, empty store; `cleanup` closes it and removes what it made. Times are µs.
// Only what every backend can honour is asserted (stored counts rather than the `duplicates` figure, attributes
// compared deeply rather than as text); an entity's area and device are constant within each fixture.
import { describe } from 'node:test';
import { aggregateTests } from './aggregates-suite';
import { eventTests } from './events-suite';
import { filterTests } from './filters-suite';
import type { MakeStore } from './fixtures';

export type { MakeStore, StoreHandle } from './fixtures';

export function describeStoreConformance(name: string, makeStore: MakeStore): void {
  describe(`${name} store conformance`, () => {
    describe('events', () => eventTests(makeStore));
    describe('filters and strings', () => filterTests(makeStore));
    describe('summary, statistics, points, retention', () => aggregateTests(makeStore));
  });
}
