import { parseArgs } from 'node:util';

export const summary = 'Run the simulated Home Assistant alone: homeiq simulate [--port 8123] [--rate 5] [--seed 1]';
export const usage = `homeiq simulate [--port 8123] [--host 127.0.0.1] [--rate 5] [--seed 1] [--entities 300] [--token TOKEN]
                [--commit-interval 5]

  Starts a simulated Home Assistant (WebSocket API, registries, history) with a realistic home of about 300
  entities, and prints its URL and access token. Point HomeIQ (or any Home Assistant client) at it with
  HA_URL and HA_TOKEN. Runs until SIGINT / SIGTERM.

  --port      TCP port (0 = any free port)            default 8123
  --host      address to listen on                    default 127.0.0.1
  --rate      state_changed events per second (0 = none) default 5
  --seed      seed of the home and its events         default 1
  --entities  about how many entities the home has     default 300
  --token     the access token to accept              default: a new random one
  --commit-interval  seconds between recorder commits (history lags by this, as in HA) default 5`;

function numberOption(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new RangeError(`--${name}: expected a number from 0 to ${max}, got "${text}"`);
  }
  return value;
}

export async function run(args: string[]): Promise<number> {
  let options: {
    port: number;
    host: string;
    rate: number;
    seed: number;
    entityCount: number;
    recorderCommitIntervalMs: number;
    token?: string;
  };
  try {
    const { values } = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        entities: { type: 'string' },
        token: { type: 'string' },
        'commit-interval': { type: 'string' },
      },
    });
    options = {
      port: Math.floor(numberOption('port', values.port, 8123, 65535)),
      host: values.host ?? '127.0.0.1',
      rate: numberOption('rate', values.rate, 5, 1_000_000),
      seed: Math.floor(numberOption('seed', values.seed, 1, 2 ** 32 - 1)),
      entityCount: Math.floor(numberOption('entities', values.entities, 300, 100_000)),
      recorderCommitIntervalMs: numberOption('commit-interval', values['commit-interval'], 5, 3600) * 1000,
    };
    if (values.token !== undefined) {
      if (values.token.trim() === '') throw new RangeError('--token: must not be empty');
      options.token = values.token;
    }
  } catch (error) {
    process.stderr.write(`homeiq simulate: ${(error as Error).message}\n`);
    return 2;
  }

  const { startSimulatedHome } = await import('@homeiq/ha');
  let home: Awaited<ReturnType<typeof startSimulatedHome>>;
  try {
    home = await startSimulatedHome(options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? `port ${options.port} is in use (try --port 0)` : (error as Error).message;
    process.stderr.write(`homeiq simulate: cannot start: ${reason}\n`);
    return 1;
  }
  const wsUrl = `${home.url.replace(/^http/, 'ws')}/api/websocket`;
  process.stdout.write(
    [
      `Simulated Home Assistant running (${home.controls.entityIds().length} entities, ${options.rate} events/s, seed ${options.seed}).`,
      `  HA_URL=${home.url}`,
      `  HA_TOKEN=${home.token}`,
      `  WebSocket API: ${wsUrl}`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await home.stop();
  process.stdout.write('Simulated Home Assistant stopped.\n');
  return 0;
}
