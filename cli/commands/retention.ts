import { parseArgs } from 'node:util';
import { followJob, reportFailure, withRetention } from '@homeiq/data-retention/cli-support';
import { microsFromIso } from '@homeiq/storage';

export const summary = 'Retention jobs now: homeiq retention run | stats [--since <ISO>] | policies';
export const usage = `homeiq retention <run | stats | policies> [--since <ISO time>] [--json]

  run       delete what has passed its tier (RETENTION_RAW_DAYS, RETENTION_SHORT_TERM_DAYS, RETENTION_HOURLY_DAYS or
            the policies PUT through the API) and, on InfluxDB, set the server's retention policy; prints what went.
  stats     compile every 5-minute and hourly statistics window that closed since the last run;
            --since recompiles every window from that time (after a long outage was backfilled).
  policies  print the tiers in effect.`;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { since: { type: 'string' }, json: { type: 'boolean' } },
  });
  const action = positionals[0];
  if (action !== 'run' && action !== 'stats' && action !== 'policies') {
    process.stderr.write(`homeiq retention: say run, stats or policies\n\n${usage}\n`);
    return 2;
  }
  let since: number | undefined;
  if (values.since !== undefined) {
    since = microsFromIso(values.since);
    if (since === undefined)
      return reportFailure('retention', `--since must be an ISO 8601 time, got "${values.since}"`);
  }
  try {
    return await withRetention(async (service) => {
      if (action === 'policies') {
        process.stdout.write(`${JSON.stringify(service.policies.get(), null, 2)}\n`);
        return 0;
      }
      const started = action === 'run' ? service.startRetention('cli') : service.startStatistics('cli', since);
      const job = await followJob(service, started, action === 'run' ? 'retention' : 'statistics');
      if (values.json || job.state === 'succeeded')
        process.stdout.write(`${JSON.stringify(job.result ?? null, null, 2)}\n`);
      return job.state === 'succeeded' ? 0 : reportFailure('retention', job.error);
    });
  } catch (error) {
    return reportFailure('retention', error);
  }
}
