import type { Logger } from '@homeiq/core';
import type { LiveFeed, MetadataStore, TimeSeriesStore } from '@homeiq/storage';

/** What the routes use: the stores, the live feed and a clock (tests pin it). */
export interface RouteContext {
  store(): Promise<TimeSeriesStore>;
  metadata(): MetadataStore;
  live(): LiveFeed;
  /** Now, µs since the epoch. */
  nowUs(): number;
  logger: Logger;
  /** Byte budget of one list response (DATA_API_MAX_RESPONSE_BYTES): a page ends early, with a cursor, past it. */
  maxResponseBytes: number;
}
