import type { Connection } from './connection';
import type { Home } from './home';
import type { Hub } from './hub';
import { type CommandSchema, validate } from './schema';
import { epochSeconds, parseIsoMicros } from './time';

export interface CommandContext {
  home: Home;
  hub: Hub;
  version: string;
  /** False: a Home Assistant without the history integration (not in its configuration.yaml). */
  history: boolean;
}

type Msg = Record<string, unknown> & { id: number; type: string };

interface Command {
  schema: CommandSchema;
  run(ctx: CommandContext, conn: Connection, msg: Msg): void;
}

const UNIT_SYSTEM = {
  length: 'km',
  accumulated_precipitation: 'mm',
  area: 'm²',
  mass: 'g',
  pressure: 'Pa',
  temperature: '°C',
  volume: 'L',
  wind_speed: 'm/s',
};

function config(ctx: CommandContext): Record<string, unknown> {
  const components = new Set(['api', 'config', 'homeassistant', 'http', 'recorder', 'websocket_api']);
  if (ctx.history) components.add('history');
  for (const entry of ctx.home.registries.entities.values()) components.add(entry.platform);
  for (const id of ctx.home.entities.keys()) components.add(id.slice(0, id.indexOf('.')));
  return {
    allowlist_external_dirs: ['/media', '/config/www'],
    allowlist_external_urls: [],
    components: [...components].sort(),
    config_dir: '/config',
    config_source: 'storage',
    country: 'NL',
    currency: 'EUR',
    debug: false,
    elevation: 2,
    external_url: null,
    internal_url: null,
    language: 'en',
    latitude: 52.3731,
    location_name: 'HomeIQ simulated home',
    longitude: 4.8922,
    radius: 100,
    recovery_mode: false,
    safe_mode: false,
    state: ctx.home.coreState,
    time_zone: 'Europe/Amsterdam',
    unit_system: UNIT_SYSTEM,
    version: ctx.version,
    whitelist_external_dirs: ['/media', '/config/www'],
  };
}

function history(ctx: CommandContext, conn: Connection, msg: Msg): void {
  const startUs = parseIsoMicros(msg.start_time as string);
  if (startUs === undefined) {
    conn.error(msg.id, 'invalid_start_time', 'Invalid start_time');
    return;
  }
  let endUs: number | undefined;
  if (msg.end_time) {
    endUs = parseIsoMicros(msg.end_time as string);
    if (endUs === undefined) {
      conn.error(msg.id, 'invalid_end_time', 'Invalid end_time');
      return;
    }
  }
  if (startUs > ctx.home.clock.peekMicros()) {
    conn.result(msg.id, '{}');
    return;
  }
  const result = ctx.home.recorder.query({
    startSeconds: epochSeconds(startUs),
    endSeconds: endUs === undefined ? undefined : epochSeconds(endUs),
    entityIds: msg.entity_ids as string[],
    includeStartTimeState: msg.include_start_time_state !== false,
    significantChangesOnly: msg.significant_changes_only !== false,
    minimalResponse: msg.minimal_response === true,
    noAttributes: msg.no_attributes === true,
  });
  conn.result(msg.id, JSON.stringify(result));
}

const COMMANDS: Record<string, Command> = {
  ping: { schema: {}, run: (_ctx, conn, msg) => conn.send(`{"id":${msg.id},"type":"pong"}`) },
  supported_features: {
    schema: { required: { features: 'features' } },
    run: (_ctx, conn, msg) => {
      conn.coalesce = (msg.features as Record<string, number>).coalesce_messages === 1;
      conn.result(msg.id, 'null');
    },
  },
  subscribe_events: {
    schema: { optional: { event_type: 'string' } },
    run: (ctx, conn, msg) => {
      const eventType = (msg.event_type as string | undefined) ?? '*';
      conn.subscriptions.set(msg.id, eventType);
      ctx.hub.subscribe(conn, eventType);
      conn.result(msg.id, 'null');
    },
  },
  unsubscribe_events: {
    schema: { required: { subscription: 'int' } },
    run: (ctx, conn, msg) => {
      const id = Number(msg.subscription);
      const eventType = conn.subscriptions.get(id);
      if (eventType === undefined) {
        conn.error(msg.id, 'not_found', 'Subscription not found.');
        return;
      }
      conn.subscriptions.delete(id);
      ctx.hub.unsubscribe(conn, eventType);
      conn.result(msg.id, 'null');
    },
  },
  get_states: { schema: {}, run: (ctx, conn, msg) => conn.result(msg.id, ctx.home.statesJson()) },
  get_config: { schema: {}, run: (ctx, conn, msg) => conn.result(msg.id, JSON.stringify(config(ctx))) },
  'config/area_registry/list': {
    schema: {},
    run: (ctx, conn, msg) => conn.result(msg.id, JSON.stringify(ctx.home.registries.areaList())),
  },
  'config/device_registry/list': {
    schema: {},
    run: (ctx, conn, msg) => conn.result(msg.id, JSON.stringify(ctx.home.registries.deviceList())),
  },
  'config/entity_registry/list': {
    schema: {},
    run: (ctx, conn, msg) => conn.result(msg.id, JSON.stringify(ctx.home.registries.entityList())),
  },
  'history/history_during_period': {
    schema: {
      required: { start_time: 'string', entity_ids: 'string[]' },
      optional: {
        end_time: 'string',
        include_start_time_state: 'boolean',
        significant_changes_only: 'boolean',
        minimal_response: 'boolean',
        no_attributes: 'boolean',
      },
    },
    run: history,
  },
};

function isCommandMessage(msg: unknown): msg is Msg {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return false;
  const m = msg as Record<string, unknown>;
  return typeof m.id === 'number' && Number.isInteger(m.id) && m.id > 0 && typeof m.type === 'string' && m.type !== '';
}

/** HA's ActiveConnection.async_handle: format, id order, lookup, schema, handler. */
export function createCommandHandler(ctx: CommandContext) {
  return (conn: Connection, msg: unknown): void => {
    if (!isCommandMessage(msg)) {
      const id = typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? (msg as { id?: unknown }).id : 0;
      conn.error(id ?? null, 'invalid_format', 'Message incorrectly formatted.');
      return;
    }
    if (msg.id <= conn.lastId) {
      conn.error(msg.id, 'id_reuse', 'Identifier values have to increase.');
      return;
    }
    const command = msg.type.startsWith('history/') && !ctx.history ? undefined : COMMANDS[msg.type];
    if (!command) {
      conn.error(msg.id, 'unknown_command', 'Unknown command.');
      return;
    }
    const noKeys = !command.schema.required && !command.schema.optional;
    const problem =
      noKeys && Object.keys(msg).length > 2 ? 'extra keys not allowed' : noKeys ? null : validate(msg, command.schema);
    if (problem) conn.error(msg.id, 'invalid_format', problem);
    else {
      try {
        command.run(ctx, conn, msg);
      } catch {
        conn.error(msg.id, 'unknown_error', 'Unknown error');
      }
    }
    conn.lastId = msg.id;
  };
}
