import type { StateEvent } from './types';

export type LiveListener = (events: readonly StateEvent[]) => void;

/**
 * Fan-out of freshly received events to in-process readers (data-api stream, webhooks).
 * Listeners are called synchronously and must not block: each keeps its own bounded queue.
 * In a split deployment, websocket-ingestion serves the same feed at GET /api/v1/live (WebSocket,
 * each message a JSON array of events in the export format) and readers use a remote feed.
 */
export interface LiveFeed {
  subscribe(listener: LiveListener): () => void;
}

export class InProcessLiveFeed implements LiveFeed {
  private readonly listeners = new Set<LiveListener>();

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(events: readonly StateEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(events);
      } catch {
        // A faulty reader never harms ingestion or the other readers.
      }
    }
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
