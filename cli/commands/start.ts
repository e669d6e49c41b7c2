import { parseArgs } from 'node:util';
import { createLogger, isServiceName, type Service, type ServiceName } from '@homeiq/core';
import { Runtime } from '@homeiq/storage';
import { loadServiceFactory, START_ORDER, serviceExists } from '../services';

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
  const env: Record<string, string | undefined> = { ...process.env };
  const probe = new Runtime(env, createLogger({ level: 'silent' }));
  const logger = createLogger({ level: probe.common.logLevel, format: probe.common.logFormat, name: 'homeiq' });

  let stopSimulation: (() => Promise<void>) | undefined;
  if (!env.HA_URL && (names.includes('websocket-ingestion') || names.includes('weather-api'))) {
    const { startSimulatedHome } = await import('@homeiq/ha');
    const home = await startSimulatedHome({ port: Number(env.HOMEIQ_SIMULATOR_PORT ?? 8123) || 0 });
    env.HA_URL = home.url;
    env.HA_TOKEN = home.token;
    env.HOMEIQ_SIMULATED = '1';
    stopSimulation = () => home.stop();
    logger.warn(
      { url: home.url },
      'HA_URL is not set: HomeIQ is running against a SIMULATED Home Assistant. Set HA_URL and HA_TOKEN to use yours.',
    );
  }

  const runtime = new Runtime(env, logger);
  for (const name of names) runtime.local.add(name);
  const started: Service[] = [];
  for (const name of names) {
    try {
      const service = (await loadServiceFactory(name))(runtime);
      await service.start();
      started.push(service);
      logger.info({ service: name, port: service.port }, 'service started');
    } catch (error) {
      // One failing service degrades the whole; the others keep running (and admin-api reports it).
      logger.error({ err: error, service: name }, 'service failed to start');
      if (only) {
        await shutdown(started, runtime, stopSimulation);
        return 1;
      }
    }
  }
  if (started.length === 0) {
    await shutdown(started, runtime, stopSimulation);
    return 1;
  }

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      const timer = setTimeout(() => {
        logger.error('shutdown timed out; exiting');
        process.exit(1);
      }, runtime.common.shutdownTimeout);
      timer.unref();
      shutdown(started, runtime, stopSimulation).finally(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  logger.info('stopped');
  return 0;
}

async function shutdown(started: Service[], runtime: Runtime, stopSimulation?: () => Promise<void>): Promise<void> {
  for (const service of [...started].reverse()) {
    try {
      await service.stop();
    } catch (error) {
      runtime.logger.error({ err: error, service: service.name as ServiceName }, 'service failed to stop cleanly');
    }
  }
  await runtime.close();
  await stopSimulation?.();
}
