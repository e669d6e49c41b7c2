import WebSocket from 'ws';

export interface HaHomeConfig {
  latitude: number;
  longitude: number;
  locationName: string | undefined;
}

/** HA_URL may be http(s)://host:8123 or the ws(s):// endpoint itself. */
export function haWebSocketUrl(haUrl: string): string {
  const url = new URL(haUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  const supervisorProxy = url.protocol.startsWith('ws') && url.pathname === '/core/websocket';
  if (!url.pathname.endsWith('/api/websocket') && !supervisorProxy)
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/websocket`;
  return url.toString();
}

/**
 * One short exchange with Home Assistant: auth, get_config, close. Used once to learn the home location;
 * a long-lived client would be overkill for a value that practically never changes.
 */
export function fetchHaHomeConfig(haUrl: string, token: string, timeoutMs = 10_000): Promise<HaHomeConfig> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(haWebSocketUrl(haUrl), { handshakeTimeout: timeoutMs });
    let settled = false;
    const finish = (error: Error | undefined, value?: HaHomeConfig) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.terminate();
      if (error) reject(error);
      else resolve(value as HaHomeConfig);
    };
    const timer = setTimeout(
      () => finish(new Error(`Home Assistant did not answer get_config within ${timeoutMs} ms`)),
      timeoutMs,
    );
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', access_token: token })));
    ws.on('error', (error) => finish(new Error(`cannot reach Home Assistant: ${error.message}`)));
    ws.on('close', () => finish(new Error('Home Assistant closed the connection before answering get_config')));
    ws.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        return finish(new Error('Home Assistant sent a frame that is not JSON'));
      }
      for (const msg of Array.isArray(parsed) ? parsed : [parsed]) {
        const m = msg as {
          type?: string;
          id?: number;
          success?: boolean;
          result?: unknown;
          error?: { message?: string };
        };
        if (m.type === 'auth_ok') ws.send(JSON.stringify({ id: 1, type: 'get_config' }));
        else if (m.type === 'auth_invalid') finish(new Error('Home Assistant rejected HA_TOKEN'));
        else if (m.type === 'result' && m.id === 1) {
          if (!m.success) return finish(new Error(`get_config failed: ${m.error?.message ?? 'unknown error'}`));
          const r = (m.result ?? {}) as Record<string, unknown>;
          if (typeof r.latitude !== 'number' || typeof r.longitude !== 'number') {
            return finish(new Error('Home Assistant has no home location (get_config without latitude/longitude)'));
          }
          finish(undefined, {
            latitude: r.latitude,
            longitude: r.longitude,
            locationName: typeof r.location_name === 'string' && r.location_name ? r.location_name : undefined,
          });
        }
      }
    });
  });
}
