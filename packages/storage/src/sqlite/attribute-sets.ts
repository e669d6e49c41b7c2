// Attribute sets stored as patches (schema.ts, attributes.base). A light or a media player makes a new set on
// most events because one value changes (brightness, media_position_updated_at): such a set is stored as a JSON
// object of only the values that differ from its entity's keyframe - a full set with exactly the same keys in the
// same order. Applying the patch onto the keyframe gives back the set's text exactly: a JSON.stringify text parses
// to an object that stringifies to the same text, and redefining an existing own key keeps its place.

/** A full stored set that patches of its entity are made against. */
export interface Keyframe {
  id: number;
  values: Record<string, unknown>;
  keys: string[];
}

export function keyframe(id: number, values: Record<string, unknown>): Keyframe {
  return { id, values, keys: Object.keys(values) };
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;

/**
 * The patch text turning `base` into `next` (the parsed set whose text is `json`), or undefined when the set is
 * to be stored whole: other keys or another key order, or a patch not under half of the set's text.
 */
export function encodePatch(base: Keyframe, next: Record<string, unknown>, json: string): string | undefined {
  const keys = Object.keys(next);
  if (keys.length !== base.keys.length) return undefined;
  const limit = json.length / 2;
  let patch = '';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k !== base.keys[i]) return undefined;
    const was = base.values[k];
    const now = next[k];
    if (was === now) continue;
    const text = JSON.stringify(now);
    if (isObject(was) && isObject(now) && JSON.stringify(was) === text) continue;
    patch += `${patch === '' ? '{' : ','}${JSON.stringify(k)}:${text}`;
    if (patch.length + 1 >= limit) return undefined;
  }
  return patch === '' ? '{}' : `${patch}}`;
}

/** The full text of a set stored as `patch` onto the full set `baseText`. */
export function applyPatch(baseText: string, patch: string): string {
  const out = JSON.parse(baseText) as Record<string, unknown>;
  const values = JSON.parse(patch) as Record<string, unknown>;
  for (const k of Object.keys(values)) {
    // Not `out[k] = ...`: for a key "__proto__" that the base lacked, that would set the prototype.
    Object.defineProperty(out, k, { value: values[k], writable: true, enumerable: true, configurable: true });
  }
  return JSON.stringify(out);
}
