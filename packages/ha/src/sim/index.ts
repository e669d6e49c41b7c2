import { randomBytes } from 'node:crypto';
import { createCommandHandler } from './commands';
import { Connection, type ConnectionSettings } from './connection';
import { Home } from './home';
import { Hub } from './hub';
import { SimOAuth } from './oauth';
import { SimServer } from './server';
import { Simulation } from './simulation';
import type { SimOptions, SimulatedHome } from './types';

export type { AreaEntry, DeviceEntry, EntityEntry } from './registry';
export { isoFromMicros, isoMicros, parseIsoMicros, pythonMicros } from './time';
export type {
  CoreState,
  EmittedEvent,
  SimControls,
  SimOptions,
  SimulatedHome,
  StateRecord,
} from './types';

/** The Home Assistant version the simulator reports. */
export const SIM_HA_VERSION = '2025.1.0';

/** A token shaped like HA's long-lived access tokens (a JWT). */
function makeToken(): string {
  const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');
  const header = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const iat = Math.floor(Date.now() / 1000);
  const payload = b64(JSON.stringify({ iss: randomBytes(16).toString('hex'), iat, exp: iat + 315_360_000 }));
  return `${header}.${payload}.${b64(randomBytes(32))}`;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: must be a number >= 0, got ${value}`);
  return value;
}

/** Starts a faithful simulated Home Assistant (WebSocket API at url + '/api/websocket'). */
export async function startSimulatedHome(options: SimOptions = {}): Promise<SimulatedHome> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? makeToken();
  const settings: ConnectionSettings = {
    token,
    version: SIM_HA_VERSION,
    authTimeoutMs: positiveInt('authTimeoutMs', options.authTimeoutMs, 10_000),
    maxPending: positiveInt('maxPendingMessages', options.maxPendingMessages, 4096),
    pendingPeak: positiveInt('pendingPeak', options.pendingPeak, 1024),
    pendingPeakMs: positiveInt('pendingPeakMs', options.pendingPeakMs, 5000),
    heartbeatMs: positiveInt('heartbeatMs', options.heartbeatMs, 55_000),
  };
  const entityCount = positiveInt('entityCount', options.entityCount, 300);
  const hub = new Hub();
  const commitIntervalMs = positiveInt('recorderCommitIntervalMs', options.recorderCommitIntervalMs, 5000);
  const home = new Home(
    options.seed ?? 1,
    Math.max(1, Math.floor(entityCount)),
    options.startTime ?? Date.now(),
    hub,
    commitIntervalMs,
  );
  const onCommand = createCommandHandler({ home, hub, version: SIM_HA_VERSION, history: options.history !== false });
  const server = new SimServer(
    host,
    {
      token,
      oauth: new SimOAuth(options.oauthUser),
      onSocket: (ws) => new Connection(ws, hub, settings, onCommand),
      rest: (path, authorized) => {
        if (!authorized) return { status: 401, body: { message: 'Unauthorized' } };
        if (path === '/api/' || path === '/api') return { status: 200, body: { message: 'API running.' } };
        if (path === '/api/states') return { status: 200, body: home.states() };
        return { status: 404, body: { message: 'Not found' } };
      },
    },
    options.compression === true,
  );
  await server.listen(positiveInt('port', options.port, 0));
  const simulation = new Simulation(home, hub, server, positiveInt('rate', options.rate, 5));
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${server.port}`,
    token,
    controls: simulation.controls(),
    stop: () => simulation.stop(),
  };
}
