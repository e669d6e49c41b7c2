import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { fromIngress } from './ingress';
import { SignInLimiter } from './rate-limit';
import { hostAllowed, isHttps, SESSION_COOKIE, sessionIdOf } from './request-guards';
import { type Session, SessionStore } from './sessions';

export interface DashboardAuthOptions {
  apiKey: string;
  /** The dashboard password (DASHBOARD_PASSWORD or its file); undefined: sign-in with the API key only. */
  password?: string;
  /** Home Assistant's URL for "Sign in with Home Assistant"; undefined: that option is off. */
  haUrl?: string;
  allowedHosts: string[];
  idleMs: number;
  absoluteMs: number;
  /** Believe X-Forwarded-Proto/-For from a reverse proxy in front (only when one is). */
  trustProxy: boolean;
  /** The Supervisor's addresses: requests from them with X-Ingress-Path were signed in by Home Assistant. */
  ingressFrom?: string[];
  /** Failed sign-ins per address and window before 429. */
  maxFailures?: number;
  failureWindowMs?: number;
  now?: () => number;
}

/** Equal secrets, in time that does not depend on where they differ nor on their lengths. */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length === expected.length;
}

/** Everything the sign-in routes and the guards share: sessions, the limiter, the allowlist, cookie rules. */
export class DashboardAuth {
  readonly sessions: SessionStore;
  readonly limiter: SignInLimiter;
  readonly allowed: ReadonlySet<string>;

  constructor(readonly options: DashboardAuthOptions) {
    this.sessions = new SessionStore({ idleMs: options.idleMs, absoluteMs: options.absoluteMs }, options.now);
    this.limiter = new SignInLimiter(options.maxFailures ?? 5, options.failureWindowMs ?? 5 * 60_000, options.now);
    this.allowed = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  }

  hostOk(req: IncomingMessage): boolean {
    return hostAllowed(req.headers.host, this.allowed);
  }

  /** A request Home Assistant's ingress forwarded: from a Supervisor address, with X-Ingress-Path. */
  ingress(req: IncomingMessage): boolean {
    return fromIngress(req, this.options.ingressFrom ?? []);
  }

  session(req: IncomingMessage): Session | undefined {
    return this.sessions.touch(sessionIdOf(req));
  }

  /** Set-Cookie for a new session: HttpOnly, SameSite=Strict, Secure on https, living as long as the session may. */
  cookie(req: IncomingMessage, id: string): string {
    const secure = isHttps(req, this.options.trustProxy) ? '; Secure' : '';
    const maxAge = Math.floor(this.options.absoluteMs / 1000);
    return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`;
  }

  clearCookie(req: IncomingMessage): string {
    const secure = isHttps(req, this.options.trustProxy) ? '; Secure' : '';
    return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure}`;
  }
}
