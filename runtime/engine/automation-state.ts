import type { AutomationChange, AutomationState } from '../../shared/api-views.js';
import type { StoreTx } from '../store/tx.js';

const HISTORY = 10;

/** The setting that holds the kill switch ('true' while paused). */
export const PAUSE_SETTING = 'automation.paused';

/** Whether automation is paused, as committed (every process reads the same switch). */
export async function readPaused(tx: StoreTx): Promise<boolean> {
  return (await tx.settings.get(PAUSE_SETTING)) === 'true';
}

/**
 * The kill switch as people see it: whether it is on, who turned it on and when, and the last
 * pauses and resumes. Read from the audit log, which setPaused writes in the same transaction
 * as the switch itself, so the two never disagree.
 */
export async function automationState(tx: StoreTx, paused: boolean): Promise<AutomationState> {
  const history: AutomationChange[] = (await tx.audit.list({ action: 'automation.*', targetPrefix: 'automation', limit: HISTORY }))
    .filter((row) => row.action === 'automation.pause' || row.action === 'automation.resume')
    .map((row) => ({ action: row.action === 'automation.pause' ? 'pause' : 'resume', actor: row.actor, via: row.via, at: row.at }));
  const latest = history[0];
  return paused && latest?.action === 'pause' ? { paused, pausedBy: latest, history } : { paused, history };
}
