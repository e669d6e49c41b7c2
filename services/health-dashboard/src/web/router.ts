import { useEffect, useState } from 'react';
import { withBase, withoutBase } from './base-path';

/** The tabs, by path. `/entities/<id>` is an entity page. */
export const TABS = [
  { path: '/', label: 'Overview' },
  { path: '/events', label: 'Events' },
  { path: '/entities', label: 'Entities' },
  { path: '/data', label: 'Data' },
  { path: '/feeds', label: 'Feeds' },
  { path: '/config', label: 'Config' },
] as const;

export function navigate(path: string): void {
  if (withBase(path) === window.location.pathname + window.location.search) return;
  window.history.pushState(null, '', withBase(path));
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function usePath(initial?: string): string {
  const [path, setPath] = useState(
    initial ?? (typeof window === 'undefined' ? '/' : withoutBase(window.location.pathname)),
  );
  useEffect(() => {
    const update = () => setPath(withoutBase(window.location.pathname));
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return path;
}

/** The tab a path belongs to. */
export function tabOf(path: string): string {
  const first = `/${path.split('/')[1] ?? ''}`;
  return TABS.some((t) => t.path === first) ? first : '/';
}
