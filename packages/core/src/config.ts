import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';

/**
 * A tiny declarative env schema. Each service declares its variables once; the parsed type is inferred
 * from the declaration, every problem is collected before failing, and secrets are known so that
 * `maskedConfig` can show the effective configuration without leaking them.
 */
type Env = Record<string, string | undefined>;

interface FieldBase<T> {
  env: string;
  description: string;
  secret?: boolean;
  parse(raw: string | undefined): T;
  /** How the parsed value reads in docs (e.g. a duration in ms as "3s"). */
  show?(value: T): string;
}

export type Field<T> = FieldBase<T> & { readonly __type?: T };
export type Schema = Record<string, Field<unknown>>;
export type ConfigOf<S extends Schema> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

class FieldProblem extends Error {}

function fail(message: string): never {
  throw new FieldProblem(message);
}

export function str(env: string, description: string, fallback: string): Field<string> {
  return { env, description, parse: (raw) => (raw === undefined || raw === '' ? fallback : raw) };
}

export function optionalStr(env: string, description: string): Field<string | undefined> {
  return { env, description, parse: (raw) => (raw === undefined || raw === '' ? undefined : raw) };
}

/**
 * The placeholders .env.example and the docs show for secrets. A deployment that kept one has no secret
 * at all (the value is public), so it is refused like a missing one would be for a required field.
 */
export const DOCUMENTED_PLACEHOLDERS: readonly string[] = [
  'change-me',
  'changeme',
  'change-me-to-a-long-random-string',
  'change-me-to-a-long-random-token',
  'paste-a-long-lived-access-token',
];

/** A secret: masked in the config view and redacted in logs; readable from `<env>_FILE` (Docker secrets). */
export function secret(
  env: string,
  description: string,
  options: { minLength?: number } = {},
): Field<string | undefined> {
  return {
    env,
    description,
    secret: true,
    parse(raw) {
      if (raw === undefined || raw === '') return undefined;
      if (DOCUMENTED_PLACEHOLDERS.includes(raw.trim().toLowerCase()))
        fail('is still the placeholder from .env.example; set a real value');
      if (options.minLength !== undefined && raw.length < options.minLength)
        fail(`must be at least ${options.minLength} characters, got ${raw.length}`);
      return raw;
    },
  };
}

export function int(
  env: string,
  description: string,
  fallback: number,
  range: { min?: number; max?: number } = {},
): Field<number> {
  return {
    env,
    description,
    parse(raw) {
      if (raw === undefined || raw === '') return fallback;
      if (!/^-?\d+$/.test(raw.trim())) fail(`must be a whole number, got "${raw}"`);
      const value = Number(raw);
      if (range.min !== undefined && value < range.min) fail(`must be >= ${range.min}, got ${value}`);
      if (range.max !== undefined && value > range.max) fail(`must be <= ${range.max}, got ${value}`);
      return value;
    },
  };
}

export function port(env: string, description: string, fallback: number): Field<number> {
  return int(env, description, fallback, { min: 0, max: 65535 });
}

export function num(
  env: string,
  description: string,
  fallback: number,
  range: { min?: number; max?: number } = {},
): Field<number> {
  return {
    env,
    description,
    parse(raw) {
      if (raw === undefined || raw === '') return fallback;
      const value = Number(raw);
      if (!Number.isFinite(value)) fail(`must be a number, got "${raw}"`);
      if (range.min !== undefined && value < range.min) fail(`must be >= ${range.min}, got ${value}`);
      if (range.max !== undefined && value > range.max) fail(`must be <= ${range.max}, got ${value}`);
      return value;
    },
  };
}

/** Durations like "3s", "500ms", "15m", "2h", "365d"; a bare number means `bareUnit`. Parsed to milliseconds. */
export function duration(
  env: string,
  description: string,
  fallbackMs: number,
  bareUnit: 'ms' | 's' = 's',
): Field<number> {
  return {
    env,
    description,
    show: formatDuration,
    parse(raw) {
      if (raw === undefined || raw === '') return fallbackMs;
      const ms = parseDuration(raw, bareUnit);
      if (ms === undefined) fail(`must be a duration such as 500ms, 3s, 15m, 2h or 7d, got "${raw}"`);
      return ms;
    },
  };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** 3000 -> "3s", 900000 -> "15m", 0 -> "0". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] ?? 1;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function parseDuration(raw: string, bareUnit: 'ms' | 's' = 's'): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(raw);
  if (!match) return undefined;
  const factor = UNIT_MS[match[2] ?? bareUnit];
  return factor === undefined ? undefined : Math.round(Number(match[1]) * factor);
}

export function bool(env: string, description: string, fallback: boolean): Field<boolean> {
  return {
    env,
    description,
    parse(raw) {
      if (raw === undefined || raw === '') return fallback;
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      return fail(`must be true or false, got "${raw}"`);
    },
  };
}

export function oneOf<const T extends string>(
  env: string,
  description: string,
  choices: readonly T[],
  fallback: T,
): Field<T> {
  return {
    env,
    description,
    parse(raw) {
      if (raw === undefined || raw === '') return fallback;
      if (!(choices as readonly string[]).includes(raw)) fail(`must be one of ${choices.join(', ')}, got "${raw}"`);
      return raw as T;
    },
  };
}

/** Comma-separated list, blanks dropped. */
export function list(env: string, description: string): Field<string[]> {
  return {
    env,
    description,
    parse: (raw) =>
      (raw ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
  };
}

/** Comma-separated `key=value` pairs (e.g. `instance=prod,source=hass`); keys must be unique and non-empty. */
export function keyValues(env: string, description: string): Field<Record<string, string>> {
  return {
    env,
    description,
    parse(raw) {
      const out: Record<string, string> = {};
      for (const pair of (raw ?? '').split(',')) {
        if (pair.trim() === '') continue;
        const eq = pair.indexOf('=');
        const key = eq === -1 ? '' : pair.slice(0, eq).trim();
        if (key === '') fail(`must be key=value pairs separated by commas, got "${pair.trim()}"`);
        if (Object.hasOwn(out, key)) fail(`names "${key}" twice`);
        out[key] = pair.slice(eq + 1).trim();
      }
      return out;
    },
    show: (value) =>
      Object.entries(value)
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || 'empty',
  };
}

/** A field whose parsed value is checked further: `check` returns why it is refused, or undefined. */
export function refined<T>(field: Field<T>, check: (value: T) => string | undefined): Field<T> {
  return {
    ...field,
    parse(raw) {
      const value = field.parse(raw);
      const problem = check(value);
      return problem === undefined ? value : fail(problem);
    },
  };
}

/** The URL with anything that looks like `user:password@` masked, safe to put in an error message. */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
}

/**
 * An http(s)/ws(s) URL. Credentials inside it (`user:password@`) are refused: they would show wherever the
 * URL does (health, logs, config view). `credentialsHint` names the variables that should carry them.
 */
export function url(
  env: string,
  description: string,
  fallback?: string,
  credentialsHint = 'put credentials in their own variables',
): Field<string | undefined> {
  return {
    env,
    description,
    parse(raw) {
      const value = raw === undefined || raw === '' ? fallback : raw;
      if (value === undefined) return undefined;
      const shown = redactUrl(value);
      try {
        const parsed = new URL(value);
        if (!/^(https?|wss?):$/.test(parsed.protocol)) fail(`must be an http(s) or ws(s) URL, got "${shown}"`);
        if (parsed.username || parsed.password)
          fail(`must not contain a user name or password (user:password@); ${credentialsHint}`);
      } catch (error) {
        if (error instanceof FieldProblem) throw error;
        fail(`must be a URL, got "${shown}"`);
      }
      return value.replace(/\/+$/, '');
    },
  };
}

/** A secret's raw value: from `<env>_FILE` when that is set (Docker secrets), else from `<env>`. */
function rawValue(field: Field<unknown>, env: Env): string | undefined {
  const fileVar = `${field.env}_FILE`;
  const file = field.secret ? env[fileVar] : undefined;
  if (file === undefined || file === '') return env[field.env];
  if (env[field.env]) fail(`and ${fileVar} are both set; set only one`);
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    return fail(`cannot be read from ${fileVar}="${file}": ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** Parses every field; throws one ConfigError listing all problems. */
export function loadConfig<S extends Schema>(schema: S, env: Env = process.env): ConfigOf<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema)) {
    try {
      out[key] = field.parse(rawValue(field, env));
    } catch (error) {
      if (!(error instanceof FieldProblem)) throw error;
      problems.push(`${field.env} ${error.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

/** The effective configuration keyed by env name, secrets replaced by "***" (or null when unset). */
export function maskedConfig<S extends Schema>(schema: S, config: ConfigOf<S>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema)) {
    const value = (config as Record<string, unknown>)[key];
    out[field.env] = field.secret ? (value === undefined ? null : '***') : value;
  }
  return out;
}

/** Names of the secret env vars of a schema, for log redaction. */
export function secretEnvNames(schema: Schema): string[] {
  return Object.values(schema)
    .filter((f) => f.secret)
    .map((f) => f.env);
}
