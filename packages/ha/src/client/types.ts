/** Home Assistant WebSocket payload shapes (snake_case as HA sends them). */

export interface HaContext {
  id: string;
  parent_id: string | null;
  user_id: string | null;
}

export interface HaState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
  last_reported?: string;
  last_updated: string;
  context: HaContext;
}

export interface HaEvent<D = unknown> {
  event_type: string;
  data: D;
  origin: string;
  time_fired: string;
  context: HaContext;
}

export interface StateChangedData {
  entity_id: string;
  old_state: HaState | null;
  new_state: HaState | null;
}

/** One state in history/history_during_period's compressed answer; times are epoch seconds. */
export interface HaCompressedState {
  s: string;
  a?: Record<string, unknown>;
  lu: number;
  /** Left out when equal to lu. */
  lc?: number;
}

export type HaHistory = Record<string, HaCompressedState[]>;

export interface HaAreaEntry {
  area_id: string;
  name: string;
  floor_id?: string | null;
  icon?: string | null;
  aliases?: string[];
  labels?: string[];
}

export interface HaDeviceEntry {
  id: string;
  name: string | null;
  name_by_user?: string | null;
  manufacturer?: string | null;
  model?: string | null;
  sw_version?: string | null;
  hw_version?: string | null;
  area_id?: string | null;
  via_device_id?: string | null;
  disabled_by?: string | null;
  entry_type?: string | null;
  identifiers?: unknown[];
  labels?: string[];
}

export interface HaEntityEntry {
  entity_id: string;
  id?: string | null;
  unique_id?: string | null;
  platform?: string | null;
  device_id?: string | null;
  area_id?: string | null;
  name?: string | null;
  original_name?: string | null;
  icon?: string | null;
  entity_category?: string | null;
  disabled_by?: string | null;
  hidden_by?: string | null;
  labels?: string[];
}

export interface EntityRegistryUpdated {
  action: 'create' | 'update' | 'remove';
  entity_id: string;
  old_entity_id?: string;
  changes?: Record<string, unknown>;
}

export interface DeviceRegistryUpdated {
  action: 'create' | 'update' | 'remove';
  device_id: string;
}

export interface AreaRegistryUpdated {
  action: 'create' | 'update' | 'remove' | 'reorder';
  area_id?: string;
}

export interface HaConfig {
  location_name?: string;
  version?: string;
  state?: 'NOT_RUNNING' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'FINAL_WRITE';
  time_zone?: string;
  [key: string]: unknown;
}

/** A command as sent, before the connection assigns its id. */
export interface HaCommand {
  type: string;
  [key: string]: unknown;
}
