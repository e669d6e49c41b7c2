import { useState } from 'react';
import { usePoll } from '../api';
import { TimeChart } from '../components/time-chart';
import { Card, ErrorNote, Stat } from '../components/ui';
import { num, time } from '../format';

interface Weather {
  location: string;
  condition: string;
  temperature: number;
  humidity: number | null;
  wind_speed: number | null;
  observed_at: string;
  source: string;
  stale: boolean;
  last_error: string | null;
}
interface Game {
  game_id: string;
  league: string;
  team: string;
  opponent: string;
  home: boolean;
  status: 'pre' | 'in' | 'post';
  team_score: number | null;
  opponent_score: number | null;
  start_time: string | null;
  detail: string | null;
}
interface Webhook {
  id: string;
  url: string;
  kind: string;
  events: string[];
  enabled: boolean;
  pending: number;
  consecutive_failures: number;
  description: string | null;
}
interface Delivery {
  id: string;
  event: string;
  status: string;
  attempts: number;
  created_at: string;
  last_status_code: number | null;
  last_error: string | null;
}

function WeatherCard() {
  const current = usePoll<Weather>('weather/v1/weather/current', 60_000);
  const history = usePoll<{ points: Array<{ time: string; temperature?: number }> }>(
    'weather/v1/weather/history',
    300_000,
  );
  const points = history.data?.points ?? [];
  const w = current.data;
  return (
    <Card title="Weather" wide testId="weather">
      <ErrorNote error={current.error} />
      {w ? (
        <div className="stats">
          <Stat label={w.location} value={`${num(w.temperature)} °C`} testId="weather-temp" />
          <Stat label="condition" value={w.condition.replace(/_/g, ' ')} />
          <Stat label="humidity" value={w.humidity === null ? '–' : `${num(w.humidity)} %`} />
          <Stat label="wind" value={w.wind_speed === null ? '–' : `${num(w.wind_speed)} m/s`} />
          <Stat label="observed" value={time(w.observed_at)} hint={`source: ${w.source}${w.stale ? ' (stale)' : ''}`} />
        </div>
      ) : null}
      <TimeChart
        x={points.map((p) => Date.parse(p.time) / 1000)}
        series={[{ label: '°C', values: points.map((p) => p.temperature ?? null) }]}
        range={[Date.now() / 1000 - 86_400, Date.now() / 1000]}
        height={160}
        testId="weather-chart"
      />
    </Card>
  );
}

function score(g: Game): string {
  if (g.status === 'pre') return g.start_time ? time(g.start_time) : 'scheduled';
  return `${g.team_score ?? 0} – ${g.opponent_score ?? 0}`;
}

function SportsCard() {
  const games = usePoll<{ games: Game[] }>('sports/v1/sports/games', 30_000);
  return (
    <Card title="Scores" testId="sports">
      <ErrorNote error={games.error} />
      {games.data?.games.length === 0 ? <p className="muted">No games of the followed teams right now.</p> : null}
      <ul className="plain" data-testid="games">
        {(games.data?.games ?? []).map((g) => (
          <li key={g.game_id} className={`game ${g.status}`}>
            <strong>
              {g.team} {g.home ? 'vs' : '@'} {g.opponent}
            </strong>{' '}
            <span>{score(g)}</span> <span className="muted">{g.detail ?? g.status}</span>
          </li>
        ))}
      </ul>
    </Card>
  );
}

function Deliveries({ id }: { id: string }) {
  const log = usePoll<{ deliveries: Delivery[] }>(
    `sports/v1/webhooks/${encodeURIComponent(id)}/deliveries?limit=20`,
    10_000,
  );
  if (log.error) return <ErrorNote error={log.error} />;
  const rows = log.data?.deliveries ?? [];
  if (rows.length === 0) return <p className="muted">No deliveries yet.</p>;
  return (
    <table className="table">
      <tbody>
        {rows.map((d) => (
          <tr key={d.id}>
            <td className="nowrap">{time(d.created_at)}</td>
            <td>{d.event}</td>
            <td>{d.status}</td>
            <td className="hide-narrow">
              {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
              {d.last_status_code ? ` · HTTP ${d.last_status_code}` : ''}
              {d.last_error ? ` · ${d.last_error}` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function WebhooksCard() {
  const hooks = usePoll<{ webhooks: Webhook[] }>('sports/v1/webhooks', 30_000);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Card title="Webhooks" testId="webhooks">
      <ErrorNote error={hooks.error} />
      {hooks.data?.webhooks.length === 0 ? <p className="muted">No webhook subscriptions.</p> : null}
      <ul className="plain">
        {(hooks.data?.webhooks ?? []).map((h) => (
          <li key={h.id}>
            <button type="button" className="link" onClick={() => setOpen(open === h.id ? null : h.id)}>
              {h.description ?? h.url}
            </button>{' '}
            <span className="muted">
              {h.kind} · {h.events.join(', ')} · {h.enabled ? 'enabled' : 'disabled'} · {h.pending} pending
            </span>
            {open === h.id ? <Deliveries id={h.id} /> : null}
          </li>
        ))}
      </ul>
    </Card>
  );
}

export function Feeds() {
  return (
    <div className="grid">
      <WeatherCard />
      <SportsCard />
      <WebhooksCard />
    </div>
  );
}
