import type { ExecutionStatus } from '../../shared/statuses.js';
import { TERMINAL_EXECUTION_STATUSES } from '../../shared/statuses.js';
import type { Db } from './db.js';
import { afterCommit } from './group-commit.js';

/** Told when an execution reached a final status, after that change committed. */
export type ExecutionEndListener = (flowId: string, status: ExecutionStatus) => void;

/** Per database (one per store): tests run several stores in one process. */
const listeners = new WeakMap<Db, Set<ExecutionEndListener>>();

/** Calls `listener` for each execution of `db` that ends from now on; returns the unsubscribe. */
export function onExecutionEnded(db: Db, listener: ExecutionEndListener): () => void {
  let set = listeners.get(db);
  if (!set) {
    set = new Set();
    listeners.set(db, set);
  }
  set.add(listener);
  return () => set.delete(listener);
}

/** Whether a status change to `status` is worth reporting: a final status, and someone listens. */
export function wantsEnd(db: Db, status: ExecutionStatus | undefined): boolean {
  return status !== undefined && TERMINAL_EXECUTION_STATUSES.includes(status) && (listeners.get(db)?.size ?? 0) > 0;
}

/** Reports an execution that ended in the write running now, once that write commits (never if it rolls back). */
export function noteExecutionEnded(db: Db, flowId: string, status: ExecutionStatus): void {
  const set = listeners.get(db);
  if (!set) return;
  afterCommit(() => {
    for (const listener of set) listener(flowId, status);
  });
}

/** Told when a run was created `held` by a guard rail (`limit`), after that write committed. */
export type ExecutionHeldListener = (flowId: string, limit: string) => void;

const heldListeners = new WeakMap<Db, Set<ExecutionHeldListener>>();

/** Calls `listener` for each run of `db` created held from now on; returns the unsubscribe. */
export function onExecutionHeld(db: Db, listener: ExecutionHeldListener): () => void {
  let set = heldListeners.get(db);
  if (!set) {
    set = new Set();
    heldListeners.set(db, set);
  }
  set.add(listener);
  return () => set.delete(listener);
}

/** Reports a run created held in the write running now, once that write commits. */
export function noteExecutionHeld(db: Db, flowId: string, limit: string): void {
  const set = heldListeners.get(db);
  if (!set || set.size === 0) return;
  afterCommit(() => {
    for (const listener of set) listener(flowId, limit);
  });
}
