import { ConfigError, createLogger, type Logger, type Service, type ServiceName } from '@homeiq/core';
import { PRIVATE_UMASK } from '@homeiq/core/private-files';
import { Runtime } from '@homeiq/storage';
import type { ServiceFactory } from './services';

export interface RunOptions {
  env: Record<string, string | undefined>;
  /** Services to run, in start order. */
  services: Array<{ name: ServiceName; create: ServiceFactory }>;
  /** When only one service runs, its failure to start ends the process. */
  strict: boolean;
  /** The services' own config checks: when the shared config is wrong, their problems are reported with it. */
  configChecks?: Array<(env: Record<string, string | undefined>) => unknown>;
  /** Runs before the services start (e.g. the simulated home); may add to env. */
  prepare?: (env: Record<string, string | undefined>, logger: Logger) => Promise<(() => Promise<void>) | undefined>;
}

/**
 * Starts services in order under one Runtime, each in its own try/catch so one failing part degrades
 * instead of killing the rest; on SIGTERM/SIGINT stops them in reverse order, flushes and returns.
 */
export async function runServices(options: RunOptions): Promise<number> {
  // Also here, not only in cli/main.ts: each Docker image's entry calls runServices directly.
  process.umask(PRIVATE_UMASK);
  const env = options.env;
  const probe = openProbe(env, options.configChecks ?? []);
  const logger = createLogger({ level: probe.common.logLevel, format: probe.common.logFormat, name: 'homeiq' });
  const cleanup = await options.prepare?.(env, logger);

  const runtime = new Runtime(env, logger);
  for (const { name } of options.services) runtime.local.add(name);
  const started: Service[] = [];
  for (const { name, create } of options.services) {
    try {
      const service = create(runtime);
      await service.start();
      started.push(service);
      logger.info({ service: name, port: service.port }, 'service started');
    } catch (error) {
      logger.error({ err: error, service: name }, 'service failed to start');
      if (options.strict) {
        await shutdown(started, runtime, cleanup);
        return 1;
      }
    }
  }
  if (started.length === 0) {
    await shutdown(started, runtime, cleanup);
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
      shutdown(started, runtime, cleanup).finally(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  logger.info('stopped');
  return 0;
}

/** The shared config, or one ConfigError with every problem of it and of the services' own configs. */
function openProbe(env: Record<string, string | undefined>, checks: NonNullable<RunOptions['configChecks']>): Runtime {
  try {
    return new Runtime(env, createLogger({ level: 'silent' }));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = [...error.problems];
    for (const check of checks) {
      try {
        check(env);
      } catch (more) {
        if (!(more instanceof ConfigError)) throw more;
        for (const p of more.problems) if (!problems.includes(p)) problems.push(p);
      }
    }
    throw new ConfigError(problems);
  }
}

async function shutdown(started: Service[], runtime: Runtime, cleanup?: () => Promise<void>): Promise<void> {
  for (const service of [...started].reverse()) {
    try {
      await service.stop();
    } catch (error) {
      runtime.logger.error({ err: error, service: service.name }, 'service failed to stop cleanly');
    }
  }
  await runtime.close();
  await cleanup?.();
}
