import type { Logger } from '@homeiq/core';
import { domainOf, type EventJson, type LiveFeed, type StateEvent, toEventJson } from '@homeiq/storage';

/** One connected live-stream client, WebSocket or SSE. */
export interface StreamSink {
  readonly kind: 'ws' | 'sse';
  /** Bytes accepted but not yet handed to the network. */
  buffered(): number;
  send(json: string): void;
  /** Disconnects because the client cannot keep up, telling it why. */
  reject(reason: string): void;
  /** Keep-alive; a sink that finds its client dead terminates it (its close then removes it). */
  heartbeat(): void;
  /** Server shutdown. */
  close(): void;
}

export interface StreamFilter {
  entityIds?: readonly string[];
  domains?: readonly string[];
}

export interface StreamOptions {
  maxBufferedBytes: number;
  heartbeatMs: number;
}

interface Client {
  sink: StreamSink;
  unsubscribe: () => void;
}

/**
 * Fans the live feed out to stream clients. Each client's backlog is bounded by `maxBufferedBytes`: one that
 * cannot keep up is disconnected with the reason rather than buffered without bound (it can resume from the
 * REST events API). Serialization is shared between clients that see the same events.
 */
export class StreamHub {
  private readonly clients = new Set<Client>();
  private readonly jsonCache = new WeakMap<readonly StateEvent[], EventJson[]>();
  private readonly textCache = new WeakMap<readonly StateEvent[], string>();
  private timer: NodeJS.Timeout | undefined;
  readonly counters = { connected: 0, slowDisconnects: 0, messages: 0 };

  constructor(
    private readonly live: () => LiveFeed,
    private readonly options: StreamOptions,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  add(sink: StreamSink, filter: StreamFilter): () => void {
    const entityIds = filter.entityIds?.length ? new Set(filter.entityIds) : undefined;
    const domains = filter.domains?.length ? new Set(filter.domains) : undefined;
    const match = (e: StateEvent) =>
      (!entityIds || entityIds.has(e.entityId)) && (!domains || domains.has(domainOf(e.entityId)));
    let done = false;
    const client: Client = {
      sink,
      unsubscribe: this.live().subscribe((batch) => {
        if (done) return;
        const text = entityIds || domains ? this.filtered(batch, match) : this.text(batch);
        if (text === undefined) return;
        sink.send(text);
        this.counters.messages += 1;
        const buffered = sink.buffered();
        if (buffered > this.options.maxBufferedBytes) {
          remove();
          this.counters.slowDisconnects += 1;
          this.logger.warn({ kind: sink.kind, buffered }, 'live stream client too slow; disconnected');
          sink.reject(`client too slow: ${buffered} bytes waiting (limit ${this.options.maxBufferedBytes})`);
        }
      }),
    };
    const remove = () => {
      if (done) return;
      done = true;
      client.unsubscribe();
      this.clients.delete(client);
      if (this.clients.size === 0) this.stopHeartbeat();
    };
    this.clients.add(client);
    this.counters.connected += 1;
    this.startHeartbeat();
    return remove;
  }

  closeAll(): void {
    for (const client of [...this.clients]) {
      client.unsubscribe();
      client.sink.close();
    }
    this.clients.clear();
    this.stopHeartbeat();
  }

  private json(batch: readonly StateEvent[]): EventJson[] {
    let json = this.jsonCache.get(batch);
    if (!json) {
      json = batch.map(toEventJson);
      this.jsonCache.set(batch, json);
    }
    return json;
  }

  private text(batch: readonly StateEvent[]): string {
    let text = this.textCache.get(batch);
    if (text === undefined) {
      text = JSON.stringify(this.json(batch));
      this.textCache.set(batch, text);
    }
    return text;
  }

  private filtered(batch: readonly StateEvent[], match: (e: StateEvent) => boolean): string | undefined {
    const json = this.json(batch);
    const picked: EventJson[] = [];
    for (let i = 0; i < batch.length; i++) if (match(batch[i] as StateEvent)) picked.push(json[i] as EventJson);
    if (picked.length === 0) return undefined;
    return picked.length === batch.length ? this.text(batch) : JSON.stringify(picked);
  }

  private startHeartbeat(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const client of this.clients) client.sink.heartbeat();
    }, this.options.heartbeatMs);
    this.timer.unref();
  }

  private stopHeartbeat(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
