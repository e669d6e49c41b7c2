import { time } from '../format';

export interface Alert {
  id: string;
  severity: 'warning' | 'critical';
  message: string;
  active: boolean;
  since: string;
  resolvedAt: string | null;
  acknowledged: boolean;
}

/** Active alerts first; each can be acknowledged once. */
export function AlertList(props: { alerts: Alert[]; onAck?: (id: string) => void; busy?: string | null }) {
  if (props.alerts.length === 0) return <p className="muted">No alerts.</p>;
  return (
    <ul className="alerts">
      {props.alerts.map((a) => (
        <li key={a.id} className={`alert ${a.active ? a.severity : 'resolved'}`} data-testid={`alert-${a.id}`}>
          <div>
            <strong>{a.active ? a.severity : 'resolved'}</strong> {a.message}
            <div className="muted">
              since {time(a.since)}
              {a.resolvedAt ? ` · resolved ${time(a.resolvedAt)}` : ''}
              {a.acknowledged ? ' · acknowledged' : ''}
            </div>
          </div>
          {a.active && !a.acknowledged && props.onAck ? (
            <button type="button" onClick={() => props.onAck?.(a.id)} disabled={props.busy === a.id}>
              Acknowledge
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
