import type { ExecutionRow } from '../../store/executions-repo.js';
import type { StoreTx } from '../../store/tx.js';

/**
 * The runner's fence (see leases.ts): with an owner, a run continues, acts and records only
 * while the execution's lease is still its own. Without one (a runner started outside the
 * dispatcher), there is nothing to check.
 */
export function ownedBy(exec: ExecutionRow, owner: string | undefined): boolean {
  return owner === undefined || exec.leaseOwner === owner;
}

/** `ownedBy`, read inside the caller's transaction. */
export async function holdsLease(tx: StoreTx, executionId: string, owner: string | undefined): Promise<boolean> {
  return owner === undefined || tx.leases.holds(executionId, owner);
}
