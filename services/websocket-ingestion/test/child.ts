// websocket-ingestion as its own process (`homeiq start websocket-ingestion`), for kill -9 tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimulatedHome } from '@homeiq/ha';
import { API_KEY } from './helpers';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The environment of an ingestion child on `dataDir`, listening on `port`, reading `home`. */
export function childEnv(home: SimulatedHome, dataDir: string, port: number): Record<string, string> {
  return {
    HA_URL: home.url,
    HA_TOKEN: home.token,
    HOMEIQ_DATA_DIR: dataDir,
    API_KEY,
    WEBSOCKET_INGESTION_PORT: String(port),
    HOMEIQ_HOST: '127.0.0.1',
    HOMEIQ_INITIAL_BACKFILL: '0',
    BATCH_TIMEOUT: '200ms',
    LOG_FORMAT: 'json',
  };
}

export interface Child {
  proc: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

export function startChild(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['bin/homeiq.js', 'start', 'websocket-ingestion'], {
    cwd: root,
    env: { ...process.env, ...env, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-6000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, exited, output: () => out };
}

export interface ChildStats {
  haConnected: boolean;
  received: number;
  pending: number;
  backfillPending: boolean;
  backfilled: number;
  duplicates: number;
  reconnects: number;
}

export async function childStats(port: number): Promise<ChildStats> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/stats`, {
    headers: { authorization: `Bearer ${API_KEY}` },
  }).catch((error: Error) => {
    throw new Error(`port ${port}: ${error.message}: ${String((error.cause as Error | undefined)?.message)}`);
  });
  if (!res.ok) throw new Error(`stats: HTTP ${res.status}`);
  return (await res.json()) as ChildStats;
}

export function killAll(children: Child[]): void {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
}
