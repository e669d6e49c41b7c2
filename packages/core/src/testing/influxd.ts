import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireExecutable } from './dependency';
import { freePort, tempDir, waitFor } from './temp';

/**
 * A real InfluxDB 1.x server (Debian's `influxd`) on a free loopback port with its data, meta and wal
 * dirs in a temp folder. `kill()` and `restart()` let outage tests take it away and bring it back
 * with its data intact.
 */
export interface InfluxServer {
  url: string;
  port: number;
  kill(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export const influxdAvailability = () => requireExecutable('InfluxDB (influxd)', ['influxd', '/usr/bin/influxd']);

export interface InfluxdOptions {
  /** Turns authentication on, with this admin user (created at the first start, as InfluxDB allows). */
  admin?: { username: string; password: string };
}

export async function startInfluxd(options: InfluxdOptions = {}): Promise<InfluxServer> {
  const { path: binary } = influxdAvailability();
  if (!binary) throw new Error('influxd not installed');
  const dir = tempDir('homeiq-influxd-');
  const port = await freePort();
  const bindPort = await freePort();
  const config = `
reporting-disabled = true
bind-address = "127.0.0.1:${bindPort}"
[meta]
  dir = "${join(dir.path, 'meta')}"
[data]
  dir = "${join(dir.path, 'data')}"
  wal-dir = "${join(dir.path, 'wal')}"
  query-log-enabled = false
  index-version = "inmem"
  wal-fsync-delay = "0s"
[coordinator]
  write-timeout = "10s"
[http]
  enabled = true
  bind-address = "127.0.0.1:${port}"
  auth-enabled = ${options.admin ? 'true' : 'false'}
  log-enabled = false
  max-body-size = 0
[logging]
  level = "warn"
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
`;
  const configFile = join(dir.path, 'influxdb.conf');
  writeFileSync(configFile, config);
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async () => {
    output = '';
    child = spawn(binary, ['-config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
    });
    child.stderr?.on('data', (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
    });
    const started = child;
    await waitFor(
      async () => {
        if (started.exitCode !== null) throw new Error(`influxd exited: ${output}`);
        const res = await fetch(`${url}/ping`).catch(() => undefined);
        return res?.status === 204;
      },
      30_000,
      'influxd to answer /ping',
    );
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await exited;
  };

  await launch();
  if (options.admin) {
    const { username, password } = options.admin;
    const quote = (s: string) => s.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
    const q = `CREATE USER "${username.replace(/"/g, '\\"')}" WITH PASSWORD '${quote(password)}' WITH ALL PRIVILEGES`;
    const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q }) });
    const body = await res.text();
    if (!res.ok || body.includes('"error"')) throw new Error(`influxd: creating the admin user failed: ${body}`);
  }
  return {
    url,
    port,
    kill,
    restart: launch,
    stop: async () => {
      await kill('SIGTERM');
      dir.remove();
    },
  };
}
