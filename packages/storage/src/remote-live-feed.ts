import { errorMessage, type Logger, serviceUrl } from '@homeiq/core';
import WebSocket from 'ws';
import { fromEventJson } from './event-json';
import type { LiveFeed, LiveListener } from './live-feed';
import type { Runtime } from './runtime';
import type { StateEvent } from './types';

export interface RemoteLiveFeedOptions {
  /** websocket-ingestion's base URL (http:// or ws://); the feed is at <url>/api/v1/live. */
  url: string;
  apiKey: string;
  logger?: Logger;
  /** First reconnect delay; doubles per failed attempt up to maxBackoffMs, with jitter. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface RemoteLiveFeedStatus {
  connected: boolean;
  listeners: number;
  /** Batches and events received since creation. */
  batches: number;
  events: number;
  /** Messages that were not a JSON array of export-format events (counted, skipped). */
  malformed: number;
  reconnects: number;
  lastError: string | null;
}

/**
 * The live feed of a websocket-ingestion running in another process: one WebSocket to its
 * GET /api/v1/live, shared by every listener, opened with the first listener and closed with the last.
 * Reconnects with capped, jittered backoff. Events published while disconnected are not replayed:
 * the live feed is best effort, the store is the record (readers catch up through queries).
 */
export class RemoteLiveFeed implements LiveFeed {
  private readonly listeners = new Set<LiveListener>();
  private socket: WebSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private closed = false;
  private readonly counters = { batches: 0, events: 0, malformed: 0, reconnects: 0 };
  private connected = false;
  private lastError: string | null = null;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: RemoteLiveFeedOptions) {
    this.minBackoffMs = options.minBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  get endpoint(): string {
    return `${this.options.url.replace(/\/+$/, '').replace(/^http/, 'ws')}/api/v1/live`;
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1 && !this.closed) this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.disconnect();
    };
  }

  status(): RemoteLiveFeedStatus {
    return {
      connected: this.connected,
      listeners: this.listeners.size,
      ...this.counters,
      lastError: this.lastError,
    };
  }

  /** Stops for good: no reconnects, listeners dropped. */
  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.disconnect();
  }

  private connect(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const socket = new WebSocket(this.endpoint, {
      headers: { authorization: `Bearer ${this.options.apiKey}` },
      handshakeTimeout: 10_000,
    });
    this.socket = socket;
    socket.on('open', () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.connected = true;
      this.lastError = null;
      this.options.logger?.info({ url: this.endpoint }, 'live feed connected');
    });
    socket.on('message', (data: WebSocket.RawData) => this.onMessage(data));
    let refused = false;
    socket.on('unexpected-response', (_req, res) => {
      refused = true;
      this.lastError = `HTTP ${res.statusCode} from ${this.endpoint}`;
      res.resume();
      socket.terminate();
    });
    socket.on('error', (error) => {
      // Terminating a refused handshake also reports an error: keep the HTTP status as the reason.
      if (!refused) this.lastError = errorMessage(error);
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      const wasConnected = this.connected;
      this.connected = false;
      this.socket = undefined;
      if (this.closed || this.listeners.size === 0) return;
      if (wasConnected) this.options.logger?.warn({ reason: this.lastError }, 'live feed disconnected; reconnecting');
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    const base = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** Math.min(this.attempt, 20));
    this.attempt += 1;
    this.counters.reconnects += 1;
    const delay = base / 2 + Math.random() * (base / 2);
    this.timer = setTimeout(() => this.connect(), delay);
    this.timer.unref();
  }

  private disconnect(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    this.connected = false;
    if (!socket) return;
    if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'no more listeners');
    else socket.terminate();
  }

  private onMessage(data: WebSocket.RawData): void {
    let events: StateEvent[];
    try {
      const parsed: unknown = JSON.parse(data.toString());
      if (!Array.isArray(parsed)) throw new Error('not an array');
      events = parsed.map(fromEventJson);
    } catch (error) {
      this.counters.malformed += 1;
      this.lastError = `malformed live message: ${errorMessage(error)}`;
      return;
    }
    if (events.length === 0) return;
    this.counters.batches += 1;
    this.counters.events += events.length;
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch {
        // One faulty reader never harms the others.
      }
    }
  }
}

const remoteFeeds = new WeakMap<Runtime, RemoteLiveFeed>();

/**
 * The live feed for readers in this process: the in-process one when websocket-ingestion runs here,
 * else one RemoteLiveFeed (per runtime) to the ingestion service's /api/v1/live.
 */
export function liveFeedFor(runtime: Runtime): LiveFeed {
  if (runtime.local.has('websocket-ingestion')) return runtime.live;
  let feed = remoteFeeds.get(runtime);
  if (!feed) {
    feed = new RemoteLiveFeed({
      url: serviceUrl('websocket-ingestion', runtime.env),
      apiKey: runtime.apiKey,
      logger: runtime.logger.child({ module: 'remote-live-feed' }),
    });
    remoteFeeds.set(runtime, feed);
  }
  return feed;
}
