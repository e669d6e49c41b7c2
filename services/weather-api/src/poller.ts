import { errorMessage, type Logger, scrubSecrets } from '@homeiq/core';
import type { GenericPoint, TimeSeriesStore } from '@homeiq/storage';
import {
  type Coordinates,
  ProviderError,
  type ProviderName,
  type WeatherProvider,
  type WeatherReading,
} from './providers/types';

export const WEATHER_MEASUREMENT = 'weather';
/** Points kept for a later write while the store is down (a day at the default interval). */
const MAX_PENDING_POINTS = 96;

export interface HomeLocation extends Coordinates {
  name: string;
}

export interface CachedReading {
  reading: WeatherReading;
  location: string;
  source: ProviderName;
  /** When it was fetched, ms since the epoch. */
  fetchedAt: number;
}

export interface PollerStatus {
  source: ProviderName;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  consecutiveFailures: number;
  /** Provider requests since start, and how many of them failed (metrics). */
  fetches: number;
  fetchFailures: number;
  lastError: string | null;
  nextAttemptAt: number | null;
  storeError: string | null;
  pendingPoints: number;
}

export interface PollerOptions {
  provider: WeatherProvider;
  resolveLocation: () => Promise<HomeLocation>;
  store: () => Promise<TimeSeriesStore>;
  logger: Logger;
  intervalMs: number;
  retryBaseMs: number;
  /** Values that must never appear in an error we keep (the API key). */
  secrets?: Array<string | undefined>;
  clock?: () => number;
  random?: () => number;
}

/** Delay before retry number `failures` (1-based): exponential from `base`, capped, with jitter in [50%, 100%]. */
export function retryDelay(
  failures: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exp * (0.5 + random() * 0.5));
}

export function readingToPoint(reading: WeatherReading, location: string): GenericPoint {
  const fields: Record<string, number> = { temperature: reading.temperature };
  const optional: Array<[string, number | undefined]> = [
    ['feels_like', reading.feelsLike],
    ['humidity', reading.humidity],
    ['pressure', reading.pressure],
    ['wind_speed', reading.windSpeed],
    ['wind_direction', reading.windDirection],
    ['cloudiness', reading.cloudiness],
    ['precipitation', reading.precipitation],
  ];
  for (const [key, value] of optional) if (value !== undefined) fields[key] = value;
  return { time: reading.time, tags: { location, condition: reading.condition }, fields };
}

/**
 * Fetches the current weather every interval, keeps the last good reading, and writes each new observation
 * once. A failed fetch keeps the cache (it is served with its age), is retried with backoff, and writes nothing.
 */
export class WeatherPoller {
  private cached: CachedReading | undefined;
  private location: HomeLocation | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;
  private abort = new AbortController();
  private pending: GenericPoint[] = [];
  private lastWrittenTime: number | undefined;
  private readonly clock: () => number;
  private readonly random: () => number;
  private readonly state: Omit<PollerStatus, 'source' | 'pendingPoints'> = {
    lastAttemptAt: null,
    lastSuccessAt: null,
    consecutiveFailures: 0,
    fetches: 0,
    fetchFailures: 0,
    lastError: null,
    nextAttemptAt: null,
    storeError: null,
  };

  constructor(private readonly options: PollerOptions) {
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.state.nextAttemptAt = null;
    this.abort.abort();
    await this.inFlight;
  }

  current(): CachedReading | undefined {
    return this.cached;
  }

  status(): PollerStatus {
    return { ...this.state, source: this.options.provider.name, pendingPoints: this.pending.length };
  }

  /** One fetch (and write); returns the delay until the next one. Public for tests. */
  async pollOnce(): Promise<number> {
    const { provider, logger, intervalMs, retryBaseMs } = this.options;
    this.state.lastAttemptAt = this.clock();
    this.state.fetches += 1;
    try {
      this.location ??= await this.options.resolveLocation();
      const reading = await provider.fetchCurrent(this.location, this.abort.signal);
      this.cached = { reading, location: this.location.name, source: provider.name, fetchedAt: this.clock() };
      if (this.state.consecutiveFailures > 0) {
        logger.info({ failures: this.state.consecutiveFailures }, 'weather provider is answering again');
      }
      this.state.lastSuccessAt = this.cached.fetchedAt;
      this.state.consecutiveFailures = 0;
      this.state.lastError = null;
      if (reading.time !== this.lastWrittenTime) {
        this.pending.push(readingToPoint(reading, this.location.name));
        this.lastWrittenTime = reading.time;
      }
      await this.flush();
      return intervalMs;
    } catch (error) {
      const message = scrubSecrets(errorMessage(error), this.options.secrets ?? []);
      this.state.consecutiveFailures += 1;
      this.state.fetchFailures += 1;
      this.state.lastError = message;
      const level = this.state.consecutiveFailures === 1 ? 'warn' : 'debug';
      logger[level]({ failures: this.state.consecutiveFailures, error: message }, 'weather fetch failed');
      const delay = retryDelay(this.state.consecutiveFailures, retryBaseMs, intervalMs, this.random);
      const retryAfter = error instanceof ProviderError ? (error.retryAfterMs ?? 0) : 0;
      return Math.max(delay, retryAfter);
    }
  }

  /** Writes what is pending; a store failure keeps the points (bounded) for the next round. */
  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    try {
      const store = await this.options.store();
      const result = await store.writePoints(WEATHER_MEASUREMENT, this.pending);
      // Rejected points are refused for good (the store says why): logged, never retried.
      if (result.rejected.length > 0)
        this.options.logger.warn({ rejected: result.rejected }, 'weather points rejected');
      this.pending = [];
      this.state.storeError = null;
    } catch (error) {
      if (this.state.storeError === null) this.options.logger.warn({ err: error }, 'cannot write weather points');
      this.state.storeError = errorMessage(error);
      if (this.pending.length > MAX_PENDING_POINTS) this.pending.splice(0, this.pending.length - MAX_PENDING_POINTS);
    }
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.state.nextAttemptAt = this.clock() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.pollOnce().then((next) => {
        this.inFlight = undefined;
        this.schedule(next);
      });
    }, delayMs);
    this.timer.unref();
  }
}
