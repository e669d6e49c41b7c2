import { duration } from '../format';
import { type Status, StatusBadge } from './ui';

export interface ServiceHealth {
  name: string;
  running: boolean;
  inProcess: boolean;
  status: Status;
  reasons: string[];
  uptimeSeconds: number | null;
  responseMs: number;
}

/** One tile per service: status, why, uptime. */
export function ServiceTiles({ services }: { services: ServiceHealth[] }) {
  return (
    <div className="tiles">
      {services.map((s) => (
        <article key={s.name} className={`tile ${s.running ? s.status : 'unhealthy'}`} data-testid={`tile-${s.name}`}>
          <header>
            <h3>{s.name}</h3>
            <StatusBadge status={s.running ? s.status : 'not running'} />
          </header>
          {s.reasons.length > 0 ? (
            <ul className="reasons">
              {s.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          ) : (
            <p className="muted">All checks pass</p>
          )}
          <footer className="muted">
            {s.running ? `up ${duration(s.uptimeSeconds)} · ${s.responseMs} ms` : 'not running'}
          </footer>
        </article>
      ))}
    </div>
  );
}
