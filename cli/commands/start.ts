import { parseArgs } from 'node:util';
import { isServiceName, type Logger } from '@homeiq/core';
import { loadConfigCheck, loadServiceFactory, START_ORDER, serviceExists } from '../services';
import { runServices } from '../supervisor';

export const summary = 'Run every service in one process, or one service: homeiq start [service]';
export const usage = `homeiq start [service]

  With no service, runs every HomeIQ service in this process (the embedded default).
  With a name (${START_ORDER.join(', ')}), runs only that one, as each Docker container does.
  Without HA_URL, a simulated Home Assistant is started and used.`;

export async function run(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const only = positionals[0];
  if (only !== undefined && !isServiceName(only)) {
    process.stderr.write(`homeiq start: unknown service "${only}" (one of ${START_ORDER.join(', ')})\n`);
    return 2;
  }
  const names = only ? [only] : START_ORDER.filter(serviceExists);
  const services = await Promise.all(names.map(async (name) => ({ name, create: await loadServiceFactory(name) })));
  return runServices({
    env: { ...process.env },
    services,
    configChecks: await Promise.all(names.map(loadConfigCheck)),
    strict: only !== undefined,
    prepare: async (env, logger) => {
      const stopHome = await startSimulationIfNeeded(env, logger, names);
      const stopFeeds = await startSimulatedFeedsIfNeeded(env, logger, names);
      if (!stopHome && stopFeeds.length === 0) return undefined;
      return async () => {
        for (const stop of stopFeeds) await stop();
        await stopHome?.();
      };
    },
  });
}

/** No HA_URL: run against the simulated home, and say so loudly. */
async function startSimulationIfNeeded(
  env: Record<string, string | undefined>,
  logger: Logger,
  names: string[],
): Promise<(() => Promise<void>) | undefined> {
  if (env.HA_URL || !(names.includes('websocket-ingestion') || names.includes('weather-api'))) return undefined;
  const { startSimulatedHome } = await import('@homeiq/ha');
  const port = env.HOMEIQ_SIMULATOR_PORT === undefined ? 8123 : Number(env.HOMEIQ_SIMULATOR_PORT);
  const home = await startSimulatedHome({ port });
  env.HA_URL = home.url;
  env.HA_TOKEN = home.token;
  env.HOMEIQ_SIMULATED = '1';
  logger.warn(
    { url: home.url },
    'HA_URL is not set: HomeIQ is running against a SIMULATED Home Assistant. Set HA_URL and HA_TOKEN to use yours.',
  );
  return () => home.stop();
}

// --- Simulated outside feeds (weather-api / sports-data) ---------------------------------------------------
/**
 * With the simulated home there is no outside network either: weather-api and sports-data then read the
 * simulated provider and scoreboard (unless WEATHER_*_URL / SPORTS_FEED_URL are set), and say so in the log.
 */
async function startSimulatedFeedsIfNeeded(
  env: Record<string, string | undefined>,
  logger: Logger,
  names: string[],
): Promise<Array<() => Promise<void>>> {
  if (env.HOMEIQ_SIMULATED !== '1') return [];
  const stops: Array<() => Promise<void>> = [];
  if (names.includes('weather-api')) {
    const { startDemoWeather } = await import('@homeiq/weather-api/sim/demo');
    const stop = await startDemoWeather(env, logger);
    if (stop) stops.push(stop);
  }
  if (names.includes('sports-data')) {
    const { startDemoScoreboard } = await import('@homeiq/sports-data/sim/demo');
    const stop = await startDemoScoreboard(env, logger);
    if (stop) stops.push(stop);
  }
  return stops;
}
