import { StoreError } from '../errors';
import type { InfluxHttp } from './http';

export interface Rejection {
  index: number;
  reason: string;
}

/** Largest request body, in UTF-16 units (a server's default max-body-size is 25 MB; this stays well under). */
export const MAX_REQUEST_CHARS = 4 * 1024 * 1024;

const PARSE_PREFIX = "unable to parse '";

/**
 * The lines a 400 names: InfluxDB 1.x/2.x report each unparsable line as `unable to parse '<line>': <reason>`,
 * joined by newlines, with a trailing ` dropped=N` for points dropped for other reasons.
 */
export function namedRejections(lines: readonly string[], message: string): Map<number, string> {
  const out = new Map<number, string>();
  if (!message.includes(PARSE_PREFIX)) return out;
  for (let i = 0; i < lines.length; i++) {
    const needle = `${PARSE_PREFIX}${lines[i]}': `;
    const at = message.indexOf(needle);
    if (at === -1) continue;
    const from = at + needle.length;
    let to = message.indexOf(`\n${PARSE_PREFIX}`, from);
    if (to === -1) to = message.length;
    out.set(i, message.slice(from, to).replace(/ dropped=\d+$/, ''));
  }
  return out;
}

/**
 * Writes `lines` (whose batch positions are `indexes`) and returns the refused ones with the server's reason.
 * After a 400 the lines it names are set aside and the rest is sent again; when it names none (a field type
 * conflict, a 1.6 whole-batch refusal) the batch is bisected. Resending is safe: a point with the same series and
 * time overwrites itself. Retryable failures propagate as StoreError; the caller retries the whole batch.
 */
export async function writeLines(
  http: InfluxHttp,
  lines: readonly string[],
  indexes: readonly number[],
  ensureDatabase: () => Promise<void>,
): Promise<Rejection[]> {
  const rejected: Rejection[] = [];
  // Requests of bounded size, in order.
  let start = 0;
  while (start < lines.length) {
    let end = start;
    let chars = 0;
    while (end < lines.length && (end === start || chars + lines[end]!.length < MAX_REQUEST_CHARS)) {
      chars += lines[end]!.length + 1;
      end++;
    }
    const whole = start === 0 && end === lines.length;
    await send(
      http,
      whole ? lines : lines.slice(start, end),
      whole ? indexes : indexes.slice(start, end),
      ensureDatabase,
      rejected,
      false,
    );
    start = end;
  }
  return rejected;
}

async function send(
  http: InfluxHttp,
  lines: readonly string[],
  indexes: readonly number[],
  ensureDatabase: () => Promise<void>,
  rejected: Rejection[],
  createdDatabase: boolean,
): Promise<void> {
  if (lines.length === 0) return;
  const outcome = await http.write(lines.join('\n'));
  if (outcome.ok) return;
  if (outcome.kind === 'no-database') {
    if (createdDatabase) throw new StoreError(`InfluxDB write: ${outcome.message}`, { retryable: true, status: 404 });
    await ensureDatabase();
    return send(http, lines, indexes, ensureDatabase, rejected, true);
  }
  if (lines.length === 1) {
    rejected.push({ index: indexes[0]!, reason: outcome.message || `HTTP ${outcome.status}` });
    return;
  }
  if (outcome.kind === 'rejected') {
    const named = namedRejections(lines, outcome.message);
    if (named.size > 0) {
      const restLines: string[] = [];
      const restIndexes: number[] = [];
      for (let i = 0; i < lines.length; i++) {
        const reason = named.get(i);
        if (reason === undefined) {
          restLines.push(lines[i]!);
          restIndexes.push(indexes[i]!);
        } else rejected.push({ index: indexes[i]!, reason });
      }
      return send(http, restLines, restIndexes, ensureDatabase, rejected, createdDatabase);
    }
  }
  const mid = lines.length >>> 1;
  await send(http, lines.slice(0, mid), indexes.slice(0, mid), ensureDatabase, rejected, createdDatabase);
  await send(http, lines.slice(mid), indexes.slice(mid), ensureDatabase, rejected, createdDatabase);
}
