import { usePoll } from './api';
import { SimulatedBanner } from './components/simulated-banner';
import { Link } from './components/ui';
import { TABS, tabOf, usePath } from './router';
import { type SessionInfo, signOut, useSession } from './session';
import { Config } from './tabs/config';
import { Data } from './tabs/data';
import { Entities } from './tabs/entities';
import { EntityPage } from './tabs/entity-page';
import { Events } from './tabs/events';
import { Feeds } from './tabs/feeds';
import { type AdminStats, Overview } from './tabs/overview';
import { SignIn } from './tabs/sign-in';

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

const SIGNED_IN_AS: Record<NonNullable<SessionInfo['method']>, string> = {
  'api-key': 'signed in with the API key',
  password: 'signed in with the password',
  'home-assistant': 'signed in with Home Assistant',
};

/** The sign-in page until this browser holds a session, then the dashboard. */
export function App({ initialPath }: { initialPath?: string }) {
  const session = useSession();
  if (!session.info) {
    return <main className="sign-in">{session.error ? <p className="error">{session.error}</p> : null}</main>;
  }
  if (!session.info.signedIn) return <SignIn methods={session.info.methods} onSignedIn={session.refresh} />;
  const out = () => signOut().finally(session.refresh);
  return <Dashboard initialPath={initialPath} who={SIGNED_IN_AS[session.info.method ?? 'api-key']} onSignOut={out} />;
}

/** The tabs and pages of a signed-in browser. */
export function Dashboard({
  initialPath,
  who,
  onSignOut,
}: {
  initialPath?: string;
  who: string;
  onSignOut: () => void;
}) {
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
        <span className="session muted" title={who}>
          <button type="button" className="link" onClick={onSignOut}>
            Sign out
          </button>
        </span>
      </header>
      <main>
        <Page path={path} />
      </main>
    </>
  );
}
