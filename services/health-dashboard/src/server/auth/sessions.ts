import { randomBytes } from 'node:crypto';

/** How the holder of a session signed in (shown on the page; never the secret itself). */
export type SignInMethod = 'api-key' | 'password' | 'home-assistant';

export interface Session {
  method: SignInMethod;
  /** The Home Assistant user's name for `home-assistant`. */
  user?: string;
  createdAt: number;
  lastSeen: number;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
  /** Sessions kept at most; the least recently used goes first (a flood of sign-ins cannot grow memory). */
  max?: number;
}

/**
 * Sessions in memory, keyed by a random 256-bit id that only the browser's HttpOnly cookie holds. A session ends
 * after `idleMs` without use, `absoluteMs` after sign-in, or on sign-out; a restart signs everyone out.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly limits: SessionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  create(method: SignInMethod, user?: string): string {
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    const at = this.now();
    this.sessions.set(id, { method, user, createdAt: at, lastSeen: at });
    const max = this.limits.max ?? 10_000;
    while (this.sessions.size > max) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    return id;
  }

  /** The live session for `id` (its idle clock restarts), or undefined. */
  touch(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const at = this.now();
    if (at - session.lastSeen > this.limits.idleMs || at - session.createdAt > this.limits.absoluteMs) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeen = at;
    // Re-insert so Map order is least recently used first.
    this.sessions.delete(id);
    this.sessions.set(id, session);
    return session;
  }

  end(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  private sweep(): void {
    const at = this.now();
    for (const [id, s] of this.sessions) {
      if (at - s.lastSeen > this.limits.idleMs || at - s.createdAt > this.limits.absoluteMs) this.sessions.delete(id);
    }
  }
}
