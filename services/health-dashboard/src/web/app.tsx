import { usePoll } from './api';
import { SimulatedBanner } from './components/simulated-banner';
import { Link } from './components/ui';
import { TABS, tabOf, usePath } from './router';
import { Config } from './tabs/config';
import { Data } from './tabs/data';
import { Entities } from './tabs/entities';
import { EntityPage } from './tabs/entity-page';
import { Events } from './tabs/events';
import { Feeds } from './tabs/feeds';
import { type AdminStats, Overview } from './tabs/overview';

function Page({ path }: { path: string }) {
  if (path.startsWith('/entities/')) {
    return <EntityPage entityId={decodeURIComponent(path.slice('/entities/'.length))} />;
  }
  switch (tabOf(path)) {
    case '/events':
      return <Events />;
    case '/entities':
      return <Entities />;
    case '/data':
      return <Data />;
    case '/feeds':
      return <Feeds />;
    case '/config':
      return <Config />;
    default:
      return <Overview />;
  }
}

export function App({ initialPath }: { initialPath?: string }) {
  const path = usePath(initialPath);
  const stats = usePoll<AdminStats>('admin/v1/stats', 10_000);
  const tab = tabOf(path);
  return (
    <>
      <SimulatedBanner simulated={stats.data?.simulated} />
      <header className="top">
        <h1>HomeIQ</h1>
        <nav aria-label="Tabs">
          {TABS.map((t) => (
            <Link key={t.path} to={t.path} className={t.path === tab ? 'tab active' : 'tab'}>
              {t.label}
            </Link>
          ))}
        </nav>
      </header>
      <main>
        <Page path={path} />
      </main>
    </>
  );
}
