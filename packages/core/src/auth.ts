import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpApp } from './http';
import { makePrivateDir } from './private-files';

const KEY_FILE = 'api-key';

/**
 * The API key: API_KEY when set, else the one kept in the data dir, else a new one written there
 * (mode 0600) and printed once to stderr so the owner can copy it. Never logged.
 */
export function resolveApiKey(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv;
  const file = join(dataDir, KEY_FILE);
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored) return stored;
  }
  makePrivateDir(dataDir);
  const key = randomBytes(24).toString('base64url');
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another service in a split deployment created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw error;
  }
  chmodSync(file, 0o600);
  process.stderr.write(`\nHomeIQ generated an API key (stored in ${file}):\n  ${key}\n\n`);
  return key;
}

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The key a request carries: `Authorization: Bearer <key>`, or `?api_key=` when `query` is given — only the
 * live streams pass it, because browsers' WebSocket and EventSource cannot set headers. Anywhere else a key in
 * the URL would end up in proxy logs, browser history and Referer headers.
 */
export function requestApiKey(headers: Record<string, unknown>, query?: unknown): string | undefined {
  const header = headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match?.[1]) return match[1];
  }
  const q = query as Record<string, unknown> | undefined;
  return typeof q?.api_key === 'string' ? q.api_key : undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A live stream: also takes the key as `?api_key=` (browsers' WebSocket and EventSource send no headers). */
    apiKeyInQuery?: boolean;
  }
}

/**
 * 401 without a key, 403 with a wrong one; paths in `open` (default /health) need none; routes declared with
 * `config: { apiKeyInQuery: true }` (the live streams) also take the key as `?api_key=`.
 */
export function requireApiKey(app: HttpApp, apiKey: string, open: string[] = ['/health']): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (open.some((p) => path === p || (p.endsWith('*') && path.startsWith(p.slice(0, -1))))) return;
    const stream = request.routeOptions.config?.apiKeyInQuery === true;
    const given = requestApiKey(request.headers, stream ? request.query : undefined);
    if (given === undefined) {
      const inQuery = typeof (request.query as Record<string, unknown> | undefined)?.api_key === 'string';
      const message = inQuery
        ? '?api_key= is accepted only on the live streams; send Authorization: Bearer <API_KEY>'
        : 'missing API key: send Authorization: Bearer <API_KEY>';
      return reply.code(401).send({ error: 'unauthorized', message });
    }
    if (!sameKey(given, apiKey)) return reply.code(403).send({ error: 'forbidden', message: 'wrong API key' });
  });
}
