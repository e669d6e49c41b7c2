import { WebSocket } from 'ws';
import type { Hub } from './hub';
import { validateAuth } from './schema';

export interface ConnectionSettings {
  token: string;
  version: string;
  authTimeoutMs: number;
  maxPending: number;
  pendingPeak: number;
  pendingPeakMs: number;
  heartbeatMs: number;
}

/** HA raises aiohttp's drain limit to 1 MiB after auth: frames go to the socket until that much is buffered. */
const WRITE_LIMIT = 1 << 20;

const TEXT = { binary: false };

/** An event queued for one subscription: `{"id":<sub>,"type":"event","event":<bytes>}`, assembled when written. */
class SubEvent {
  constructor(
    readonly prefix: Buffer,
    readonly event: Buffer,
  ) {}
}

type Queued = string | SubEvent;

function eventMessage(m: SubEvent): Buffer {
  const buf = Buffer.allocUnsafe(m.prefix.length + m.event.length + 1);
  m.prefix.copy(buf, 0);
  m.event.copy(buf, m.prefix.length);
  buf[buf.length - 1] = 0x7d; // }
  return buf;
}

/**
 * `[m1,m2,...]` as UTF-8 bytes in one buffer: events are copied as the bytes they already are, text messages encoded
 * once (no join() of the whole frame, no second encode).
 */
function arrayFrame(messages: Queued[], from: number): Buffer {
  let size = 1;
  for (let i = from; i < messages.length; i++) {
    const m = messages[i] as Queued;
    size += 1 + (typeof m === 'string' ? Buffer.byteLength(m) : m.prefix.length + m.event.length + 1);
  }
  const buf = Buffer.allocUnsafe(size);
  let off = 0;
  for (let i = from; i < messages.length; i++) {
    buf[off++] = i === from ? 0x5b : 0x2c; // [ or ,
    const m = messages[i] as Queued;
    if (typeof m === 'string') {
      off += buf.write(m, off);
    } else {
      off += m.prefix.copy(buf, off);
      off += m.event.copy(buf, off);
      buf[off++] = 0x7d; // }
    }
  }
  buf[off] = 0x5d; // ]
  return buf;
}

export type CommandHandler = (conn: Connection, msg: unknown) => void;

/**
 * One client socket, following HA's WebSocketHandler: auth phase, then commands; an outgoing message queue written
 * by one writer that coalesces everything queued into one array frame when the client enabled coalesce_messages;
 * the slow-client rules (queue reaches maxPending, or stays above pendingPeak for pendingPeakMs: closed); heartbeat.
 */
export class Connection {
  phase: 'auth' | 'command' | 'closed' = 'auth';
  lastId = 0;
  coalesce = false;
  /** subscription id -> event type ('*' = all). */
  readonly subscriptions = new Map<number, string>();
  /** Per subscription: the bytes that open its event messages. */
  private readonly prefixes = new Map<number, Buffer>();
  private queue: Queued[] = [];
  private head = 0;
  private flushScheduled = false;
  private closing = false;
  private authTimer: NodeJS.Timeout | undefined;
  private peakTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly ws: WebSocket,
    private readonly hub: Hub,
    private readonly settings: ConnectionSettings,
    private readonly onCommand: CommandHandler,
  ) {
    hub.add(this);
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    ws.on('close', () => this.onClose());
    ws.on('error', () => {}); // a 'close' always follows
    ws.on('pong', () => clearTimeout(this.pongTimer));
    this.authTimer = setTimeout(() => this.end(), settings.authTimeoutMs);
    this.heartbeat = setInterval(() => this.ping(), settings.heartbeatMs);
    this.send(`{"type":"auth_required","ha_version":${JSON.stringify(settings.version)}}`);
  }

  /** Messages queued and not yet handed to the socket. */
  pending(): number {
    return this.queue.length - this.head;
  }

  wants(eventType: string): boolean {
    for (const t of this.subscriptions.values()) if (t === eventType || t === '*') return true;
    return false;
  }

  hasRoom(chunk: number): boolean {
    return this.phase !== 'command' || (this.pending() < chunk && this.ws.bufferedAmount < WRITE_LIMIT / 2);
  }

  drained(): boolean {
    return this.phase !== 'command' || (this.pending() === 0 && this.ws.bufferedAmount === 0);
  }

  /** Queues a message (HA's _send_message), enforcing the slow-client limits. */
  send(message: Queued): void {
    if (this.closing || this.phase === 'closed') return;
    const before = this.pending();
    if (before >= this.settings.maxPending) {
      this.cancel();
      return;
    }
    this.queue.push(message);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
    if (before <= this.settings.pendingPeak) {
      if (this.peakTimer) {
        clearTimeout(this.peakTimer);
        this.peakTimer = undefined;
      }
      return;
    }
    this.peakTimer ??= setTimeout(() => {
      this.peakTimer = undefined;
      if (this.pending() >= this.settings.pendingPeak) this.cancel();
    }, this.settings.pendingPeakMs);
  }

  result(id: number, resultJson: string): void {
    this.send(`{"id":${id},"type":"result","success":true,"result":${resultJson}}`);
  }

  error(id: unknown, code: string, message: string): void {
    const idJson = id === undefined ? 'null' : JSON.stringify(id);
    this.send(
      `{"id":${idJson},"type":"result","success":false,"error":{"code":"${code}","message":${JSON.stringify(message)}}}`,
    );
  }

  /** An event for every subscription of this connection that matches. */
  deliver(eventType: string, event: Buffer): void {
    for (const [id, t] of this.subscriptions) {
      if (t !== eventType && t !== '*') continue;
      let prefix = this.prefixes.get(id);
      if (!prefix) {
        prefix = Buffer.from(`{"id":${id},"type":"event","event":`);
        this.prefixes.set(id, prefix);
      }
      this.send(new SubEvent(prefix, event));
    }
  }

  /** Sends a frame as is, after whatever is queued (tests of bad input). */
  sendRaw(frame: string): void {
    if (this.phase !== 'command' || this.closing) return;
    this.flush();
    this.ws.send(frame, this.onSent);
  }

  /** HA's writer: one bare message, or everything queued as one JSON array once coalescing is on. */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    const ws = this.ws;
    if (this.phase === 'closed' || ws.readyState !== WebSocket.OPEN) return;
    while (this.head < this.queue.length && ws.bufferedAmount < WRITE_LIMIT) {
      if (this.queue.length - this.head === 1 || !this.coalesce || this.phase !== 'command') {
        const m = this.queue[this.head++] as Queued;
        if (typeof m === 'string') ws.send(m, this.onSent);
        else ws.send(eventMessage(m), TEXT, this.onSent);
      } else {
        ws.send(arrayFrame(this.queue, this.head), TEXT, this.onSent);
        this.head = this.queue.length;
      }
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
    }
    if (this.head > 4096) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  };

  private readonly onSent = (error?: Error): void => {
    if (error) return;
    if (this.pending() > 0 && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
    this.hub.notify();
  };

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.closing || this.phase === 'closed') return;
    if (isBinary) {
      // HA routes binary frames to binary handlers (none here); an empty one, or any in the auth phase, disconnects.
      if (this.phase === 'auth' || data.length < 1) this.end();
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString('utf8'));
    } catch {
      this.end(); // "Received invalid JSON."
      return;
    }
    if (this.phase === 'auth') {
      this.onAuth(msg);
      return;
    }
    if (Array.isArray(msg)) for (const item of msg) this.onCommand(this, item);
    else this.onCommand(this, msg);
  }

  private onAuth(msg: unknown): void {
    clearTimeout(this.authTimer);
    const problem = validateAuth(msg);
    const token = (msg as { access_token?: unknown } | null)?.access_token;
    if (problem === null && token === this.settings.token) {
      this.phase = 'command';
      this.send(`{"type":"auth_ok","ha_version":${JSON.stringify(this.settings.version)}}`);
      return;
    }
    const text =
      problem === null ? 'Invalid access token or password' : `Auth message incorrectly formatted: ${problem}`;
    this.send(`{"type":"auth_invalid","message":${JSON.stringify(text)}}`);
    this.end();
  }

  private ping(): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.ping();
    clearTimeout(this.pongTimer);
    this.pongTimer = setTimeout(() => this.cancel(), this.settings.heartbeatMs / 2);
  }

  /** Writes what is queued, then a normal close (auth_invalid, invalid JSON, auth timeout). */
  end(): void {
    if (this.closing || this.phase === 'closed') return;
    this.flush();
    this.closing = true;
    this.ws.close(1000);
  }

  /** HA cancels the connection (slow client, missed heartbeat): the socket just goes away. */
  cancel(): void {
    if (this.phase === 'closed') return;
    this.closing = true;
    this.ws.terminate();
  }

  private onClose(): void {
    this.phase = 'closed';
    this.queue = [];
    this.head = 0;
    clearTimeout(this.authTimer);
    clearTimeout(this.peakTimer);
    clearTimeout(this.pongTimer);
    clearInterval(this.heartbeat);
    this.hub.remove(this);
  }
}
