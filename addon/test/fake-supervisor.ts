import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

/**
 * The two parts of Home Assistant's Supervisor an add-on meets, as its developer documentation describes them:
 * - the Core proxy at ws://supervisor/core/websocket: it asks the add-on to authenticate (auth_required), accepts
 *   only the add-on's SUPERVISOR_TOKEN as the access token, then relays to Home Assistant, which it signs in to
 *   with its own credentials (the add-on never sees them);
 * - ingress: /api/hassio_ingress/<session>/<path> is forwarded to the add-on's ingress port as /<path>, from the
 *   Supervisor's own address, with X-Ingress-Path: /api/hassio_ingress/<session>.
 */
export interface FakeSupervisor {
  url: string;
  /** Every access token an add-on sent to /core/websocket, accepted or not. */
  tokensSeen: string[];
  /** Connections relayed to Home Assistant after a good token. */
  relayed: () => number;
  stop(): Promise<void>;
}

export interface FakeSupervisorOptions {
  supervisorToken: string;
  /** Home Assistant's WebSocket URL and its token (the Supervisor's own credentials to Core). */
  haWebSocket: string;
  haToken: string;
  /** Where ingress requests go: the add-on's ingress port on loopback. */
  ingressPort: () => number;
}

function relayToCore(client: WebSocket, options: FakeSupervisorOptions, onRelay: () => void): void {
  const core = new WebSocket(options.haWebSocket);
  const held: string[] = [];
  let ready = false;
  core.on('message', (data, isBinary) => {
    if (ready) {
      client.send(isBinary ? data : data.toString());
      return;
    }
    const msg = JSON.parse(data.toString()) as { type: string };
    if (msg.type === 'auth_required') core.send(JSON.stringify({ type: 'auth', access_token: options.haToken }));
    else if (msg.type === 'auth_ok') {
      ready = true;
      onRelay();
      client.send(data.toString());
      for (const m of held.splice(0)) core.send(m);
    } else client.close(1011, 'core refused the supervisor');
  });
  // Text frames both ways, as Home Assistant speaks JSON in text frames only.
  client.on('message', (data) => (ready ? core.send(data.toString()) : held.push(data.toString())));
  const closeBoth = () => {
    client.terminate();
    core.terminate();
  };
  core.on('close', closeBoth);
  core.on('error', closeBoth);
  client.on('close', closeBoth);
  client.on('error', closeBoth);
}

function forwardIngress(req: IncomingMessage, res: import('node:http').ServerResponse, port: number): void {
  const match = /^(\/api\/hassio_ingress\/[A-Za-z0-9_-]+)(\/.*)?$/.exec(req.url ?? '');
  if (!match) {
    res.writeHead(404).end();
    return;
  }
  const upstream = request(
    {
      host: '127.0.0.1',
      port,
      method: req.method,
      path: match[2] ?? '/',
      // The browser's headers, less the user headers a client might forge, plus what Home Assistant and the
      // Supervisor add: the ingress path, the scheme, and the signed-in user.
      headers: {
        ...Object.fromEntries(Object.entries(req.headers).filter(([name]) => !name.startsWith('x-remote-user-'))),
        'x-ingress-path': match[1],
        'x-forwarded-proto': 'http',
        'x-remote-user-display-name': 'Test Owner',
      },
      localAddress: '127.0.0.1',
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.writeHead(502).end());
  req.pipe(upstream);
}

export async function startFakeSupervisor(options: FakeSupervisorOptions): Promise<FakeSupervisor> {
  const tokensSeen: string[] = [];
  let relayed = 0;
  const server: Server = createServer((req, res) => forwardIngress(req, res, options.ingressPort()));
  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/core/websocket') {
      socket.destroy();
      return;
    }
    sockets.handleUpgrade(req, socket, head, (client) => {
      client.send(JSON.stringify({ type: 'auth_required', ha_version: 'supervisor-proxy' }));
      client.once('message', (data) => {
        const msg = JSON.parse(data.toString()) as { type?: string; access_token?: string };
        tokensSeen.push(String(msg.access_token));
        if (msg.type !== 'auth' || msg.access_token !== options.supervisorToken) {
          client.send(JSON.stringify({ type: 'auth_invalid', message: 'Invalid access' }));
          client.close();
          return;
        }
        relayToCore(client, options, () => relayed++);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tokensSeen,
    relayed: () => relayed,
    stop: async () => {
      for (const client of sockets.clients) client.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
