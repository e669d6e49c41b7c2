import { useCallback, useEffect, useRef, useState } from 'react';
import { withBase } from './base-path';
import { SIGNED_OUT_EVENT } from './session';

/**
 * Calls a service through the dashboard's proxy: `api('admin/v1/stats')` -> GET /api/admin/v1/stats.
 * The browser sends its session cookie, the proxy adds the API key; the page never sees it. A 401 means the
 * session ended: the app shows the sign-in page again.
 */
export async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(withBase(`/api/${path}`), {
    ...init,
    headers: { accept: 'application/json', ...(init?.body ? { 'content-type': 'application/json' } : {}) },
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (res.status === 401) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  if (!res.ok) {
    const message = (body as { message?: string } | null)?.message ?? `HTTP ${res.status}`;
    throw new Error(message);
  }
  return body as T;
}

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

/** Loads `path` now and every `intervalMs` (0: once); keeps the last good data while a reload fails. */
export function usePoll<T>(path: string | null, intervalMs = 0): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(path !== null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` is how reload() asks for a fresh load
  useEffect(() => {
    if (path === null) return undefined;
    let live = true;
    const load = () => {
      api<T>(path).then(
        (d) => {
          if (!live) return;
          setData(d);
          setError(undefined);
          setLoading(false);
        },
        (e: Error) => {
          if (!live) return;
          setError(e.message);
          setLoading(false);
        },
      );
    };
    load();
    const timer = intervalMs > 0 ? setInterval(load, intervalMs) : undefined;
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [path, intervalMs, tick]);
  return { data, error, loading, reload };
}

/** A WebSocket URL on this page's host for a proxied path (`data/v1/events/stream`). */
export function wsUrl(path: string): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}${withBase(`/api/${path}`)}`;
}

/** Keeps the latest value of a callback in a ref (for socket handlers that must not re-subscribe). */
export function useLatest<T>(value: T): { current: T } {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}
