import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Home Assistant's sign-in for web apps (OAuth2 with IndieAuth-style clients: the client id is the app's URL and
 * the redirect URI must share its host and port). GET /auth/authorize would show HA's login form; the simulator
 * approves `user` at once, so a test can drive the whole flow. POST /auth/token swaps a code (single use, 10
 * minutes) for an access token (30 minutes) that the REST API then accepts as a Bearer token.
 */
export interface SimOAuthUser {
  id: string;
  name: string;
}

const CODE_TTL_MS = 10 * 60_000;
const TOKEN_TTL_S = 1800;
const MAX_BODY = 16 * 1024;

interface Grant {
  clientId: string;
  redirectUri: string;
  user: SimOAuthUser;
  expires: number;
}

function sameHostAndPort(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.protocol === y.protocol && x.host === y.host;
  } catch {
    return false;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

export class SimOAuth {
  private readonly codes = new Map<string, Grant>();
  private readonly tokens = new Map<string, { user: SimOAuthUser; expires: number }>();

  /** `user`: who the authorize page signs in (undefined: nobody can sign in, as with a closed login form). */
  constructor(private readonly user: SimOAuthUser | undefined) {}

  /** The user an access token belongs to, while it is valid. */
  userOf(token: string): SimOAuthUser | undefined {
    const entry = this.tokens.get(token);
    if (!entry || entry.expires < Date.now()) return undefined;
    return entry.user;
  }

  /** Answers /auth/authorize and /auth/token; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname === '/auth/authorize' && req.method === 'GET') {
      this.authorize(url.searchParams, res);
      return true;
    }
    if (url.pathname === '/auth/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
        if (body.length > MAX_BODY) req.destroy();
      });
      req.on('end', () => this.token(new URLSearchParams(body), res));
      return true;
    }
    return false;
  }

  private authorize(query: URLSearchParams, res: ServerResponse): void {
    const clientId = query.get('client_id') ?? '';
    const redirectUri = query.get('redirect_uri') ?? '';
    if (query.get('response_type') !== 'code' || !clientId || !sameHostAndPort(clientId, redirectUri)) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Invalid client id or redirect url');
      return;
    }
    if (!this.user) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('no user can sign in to this simulated home');
      return;
    }
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { clientId, redirectUri, user: this.user, expires: Date.now() + CODE_TTL_MS });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    const state = query.get('state');
    if (state !== null) back.searchParams.set('state', state);
    res.writeHead(302, { location: back.toString() }).end();
  }

  private token(form: URLSearchParams, res: ServerResponse): void {
    if (form.get('grant_type') !== 'authorization_code') {
      json(res, 400, { error: 'unsupported_grant_type' });
      return;
    }
    const code = form.get('code') ?? '';
    const grant = this.codes.get(code);
    this.codes.delete(code);
    if (!grant || grant.expires < Date.now() || grant.clientId !== form.get('client_id')) {
      json(res, 400, { error: 'invalid_request', error_description: 'Invalid code' });
      return;
    }
    const accessToken = randomBytes(32).toString('base64url');
    this.tokens.set(accessToken, { user: grant.user, expires: Date.now() + TOKEN_TTL_S * 1000 });
    json(res, 200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: TOKEN_TTL_S,
      refresh_token: randomBytes(32).toString('base64url'),
    });
  }
}
