import WebSocket from 'ws';
import { HaAuthError, HaClientError, HaTimeoutError } from './errors';
import { auth } from './messages';
import { safeUrl } from './url';

export type FrameHandler = (data: Buffer) => void;

export interface OpenSocketOptions {
  /** The /api/websocket URL (see websocketUrl). */
  url: string;
  token: string;
  /** Whole handshake (TCP + upgrade + auth), ms. */
  timeoutMs: number;
  /** Receives every frame after auth_ok, attached synchronously so that no frame can slip between. */
  onFrame: FrameHandler;
  /** Largest frame accepted (history answers can be big). */
  maxPayload?: number;
}

export interface OpenedSocket {
  ws: WebSocket;
  haVersion: string;
}

/**
 * Opens a WebSocket to Home Assistant and authenticates. Sends `auth` as soon as the socket opens
 * (HA accepts it before `auth_required`). Resolves after auth_ok; rejects with HaAuthError on auth_invalid
 * (fatal) or a retryable HaClientError on anything else. The token never appears in an error.
 */
export function openSocket(options: OpenSocketOptions): Promise<OpenedSocket> {
  const where = safeUrl(options.url);
  return new Promise((resolve, reject) => {
    let settled = false;
    const ws = new WebSocket(options.url, {
      handshakeTimeout: options.timeoutMs,
      maxPayload: options.maxPayload ?? 256 * 1024 * 1024,
      perMessageDeflate: false,
    });
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new HaTimeoutError(`connecting to Home Assistant at ${where}`, options.timeoutMs)),
      options.timeoutMs,
    );

    ws.on('open', () => ws.send(JSON.stringify(auth(options.token))));
    ws.on('unexpected-response', (_req, res) => {
      fail(new HaClientError('HA_UNAVAILABLE', `Home Assistant at ${where} answered HTTP ${res.statusCode}`));
    });
    ws.on('error', (error) => {
      fail(new HaClientError('HA_UNREACHABLE', `cannot reach Home Assistant at ${where}: ${error.message}`));
    });
    ws.on('close', (code) => {
      fail(new HaClientError('HA_CLOSED', `Home Assistant at ${where} closed the socket during auth (code ${code})`));
    });
    ws.on('message', (data: Buffer) => {
      let msg: { type?: unknown; ha_version?: unknown; message?: unknown };
      try {
        msg = JSON.parse(data.toString());
      } catch {
        fail(new HaClientError('HA_PROTOCOL', `Home Assistant at ${where} sent a non-JSON frame during auth`));
        return;
      }
      if (msg.type === 'auth_required') return;
      if (msg.type === 'auth_invalid') {
        fail(new HaAuthError(where, typeof msg.message === 'string' ? msg.message : 'auth_invalid'));
        return;
      }
      if (msg.type !== 'auth_ok') {
        fail(new HaClientError('HA_PROTOCOL', `unexpected message during auth: ${String(msg.type)}`));
        return;
      }
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners('message');
      ws.removeAllListeners('close');
      ws.removeAllListeners('error');
      ws.removeAllListeners('open');
      ws.removeAllListeners('unexpected-response');
      ws.on('error', () => {}); // the connection attaches its own handlers right after; never an unhandled 'error'
      ws.on('message', options.onFrame);
      resolve({ ws, haVersion: typeof msg.ha_version === 'string' ? msg.ha_version : 'unknown' });
    });
  });
}
