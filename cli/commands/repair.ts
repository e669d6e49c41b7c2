import { parseArgs } from 'node:util';
import { createLogger } from '@homeiq/core';
import { type EventCursor, findLateDuplicates, isoFromMicros, Runtime } from '@homeiq/storage';

export const summary = 'Remove the 1 µs-late duplicates that backfills of older HomeIQ versions stored';
export const usage = `homeiq repair [--dry-run]

  Before HomeIQ converted Home Assistant's float history stamps the way Python does, about one backfilled state in
  eight was stored 1 µs after the same live state: two rows for one state change. This finds every such pair (same
  entity, same state, 1 µs apart, one of them from a backfill) and removes the backfilled copy, in either store.
  Prints each pair; --dry-run only prints what it would remove. Stop ingestion first, or run it while it is quiet.`;

const BATCH = 500;

export async function run(args: string[]): Promise<number> {
  let dryRun: boolean;
  try {
    const { values } = parseArgs({ args, options: { 'dry-run': { type: 'boolean' } } });
    dryRun = values['dry-run'] === true;
  } catch (error) {
    process.stderr.write(`homeiq repair: ${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  const runtime = new Runtime({ ...process.env }, createLogger({ level: 'silent' }));
  const out = process.stdout;
  let found = 0;
  let removed = 0;
  try {
    const store = await runtime.timeSeries();
    let batch: EventCursor[] = [];
    const flush = async () => {
      if (!dryRun && batch.length > 0) removed += await store.deleteEvents(batch);
      batch = [];
    };
    // Collected first: deleting while the scan's cursor walks the same rows would move it.
    const pairs = [];
    for await (const pair of findLateDuplicates(store)) pairs.push(pair);
    for (const pair of pairs) {
      found++;
      out.write(
        `${dryRun ? 'would remove' : 'remove'} ${pair.remove.entityId} ${isoFromMicros(pair.remove.time)} ` +
          `(state ${JSON.stringify(pair.state)}; keeping ${isoFromMicros(pair.keep.time)})\n`,
      );
      batch.push(pair.remove);
      if (batch.length >= BATCH) await flush();
    }
    await flush();
  } finally {
    await runtime.close();
  }
  out.write(
    dryRun
      ? `homeiq repair: ${found} late duplicates found; run without --dry-run to remove them\n`
      : `homeiq repair: ${found} late duplicates found, ${removed} removed\n`,
  );
  return 0;
}
