import { useMemo, useState } from 'react';
import { usePoll } from '../api';
import { TimeChart } from '../components/time-chart';
import { Card, ErrorNote, Link, Loading, Stat } from '../components/ui';
import { num, numeric, time } from '../format';

interface HistoryState {
  state: string;
  last_changed: string;
  last_updated?: string;
  attributes?: Record<string, unknown>;
}
interface StatRow {
  start: string;
  count: number;
  mean?: number;
  min?: number;
  max?: number;
  sum?: number | null;
  source: string;
}
interface Statistics {
  units: Record<string, string | null>;
  statistics: Record<string, StatRow[]>;
}

const RANGES = { '1h': 1, '24h': 24, '7d': 168 } as const;

/**
 * Turns a history into chart columns: numeric states as values, the rest as a stepped 0/1 on/off line. The last
 * state holds until `until` (seconds), so a quiet sensor still draws a line to now.
 */
export function historySeries(
  states: HistoryState[],
  until?: number,
): { x: number[]; y: Array<number | null>; numeric: boolean } {
  const isNumeric = states.some((s) => numeric(s.state) !== null);
  const x: number[] = [];
  const y: Array<number | null> = [];
  for (const s of states) {
    const t = Date.parse(s.last_updated ?? s.last_changed) / 1000;
    if (!Number.isFinite(t)) continue;
    x.push(t);
    y.push(isNumeric ? numeric(s.state) : ['on', 'open', 'home', 'playing', 'unlocked'].includes(s.state) ? 1 : 0);
  }
  const lastX = x.at(-1);
  if (until !== undefined && lastX !== undefined && until > lastX) {
    x.push(until);
    y.push(y.at(-1) ?? null);
  }
  return { x, y, numeric: isNumeric };
}

/** One entity: its registry entry, history chart, hourly statistics and latest states. */
export function EntityPage({ entityId }: { entityId: string }) {
  const [range, setRange] = useState<keyof typeof RANGES>('24h');
  const start = useMemo(() => new Date(Date.now() - RANGES[range] * 3_600_000).toISOString(), [range]);
  const id = encodeURIComponent(entityId);
  const history = usePoll<{ states: HistoryState[] }>(
    `data/v1/entities/${id}/history?start=${encodeURIComponent(start)}`,
    15_000,
  );
  const stats = usePoll<Statistics>(
    `data/v1/statistics?entity_id=${id}&period=${range === '1h' ? '5minute' : 'hour'}&start=${encodeURIComponent(start)}`,
    60_000,
  );
  const states = history.data?.states ?? [];
  const now = Date.now() / 1000;
  const series = historySeries(states, now);
  const rows = stats.data?.statistics[entityId] ?? [];
  const unit =
    stats.data?.units[entityId] ?? (states.at(-1)?.attributes?.unit_of_measurement as string | undefined) ?? '';
  const last = states.at(-1);

  return (
    <div className="grid">
      <Card title={entityId} wide testId="entity-page" actions={<Link to="/entities">All entities</Link>}>
        <div className="stats">
          <Stat label="state now" value={last ? `${last.state} ${unit ?? ''}` : '–'} testId="entity-state" />
          <Stat label="changes in range" value={num(states.length)} testId="entity-changes" />
          <Stat label="last change" value={time(last?.last_changed)} />
        </div>
        <div className="toolbar">
          {(Object.keys(RANGES) as Array<keyof typeof RANGES>).map((r) => (
            <button key={r} type="button" className={r === range ? 'active' : undefined} onClick={() => setRange(r)}>
              {r}
            </button>
          ))}
        </div>
        <ErrorNote error={history.error} />
        <Loading when={history.loading} />
        <TimeChart
          x={series.x}
          series={[{ label: series.numeric ? unit || 'value' : 'on', values: series.y, stepped: true }]}
          range={[Date.parse(start) / 1000, now]}
          testId="history-chart"
        />
      </Card>
      <Card title="Statistics" testId="entity-stats">
        <ErrorNote error={stats.error} />
        {rows.length === 0 ? (
          <p className="muted">No numeric statistics for this entity in the range.</p>
        ) : (
          <div className="scroll">
            <table className="table">
              <thead>
                <tr>
                  <th>From</th>
                  <th>Mean</th>
                  <th>Min</th>
                  <th>Max</th>
                  <th className="hide-narrow">Samples</th>
                </tr>
              </thead>
              <tbody>
                {[...rows].reverse().map((r) => (
                  <tr key={r.start}>
                    <td className="nowrap">{time(r.start)}</td>
                    <td>{num(r.mean, 2)}</td>
                    <td>{num(r.min, 2)}</td>
                    <td>{num(r.max, 2)}</td>
                    <td className="hide-narrow">{r.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card title="Latest states">
        <ul className="plain">
          {[...states]
            .reverse()
            .slice(0, 20)
            .map((s) => (
              <li key={s.last_updated ?? s.last_changed}>
                <span className="nowrap muted">{time(s.last_updated ?? s.last_changed)}</span> {s.state}
              </li>
            ))}
        </ul>
      </Card>
    </div>
  );
}
