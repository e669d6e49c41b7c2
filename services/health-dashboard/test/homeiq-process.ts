import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SERVICE_NAMES, SERVICES, serviceUrlEnv } from '@homeiq/core';
import { freePort, tempDir, waitFor } from '@homeiq/core/testing/temp';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface HomeIq {
  dashboard: string;
  apiKey: string;
  ports: Record<string, number>;
  dataDir: string;
  log: () => string;
  stop(): Promise<void>;
}

/** Thrown when a port picked as free was taken by another process before `homeiq start` could bind it. */
class PortTaken extends Error {}

/**
 * `homeiq start` as a user runs it: every service in one process, against the simulated home (no HA_URL),
 * on free loopback ports, with a fresh data dir. Tests run in parallel processes, each picking free ports, so a
 * port can be taken between the pick and the bind: then it starts again on new ports.
 */
export async function startHomeIq(): Promise<HomeIq> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchHomeIq();
    } catch (error) {
      if (!(error instanceof PortTaken) || attempt === 3) throw error;
    }
  }
}

async function launchHomeIq(): Promise<HomeIq> {
  const dir = tempDir('homeiq-e2e-');
  const apiKey = randomBytes(18).toString('base64url');
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of SERVICE_NAMES) delete env[serviceUrlEnv(name)];
  for (const k of ['HA_URL', 'HA_TOKEN', 'INFLUXDB_URL', 'NODE_ENV', 'NODE_TEST_CONTEXT']) delete env[k];
  const ports: Record<string, number> = {};
  for (const name of SERVICE_NAMES) {
    ports[name] = await freePort();
    env[SERVICES[name].portEnv] = String(ports[name]);
  }
  Object.assign(env, {
    HOMEIQ_DATA_DIR: dir.path,
    HOMEIQ_SIMULATOR_PORT: '0',
    HOMEIQ_HOST: '127.0.0.1',
    API_KEY: apiKey,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'warn',
    ALERT_INTERVAL: '2s',
    // The test's webhook receiver is on loopback, which the egress policy refuses unless allowed.
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  });
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['bin/homeiq.js', 'start'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const dashboard = `http://127.0.0.1:${ports['health-dashboard']}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    dir.remove();
  };
  // Fail at once, with its output, when `homeiq start` dies instead of coming up.
  const died = new Promise<never>((_resolve, reject) =>
    child.once('exit', (code) => reject(new Error(`homeiq start exited with ${code}:\n${output}`))),
  );
  died.catch(() => undefined);
  try {
    const up = waitFor(
      async () => {
        if (output.includes('EADDRINUSE')) return 'port taken';
        // Asked of admin-api with the key: the dashboard's proxy needs a signed-in browser.
        const res = await fetch(`http://127.0.0.1:${ports['admin-api']}/api/v1/health/services`, {
          headers: { authorization: `Bearer ${apiKey}` },
        }).catch(() => undefined);
        if (!res?.ok) return false;
        const body = (await res.json()) as { services: Array<{ running: boolean }> };
        if (!(await fetch(`${dashboard}/health`).catch(() => undefined))?.ok) return false;
        return body.services.length === SERVICE_NAMES.length && body.services.every((s) => s.running);
      },
      120_000,
      'every service of `homeiq start` to answer',
    );
    if ((await Promise.race([up, died])) === 'port taken') throw new PortTaken(output);
  } catch (error) {
    await stop();
    throw output.includes('EADDRINUSE') ? new PortTaken(output) : error;
  }
  return { dashboard, apiKey, ports, dataDir: dir.path, log: () => output, stop };
}
