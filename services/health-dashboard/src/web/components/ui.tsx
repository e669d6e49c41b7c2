import type { MouseEvent, ReactNode } from 'react';
import { withBase } from '../base-path';
import { navigate } from '../router';

export type Status = 'healthy' | 'degraded' | 'unhealthy';

export function Card(props: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
  wide?: boolean;
  testId?: string;
}) {
  return (
    <section className={props.wide ? 'card wide' : 'card'} data-testid={props.testId}>
      <header className="card-head">
        <h2>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

export function StatusBadge({ status }: { status: Status | 'not running' }) {
  const cls = status === 'not running' ? 'unhealthy' : status;
  return <span className={`badge ${cls}`}>{status}</span>;
}

export function Link(props: { to: string; children: ReactNode; className?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={withBase(props.to)} onClick={onClick} className={props.className}>
      {props.children}
    </a>
  );
}

export function ErrorNote({ error }: { error: string | undefined }) {
  return error ? (
    <p className="error" role="alert">
      {error}
    </p>
  ) : null;
}

export function Loading({ when }: { when: boolean }) {
  return when ? <p className="muted">Loading…</p> : null;
}

export function Stat(props: { label: string; value: ReactNode; hint?: string; testId?: string }) {
  return (
    <div className="stat" title={props.hint} data-testid={props.testId}>
      <div className="stat-value">{props.value}</div>
      <div className="stat-label">{props.label}</div>
    </div>
  );
}

export function ProgressBar({ value, label }: { value: number; label?: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className="progress" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
      <div className="progress-fill" style={{ width: `${pct}%` }} />
      <span className="progress-label">{label ?? `${pct}%`}</span>
    </div>
  );
}
