/**
 * Request checks that JSON Schema cannot express, applied to every route of every service in one place:
 * - numbers must be finite: Ajv coerces `limit=Infinity` or `1e309` (and JSON bodies may hold 1e309) to
 *   Infinity, which passes `type: integer` and then breaks the handler or the store;
 * - an `integer` field must be a safe integer (2^53 and above lose precision silently);
 * - a JSON body may nest at most MAX_BODY_DEPTH deep (validators and handlers recurse).
 * Each problem is a 400 naming the field, like a schema error.
 */

/** Deeper than any request HomeIQ accepts (webhook filters, policies); far below what overflows a stack. */
export const MAX_BODY_DEPTH = 64;

interface SchemaNode {
  type?: unknown;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  additionalProperties?: unknown;
  anyOf?: SchemaNode[];
}

export interface InputProblem {
  field: string;
  message: string;
}

/** The first number in `value` that is not finite, or not a safe integer where the schema says integer. */
export function findBadNumber(value: unknown, schema: unknown, field: string): InputProblem | undefined {
  // Iterative, bounded: the value has already passed MAX_BODY_DEPTH (bodies) or is flat (query, params).
  const stack: Array<[unknown, SchemaNode | undefined, string, number]> = [[value, asSchema(schema), field, 0]];
  while (stack.length > 0) {
    const [v, s, path, depth] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { field: path, message: `${path} must be a finite number` };
      if (isInteger(s) && !Number.isSafeInteger(v)) {
        return { field: path, message: `${path} must be an integer between -(2^53-1) and 2^53-1` };
      }
      continue;
    }
    if (typeof v !== 'object' || v === null || depth > MAX_BODY_DEPTH) continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], s?.items, `${path}.${i}`, depth + 1]);
      continue;
    }
    for (const key of Object.keys(v)) {
      const child = s?.properties?.[key] ?? asSchema(s?.additionalProperties);
      stack.push([(v as Record<string, unknown>)[key], child, `${path}.${key}`, depth + 1]);
    }
  }
  return undefined;
}

/** Whether a parsed JSON value nests deeper than `max` (iteratively: the value may be arbitrarily deep). */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push([c, depth + 1]);
  }
  return false;
}

function asSchema(s: unknown): SchemaNode | undefined {
  return typeof s === 'object' && s !== null ? (s as SchemaNode) : undefined;
}

function isInteger(s: SchemaNode | undefined): boolean {
  if (!s) return false;
  if (s.type === 'integer') return true;
  return Array.isArray(s.anyOf) && s.anyOf.some((x) => x.type === 'integer');
}
