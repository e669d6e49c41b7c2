import type { HaCommand } from './types';

/** Pure builders of the messages HomeIQ sends. The connection adds `id`. */

export function auth(accessToken: string): { type: 'auth'; access_token: string } {
  return { type: 'auth', access_token: accessToken };
}

export function supportedFeatures(features: { coalesceMessages?: boolean } = {}): HaCommand {
  return { type: 'supported_features', features: { coalesce_messages: features.coalesceMessages === false ? 0 : 1 } };
}

export function ping(): HaCommand {
  return { type: 'ping' };
}

export function subscribeEvents(eventType?: string): HaCommand {
  return eventType === undefined ? { type: 'subscribe_events' } : { type: 'subscribe_events', event_type: eventType };
}

export function unsubscribeEvents(subscription: number): HaCommand {
  return { type: 'unsubscribe_events', subscription };
}

export function getStates(): HaCommand {
  return { type: 'get_states' };
}

export function getConfig(): HaCommand {
  return { type: 'get_config' };
}

export function listAreas(): HaCommand {
  return { type: 'config/area_registry/list' };
}

export function listDevices(): HaCommand {
  return { type: 'config/device_registry/list' };
}

export function listEntities(): HaCommand {
  return { type: 'config/entity_registry/list' };
}

export interface HistoryRequest {
  entityIds: string[];
  /** ISO 8601. */
  startTime: string;
  endTime?: string;
}

/** Full-fidelity history for filling a gap: every change, with attributes, not minimal. */
export function historyDuringPeriod(request: HistoryRequest): HaCommand {
  const msg: HaCommand = {
    type: 'history/history_during_period',
    start_time: request.startTime,
    entity_ids: request.entityIds,
    include_start_time_state: false,
    significant_changes_only: false,
    minimal_response: false,
    no_attributes: false,
  };
  if (request.endTime !== undefined) msg.end_time = request.endTime;
  return msg;
}
