/** Home Assistant's state object, exactly as it appears on the wire (State.as_dict). */
export interface StateRecord {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_reported: string;
  last_updated: string;
  context: HaContext;
}

export interface HaContext {
  id: string;
  parent_id: string | null;
  user_id: string | null;
}

/** One `state_changed` event as it was emitted (the ground truth for tests). */
export interface EmittedEvent {
  entity_id: string;
  new_state: StateRecord | null;
  old_state: StateRecord | null;
  /** ISO 8601 with microseconds and +00:00; equals new_state.last_updated when there is a new state. */
  time_fired: string;
  context: HaContext;
  origin: 'LOCAL' | 'REMOTE';
}

export interface SimOptions {
  /** 0 (default) = a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The one valid long-lived access token; random by default. */
  token?: string;
  /** Seed of the home layout and of the event sequence (default 1). */
  seed?: number;
  /** About how many entities the home has (default 300). */
  entityCount?: number;
  /** Steady state_changed events per second (default 5; 0 = none). */
  rate?: number;
  /** ms epoch where the simulated clock starts (default Date.now()). */
  startTime?: number;
  /**
   * The recorder's `commit_interval` in ms (HA default 5 s; users set 30 s or more): history only answers with rows
   * committed so far. 0 commits every row at once (kinder than any real HA).
   */
  recorderCommitIntervalMs?: number;
  /** False: the history integration is not loaded (history/* answers unknown_command). Default true. */
  history?: boolean;
  /** Home Assistant closes a connection that sends no auth within 10 s; tests shorten it. */
  authTimeoutMs?: number;
  /** Close a client whose outgoing queue reaches this many messages (HA 2024+: 4096; older: 2048). */
  maxPendingMessages?: number;
  /** ...or stays above `pendingPeak` (HA 2024+: 1024; older: 512) for `pendingPeakMs` (HA: 5000). */
  pendingPeak?: number;
  pendingPeakMs?: number;
  /** WebSocket ping frame interval (HA/aiohttp heartbeat: 55 s); a client that misses the pong for half of it is closed. */
  heartbeatMs?: number;
  /** Who HA's OAuth sign-in (/auth/authorize) approves at once; unset: nobody can sign in that way. */
  oauthUser?: { id: string; name: string };
  /** Negotiate permessage-deflate when the client offers it, as aiohttp does (default false: cheaper benches). */
  compression?: boolean;
}

export interface SimControls {
  /** Steady rate in events per second (0 pauses). */
  setRate(eventsPerSecond: number): void;
  /** Emits `count` state_changed events as fast as the subscribed clients read them (back-pressure aware). */
  burst(count: number): Promise<void>;
  /** Closes every client socket abruptly; new connects get HTTP 503 for `refuseForMs`. Events keep happening. */
  dropConnections(opts?: { refuseForMs?: number }): void;
  /**
   * Home Assistant restart: sockets close, the port refuses connects for `downMs`, the API comes up STARTING with an
   * empty state machine, after `startingMs` every entity appears `unavailable` (old_state null), then the real values,
   * then RUNNING. Resolves when RUNNING.
   */
  restart(opts?: { downMs?: number; startingMs?: number }): Promise<void>;
  /** entity_registry_updated remove, then state_changed with new_state null. */
  removeEntity(entityId: string): void;
  /** entity_registry_updated update (old_entity_id), then the old id is removed and the new id appears. */
  renameEntity(oldId: string, newId: string): void;
  /** One state change (an unknown entity id is created); an unchanged state only moves last_reported and returns it. */
  fire(entityId: string, state: string, attributes?: Record<string, unknown>): StateRecord;
  /** A new registry entity (entity_registry_updated create) and its first state. */
  addEntity(entityId: string, state: string, attributes?: Record<string, unknown>, deviceId?: string): StateRecord;
  /** device_registry_updated update (area_id / name_by_user changes). */
  updateDevice(deviceId: string, changes: { area_id?: string | null; name_by_user?: string | null }): void;
  /** area_registry_updated update. */
  updateArea(areaId: string, changes: { name?: string; icon?: string | null }): void;
  /** Every state_changed ever emitted, including those while no client was connected. */
  emitted(): EmittedEvent[];
  /** How many state_changed events were emitted (cheap; emitted() rebuilds every event). */
  emittedCount(): number;
  entityIds(): string[];
  /** Sends a raw (possibly malformed) text frame to every authenticated client. */
  sendRaw(frame: string): void;
  /** Open client sockets. */
  clients(): number;
}

export interface SimulatedHome {
  /** http://host:port; the WebSocket API is at url + '/api/websocket'. */
  url: string;
  token: string;
  controls: SimControls;
  stop(): Promise<void>;
}

export type CoreState = 'NOT_RUNNING' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'FINAL_WRITE';
