import { useCallback, useEffect, useState } from 'react';
import { Inbox, KeyRound, List, LogOut, ScrollText, ShieldCheck, Workflow } from 'lucide-react';
import { api, call, onSignedOut } from './api/client.js';
import { isSignedIn, signOut } from './api/session.js';
import { browserSessionStorage, clearTestInputs } from './flow-editor/test-input.js';
import { hrefFor, navigate, useRoute, type Route } from './router.js';
import { SignIn } from './pages/SignIn.js';
import { FlowsPage } from './pages/FlowsPage.js';
import { FlowEditorPage } from './pages/FlowEditorPage.js';
import { RunsPage } from './pages/RunsPage.js';
import { RunPage } from './pages/RunPage.js';
import { ApprovalsPage } from './pages/ApprovalsPage.js';
import { EventsPage } from './pages/EventsPage.js';
import { SecretsPage } from './pages/SecretsPage.js';
import { AuditPage } from './pages/AuditPage.js';
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
  return <Shell onSignedOut={() => setSession('signed-out')} />;
}

function Shell({ onSignedOut: done }: { onSignedOut: () => void }) {
  const route = useRoute();
  const pending = usePolling(() => call(api.approvals.$get({ query: { status: 'pending', limit: 200 } })), 5000, []);
  const pendingCount = pending.data?.items.length ?? 0;

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
          <NavLink to={{ page: 'flows' }} current={section === 'flows'} icon={<Workflow size={16} />} label="Flows" />
          <NavLink to={{ page: 'runs' }} current={section === 'runs'} icon={<List size={16} />} label="Runs" />
          <NavLink
            to={{ page: 'approvals' }}
            current={section === 'approvals'}
            icon={<Inbox size={16} />}
            label="Approvals"
            badge={pendingCount}
          />
          <NavLink to={{ page: 'events' }} current={section === 'events'} icon={<ScrollText size={16} />} label="Events" />
          <NavLink to={{ page: 'secrets' }} current={section === 'secrets'} icon={<KeyRound size={16} />} label="Secrets" />
          <NavLink to={{ page: 'audit' }} current={section === 'audit'} icon={<ShieldCheck size={16} />} label="Audit" />
        </nav>
        <span className="spacer" />
        <button type="button" className="ghost sign-out" onClick={doSignOut} title="Sign out" data-testid="sign-out">
          <LogOut size={16} aria-hidden="true" /> <span className="topbar-label">Sign out</span>
        </button>
      </header>
      <main className="main">
        <PageFor route={route} onApprovalsChanged={pending.refresh} />
      </main>
      <Toasts />
    </div>
  );
}

function NavLink({ to, current, icon, label, badge }: { to: Route; current: boolean; icon: React.ReactNode; label: string; badge?: number }) {
  return (
    <a
      className="nav-link"
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
      return <FlowEditorPage key={`new:${route.template ?? ''}`} templateId={route.template} />;
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
    case 'audit':
      return <AuditPage filters={route.filters ?? {}} />;
  }
}
