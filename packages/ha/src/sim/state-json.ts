import type { HaContext, StateRecord } from './types';

/** JSON of a context; ids are ULIDs / hex, but anything else is escaped properly. */
export function contextJson(c: HaContext): string {
  const parent = c.parent_id === null ? 'null' : JSON.stringify(c.parent_id);
  const user = c.user_id === null ? 'null' : JSON.stringify(c.user_id);
  return `{"id":${JSON.stringify(c.id)},"parent_id":${parent},"user_id":${user}}`;
}

/**
 * JSON of a state in HA's key order, from pre-serialized parts (the entity id and the attributes are serialized once and
 * reused for as long as they do not change; timestamps are plain ISO strings).
 */
export function stateJson(idJson: string, st: StateRecord, attrsJson: string): string {
  return (
    '{"entity_id":' +
    idJson +
    ',"state":' +
    JSON.stringify(st.state) +
    ',"attributes":' +
    attrsJson +
    ',"last_changed":"' +
    st.last_changed +
    '","last_reported":"' +
    st.last_reported +
    '","last_updated":"' +
    st.last_updated +
    '","context":' +
    contextJson(st.context) +
    '}'
  );
}

/** The `event` object of a bus event, as HA serializes it (event_type, data, origin, time_fired, context). */
export function eventJson(
  eventType: string,
  dataJson: string,
  origin: string,
  timeFired: string,
  ctx: HaContext,
): string {
  return (
    '{"event_type":' +
    JSON.stringify(eventType) +
    ',"data":' +
    dataJson +
    ',"origin":"' +
    origin +
    '","time_fired":"' +
    timeFired +
    '","context":' +
    contextJson(ctx) +
    '}'
  );
}
