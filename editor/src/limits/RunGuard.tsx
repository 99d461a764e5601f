import type { Execution } from '../../../shared/api-views.js';
import { mayOperateIn, teamName } from '../accounts/access.js';
import { useAccount } from '../accounts/me.js';
import { api, call, idParam } from '../api/client.js';
import { usePolling } from '../ui/usePolling.js';
import { HeldBanner, type Permission } from './HeldBanner.js';

/**
 * The held-run banner of the run page, with what the signed-in person may do about it: the
 * flow's team decides (operators of it and admins release and cancel; the server checks again).
 */
export function RunGuard({ run, flowName, onChanged }: { run: Execution; flowName: string; onChanged: () => void }) {
  const { me, teams } = useAccount();
  const held = run.status === 'held';
  // The team is needed only to say whether Release is offered; an admin holds every team.
  const stored = usePolling(() => (held && !me.admin ? call(api.flows[':id'].$get(idParam(run.flowId))) : Promise.resolve(null)), 0, [run.flowId, held, me.admin]);
  if (!held && !run.held) return null;
  const team = stored.data?.team;
  const permission: Permission = me.admin
    ? { allowed: true }
    : team === undefined
      ? { allowed: false, reason: stored.error ? `Could not check your role: ${stored.error.message}` : 'Checking your role…' }
      : mayOperateIn(me, team)
        ? { allowed: true }
        : { allowed: false, reason: `Releasing or cancelling needs the operator role in ${teamName(team, teams)}.` };
  const self = me.user ? { id: me.user.id, name: me.user.displayName || me.user.username } : undefined;
  return <HeldBanner run={run} flowName={flowName} permission={permission} self={self} onChanged={onChanged} />;
}
