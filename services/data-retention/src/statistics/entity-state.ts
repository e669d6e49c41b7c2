import { numericValue, type StateEvent } from '@homeiq/storage';
import { addToSum, parseLastReset, type SumClass, type SumState, startSum, sumClassOf } from './sum';

/** What the compiler knows about one entity at a point in time (also what a checkpoint stores). */
export interface EntityState {
  /** The numeric state in force, or null while the state is not a number (unavailable, removed...). */
  value: number | null;
  /** When `value` came into force, µs. */
  since: number;
  unit: string | null;
  sumClass: SumClass | null;
  sum: SumState | null;
}

export type Carry = Map<string, EntityState>;

/**
 * Applies one event to the entity's state and returns the numeric value it brought (undefined when the new state
 * is not a number). The caller closes the previous value's time segment first.
 */
export function applyEvent(carry: Carry, e: StateEvent, trackSum = true): number | undefined {
  const value = e.removed ? undefined : numericValue(e.state);
  let es = carry.get(e.entityId);
  if (value === undefined) {
    if (es) {
      es.value = null;
      es.since = e.time;
    }
    return undefined;
  }
  const unit = typeof e.attributes.unit_of_measurement === 'string' ? e.attributes.unit_of_measurement : null;
  const sumClass = sumClassOf(e.attributes);
  if (!es) {
    es = { value, since: e.time, unit, sumClass, sum: null };
    carry.set(e.entityId, es);
  } else {
    es.value = value;
    es.since = e.time;
    es.unit = unit;
    if (es.sumClass !== sumClass) es.sum = null; // a different meter kind starts its own sum
    es.sumClass = sumClass;
  }
  if (trackSum && sumClass) {
    const lastReset = sumClass === 'total' ? parseLastReset(e.attributes.last_reset) : null;
    if (es.sum) addToSum(es.sum, sumClass, value, lastReset);
    else if (!(sumClass === 'total_increasing' && value < 0)) es.sum = startSum(value, lastReset);
  }
  return value;
}

interface SerializedEntity {
  v: number | null;
  s: number;
  u: string | null;
  c: SumClass | null;
  sum?: { sum: number; last: number; lr: number | null };
}

export function serializeCarry(carry: Carry): Record<string, SerializedEntity> {
  const out: Record<string, SerializedEntity> = {};
  for (const [id, es] of carry) {
    const o: SerializedEntity = { v: es.value, s: es.since, u: es.unit, c: es.sumClass };
    if (es.sum) o.sum = { sum: es.sum.sum, last: es.sum.last, lr: es.sum.lastReset ?? null };
    out[id] = o;
  }
  return out;
}

export function deserializeCarry(raw: unknown): Carry {
  const carry: Carry = new Map();
  if (typeof raw !== 'object' || raw === null) return carry;
  for (const [id, v] of Object.entries(raw as Record<string, SerializedEntity>)) {
    carry.set(id, {
      value: typeof v.v === 'number' ? v.v : null,
      since: v.s,
      unit: v.u ?? null,
      sumClass: v.c ?? null,
      sum: v.sum ? { sum: v.sum.sum, last: v.sum.last, lastReset: v.sum.lr } : null,
    });
  }
  return carry;
}
