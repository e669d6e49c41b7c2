import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { WebSocketServer } from 'ws';

export interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A stand-in service on loopback that records what reached it: plain JSON, a POST echo, Server-Sent Events
 * and a WebSocket that answers with the authorization header it was opened with.
 */
export async function startFakeUpstream(): Promise<{
  url: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url?.startsWith('/api/v1/sse')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: [1]\n\n');
        setTimeout(() => res.write('data: [2]\n\n'), 50);
        return;
      }
      res.writeHead(req.url?.startsWith('/api/v1/missing') ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body }));
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    seen.push({ method: 'UPGRADE', url: req.url ?? '', headers: req.headers, body: '' });
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify({ hello: true, authorization: req.headers.authorization ?? null, url: req.url }));
      ws.on('message', (m) => ws.send(`echo:${m.toString()}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
