import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HttpApp } from '@homeiq/core';
import type { DashboardAuth } from './dashboard-auth';
import { isHttps, parseCookies } from './request-guards';

const STATE_COOKIE = 'homeiq_ha_state';
const STATE_TTL_MS = 10 * 60_000;
const MAX_PENDING = 1000;
const HA_TIMEOUT_MS = 10_000;

/** The dashboard as the browser sees it: Home Assistant's client id (IndieAuth: the app's URL). */
function clientId(req: IncomingMessage, trustProxy: boolean): string {
  return `${isHttps(req, trustProxy) ? 'https' : 'http'}://${req.headers.host}/`;
}

/**
 * Why a sign-in with Home Assistant failed, as a code in the sign-in page's URL (/?sign_in_error=ha_refused): the
 * page shows its own text for it, so a crafted link cannot put words of an attacker's choosing on the page.
 */
export type HaSignInError = 'ha_state' | 'ha_refused' | 'ha_token' | 'ha_unreachable';

class HaRefusal extends Error {
  constructor(
    readonly code: HaSignInError,
    message: string,
  ) {
    super(message);
  }
}

/** Swaps the code for an access token at Home Assistant, then proves the token by calling HA's REST API with it. */
async function verifyWithHomeAssistant(haUrl: string, code: string, client: string): Promise<void> {
  const res = await fetch(`${haUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: client }).toString(),
    signal: AbortSignal.timeout(HA_TIMEOUT_MS),
  });
  if (!res.ok) throw new HaRefusal('ha_refused', `Home Assistant refused the sign-in code (HTTP ${res.status})`);
  const token = ((await res.json()) as { access_token?: unknown }).access_token;
  if (typeof token !== 'string' || token === '') {
    throw new HaRefusal('ha_token', 'Home Assistant answered without an access token');
  }
  const probe = await fetch(`${haUrl}/api/`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(HA_TIMEOUT_MS),
  });
  if (!probe.ok) throw new HaRefusal('ha_token', `Home Assistant did not accept its own token (HTTP ${probe.status})`);
}

/**
 * "Sign in with Home Assistant": /auth/ha/start sends the browser to HA's /auth/authorize with a one-time
 * state (kept here and in a short-lived cookie, so a code made for another browser is refused); HA sends it back
 * to /auth/ha/callback with a code, which is swapped for a token and checked before a session is made.
 */
export function registerHomeAssistantSignIn(app: HttpApp, auth: DashboardAuth): void {
  const haUrl = auth.options.haUrl;
  const pending = new Map<string, number>();
  const trust = auth.options.trustProxy;
  // Lax, not Strict: the callback is a top-level navigation coming back from Home Assistant's site.
  const stateCookie = (req: IncomingMessage, value: string, maxAge: number) =>
    `${STATE_COOKIE}=${value}; Path=/auth/ha/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${isHttps(req, trust) ? '; Secure' : ''}`;
  const fail = (code: HaSignInError) => `/?sign_in_error=${code}`;

  app.get('/auth/ha/start', async (request, reply) => {
    if (!haUrl) return reply.code(404).send({ error: 'not_found', message: 'sign-in with Home Assistant is off' });
    const now = Date.now();
    for (const [state, expires] of pending) if (expires < now || pending.size >= MAX_PENDING) pending.delete(state);
    const state = randomBytes(24).toString('base64url');
    pending.set(state, now + STATE_TTL_MS);
    const client = clientId(request.raw, trust);
    const target = new URL(`${haUrl}/auth/authorize`);
    target.search = new URLSearchParams({
      response_type: 'code',
      client_id: client,
      redirect_uri: `${client}auth/ha/callback`,
      state,
    }).toString();
    return reply
      .code(302)
      .header('set-cookie', stateCookie(request.raw, state, STATE_TTL_MS / 1000))
      .header('cache-control', 'no-store')
      .header('location', target.toString())
      .send();
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/auth/ha/callback', async (request, reply) => {
    if (!haUrl) return reply.code(404).send({ error: 'not_found', message: 'sign-in with Home Assistant is off' });
    const { code, state } = request.query;
    const cookieState = parseCookies(request.headers.cookie).get(STATE_COOKIE);
    const expires = state ? pending.get(state) : undefined;
    if (state) pending.delete(state);
    reply.header('set-cookie', stateCookie(request.raw, '', 0)).header('cache-control', 'no-store');
    if (!code || !state || state !== cookieState || expires === undefined || expires < Date.now()) {
      return reply.redirect(fail('ha_state'));
    }
    try {
      await verifyWithHomeAssistant(haUrl, code, clientId(request.raw, trust));
    } catch (error) {
      request.log.warn({ err: error }, 'sign-in with Home Assistant failed');
      return reply.redirect(fail(error instanceof HaRefusal ? error.code : 'ha_unreachable'));
    }
    const id = auth.sessions.create('home-assistant');
    reply.header('set-cookie', [stateCookie(request.raw, '', 0), auth.cookie(request.raw, id)]);
    return reply.redirect('/');
  });
}
