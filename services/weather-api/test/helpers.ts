import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import { SqliteTimeSeriesStore } from '@homeiq/storage/sqlite/sqlite-store';
import { buildWeatherApp } from '../src/app';
import { loadWeatherConfig } from '../src/config';

export const API_KEY = 'test-api-key-weather-0123456789';
export const AUTH = { authorization: `Bearer ${API_KEY}` };

/** A logger whose lines are kept (to prove what never reaches a log). */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), lines };
}

/** weather-api built on a real SQLite store in a temp dir; close() removes everything. */
export async function weatherFixture(env: Record<string, string>, clock?: () => number) {
  const dir = tempDir('homeiq-weather-');
  const store = new SqliteTimeSeriesStore(`${dir.path}/homeiq.db`);
  await store.open();
  const { logger, lines } = capturingLogger();
  const config = loadWeatherConfig({ WEATHER_LATITUDE: '52.37', WEATHER_LONGITUDE: '4.89', ...env });
  const built = buildWeatherApp({
    config,
    logger,
    apiKey: API_KEY,
    store: async () => store,
    clock,
    random: () => 0.5,
  });
  return {
    ...built,
    store,
    lines,
    config,
    async close() {
      await built.poller.stop();
      await built.app.close();
      await store.close();
      dir.remove();
    },
  };
}
