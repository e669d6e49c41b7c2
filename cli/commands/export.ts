import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { createLogger } from '@homeiq/core';
import { type EventFilter, microsFromIso, Runtime, toEventJson } from '@homeiq/storage';

export const summary = 'Print every stored event as one JSON line (the portable export/backup format)';
export const usage = `homeiq export [--since <ISO time>] [--until <ISO time>] [--entity <entity_id> ...]

  Streams the stored events, oldest first, one JSON object per line to stdout:
  entity_id, state ("" for a removal), last_updated and last_changed (ISO 8601 with microseconds),
  attributes (object), context_id, context_parent_id, context_user_id, origin, area_id, device_id (, removed).
  --since is inclusive, --until exclusive; --entity may be given several times.
  Reads the store HomeIQ is configured with (HOMEIQ_DATA_DIR, or INFLUXDB_* when set).`;

function time(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const us = microsFromIso(value);
  if (us === undefined) {
    throw new Error(`${flag} must be an ISO 8601 time such as 2025-01-10T09:00:00Z, got "${value}"`);
  }
  return us;
}

/** Parses the options; throws an Error naming the bad flag. */
export function exportFilter(args: string[]): EventFilter {
  const { values } = parseArgs({
    args,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      entity: { type: 'string', multiple: true },
    },
  });
  const filter: EventFilter = {};
  const start = time('--since', values.since);
  const end = time('--until', values.until);
  if (start !== undefined) filter.start = start;
  if (end !== undefined) filter.end = end;
  if (start !== undefined && end !== undefined && end <= start) throw new Error('--until must be after --since');
  if (values.entity && values.entity.length > 0) filter.entityIds = values.entity;
  return filter;
}

const CHUNK = 64 * 1024;

export async function run(args: string[]): Promise<number> {
  let filter: EventFilter;
  try {
    filter = exportFilter(args);
  } catch (error) {
    process.stderr.write(`homeiq export: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const runtime = new Runtime({ ...process.env }, createLogger({ level: 'silent' }));
  const out = process.stdout;
  let broken = false;
  out.on('error', () => {
    broken = true; // e.g. `homeiq export | head`: the reader went away
  });
  let buffer = '';
  let count = 0;
  try {
    const store = await runtime.timeSeries();
    for await (const e of store.scan(filter)) {
      const json = toEventJson(e);
      if (e.removed) json.state = '';
      buffer += `${JSON.stringify(json)}\n`;
      count++;
      if (buffer.length >= CHUNK) {
        if (!out.write(buffer)) await Promise.race([once(out, 'drain'), once(out, 'error')]);
        buffer = '';
        if (broken) break;
      }
    }
    if (buffer.length > 0 && !broken) out.write(buffer);
  } finally {
    await runtime.close();
  }
  if (!broken) process.stderr.write(`homeiq export: ${count} events\n`);
  return 0;
}
