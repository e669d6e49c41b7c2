import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { HttpApp } from '@homeiq/core';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

async function fileAt(root: string, urlPath: string): Promise<{ path: string; size: number } | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const path = normalize(join(root, decoded));
  if (path !== root && !path.startsWith(root + sep)) return undefined;
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ? { path, size: info.size } : undefined;
}

/**
 * The built app: files from dist/ (hashed assets cached for a year, index.html never), and index.html for
 * any other path that is not a static file type so deep links such as /entities/sensor.x load the app (SPA fallback).
 * `basePathOf` names the prefix a trusted proxy serves the app under (Home Assistant ingress): index.html's
 * <base href="/"> then becomes that prefix, so the app's relative asset and API URLs go through the proxy.
 */
export function registerStatic(
  app: HttpApp,
  distDir: () => string,
  basePathOf: (req: IncomingMessage) => string | undefined = () => undefined,
): void {
  app.get('/*', async (request, reply) => {
    const root = normalize(distDir());
    const urlPath = request.url.split('?')[0] ?? '/';
    if (urlPath.startsWith('/api/')) {
      return reply.code(404).send({ error: 'not_found', message: `no route GET ${urlPath}` });
    }
    let file = urlPath === '/' ? undefined : await fileAt(root, urlPath);
    if (!file) {
      // A missing asset is a 404, not the app: a browser would otherwise try to run HTML as a script.
      // (Only known file types count: app paths such as /entities/sensor.kitchen have dots too.)
      if (urlPath.startsWith('/assets/') || (TYPES[extname(urlPath)] && urlPath !== '/index.html')) {
        return reply.code(404).type('text/plain').send('not found');
      }
      file = await fileAt(root, '/index.html');
      if (!file) return reply.code(503).type('text/plain').send('the dashboard is not built yet');
    }
    const immutable = urlPath.startsWith('/assets/');
    const base = extname(file.path) === '.html' ? basePathOf(request.raw) : undefined;
    if (base !== undefined) {
      const html = (await readFile(file.path, 'utf8')).replace('<base href="/" />', `<base href="${base}/" />`);
      return reply
        .type(TYPES['.html'] as string)
        .header('cache-control', 'no-cache')
        .send(html);
    }
    return reply
      .type(TYPES[extname(file.path)] ?? 'application/octet-stream')
      .header('content-length', file.size)
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(createReadStream(file.path));
  });
}
