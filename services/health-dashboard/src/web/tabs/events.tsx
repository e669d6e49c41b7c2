import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api, useLatest, wsUrl } from '../api';
import { type EventJson, EventTable } from '../components/event-table';
import { Card, ErrorNote } from '../components/ui';

const KEEP = 300;

/** The live stream from data-api (WebSocket through the proxy), with a filter and pause. */
function LiveEvents() {
  const [events, setEvents] = useState<EventJson[]>([]);
  const [paused, setPaused] = useState(false);
  const [filter, setFilter] = useState('');
  const [state, setState] = useState<'connecting' | 'live' | 'closed'>('connecting');
  const [received, setReceived] = useState(0);
  const held = useRef<EventJson[]>([]);
  const pausedRef = useLatest(paused);

  useEffect(() => {
    let socket: WebSocket | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const connect = () => {
      setState('connecting');
      socket = new WebSocket(wsUrl('data/v1/events/stream'));
      socket.onopen = () => setState('live');
      socket.onmessage = (message) => {
        const batch = JSON.parse(String(message.data)) as EventJson[];
        setReceived((n) => n + batch.length);
        const newest = [...batch].reverse();
        if (pausedRef.current) {
          held.current = [...newest, ...held.current].slice(0, KEEP);
          return;
        }
        setEvents((old) => [...newest, ...old].slice(0, KEEP));
      };
      socket.onclose = () => {
        setState('closed');
        if (!stopped) retry = setTimeout(connect, 2000);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      socket?.close();
    };
  }, [pausedRef]);

  const resume = () => {
    setEvents((old) => [...held.current, ...old].slice(0, KEEP));
    held.current = [];
    setPaused(false);
  };
  const needle = filter.trim().toLowerCase();
  const shown = needle
    ? events.filter((e) => e.entity_id.includes(needle) || e.state.toLowerCase().includes(needle))
    : events;

  return (
    <Card
      title="Live"
      wide
      testId="live"
      actions={
        <span className={`badge ${state === 'live' ? 'healthy' : 'degraded'}`} data-testid="live-state">
          {state}
        </span>
      }
    >
      <div className="toolbar">
        <input
          type="search"
          placeholder="Filter by entity or state"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter live events"
        />
        {paused ? (
          <button type="button" onClick={resume}>
            Resume ({held.current.length} held)
          </button>
        ) : (
          <button type="button" onClick={() => setPaused(true)}>
            Pause
          </button>
        )}
        <span className="muted" data-testid="live-count">
          {received} received
        </span>
      </div>
      <EventTable events={shown.slice(0, 100)} testId="live-events" />
    </Card>
  );
}

interface Page {
  events: EventJson[];
  next_cursor: string | null;
}

/** A search of the stored events (data-api GET /api/v1/events), paged by cursor. */
function StoredEvents() {
  const [entity, setEntity] = useState('');
  const [domain, setDomain] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [results, setResults] = useState<EventJson[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string>();

  const query = (next?: string) => {
    const q = new URLSearchParams({ limit: '50' });
    if (entity.trim()) q.append('entity_id', entity.trim());
    if (domain.trim()) q.set('domain', domain.trim());
    if (start) q.set('start', new Date(start).toISOString());
    if (end) q.set('end', new Date(end).toISOString());
    if (next) q.set('cursor', next);
    return q.toString();
  };
  const search = async (e?: FormEvent, next?: string) => {
    e?.preventDefault();
    try {
      const page = await api<Page>(`data/v1/events?${query(next)}`);
      setResults((old) => (next && old ? [...old, ...page.events] : page.events));
      setCursor(page.next_cursor);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <Card title="Search stored events" wide testId="search">
      <form className="toolbar" onSubmit={(e) => void search(e)}>
        <input
          placeholder="entity_id, e.g. sensor.kitchen_temperature"
          value={entity}
          onChange={(e) => setEntity(e.target.value)}
          aria-label="Entity id"
        />
        <input
          placeholder="domain, e.g. light"
          value={domain}
          onChange={(e) => setDomain(e.target.value)}
          aria-label="Domain"
        />
        <input type="datetime-local" value={start} onChange={(e) => setStart(e.target.value)} aria-label="From" />
        <input type="datetime-local" value={end} onChange={(e) => setEnd(e.target.value)} aria-label="To" />
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={error} />
      {results ? <EventTable events={results} testId="search-results" /> : null}
      {cursor ? (
        <button type="button" onClick={() => void search(undefined, cursor)}>
          More
        </button>
      ) : null}
    </Card>
  );
}

export function Events() {
  return (
    <div className="grid">
      <LiveEvents />
      <StoredEvents />
    </div>
  );
}
