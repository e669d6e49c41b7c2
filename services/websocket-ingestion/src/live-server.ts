import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type HttpApp, type Logger, requestApiKey } from '@homeiq/core';
import { type InProcessLiveFeed, type StateEvent, toEventJson } from '@homeiq/storage';
import { WebSocketServer } from 'ws';

const PATH = '/api/v1/live';
/** A reader this far behind is cut off rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Events are sent in batches at most this often (one JSON array per message). */
const FLUSH_MS = 50;

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * GET /api/v1/live over WebSocket for readers in other processes: each message is a JSON array of events in the
 * export format. API key via `Authorization: Bearer` or `?api_key=`. Serialized once per batch for all readers;
 * a reader that falls too far behind is disconnected.
 */
export class LiveServer {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private pending: StateEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  dropped = 0;

  constructor(
    private readonly feed: InProcessLiveFeed,
    private readonly apiKey: string,
    private readonly logger: Logger,
  ) {}

  attach(app: HttpApp): void {
    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== PATH) return refuse(socket, 404, 'Not Found');
      const given = requestApiKey(req.headers, Object.fromEntries(url.searchParams));
      if (given === undefined) return refuse(socket, 401, 'Unauthorized');
      if (!sameKey(given, this.apiKey)) return refuse(socket, 403, 'Forbidden');
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => {});
        ws.on('close', () => this.onClientGone());
        this.wss.emit('connection', ws, req);
        this.unsubscribe ??= this.feed.subscribe(this.onEvents);
      });
    });
  }

  get clients(): number {
    return this.wss.clients.size;
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearTimeout(this.timer);
    for (const ws of this.wss.clients) ws.close(1001, 'server stopping');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private readonly onEvents = (events: readonly StateEvent[]): void => {
    for (let i = 0; i < events.length; i++) this.pending.push(events[i]!);
    this.timer ??= setTimeout(this.flush, FLUSH_MS);
  };

  private readonly flush = (): void => {
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0 || this.wss.clients.size === 0) return;
    const text = JSON.stringify(batch.map(toEventJson));
    for (const ws of this.wss.clients) {
      if (ws.readyState !== 1) continue;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        this.dropped++;
        this.logger.warn('live reader too slow: disconnected');
        ws.terminate();
        continue;
      }
      ws.send(text);
    }
  };

  private onClientGone(): void {
    if (this.wss.clients.size > 0) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.pending = [];
  }
}
