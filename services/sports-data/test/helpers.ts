import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@homeiq/core';
import { tempDir } from '@homeiq/core/testing/temp';
import type { LiveFeed } from '@homeiq/storage';
import { SqliteTimeSeriesStore } from '@homeiq/storage/sqlite/sqlite-store';
import { buildSportsApp } from '../src/app';
import { loadSportsConfig } from '../src/config';
import { type Resolver, systemResolver } from '../src/webhooks/egress';
import { loadSecretKey } from '../src/webhooks/secret-box';

export const API_KEY = 'test-api-key-sports-0123456789';
export const AUTH = { authorization: `Bearer ${API_KEY}` };
export const SECRET = 'whsec-test-0123456789abcdef';

export interface Received {
  id: string;
  event: string;
  attempt: number;
  timestamp: string;
  body: string;
  payload: { id: string; event: string; created_at: string; data: Record<string, unknown> };
  /** The receiver's own check of X-HomeIQ-Signature (HMAC recomputed here, not with the service's code). */
  verified: boolean;
  /** Status the receiver answered. */
  answered: number | 'hang';
}

/** A status, 'hang' (never answer), or a status after a delay. */
export type Answer = number | 'hang' | { status: number; delayMs: number };
export type Responder = (r: Received, index: number) => Answer;

/**
 * A real webhook receiver on loopback: verifies each signature with the shared secret, answers what the
 * responder says (a status, or 'hang' to never answer) and records everything, including peak concurrency.
 */
export async function startReceiver(secret = SECRET, responder: Responder = () => 200) {
  const received: Received[] = [];
  let respond = responder;
  let active = 0;
  let peak = 0;
  const server = createServer(async (req: IncomingMessage, res) => {
    active += 1;
    peak = Math.max(peak, active);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const timestamp = String(req.headers['x-homeiq-timestamp'] ?? '');
    const given = Buffer.from(String(req.headers['x-homeiq-signature'] ?? ''));
    const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`);
    const r: Received = {
      id: String(req.headers['x-homeiq-delivery']),
      event: String(req.headers['x-homeiq-event']),
      attempt: Number(req.headers['x-homeiq-attempt']),
      timestamp,
      body,
      payload: JSON.parse(body),
      verified: given.length === expected.length && timingSafeEqual(given, expected),
      answered: 200,
    };
    const answer = respond(r, received.length);
    r.answered = typeof answer === 'object' ? answer.status : answer;
    received.push(r);
    if (typeof answer === 'object') await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    if (r.answered === 'hang') {
      req.socket.once('close', () => {
        active -= 1;
      });
      return;
    }
    res.writeHead(r.answered, { 'content-type': 'text/plain' });
    res.end(r.answered < 300 ? 'ok' : 'nope');
    active -= 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    get peak() {
      return peak;
    },
    setResponder(next: Responder) {
      respond = next;
    },
    /** Successful deliveries by delivery id. */
    successes(): Map<string, number> {
      const out = new Map<string, number>();
      for (const r of received)
        if (typeof r.answered === 'number' && r.answered < 300) out.set(r.id, (out.get(r.id) ?? 0) + 1);
      return out;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Names under .test resolve to a public documentation address (no DNS here); the rest as the system says. */
export const testResolver: Resolver = async (host) =>
  host.endsWith('.test') ? ['203.0.113.10'] : systemResolver(host);

/** The receivers of these tests listen on loopback, which webhooks refuse unless allowlisted. */
export const LOOPBACK_RECEIVERS = { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' };

export interface FixtureOptions {
  env?: Record<string, string>;
  /** Reuse a data dir (restart tests); default: a new temp dir. */
  dir?: string;
  liveFeed?: LiveFeed;
  clock?: () => number;
  autoPump?: boolean;
  start?: boolean;
  resolve?: Resolver;
}

/** sports-data on real SQLite files (webhooks.db and the time-series store) in a temp dir. */
export async function sportsFixture(options: FixtureOptions = {}) {
  const temp = options.dir ? undefined : tempDir('homeiq-sports-');
  const dir = options.dir ?? (temp as { path: string }).path;
  const store = new SqliteTimeSeriesStore(`${dir}/homeiq.db`);
  await store.open();
  const config = loadSportsConfig({
    WEBHOOK_RETRY_BASE: '100ms',
    WEBHOOK_TIMEOUT: '2s',
    ...LOOPBACK_RECEIVERS,
    ...options.env,
  });
  const sports = buildSportsApp({
    config,
    logger: silentLogger(),
    apiKey: API_KEY,
    store: async () => store,
    webhooksDbPath: `${dir}/webhooks.db`,
    secretKey: loadSecretKey(dir, config.webhookSecretKey),
    liveFeed: options.liveFeed,
    clock: options.clock,
    resolve: options.resolve ?? testResolver,
    autoPump: options.autoPump,
  });
  if (options.start !== false) sports.start();
  let closed = false;
  return {
    ...sports,
    dir,
    store,
    /** Stops the service, keeps the files. */
    async stop() {
      if (closed) return;
      closed = true;
      await sports.app.close();
      await sports.stop();
      await store.close();
    },
    /** Stops and removes the temp dir. */
    async close() {
      await this.stop();
      temp?.remove();
    },
  };
}

export type SportsFixture = Awaited<ReturnType<typeof sportsFixture>>;

export async function createWebhook(f: SportsFixture, body: Record<string, unknown>): Promise<string> {
  const res = await f.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: AUTH,
    payload: { secret: SECRET, ...body },
  });
  if (res.statusCode !== 201) throw new Error(`create webhook: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

export async function deliveries(f: SportsFixture, id: string, query = '') {
  const res = await f.app.inject({ url: `/api/v1/webhooks/${id}/deliveries${query}`, headers: AUTH });
  return (res.json() as { deliveries: Array<Record<string, unknown> & { log: Array<Record<string, unknown>> }> })
    .deliveries;
}
