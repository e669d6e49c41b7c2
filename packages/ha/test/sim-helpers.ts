import { type SimOptions, type SimulatedHome, startSimulatedHome } from '@homeiq/ha/sim/index';
import WebSocket from 'ws';

// biome-ignore lint/suspicious/noExplicitAny: protocol messages are checked field by field in the tests
export type Msg = Record<string, any>;

/** A bare `ws` client that records every frame (raw) and every message (arrays unpacked). */
export class TestClient {
  readonly frames: string[] = [];
  readonly messages: Msg[] = [];
  private consumed = 0;
  private nextId = 1;
  private wake: (() => void) | undefined;
  readonly closed: Promise<{ code: number }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.frames.push(text);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = { type: '<malformed>', text };
      }
      for (const m of Array.isArray(parsed) ? parsed : [parsed]) this.messages.push(m as Msg);
      this.wake?.();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve({ code })));
    ws.on('error', () => {});
  }

  static async open(home: SimulatedHome, options: { sendAuth?: string } = {}): Promise<TestClient> {
    const ws = new WebSocket(`${home.url}/api/websocket`, { perMessageDeflate: false });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (options.sendAuth !== undefined) ws.send(JSON.stringify({ type: 'auth', access_token: options.sendAuth }));
    return client;
  }

  /** Connected, authenticated (the early-auth way, as the official JS client does). */
  static async authed(home: SimulatedHome): Promise<TestClient> {
    const client = await TestClient.open(home, { sendAuth: home.token });
    await client.next((m) => m.type === 'auth_ok');
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message (after those already taken) that matches. */
  async next(match: (m: Msg) => boolean, timeoutMs = 5000): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = this.consumed; i < this.messages.length; i++) {
        const m = this.messages[i] as Msg;
        if (match(m)) {
          this.consumed = i + 1;
          return m;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, Math.min(left, 100));
      });
    }
  }

  /** Sends a command with the next id and returns its result (or pong). */
  async command(message: Msg): Promise<Msg> {
    const id = this.nextId++;
    this.send({ id, ...message });
    return this.next((m) => m.id === id && (m.type === 'result' || m.type === 'pong'));
  }

  /** Ids used by command() so far; tests that pick ids themselves start above it. */
  useId(): number {
    return this.nextId++;
  }

  events(subscriptionId: number): Msg[] {
    return this.messages.filter((m) => m.type === 'event' && m.id === subscriptionId);
  }

  async waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.ws.terminate();
  }
}

export async function withHome(options: SimOptions, body: (home: SimulatedHome) => Promise<void>): Promise<void> {
  const home = await startSimulatedHome({ rate: 0, entityCount: 60, ...options });
  try {
    await body(home);
  } finally {
    await home.stop();
  }
}

export const ISO_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$/;
export const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
