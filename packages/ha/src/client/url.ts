/**
 * The WebSocket endpoint for a Home Assistant URL: accepts a base URL (http(s)://host:8123, optionally with a
 * path prefix behind a proxy) or a ws(s):// URL, with or without /api/websocket.
 */
export function websocketUrl(haUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(haUrl);
  } catch {
    throw new Error(`HA_URL must be a URL such as http://homeassistant.local:8123, got "${haUrl}"`);
  }
  const protocol = { 'http:': 'ws:', 'https:': 'wss:', 'ws:': 'ws:', 'wss:': 'wss:' }[parsed.protocol];
  if (!protocol) throw new Error(`HA_URL must be an http(s) or ws(s) URL, got "${haUrl}"`);
  parsed.protocol = protocol;
  let path = parsed.pathname.replace(/\/+$/, '');
  // ws://supervisor/core/websocket: the Supervisor's proxy to Home Assistant for add-ons, used as it is.
  if (!path.endsWith('/api/websocket') && !isSupervisorProxy(parsed, path)) path = `${path}/api/websocket`;
  parsed.pathname = path;
  parsed.hash = '';
  return parsed.toString();
}

/** The Supervisor's WebSocket proxy to Home Assistant (ws(s)://<host>/core/websocket), for an add-on. */
function isSupervisorProxy(parsed: URL, path: string): boolean {
  return (parsed.protocol === 'ws:' || parsed.protocol === 'wss:') && path === '/core/websocket';
}

/** The URL without credentials or query, safe for logs. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
}
