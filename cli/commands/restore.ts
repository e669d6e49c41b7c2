import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { followJob, reportFailure, withRetention } from '@homeiq/data-retention/cli-support';

export const summary = 'Restore a backup into the time-series store: homeiq restore <backup name or folder>';
export const usage = `homeiq restore <backup> [--databases] [--json]

  <backup> is the name of a backup in BACKUP_DIR (see \`homeiq backup --list\`), or the path of a backup folder
  or of a file in it. Every file's sha256 is checked first: a corrupt backup is refused and nothing is written.
  The events and statistics are written into the configured store, SQLite or InfluxDB, whichever the backup
  came from. Writes are idempotent: restoring twice leaves one copy of each event.
  --databases also copies metadata.db and webhooks.db back over the live ones: stop HomeIQ first.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { databases: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const given = positionals[0];
  if (!given) {
    process.stderr.write(`homeiq restore: which backup? (homeiq backup --list)\n\n${usage}\n`);
    return 2;
  }
  try {
    return await withRetention(async (service) => {
      const dataDir = service.deps.dataDir;
      const databases = values.databases
        ? { 'metadata.db': join(dataDir, 'metadata.db'), 'webhooks.db': join(dataDir, 'webhooks.db') }
        : undefined;
      const job = await followJob(service, service.startRestore('cli', given, { databases }), 'restore');
      if (job.state !== 'succeeded') return reportFailure('restore', job.error);
      const r = job.result as import('@homeiq/data-retention/backup/restore').RestoreResult;
      if (values.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        process.stdout.write(
          `restored ${r.backup}: ${r.events} events, ${r.statistics} statistics rows` +
            (r.databases.length > 0 ? `, databases ${r.databases.join(', ')}` : '') +
            '\n',
        );
      }
      return 0;
    });
  } catch (error) {
    return reportFailure('restore', error);
  }
}
