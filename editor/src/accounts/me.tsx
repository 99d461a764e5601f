import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Me } from '../../../shared/people.js';
import { getMe, listTeams } from './accounts-api.js';

/** Who is signed in, and the teams they can see (every team for an admin), for any page to read. */
export interface Account {
  me: Me;
  /** Teams by id and name: what the team pickers offer and the Team columns name. */
  teams: { id: string; name: string }[];
  /** Loads both again (after a change to one's own roles or to teams). */
  refresh: () => void;
}

const AccountContext = createContext<Account | null>(null);

/** The signed-in account; only pages inside `AccountProvider` (the signed-in shell) use it. */
export function useAccount(): Account {
  const account = useContext(AccountContext);
  if (!account) throw new Error('useAccount outside AccountProvider');
  return account;
}

type State = { kind: 'loading' } | { kind: 'ready'; me: Me; teams: { id: string; name: string }[] } | { kind: 'failed'; error: Error };

/**
 * Loads `GET /api/me` and `GET /api/teams` once signed in, then shows `children` with them;
 * `fallback` renders the loading and failed states.
 */
export function AccountProvider({ children, fallback }: { children: ReactNode; fallback: (state: { error?: Error; retry: () => void }) => ReactNode }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const load = useCallback(() => {
    Promise.all([getMe(), listTeams()]).then(
      ([me, teams]) => setState({ kind: 'ready', me, teams: teams.map((t) => ({ id: t.id, name: t.name })) }),
      (error: unknown) => setState({ kind: 'failed', error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }, []);
  useEffect(load, [load]);
  const value = useMemo(() => (state.kind === 'ready' ? { me: state.me, teams: state.teams, refresh: load } : null), [state, load]);
  if (!value) return <>{fallback(state.kind === 'failed' ? { error: state.error, retry: load } : { retry: load })}</>;
  return <AccountContext.Provider value={value}>{children}</AccountContext.Provider>;
}
