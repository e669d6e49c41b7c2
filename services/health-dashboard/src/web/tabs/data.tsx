import { useEffect, useState } from 'react';
import { api, usePoll } from '../api';
import { Card, ErrorNote, ProgressBar, Stat } from '../components/ui';
import { bytes, num, time } from '../format';

interface Resources {
  disk:
    | { dataDir: string; dataDirBytes: number; freeBytes: number; totalBytes: number; freePercent: number }
    | { error: string };
  warnings: string[];
}
interface Policies {
  policies: { raw_days: number; short_term_days: number; hourly_days: number };
  source: 'env' | 'api';
}
interface Backup {
  name: string;
  created_at: string;
  events: number;
  statistics: number;
  bytes: number;
  first_event: string | null;
  last_event: string | null;
}
interface Job {
  id: string;
  state: 'running' | 'succeeded' | 'failed';
  progress: number;
  message?: string;
  error?: string;
}

const days = (n: number) => (n === 0 ? 'forever' : `${n} days`);

/** Starts a backup and follows its job until it ends. */
function BackupButton({ onDone }: { onDone: () => void }) {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (job?.state !== 'running') return undefined;
    const timer = setTimeout(async () => {
      try {
        const next = await api<Job>(`retention/v1/jobs/${job.id}`);
        setJob(next);
        if (next.state !== 'running') onDone();
      } catch (e) {
        setError((e as Error).message);
      }
    }, 500);
    return () => clearTimeout(timer);
  }, [job, onDone]);

  const start = async () => {
    setError(undefined);
    try {
      const res = await api<{ job_id: string; state: Job['state'] }>('retention/v1/backups', {
        method: 'POST',
        body: '{}',
      });
      setJob({ id: res.job_id, state: res.state, progress: 0 });
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const running = job?.state === 'running';
  return (
    <div data-testid="backup-job">
      <button type="button" onClick={() => void start()} disabled={running}>
        {running ? 'Backing up…' : 'Start a backup'}
      </button>
      {job ? (
        <div className="job" data-state={job.state}>
          <ProgressBar value={job.progress} label={job.state === 'running' ? undefined : job.state} />
          <span className="muted">{job.error ?? job.message ?? ''}</span>
        </div>
      ) : null}
      <ErrorNote error={error} />
    </div>
  );
}

export function Data() {
  const resources = usePoll<Resources>('admin/v1/resources', 30_000);
  const summary = usePoll<{ total_events: number; by_domain: Record<string, number> }>(
    'data/v1/summary?hours=24',
    30_000,
  );
  const policies = usePoll<Policies>('retention/v1/policies');
  const backups = usePoll<{ dir: string; backups: Backup[]; next: string | null }>('retention/v1/backups');
  const disk = resources.data?.disk;

  return (
    <div className="grid">
      <Card title="Storage" testId="storage">
        <ErrorNote error={resources.error} />
        {disk && 'error' in disk ? <p className="error">{disk.error}</p> : null}
        <div className="stats">
          <Stat
            label="data folder"
            value={disk && !('error' in disk) ? bytes(disk.dataDirBytes) : '–'}
            testId="data-size"
          />
          <Stat
            label="free disk"
            value={disk && !('error' in disk) ? `${bytes(disk.freeBytes)} (${disk.freePercent}%)` : '–'}
          />
          <Stat label="events, 24 h" value={num(summary.data?.total_events)} testId="events-24h" />
        </div>
        {(resources.data?.warnings ?? []).map((w) => (
          <p key={w} className="error">
            {w}
          </p>
        ))}
        {summary.data ? (
          <ul className="chips">
            {Object.entries(summary.data.by_domain)
              .sort((a, b) => b[1] - a[1])
              .map(([d, n]) => (
                <li key={d}>
                  {d} <strong>{num(n)}</strong>
                </li>
              ))}
          </ul>
        ) : null}
      </Card>
      <Card title="Retention" testId="retention">
        <ErrorNote error={policies.error} />
        {policies.data ? (
          <table className="table">
            <tbody>
              <tr>
                <td>Raw events</td>
                <td data-testid="raw-days">{days(policies.data.policies.raw_days)}</td>
              </tr>
              <tr>
                <td>5-minute statistics</td>
                <td>{days(policies.data.policies.short_term_days)}</td>
              </tr>
              <tr>
                <td>Hourly statistics</td>
                <td>{days(policies.data.policies.hourly_days)}</td>
              </tr>
            </tbody>
          </table>
        ) : null}
        <p className="muted">Set by {policies.data?.source === 'api' ? 'the API' : 'environment variables'}.</p>
      </Card>
      <Card title="Backups" wide testId="backups" actions={<BackupButton onDone={backups.reload} />}>
        <ErrorNote error={backups.error} />
        {backups.data ? (
          <>
            <p className="muted">
              In {backups.data.dir}
              {backups.data.next ? ` · next scheduled ${time(backups.data.next)}` : ''}
            </p>
            {backups.data.backups.length === 0 ? <p className="muted">No backups yet.</p> : null}
            <div className="scroll">
              <table className="table" data-testid="backup-list">
                <tbody>
                  {backups.data.backups.map((b) => (
                    <tr key={b.name}>
                      <td>
                        <code>{b.name}</code>
                      </td>
                      <td className="nowrap">{time(b.created_at)}</td>
                      <td>{num(b.events)} events</td>
                      <td>{bytes(b.bytes)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : null}
      </Card>
    </div>
  );
}
