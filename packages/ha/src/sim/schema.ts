/** A tiny stand-in for the voluptuous schemas HA validates commands with, with its humanized error texts. */
export type FieldType = 'string' | 'boolean' | 'int' | 'string[]' | 'features';

export interface CommandSchema {
  required?: Record<string, FieldType>;
  optional?: Record<string, FieldType>;
}

/** Python repr, as voluptuous prints the offending value. */
function repr(value: unknown): string {
  if (value === undefined || value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `'${value}'`;
  return JSON.stringify(value);
}

function checkType(key: string, value: unknown, type: FieldType): string | null {
  switch (type) {
    case 'string':
      return typeof value === 'string'
        ? null
        : `expected str for dictionary value @ data['${key}']. Got ${repr(value)}`;
    case 'boolean':
      return typeof value === 'boolean'
        ? null
        : `expected bool for dictionary value @ data['${key}']. Got ${repr(value)}`;
    case 'int':
      // cv.positive_int coerces, so "3" is accepted as 3
      if (
        (typeof value === 'number' && Number.isInteger(value)) ||
        (typeof value === 'string' && /^\d+$/.test(value))
      ) {
        return Number(value) >= 0
          ? null
          : `value must be at least 0 for dictionary value @ data['${key}']. Got ${repr(value)}`;
      }
      return `expected int for dictionary value @ data['${key}']. Got ${repr(value)}`;
    case 'string[]': {
      if (!Array.isArray(value)) return `expected list for dictionary value @ data['${key}']. Got ${repr(value)}`;
      const bad = value.findIndex((item) => typeof item !== 'string');
      return bad < 0 ? null : `expected str @ data['${key}'][${bad}]. Got ${repr(value[bad])}`;
    }
    case 'features': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return `expected dict for dictionary value @ data['${key}']. Got ${repr(value)}`;
      }
      for (const [k, v] of Object.entries(value)) {
        if (!Number.isInteger(v)) return `expected int @ data['${key}']['${k}']. Got ${repr(v)}`;
      }
      return null;
    }
  }
}

/** Returns the humanized error (invalid_format) or null. `id` and `type` are always allowed. */
export function validate(msg: Record<string, unknown>, schema: CommandSchema): string | null {
  const required = schema.required ?? {};
  const optional = schema.optional ?? {};
  for (const key of Object.keys(msg)) {
    if (key === 'id' || key === 'type') continue;
    const type = required[key] ?? optional[key];
    if (!type) return `extra keys not allowed @ data['${key}']. Got ${repr(msg[key])}`;
    const error = checkType(key, msg[key], type);
    if (error) return error;
  }
  for (const key of Object.keys(required)) {
    if (!(key in msg)) return `required key not provided @ data['${key}']. Got None`;
  }
  return null;
}

/** HA's AUTH_MESSAGE_SCHEMA: type "auth" plus access_token (or the legacy api_password). */
export function validateAuth(msg: unknown): string | null {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return `expected a dictionary. Got ${repr(msg)}`;
  const m = msg as Record<string, unknown>;
  if (m.type !== 'auth')
    return `value must be one of ['auth'] for dictionary value @ data['type']. Got ${repr(m.type)}`;
  for (const key of Object.keys(m)) {
    if (key === 'type') continue;
    if (key !== 'access_token' && key !== 'api_password')
      return `extra keys not allowed @ data['${key}']. Got ${repr(m[key])}`;
    if (typeof m[key] !== 'string') return `expected str for dictionary value @ data['${key}']. Got ${repr(m[key])}`;
  }
  if ('access_token' in m && 'api_password' in m) {
    return "two or more values in the same group of exclusion 'login' @ data[<login>]";
  }
  return null;
}
