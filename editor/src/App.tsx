import { useCallback, useEffect, useState } from 'react';
import { Inbox, KeyRound, LayoutDashboard, List, ScrollText, ShieldCheck, UsersRound, UserRoundCog, Workflow } from 'lucide-react';
import { api, call, onSignedOut } from './api/client.js';
import { isSignedIn, signOut } from './api/session.js';
import { browserSessionStorage, clearTestInputs } from './flow-editor/test-input.js';
import { hrefFor, navigate, useRoute, type Route } from './router.js';
import { SignIn } from './pages/SignIn.js';
import { holdsAnyRole, sectionsFor } from './accounts/access.js';
import { AccountMenu } from './accounts/AccountMenu.js';
import { KillSwitchButton, KillSwitchDialog, PausedBanner } from './automation/KillSwitch.js';
import { AccountPage } from './accounts/AccountPage.js';
import { NoRoleHome } from './accounts/NoRoleHome.js';
import { AccountProvider, useAccount } from './accounts/me.js';
import { PeoplePage } from './people/PeoplePage.js';
import { TeamsPage } from './people/TeamsPage.js';
import { FlowsPage } from './pages/FlowsPage.js';
import { FlowEditorPage } from './pages/FlowEditorPage.js';
import { RunsPage } from './pages/RunsPage.js';
import { RunPage } from './pages/RunPage.js';
import { ApprovalsPage } from './pages/ApprovalsPage.js';
import { EventsPage } from './pages/EventsPage.js';
import { SecretsPage } from './pages/SecretsPage.js';
import { AuditPage } from './pages/AuditPage.js';
import { DashboardPage } from './dashboard/DashboardPage.js';
import { Toasts, toast } from './ui/toast.js';
import { usePolling } from './ui/usePolling.js';

type SessionState = 'checking' | 'signed-out' | 'signed-in' | 'unreachable';

/** Signs in, then shows the page the address names inside the top bar. */
export function App() {
  const [session, setSession] = useState<SessionState>('checking');

  const check = useCallback(() => {
    isSignedIn().then(
      (ok) => setSession(ok ? 'signed-in' : 'signed-out'),
      () => setSession('unreachable'),
    );
  }, []);

  useEffect(() => {
    check();
    return onSignedOut(() => setSession('signed-out'));
  }, [check]);

  if (session === 'checking') return <div className="empty">Loading…</div>;
  if (session === 'unreachable')
    return (
      <div className="page">
        <div className="banner error">
          Salve's API did not answer. Is <code>salve serve</code> running? <button type="button" onClick={check}>Try again</button>
        </div>
      </div>
    );
  if (session === 'signed-out')
    return (
      <>
        <SignIn onSignedIn={() => setSession('signed-in')} />
        <Toasts />
      </>
    );
  return (
    <AccountProvider
      fallback={({ error, retry }) =>
        error ? (
          <div className="page">
            <div className="banner error">
              Could not load who is signed in: {error.message} <button type="button" onClick={retry}>Try again</button>
            </div>
          </div>
        ) : (
          <div className="empty">Loading…</div>
        )
      }
    >
      <Shell onSignedOut={() => setSession('signed-out')} />
    </AccountProvider>
  );
}

function Shell({ onSignedOut: done }: { onSignedOut: () => void }) {
  const route = useRoute();
  const { me } = useAccount();
  const sections = new Set(sectionsFor(me));
  // Someone without a role has no approvals to count (the list would be refused).
  const pending = usePolling(
    () => (sections.has('approvals') ? call(api.approvals.$get({ query: { status: 'pending', limit: 200 } })) : Promise.resolve({ items: [] })),
    5000,
    [],
  );
  const pendingCount = pending.data?.items.length ?? 0;
  // The kill switch: every signed-in person sees when automation is paused (the banner below).
  const automation = usePolling(() => call(api.automation.$get()), 10_000, []);
  const [killSwitchOpen, setKillSwitchOpen] = useState(false);

  const section = route.page === 'flow' || route.page === 'new-flow' ? 'flows' : route.page === 'run' ? 'runs' : route.page;

  const doSignOut = async () => {
    try {
      await signOut();
      // The Test tab's payloads may be real deliveries: the next person at this browser must not find them.
      clearTestInputs(browserSessionStorage());
    } catch (error) {
      toast(`Sign-out failed: ${(error as Error).message}`, 'error');
      return;
    }
    // Whoever signs in next starts at the flows, not on the page (maybe an admin's) left open here.
    window.history.replaceState(null, '', '#/flows');
    done();
  };

  return (
    <div className="shell">
      <header className="topbar">
        <a
          className="brand"
          href={hrefFor({ page: 'flows' })}
          onClick={(e) => {
            e.preventDefault();
            navigate({ page: 'flows' });
          }}
        >
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          <span className="brand-name">Salve</span>
        </a>
        <nav className="row" aria-label="Main">
          {sections.has('flows') && <NavLink to={{ page: 'flows' }} current={section === 'flows'} icon={<Workflow size={16} />} label="Flows" />}
          {sections.has('runs') && <NavLink to={{ page: 'runs' }} current={section === 'runs'} icon={<List size={16} />} label="Runs" />}
          {sections.has('approvals') && (
            <NavLink to={{ page: 'approvals' }} current={section === 'approvals'} icon={<Inbox size={16} />} label="Approvals" badge={pendingCount} />
          )}
          {sections.has('events') && <NavLink to={{ page: 'events' }} current={section === 'events'} icon={<ScrollText size={16} />} label="Events" />}
          {sections.has('dashboard') && (
            <NavLink to={{ page: 'dashboard', range: '7d' }} current={section === 'dashboard'} icon={<LayoutDashboard size={16} />} label="Dashboard" />
          )}
          {sections.has('secrets') && <NavLink to={{ page: 'secrets' }} current={section === 'secrets'} icon={<KeyRound size={16} />} label="Secrets" />}
          {sections.has('audit') && <NavLink to={{ page: 'audit' }} current={section === 'audit'} icon={<ShieldCheck size={16} />} label="Audit" />}
          {sections.has('people') && (
            <NavLink to={{ page: 'people' }} current={section === 'people'} icon={<UserRoundCog size={16} />} label="People" admin />
          )}
          {sections.has('teams') && <NavLink to={{ page: 'teams' }} current={section === 'teams'} icon={<UsersRound size={16} />} label="Teams" admin />}
        </nav>
        <span className="spacer" />
        {me.admin && <KillSwitchButton state={automation.data} onOpen={() => setKillSwitchOpen(true)} />}
        <AccountMenu
          onSignOut={doSignOut}
          automation={me.admin && automation.data ? { paused: automation.data.paused, open: () => setKillSwitchOpen(true) } : undefined}
        />
      </header>
      <main className="main">
        {automation.data && (
          <PausedBanner state={automation.data} admin={me.admin} onChanged={automation.refresh} onShowHistory={() => setKillSwitchOpen(true)} />
        )}
        {killSwitchOpen && automation.data && (
          <KillSwitchDialog state={automation.data} admin={me.admin} onClose={() => setKillSwitchOpen(false)} onChanged={automation.refresh} />
        )}
        {/* Without a role, every team page would be empty: say why and what to do instead. My account still works. */}
        {holdsAnyRole(me) || route.page === 'account' ? <PageFor route={route} onApprovalsChanged={pending.refresh} /> : <NoRoleHome />}
      </main>
      <Toasts />
    </div>
  );
}

function NavLink({ to, current, icon, label, badge, admin }: { to: Route; current: boolean; icon: React.ReactNode; label: string; badge?: number; admin?: boolean }) {
  return (
    <a
      className={admin ? 'nav-link nav-admin' : 'nav-link'}
      title={admin ? label : undefined}
      href={hrefFor(to)}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {icon}
      <span className="nav-label">{label}</span>
      {badge ? (
        <>
          <span className="badge" data-testid="approvals-badge" aria-hidden="true">
            {badge}
          </span>
          <span className="visually-hidden">{` (${badge} pending)`}</span>
        </>
      ) : null}
    </a>
  );
}

function PageFor({ route, onApprovalsChanged }: { route: Route; onApprovalsChanged: () => void }) {
  switch (route.page) {
    case 'flows':
      return <FlowsPage />;
    case 'flow':
      return <FlowEditorPage key={route.id} flowId={route.id} initialTab={route.tab} />;
    case 'new-flow':
      return <FlowEditorPage key={`new:${route.template ?? ''}:${route.team ?? ''}`} templateId={route.template} team={route.team} />;
    case 'runs':
      return <RunsPage key={route.flowId ?? '*'} flowId={route.flowId} />;
    case 'run':
      return <RunPage key={route.id} executionId={route.id} onApprovalsChanged={onApprovalsChanged} />;
    case 'approvals':
      return <ApprovalsPage key={route.link ?? ''} link={route.link} onChanged={onApprovalsChanged} />;
    case 'events':
      return <EventsPage filters={route.filters ?? {}} />;
    case 'secrets':
      return <SecretsPage />;
    case 'dashboard':
      return <DashboardPage range={route.range} flowId={route.flowId} />;
    case 'audit':
      return <AuditPage filters={route.filters ?? {}} />;
    case 'account':
      return <AccountPage />;
    case 'people':
      return <PeoplePage />;
    case 'teams':
      return <TeamsPage />;
  }
}
