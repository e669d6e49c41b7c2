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

/** JSON of a state from its parts (the context already serialized). */
export function stateJsonParts(
  idJson: string,
  state: string,
  attrsJson: string,
  lastChanged: string,
  lastReported: string,
  lastUpdated: string,
  ctxJson: string,
): string {
  return (
    '{"entity_id":' +
    idJson +
    ',"state":' +
    JSON.stringify(state) +
    ',"attributes":' +
    attrsJson +
    ',"last_changed":"' +
    lastChanged +
    '","last_reported":"' +
    lastReported +
    '","last_updated":"' +
    lastUpdated +
    '","context":' +
    ctxJson +
    '}'
  );
}

const NEW_STATE = Buffer.from(',"new_state":');
export const NULL_BYTES = Buffer.from('null');

/**
 * A state_changed `event` object as UTF-8 bytes, from the old and new states already encoded: each state is encoded
 * once, when it is new, and copied (not re-encoded) when it becomes the next event's old_state.
 */
export function stateChangedBytes(
  idJson: string,
  oldBytes: Buffer,
  newBytes: Buffer,
  origin: string,
  timeFired: string,
  ctxJson: string,
): Buffer {
  const head = '{"event_type":"state_changed","data":{"entity_id":' + idJson + ',"old_state":';
  // Everything in the tail is ASCII (origin, ISO time, ULIDs, hex user ids).
  const tail = '},"origin":"' + origin + '","time_fired":"' + timeFired + '","context":' + ctxJson + '}';
  const headLength = Buffer.byteLength(head);
  const buf = Buffer.allocUnsafe(headLength + oldBytes.length + NEW_STATE.length + newBytes.length + tail.length);
  let off = buf.write(head, 0);
  off += oldBytes.copy(buf, off);
  off += NEW_STATE.copy(buf, off);
  off += newBytes.copy(buf, off);
  buf.write(tail, off, 'latin1');
  return buf;
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
