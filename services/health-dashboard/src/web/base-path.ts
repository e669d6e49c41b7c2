/**
 * The path the app is served under: '' normally; Home Assistant's ingress prefix (/api/hassio_ingress/<token>)
 * when the dashboard runs as an add-on. The server writes it into index.html's <base href>, and every URL the
 * app builds (API calls, sign-in, WebSocket, links, history) goes through withBase.
 */
export function basePath(): string {
  if (typeof document === 'undefined') return '';
  return new URL(document.baseURI).pathname.replace(/\/+$/, '');
}

/** '/api/x' -> '<base>/api/x'. */
export function withBase(path: string): string {
  return `${basePath()}${path}`;
}

/** The app path of a location path: the base prefix removed ('/' at least). */
export function withoutBase(pathname: string): string {
  const base = basePath();
  const rest = base && pathname.startsWith(base) ? pathname.slice(base.length) : pathname;
  return rest || '/';
}
