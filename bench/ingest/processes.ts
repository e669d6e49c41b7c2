// Child processes for bench/ingest.bench.ts: the simulated home, and HomeIQ's ingestion as `homeiq start`.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** CPU seconds a process has used so far (utime + stime from /proc, in ticks of 1/100 s); null without /proc. */
export function processCpuSeconds(pid: number | string): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null; // not Linux, or the process went away
  }
}

export interface SimChild {
  url: string;
  token: string;
  /** CPU seconds the simulator's process has used so far. */
  cpuSeconds(): number | null;
  burst(count: number): Promise<void>;
  rate(value: number): void;
  stop(): Promise<void>;
}

export async function startSimChild(): Promise<SimChild> {
  const child = fork(fileURLToPath(new URL('./sim-child.ts', import.meta.url)), [], {
    cwd: root,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string; token: string }));
    child.once('exit', (code) => reject(new Error(`simulator exited (${code})`)));
  });
  return {
    url: ready.url,
    token: ready.token,
    cpuSeconds: () => (child.pid === undefined ? null : processCpuSeconds(child.pid)),
    burst: (count) =>
      new Promise((resolve) => {
        const on = (m: { done?: string }) => {
          if (m.done !== 'burst') return;
          child.off('message', on);
          resolve();
        };
        child.on('message', on);
        child.send({ cmd: 'burst', count });
      }),
    rate: (value) => child.send({ cmd: 'rate', value }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ cmd: 'stop' });
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

export interface IngestionChild {
  proc: ChildProcess;
  stats(): Promise<Record<string, unknown>>;
  /** Resident set size of the ingestion process, bytes. */
  rss(): number;
  stop(): Promise<number | null>;
}

/** `bundle`: the built dist/websocket-ingestion/main.mjs (what the Docker image runs); else `homeiq start` via tsx. */
export function startIngestionChild(
  env: Record<string, string>,
  port: number,
  apiKey: string,
  bundle?: string,
): IngestionChild {
  const args = bundle ? [bundle] : ['bin/homeiq.js', 'start', 'websocket-ingestion'];
  const proc = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return {
    proc,
    async stats() {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/stats`, {
        headers: { authorization: `Bearer ${apiKey}` },
      });
      if (!res.ok) throw new Error(`stats: HTTP ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    },
    rss() {
      const status = readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
      return kb * 1024;
    },
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve(proc.exitCode);
        proc.once('exit', (code) => resolve(code));
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 15_000).unref();
      }),
  };
}
