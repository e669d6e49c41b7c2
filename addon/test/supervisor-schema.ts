/**
 * The Supervisor's rules for an add-on's config.yaml and build.yaml, written out from its published validation
 * (home-assistant/supervisor: supervisor/addons/validate.py and addons/options.py), for the keys and types the
 * HomeIQ add-on could use. Unlike the Supervisor, which drops unknown keys silently, an unknown key is an error
 * here: it is a typo or a key the Supervisor does not know. Returns every problem found.
 */
export const ARCHES = ['armhf', 'armv7', 'aarch64', 'amd64', 'i386'];
const SLUG = /^[-_.A-Za-z0-9]+$/;
const VOLUME =
  /^(data|config|ssl|addons|backup|share|media|homeassistant_config|all_addon_configs|addon_config)(?::(rw|ro))?$/;
const MAP_TYPES = VOLUME.source.slice(2, VOLUME.source.indexOf(')')).split('|');
export const SCHEMA_ELEMENT = new RegExp(
  '^(?:|bool|email|url|port|device(?:\\((?:subsystem=[a-z]+)\\))?|str(?:\\((\\d+)?,(\\d+)?\\))?' +
    '|password(?:\\((\\d+)?,(\\d+)?\\))?|int(?:\\((\\d+)?,(\\d+)?\\))?|float(?:\\(([\\d.]+)?,([\\d.]+)?\\))?' +
    '|match\\((.*)\\)|list\\((.+)\\))\\??$',
);
const DOCKER_IMAGE_BUILD = /^([a-zA-Z\-.:\d{}]+\/)*?([-\w{}]+)\/([-\w{}]+)(:[.\-\w{}]+)?$/;

type Check = (value: unknown) => boolean;
const isStr: Check = (v) => typeof v === 'string';
const isBool: Check = (v) => typeof v === 'boolean';
const isVersion: Check = (v) => (typeof v === 'string' && v.length > 0) || typeof v === 'number';
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v);
const strList: Check = (v) => Array.isArray(v) && v.every(isStr);
const isPort = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;

const BOOLEAN_KEYS = [
  'init', 'advanced', 'ingress', 'ingress_stream', 'panel_admin', 'host_network', 'host_pid', 'host_ipc',
  'host_uts', 'host_dbus', 'udev', 'tmpfs', 'apparmor', 'full_access', 'audio', 'video', 'gpio', 'usb', 'uart',
  'devicetree', 'kernel_modules', 'realtime', 'hassio_api', 'homeassistant_api', 'stdin', 'legacy', 'docker_api',
  'auth_api', 'journald',
]; // biome-ignore format: a plain list

const KEY_RULES: Record<string, Check> = {
  name: isStr,
  version: isVersion,
  slug: (v) => isStr(v) && SLUG.test(v as string),
  description: isStr,
  arch: (v) => Array.isArray(v) && v.length > 0 && v.every((a) => ARCHES.includes(a)),
  machine: strList,
  url: (v) => isStr(v) && /^https?:\/\/\S+$/.test(v as string),
  startup: oneOf('initialize', 'system', 'services', 'application', 'once'),
  boot: oneOf('auto', 'manual', 'manual_only'),
  stage: oneOf('stable', 'experimental', 'deprecated'),
  ports: (v) =>
    typeof v === 'object' &&
    v !== null &&
    Object.entries(v).every(([k, p]) => /^\d+(?:\/(?:tcp|udp))?$/.test(k) && (p === null || isPort(p))),
  ports_description: (v) => typeof v === 'object' && v !== null && Object.values(v).every(isStr),
  watchdog: (v) => isStr(v) && /^(?:https?|\[PROTO:\w+\]|tcp):\/\/\[HOST\]:(\[PORT:\d+\]|\d+).*$/.test(v as string),
  webui: (v) => isStr(v) && /^(?:https?|\[PROTO:\w+\]):\/\/\[HOST\]:\[PORT:\d+\].*$/.test(v as string),
  ingress_port: (v) => v === 0 || isPort(v),
  ingress_entry: isStr,
  panel_icon: isStr,
  panel_title: isStr,
  homeassistant: isVersion,
  devices: strList,
  map: (v) =>
    Array.isArray(v) &&
    v.every((m) =>
      typeof m === 'string'
        ? VOLUME.test(m)
        : typeof m === 'object' && m !== null && MAP_TYPES.includes((m as { type?: string }).type ?? ''),
    ),
  environment: (v) => typeof v === 'object' && v !== null && Object.values(v).every(isStr),
  privileged: strList,
  hassio_role: oneOf('default', 'homeassistant', 'backup', 'manager', 'admin'),
  services: (v) => Array.isArray(v) && v.every((s) => /^(mqtt|mysql):(provide|want|need)$/.test(String(s))),
  discovery: strList,
  backup_exclude: strList,
  backup_pre: isStr,
  backup_post: isStr,
  restore_pre: isStr,
  restore_post: isStr,
  backup: oneOf('hot', 'cold'),
  options: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  schema: (v) =>
    v === false || (typeof v === 'object' && v !== null && Object.values(v).every((e) => schemaElementOk(e))),
  image: (v) => isStr(v) && DOCKER_IMAGE_BUILD.test(v as string),
  ulimits: (v) => typeof v === 'object' && v !== null,
  timeout: (v) => Number.isInteger(v) && (v as number) >= 10 && (v as number) <= 300,
  breaking_versions: (v) => Array.isArray(v) && v.every(isVersion),
  ...Object.fromEntries(BOOLEAN_KEYS.map((k) => [k, isBool])),
};
const REQUIRED = ['name', 'version', 'slug', 'description', 'arch'];

/** A schema entry: a type string, a list of one entry (not directly another list), or a mapping of entries. */
function schemaElementOk(element: unknown, insideList = false): boolean {
  if (typeof element === 'string') return SCHEMA_ELEMENT.test(element);
  if (Array.isArray(element)) return !insideList && element.every((e) => !Array.isArray(e) && schemaElementOk(e, true));
  if (typeof element === 'object' && element !== null) return Object.values(element).every((e) => schemaElementOk(e));
  return false;
}

export function configProblems(config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const key of REQUIRED) if (!(key in config)) problems.push(`missing required key "${key}"`);
  for (const [key, value] of Object.entries(config)) {
    const rule = KEY_RULES[key];
    if (!rule) problems.push(`unknown key "${key}"`);
    else if (!rule(value)) problems.push(`invalid value for "${key}": ${JSON.stringify(value)}`);
  }
  return problems;
}

/** One option value against its schema type, as the Supervisor checks the options it writes to options.json. */
function optionOk(type: string, value: unknown): boolean {
  const match = SCHEMA_ELEMENT.exec(type);
  if (!match) return false;
  const base = type.replace(/\?$/, '');
  // Groups 1-8: the (min,max) of str, password, int and float.
  const bound = (i: number) => match[i] ?? match[i + 2] ?? match[i + 4] ?? match[i + 6];
  const [min, max] = [bound(1), bound(2)].map((n) => (n === undefined ? undefined : Number(n)));
  const inRange = (n: number) => (min === undefined || n >= min) && (max === undefined || n <= max);
  if (base.startsWith('str') || base.startsWith('password')) return isStr(value) && inRange((value as string).length);
  if (base.startsWith('int')) return Number.isInteger(value) && inRange(value as number);
  if (base.startsWith('float')) return typeof value === 'number' && inRange(value);
  if (base === 'bool') return isBool(value);
  if (base === 'url') return isStr(value) && /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value as string);
  if (base === 'port') return isPort(value);
  if (base.startsWith('list(')) return (match[10] ?? '').split('|').includes(String(value));
  if (base.startsWith('match(')) return new RegExp(match[9] ?? '').test(String(value));
  return isStr(value);
}

/** The default options against the schema: every value typed right, every non-optional key present. */
export function optionsProblems(options: Record<string, unknown>, schema: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    const type = schema[key];
    if (type === undefined) problems.push(`option "${key}" is not in the schema`);
    else if (Array.isArray(type)) {
      if (!Array.isArray(value) || !value.every((v) => optionOk(String(type[0]), v))) problems.push(`option "${key}"`);
    } else if (!optionOk(String(type), value)) problems.push(`option "${key}" does not match ${String(type)}`);
  }
  for (const [key, type] of Object.entries(schema)) {
    const element = Array.isArray(type) ? type[0] : type;
    if (!(key in options) && !(typeof element === 'string' && element.endsWith('?'))) {
      problems.push(`required option "${key}" has no default`);
    }
  }
  return problems;
}

export function buildProblems(build: Record<string, unknown>, arches: string[]): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(build)) {
    if (!['build_from', 'squash', 'args', 'labels'].includes(key)) problems.push(`unknown key "${key}"`);
  }
  const from = build.build_from as Record<string, unknown> | undefined;
  for (const arch of arches) {
    const image = from?.[arch];
    if (typeof image !== 'string' || !DOCKER_IMAGE_BUILD.test(image)) problems.push(`no valid build_from for ${arch}`);
  }
  for (const arch of Object.keys(from ?? {})) if (!ARCHES.includes(arch)) problems.push(`unknown arch "${arch}"`);
  return problems;
}
