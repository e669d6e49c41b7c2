import { readFileSync } from 'node:fs';
import { ConfigError } from '@homeiq/core';

/**
 * The add-on's options, as the Supervisor writes them to /data/options.json from the user's settings
 * (addon/homeiq/config.yaml declares them; snake_case because that format dictates it), and the HomeIQ
 * environment variable each one sets.
 */
type Kind = 'level' | 'int' | 'list' | 'url' | 'text' | 'secret';

interface OptionSpec {
  env: string;
  kind: Kind;
  min?: number;
  max?: number;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export const ADDON_OPTIONS: Record<string, OptionSpec> = {
  log_level: { env: 'LOG_LEVEL', kind: 'level' },
  retention_days: { env: 'RETENTION_RAW_DAYS', kind: 'int', min: 0, max: 36_500 },
  batch_size: { env: 'BATCH_SIZE', kind: 'int', min: 1, max: 100_000 },
  include_domains: { env: 'HOMEIQ_INCLUDE_DOMAINS', kind: 'list' },
  include_entities: { env: 'HOMEIQ_INCLUDE_ENTITIES', kind: 'list' },
  exclude_domains: { env: 'HOMEIQ_EXCLUDE_DOMAINS', kind: 'list' },
  exclude_entities: { env: 'HOMEIQ_EXCLUDE_ENTITIES', kind: 'list' },
  influxdb_url: { env: 'INFLUXDB_URL', kind: 'url' },
  influxdb_token: { env: 'INFLUXDB_TOKEN', kind: 'secret' },
  influxdb_org: { env: 'INFLUXDB_ORG', kind: 'text' },
  influxdb_bucket: { env: 'INFLUXDB_BUCKET', kind: 'text' },
  influxdb_database: { env: 'INFLUXDB_DATABASE', kind: 'text' },
  influxdb_username: { env: 'INFLUXDB_USERNAME', kind: 'text' },
  influxdb_password: { env: 'INFLUXDB_PASSWORD', kind: 'secret' },
};

/** One option's value as its variable's text, or a problem naming the option (never showing a secret). */
function envValue(name: string, spec: OptionSpec, value: unknown): { text?: string; problem?: string } {
  const bad = (want: string) => ({ problem: `option "${name}" must be ${want}` });
  switch (spec.kind) {
    case 'level':
      return typeof value === 'string' && LOG_LEVELS.includes(value) ? { text: value } : bad(LOG_LEVELS.join('|'));
    case 'int': {
      const range = `an integer from ${spec.min} to ${spec.max}`;
      if (typeof value !== 'number' || !Number.isInteger(value)) return bad(range);
      return value < (spec.min ?? 0) || value > (spec.max ?? Infinity) ? bad(range) : { text: String(value) };
    }
    case 'list':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.trim() !== '' && !v.includes(','))) {
        return bad('a list of names without commas');
      }
      return { text: value.map((v) => v.trim()).join(',') };
    case 'url':
      return typeof value === 'string' && /^https?:\/\/[^\s/]+/.test(value) ? { text: value } : bad('an http(s) URL');
    case 'text':
    case 'secret':
      return typeof value === 'string' ? { text: value } : bad('text');
  }
}

/** The environment the options set. Every problem is reported at once, each naming its option. */
export function optionsToEnv(options: unknown): Record<string, string> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError(['options.json must hold a JSON object of add-on options']);
  }
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(options)) {
    const spec = ADDON_OPTIONS[name];
    if (!spec) {
      problems.push(`unknown option "${name}" (known: ${Object.keys(ADDON_OPTIONS).join(', ')})`);
      continue;
    }
    // An optional option left empty in the UI is absent or null: the HomeIQ default applies.
    if (value === null || value === undefined || value === '') continue;
    const { text, problem } = envValue(name, spec, value);
    if (problem) problems.push(problem);
    else if (text !== undefined && text !== '') env[spec.env] = text;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return env;
}

/** Reads and maps options.json; a missing or malformed file is a ConfigError naming the file. */
export function readOptionsFile(path: string): Record<string, string> {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read the add-on options ${path}: ${(error as NodeJS.ErrnoException).code}`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError([`the add-on options ${path} are not valid JSON`]);
  }
  return optionsToEnv(parsed);
}
