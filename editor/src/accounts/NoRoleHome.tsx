import { UserRoundX } from 'lucide-react';
import { RouteLink } from '../flows/RouteLink.js';
import { signedInName } from './access.js';
import { useAccount } from './me.js';

/** The fallback when the server sends no explanation of its own. */
const NO_ROLE = 'You are signed in, but hold no role in any team yet. Ask an admin to add you to a team.';

/**
 * What someone signed in without any role sees instead of empty lists: why, and what to do. The
 * server's `explanation` is the text (it knows how roles are given here, e.g. by single sign-on).
 */
export function NoRoleHome() {
  const { me, refresh } = useAccount();
  return (
    <div className="page">
      <div className="card no-role" data-testid="no-role">
        <div className="card-body stack">
          <div className="row">
            <UserRoundX size={20} aria-hidden="true" />
            <h1>Welcome, {signedInName(me)}</h1>
          </div>
          <p data-testid="no-role-explanation">{me.explanation ?? NO_ROLE}</p>
          <p className="muted small">
            Once an admin gives you a role, reload to see your team’s flows, runs and approvals.{' '}
            <RouteLink to={{ page: 'account' }}>My account</RouteLink> shows your sessions and password.
          </p>
          <div>
            <button type="button" onClick={refresh}>
              Check again
            </button>
          </div>
        </div>
      </div>
    </div>
  );
}
