import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { SimOAuth } from './oauth';

export interface ServerHooks {
  /** A socket finished the WebSocket handshake on /api/websocket. */
  onSocket(ws: import('ws').WebSocket): void;
  /** Minimal REST answers (GET /api/ and /api/config) for probes. */
  rest(path: string, authorized: boolean): { status: number; body: unknown };
  token: string;
  /** HA's OAuth sign-in (/auth/*) and the access tokens it issued, which the REST API also accepts. */
  oauth?: SimOAuth;
}

/** aiohttp's default max_msg_size (HA keeps it): bigger client frames close the socket. */
const MAX_INCOMING = 4 * 1024 * 1024;

/** The HTTP side: the upgrade to /api/websocket, 503 while refusing, and going down / coming back on the same port. */
export class SimServer {
  private http: Server | undefined;
  private readonly wss: WebSocketServer;
  private refuseUntil = 0;
  port = 0;

  constructor(
    readonly host: string,
    private readonly hooks: ServerHooks,
    compression: boolean,
  ) {
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: compression, maxPayload: MAX_INCOMING });
  }

  refuseFor(ms: number): void {
    this.refuseUntil = Math.max(this.refuseUntil, Date.now() + ms);
  }

  private refusing(): boolean {
    return Date.now() < this.refuseUntil;
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const path = (req.url ?? '/').split('?')[0];
    if (this.refusing()) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (path !== '/api/websocket') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.hooks.onSocket(ws));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.refusing()) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('503: Service Unavailable');
      return;
    }
    if (this.hooks.oauth?.handle(req, res)) return;
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const authorized = bearer === this.hooks.token || this.hooks.oauth?.userOf(bearer) !== undefined;
    const { status, body } = this.hooks.rest(path, authorized);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  /** Listens on `port` (0 = any free one); retries a taken port for a while (coming back after a restart). */
  async listen(port: number): Promise<void> {
    const http = createServer((req, res) => this.onRequest(req, res));
    http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        await new Promise<void>((resolve, reject) => {
          http.once('error', reject);
          http.listen(port, this.host, () => {
            http.off('error', reject);
            resolve();
          });
        });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0 || Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const address = http.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    this.http = http;
  }

  /** Stops listening (connects are refused) and closes every open socket. */
  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    const http = this.http;
    this.http = undefined;
    if (!http) return;
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
  }

  async stop(): Promise<void> {
    await this.close();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
