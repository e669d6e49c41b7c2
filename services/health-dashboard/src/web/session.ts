import { useCallback, useEffect, useState } from 'react';
import { withBase } from './base-path';

/** What GET /auth/session answers: never a secret, only whether this browser is signed in and how it may sign in. */
export interface SessionInfo {
  signedIn: boolean;
  method?: 'api-key' | 'password' | 'home-assistant';
  user?: string;
  methods: { apiKey: boolean; password: boolean; homeAssistant: boolean };
}

/** Fired by api() on a 401 from the dashboard: the session ended (expired, signed out elsewhere, server restart). */
export const SIGNED_OUT_EVENT = 'homeiq:signed-out';

async function sessionInfo(): Promise<SessionInfo> {
  const res = await fetch(withBase('/auth/session'), { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`the dashboard answered HTTP ${res.status}`);
  return (await res.json()) as SessionInfo;
}

/** Posts to the dashboard's own sign-in routes (same origin: the browser adds the Origin the server checks). */
async function post(path: string, body?: unknown): Promise<Response> {
  return fetch(withBase(path), {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function signIn(method: 'api-key' | 'password', secret: string): Promise<void> {
  const res = await post('/auth/sign-in', { method, secret });
  if (res.status === 204) return;
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  throw new Error(body.message ?? `sign-in failed (HTTP ${res.status})`);
}

export async function signOut(): Promise<void> {
  await post('/auth/sign-out');
}

/** The session, re-read after sign-in, sign-out, or when a call through the proxy comes back 401. */
export function useSession(): { info: SessionInfo | undefined; error: string | undefined; refresh: () => void } {
  const [info, setInfo] = useState<SessionInfo>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `tick` is how refresh() asks for a fresh read
  useEffect(() => {
    let live = true;
    sessionInfo().then(
      (s) => {
        if (live) {
          setInfo(s);
          setError(undefined);
        }
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [tick]);
  useEffect(() => {
    window.addEventListener(SIGNED_OUT_EVENT, refresh);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, refresh);
  }, [refresh]);
  return { info, error, refresh };
}
