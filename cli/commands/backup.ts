import { parseArgs } from 'node:util';
import { followJob, formatBytes, reportFailure, withRetention } from '@homeiq/data-retention/cli-support';
import { microsFromIso } from '@homeiq/storage';

export const summary = 'Back up the databases and the time series now (or list backups: --list)';
export const usage = `homeiq backup [--since <ISO time>] [--until <ISO time>] [--list] [--json]

  Copies metadata.db, webhooks.db and the embedded homeiq.db with SQLite's online backup (safe while HomeIQ runs)
  and exports the events (gzip JSON lines, the \`homeiq export\` format) and statistics into a new folder under
  BACKUP_DIR (default <HOMEIQ_DATA_DIR>/backups), with a manifest of sizes, time range, counts and sha256 sums.
  Older backups beyond BACKUP_KEEP are deleted afterwards. Progress goes to stderr.
  --since/--until limit the exported events to a time range (default: everything).
  --list prints the existing backups instead.`;

function time(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const us = microsFromIso(value);
  if (us === undefined) throw new Error(`${flag} must be an ISO 8601 time, got "${value}"`);
  return us;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      list: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  try {
    const start = time('--since', values.since);
    const end = time('--until', values.until);
    return await withRetention(async (service) => {
      if (values.list) {
        const backups = service.backups.list();
        if (values.json) process.stdout.write(`${JSON.stringify(backups, null, 2)}\n`);
        else if (backups.length === 0) process.stdout.write(`no backups in ${service.backupDir}\n`);
        for (const b of values.json ? [] : backups) {
          process.stdout.write(
            `${b.name}  ${formatBytes(b.bytes).padStart(10)}  ${String(b.events).padStart(10)} events  ` +
              `${b.first_event ?? '-'} .. ${b.last_event ?? '-'}  sha256 ${b.sha256.slice(0, 16)}\n`,
          );
        }
        return 0;
      }
      const job = await followJob(service, service.startBackup('cli', { start, end }), 'backup');
      if (job.state !== 'succeeded') return reportFailure('backup', job.error);
      const { manifest, rotated } = job.result as {
        manifest: import('@homeiq/data-retention/backup/manifest').BackupManifest;
        rotated: string[];
      };
      if (values.json) {
        process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
      } else {
        process.stdout.write(
          `${manifest.name}: ${manifest.events} events (${manifest.first_event ?? '-'} .. ${manifest.last_event ?? '-'}), ` +
            `${manifest.statistics} statistics rows, ${formatBytes(manifest.bytes)}\n` +
            `  folder ${service.backupDir}/${manifest.name}\n  sha256 ${manifest.sha256}\n` +
            (rotated.length > 0 ? `  rotated out: ${rotated.join(', ')}\n` : ''),
        );
      }
      return 0;
    });
  } catch (error) {
    return reportFailure('backup', error);
  }
}
