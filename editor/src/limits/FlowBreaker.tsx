import { mayOperateIn, teamName } from '../accounts/access.js';
import { useAccount } from '../accounts/me.js';
import { usePolling } from '../ui/usePolling.js';
import { BreakerBanner } from './BreakerBanner.js';
import { getBreaker } from './guard-api.js';
import type { Permission } from './HeldBanner.js';

/** How often the editor looks at the flow's breaker (it trips when runs fail, not when the flow is edited). */
const POLL_MS = 10_000;

/** The tripped-breaker banner of a saved flow in the editor; nothing while the breaker is closed or cannot be read. */
export function FlowBreaker({ flowId, flowName, team }: { flowId: string; flowName: string; team: string | undefined }) {
  const { me, teams } = useAccount();
  const breaker = usePolling(() => getBreaker(flowId), POLL_MS, [flowId]);
  if (breaker.data?.state !== 'tripped') return null;
  const permission: Permission =
    team !== undefined && mayOperateIn(me, team)
      ? { allowed: true }
      : { allowed: false, reason: `Resetting needs the operator role${team ? ` in ${teamName(team, teams)}` : ''}.` };
  return <BreakerBanner flowId={flowId} flowName={flowName} view={breaker.data} permission={permission} onChanged={breaker.refresh} />;
}
