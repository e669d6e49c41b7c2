import type WebSocket from 'ws';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff';
import { HaAuthError, HaClientError, HaCommandError, HaConnectionLostError, HaTimeoutError } from './errors';
import { Listeners } from './listeners';
import * as messages from './messages';
import { openSocket } from './socket';
import type { HaCommand } from './types';
import { safeUrl, websocketUrl } from './url';

export interface HaConnectionOptions {
  /** HA_URL: http(s):// base URL or ws(s):// URL. */
  url: string;
  token: string;
  /** Ask HA to coalesce queued messages into JSON arrays (fewer frames under load). Default true. */
  coalesce?: boolean;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Silence after which a ping is sent. */
  pingIntervalMs?: number;
  /** Further silence after the ping before the link is declared dead and re-established. */
  pingTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  maxPayload?: number;
}

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'auth_failed' | 'closed';

export type ProblemKind = 'malformed_frame' | 'unexpected_message' | 'handler_error';

export interface ConnectionProblem {
  kind: ProblemKind;
  detail: string;
}

export interface ConnectionCounters {
  frames: number;
  messages: number;
  malformedFrames: number;
  unexpectedMessages: number;
  handlerErrors: number;
  /** Successful connections after the first. */
  reconnects: number;
  failedAttempts: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  type: string;
}

interface Subscription {
  message: HaCommand;
  callback: (event: unknown) => void;
  /** Id on the current connection; undefined while not subscribed there. */
  id: number | undefined;
  /** Generation of the connection it is subscribed on: guarantees one subscribe per connection. */
  gen: number;
  ready: { resolve(): void; reject(e: Error): void; settled: boolean };
}

export interface SubscriptionHandle {
  /** Settles when first subscribed (rejects if HA refuses the subscription). */
  readonly ready: Promise<void>;
  unsubscribe(): Promise<void>;
}

/**
 * The connection layer: one logical link to Home Assistant over successive sockets. Correlates command ids
 * (with timeouts; in-flight commands are rejected when a socket closes), keeps subscriptions across reconnects
 * (each re-subscribed exactly once per new socket), enables coalescing, accepts a JSON array or a bare object in
 * every frame, pings when the link is silent and reconnects with capped, jittered backoff. Each frame is parsed
 * once; `onFrame` listeners get the raw bytes after its messages were dispatched.
 */
export class HaConnection {
  state: ConnectionState = 'idle';
  haVersion: string | undefined;
  lastError: string | null = null;
  connectedAt: number | null = null;
  readonly counters: ConnectionCounters = {
    frames: 0,
    messages: 0,
    malformedFrames: 0,
    unexpectedMessages: 0,
    handlerErrors: 0,
    reconnects: 0,
    failedAttempts: 0,
  };
  readonly endpoint: string;

  private readonly opts: Required<Omit<HaConnectionOptions, 'backoff' | 'maxPayload'>> & { maxPayload?: number };
  private readonly backoff: BackoffOptions;
  private ws: WebSocket | undefined;
  private gen = 0;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly subscriptions = new Set<Subscription>();
  private subsById = new Map<number, Subscription>();
  private closed = false;
  private paused = false;
  private resumeWaiter: (() => void) | undefined;
  private sleepWaker: (() => void) | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private lastActivity = 0;
  private framesAtCheck = 0;
  private pingSentAt = 0;
  private everConnected = false;
  private dropReason: string | undefined;
  private loopDone: Promise<void> | undefined;

  private readonly frameListeners = new Listeners<[Buffer]>();
  private readonly connectedListeners = new Listeners<[{ reconnect: boolean; haVersion: string }]>();
  private readonly disconnectedListeners = new Listeners<[{ reason: string }]>();
  private readonly problemListeners = new Listeners<[ConnectionProblem]>();
  private readonly authFailedListeners = new Listeners<[HaAuthError]>();

  constructor(options: HaConnectionOptions) {
    this.endpoint = websocketUrl(options.url);
    this.opts = {
      url: options.url,
      token: options.token,
      coalesce: options.coalesce ?? true,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      commandTimeoutMs: options.commandTimeoutMs ?? 30_000,
      pingIntervalMs: options.pingIntervalMs ?? 30_000,
      pingTimeoutMs: options.pingTimeoutMs ?? 10_000,
      maxPayload: options.maxPayload,
    };
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  onFrame(listener: (raw: Buffer) => void): () => void {
    return this.frameListeners.add(listener);
  }
  onConnected(listener: (info: { reconnect: boolean; haVersion: string }) => void): () => void {
    return this.connectedListeners.add(listener);
  }
  onDisconnected(listener: (info: { reason: string }) => void): () => void {
    return this.disconnectedListeners.add(listener);
  }
  onProblem(listener: (problem: ConnectionProblem) => void): () => void {
    return this.problemListeners.add(listener);
  }
  onAuthFailed(listener: (error: HaAuthError) => void): () => void {
    return this.authFailedListeners.add(listener);
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /**
   * Starts the connect loop. Settles after the first attempt: resolves when connected, rejects with its error
   * otherwise. The loop keeps retrying after a retryable failure; an HaAuthError ends it.
   */
  connect(): Promise<void> {
    if (this.loopDone) throw new Error('HaConnection.connect() called twice');
    let first!: { resolve(): void; reject(e: Error): void };
    const firstAttempt = new Promise<void>((resolve, reject) => {
      first = { resolve, reject };
    });
    this.loopDone = this.loop(first);
    return firstAttempt;
  }

  /** Sends a command and resolves with its result (pong for ping). Rejects at once when not connected. */
  command<T = unknown>(message: HaCommand, options: { timeoutMs?: number } = {}): Promise<T> {
    const ws = this.ws;
    if (ws === undefined || ws.readyState !== 1) return Promise.reject(new HaConnectionLostError('not connected'));
    return this.send(ws, message, options.timeoutMs ?? this.opts.commandTimeoutMs) as Promise<T>;
  }

  /** Subscribes now if connected, else on the next connection; re-subscribed once on every reconnect. */
  subscribe(message: HaCommand, callback: (event: unknown) => void): SubscriptionHandle {
    let ready!: Subscription['ready'];
    const readyPromise = new Promise<void>((resolve, reject) => {
      ready = { resolve, reject, settled: false };
    });
    readyPromise.catch(() => {});
    const sub: Subscription = { message, callback, id: undefined, gen: -1, ready };
    this.subscriptions.add(sub);
    if (this.state === 'connected') void this.subscribeOn(sub).catch(() => {});
    return {
      ready: readyPromise,
      unsubscribe: async () => {
        this.subscriptions.delete(sub);
        const id = sub.id;
        if (id === undefined) return;
        this.subsById.delete(id);
        sub.id = undefined;
        if (this.state === 'connected') await this.command(messages.unsubscribeEvents(id)).catch(() => {});
      },
    };
  }

  subscribeEvents<T = unknown>(eventType: string | undefined, callback: (event: T) => void): SubscriptionHandle {
    return this.subscribe(messages.subscribeEvents(eventType), callback as (event: unknown) => void);
  }

  /** Stops reading the socket (back-pressure from storage). Keepalive is suspended meanwhile. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.ws?.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.lastActivity = Date.now();
    this.ws?.resume();
    const wake = this.resumeWaiter;
    this.resumeWaiter = undefined;
    wake?.();
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Drops the current socket (the loop reconnects). For tests and for a stuck link. */
  dropSocket(reason = 'dropped by the client'): void {
    if (this.ws === undefined) return;
    this.dropReason = reason;
    this.ws.terminate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sleepWaker?.();
    this.resumeWaiter?.();
    const ws = this.ws;
    if (ws) {
      ws.close(1000);
      setTimeout(() => ws.terminate(), 1000).unref();
    }
    await this.loopDone;
    this.state = 'closed';
  }

  private async loop(first: { resolve(): void; reject(e: Error): void }): Promise<void> {
    let attempt = 0;
    let firstPending = true;
    const settleFirst = (error?: Error) => {
      if (!firstPending) return;
      firstPending = false;
      if (error) first.reject(error);
      else first.resolve();
    };
    while (!this.closed) {
      if (this.paused) await new Promise<void>((r) => (this.resumeWaiter = r));
      if (this.closed) break;
      this.state = 'connecting';
      const opened = await this.open().catch((error: Error) => error);
      if (opened instanceof Error) {
        this.counters.failedAttempts++;
        this.lastError = opened.message;
        this.state = 'disconnected';
        settleFirst(opened);
        if (opened instanceof HaAuthError) {
          this.state = 'auth_failed';
          this.authFailedListeners.emit(opened);
          return;
        }
        await this.sleep(backoffDelay(attempt++, this.backoff));
        continue;
      }
      if (this.closed) {
        this.ws?.terminate();
        await opened.closed;
        break;
      }
      const since = Date.now();
      this.connectedAt = since;
      const reconnect = this.everConnected;
      if (reconnect) this.counters.reconnects++;
      this.everConnected = true;
      this.lastError = null;
      settleFirst();
      this.connectedListeners.emit({ reconnect, haVersion: this.haVersion ?? 'unknown' });
      const reason = await opened.closed;
      this.connectedAt = null;
      if (this.closed) break;
      this.state = 'disconnected';
      this.lastError = reason;
      this.disconnectedListeners.emit({ reason });
      // A link that dies right after it was made counts as a failed attempt: no hot reconnect loop.
      attempt = Date.now() - since > 10_000 ? 0 : attempt + 1;
      await this.sleep(backoffDelay(attempt === 0 ? 0 : attempt - 1, this.backoff));
    }
    this.state = 'closed';
  }

  /** Opens, authenticates and sets up one socket; `closed` resolves with its close reason. */
  private async open(): Promise<{ closed: Promise<string> }> {
    const { ws, haVersion } = await openSocket({
      url: this.endpoint,
      token: this.opts.token,
      timeoutMs: this.opts.connectTimeoutMs,
      onFrame: this.handleFrame,
      maxPayload: this.opts.maxPayload,
    });
    this.gen++;
    this.nextId = 0;
    this.subsById = new Map();
    this.ws = ws;
    this.haVersion = haVersion;
    if (this.paused) ws.pause();
    const closed = new Promise<string>((resolve) => {
      ws.on('close', (code: number, reason: Buffer) => {
        this.onSocketClosed(ws);
        const why =
          this.dropReason ?? `socket closed (code ${code}${reason.length > 0 ? `: ${reason.toString()}` : ''})`;
        this.dropReason = undefined;
        resolve(why);
      });
    });
    ws.on('error', (error: Error) => {
      this.lastError = error.message;
    });
    try {
      if (this.opts.coalesce) await this.send(ws, messages.supportedFeatures(), this.opts.commandTimeoutMs);
      await this.resubscribe();
    } catch (error) {
      ws.terminate();
      await closed;
      throw error instanceof HaClientError
        ? error
        : new HaClientError('HA_SETUP_FAILED', `setting up the connection failed: ${String(error)}`);
    }
    this.state = 'connected';
    this.startKeepalive(ws);
    return { closed };
  }

  /** Subscribes every subscription not yet subscribed on this socket, including ones added meanwhile. */
  private async resubscribe(): Promise<void> {
    for (;;) {
      const todo = [...this.subscriptions].filter((s) => s.gen !== this.gen);
      if (todo.length === 0) return;
      await Promise.all(todo.map((s) => this.subscribeOn(s)));
    }
  }

  private async subscribeOn(sub: Subscription): Promise<void> {
    const ws = this.ws;
    if (ws === undefined || sub.gen === this.gen) return;
    sub.gen = this.gen;
    const id = this.nextId + 1;
    sub.id = id;
    this.subsById.set(id, sub);
    try {
      await this.send(ws, sub.message, this.opts.commandTimeoutMs);
      if (!sub.ready.settled) {
        sub.ready.settled = true;
        sub.ready.resolve();
      }
    } catch (error) {
      this.subsById.delete(id);
      sub.id = undefined;
      if (error instanceof HaCommandError) {
        // HA refused it for good (e.g. unauthorized): drop it rather than failing every reconnect.
        this.subscriptions.delete(sub);
        if (!sub.ready.settled) {
          sub.ready.settled = true;
          sub.ready.reject(error);
        }
        return;
      }
      sub.gen = -1;
      throw error;
    }
  }

  private send(ws: WebSocket, message: HaCommand, timeoutMs: number): Promise<unknown> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new HaTimeoutError(`command ${message.type}`, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, type: message.type });
      ws.send(JSON.stringify({ id, ...message }));
    });
  }

  /** The hot path: one JSON.parse per frame, then a plain loop over the messages. */
  private readonly handleFrame = (data: Buffer): void => {
    this.counters.frames++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString());
    } catch {
      this.counters.malformedFrames++;
      this.problem('malformed_frame', `not JSON: ${data.subarray(0, 120).toString()}`);
      return;
    }
    if (Array.isArray(parsed)) {
      for (let i = 0; i < parsed.length; i++) this.dispatch(parsed[i]);
    } else {
      this.dispatch(parsed);
    }
    if (this.frameListeners.size > 0) this.frameListeners.emit(data);
  };

  private dispatch(msg: unknown): void {
    this.counters.messages++;
    if (typeof msg !== 'object' || msg === null) {
      this.counters.unexpectedMessages++;
      this.problem('unexpected_message', `not an object: ${String(msg).slice(0, 80)}`);
      return;
    }
    const m = msg as { id?: unknown; type?: unknown; event?: unknown; success?: unknown; result?: unknown };
    const id = m.id as number;
    if (m.type === 'event') {
      const sub = this.subsById.get(id);
      if (sub === undefined) {
        this.counters.unexpectedMessages++;
        this.problem('unexpected_message', `event for unknown subscription ${String(m.id)}`);
        return;
      }
      try {
        sub.callback(m.event);
      } catch (error) {
        this.counters.handlerErrors++;
        this.problem('handler_error', error instanceof Error ? error.message : String(error));
      }
      return;
    }
    const pending = this.pending.get(id);
    if ((m.type === 'result' || m.type === 'pong') && pending !== undefined) {
      this.pending.delete(id);
      clearTimeout(pending.timer);
      if (m.type === 'pong' || m.success === true) {
        pending.resolve(m.result ?? null);
      } else {
        const err = (m as { error?: { code?: unknown; message?: unknown } }).error;
        pending.reject(new HaCommandError(pending.type, String(err?.code ?? 'unknown'), String(err?.message ?? '')));
      }
      return;
    }
    this.counters.unexpectedMessages++;
    this.problem('unexpected_message', `unexpected ${String(m.type)} message (id ${String(m.id)})`);
  }

  private problem(kind: ProblemKind, detail: string): void {
    if (this.problemListeners.size > 0) this.problemListeners.emit({ kind, detail });
  }

  private onSocketClosed(ws: WebSocket): void {
    if (this.ws !== ws) return;
    this.ws = undefined;
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = undefined;
    const lost = new HaConnectionLostError(`connection to Home Assistant at ${safeUrl(this.endpoint)} lost`);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(lost);
    }
    for (const sub of this.subscriptions) sub.id = undefined;
    this.subsById = new Map();
  }

  /** Any frame counts as a sign of life; after pingIntervalMs of silence a ping, after pingTimeoutMs more, a reconnect. */
  private startKeepalive(ws: WebSocket): void {
    this.lastActivity = Date.now();
    this.framesAtCheck = this.counters.frames;
    this.pingSentAt = 0;
    const every = Math.max(10, Math.min(this.opts.pingIntervalMs, this.opts.pingTimeoutMs) / 4);
    this.keepalive = setInterval(() => {
      const now = Date.now();
      if (this.paused || this.counters.frames !== this.framesAtCheck) {
        this.framesAtCheck = this.counters.frames;
        this.lastActivity = now;
        this.pingSentAt = 0;
        return;
      }
      if (this.pingSentAt > 0 && now - this.pingSentAt >= this.opts.pingTimeoutMs) {
        this.dropReason = `keepalive: no answer within ${this.opts.pingTimeoutMs} ms of a ping`;
        ws.terminate();
        return;
      }
      if (this.pingSentAt === 0 && now - this.lastActivity >= this.opts.pingIntervalMs) {
        this.pingSentAt = now;
        this.send(ws, messages.ping(), this.opts.pingTimeoutMs + 1000).catch(() => {});
      }
    }, every);
    this.keepalive.unref();
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.sleepWaker = done;
    });
  }
}
