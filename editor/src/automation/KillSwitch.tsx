import { useState } from 'react';
import { CirclePause, CirclePlay, History } from 'lucide-react';
import type { AutomationChange, AutomationState } from '../../../shared/api-views.js';
import { api, call } from '../api/client.js';
import { exactTime, formatRelative } from '../runs/time.js';
import { Dialog } from '../ui/Dialog.js';
import { toast } from '../ui/toast.js';
import '../styles/automation.css';

/*
 * The global kill switch (POST /api/automation/pause|resume). Everyone signed in sees the banner
 * while automation is paused; only admins get the control. Pausing is the one action here that
 * can stop remediation everywhere, so it asks first and says exactly what it does.
 */

const iso = (at: number) => new Date(at).toISOString();

/** "alice 3 min ago", with the exact time on hover. */
function WhoWhen({ change, now }: { change: AutomationChange; now: number }) {
  return (
    <>
      <strong>{change.actor}</strong>{' '}
      <time dateTime={iso(change.at)} title={exactTime(iso(change.at))}>
        {formatRelative(iso(change.at), now)}
      </time>
    </>
  );
}

async function switchAutomation(pause: boolean): Promise<AutomationState | undefined> {
  try {
    const state = await call(pause ? api.automation.pause.$post() : api.automation.resume.$post());
    toast(pause ? 'Automation paused: no step starts until it is resumed.' : 'Automation resumed: queued runs start again.', pause ? 'error' : 'success');
    return state;
  } catch (error) {
    toast(`Could not ${pause ? 'pause' : 'resume'} automation: ${(error as Error).message}`, 'error');
    return undefined;
  }
}

/** On every page while paused: who paused it and when, and (for admins) Resume. */
export function PausedBanner({ state, admin, onChanged, onShowHistory }: { state: AutomationState; admin: boolean; onChanged: () => void; onShowHistory: () => void }) {
  const [busy, setBusy] = useState(false);
  if (!state.paused) return null;
  const resume = async () => {
    setBusy(true);
    await switchAutomation(false);
    setBusy(false);
    onChanged();
  };
  return (
    <div className="paused-banner" role="status" data-testid="automation-paused-banner">
      <CirclePause size={18} aria-hidden="true" className="paused-icon" />
      <span className="paused-text">
        <strong>Automation paused</strong>
        {state.pausedBy ? (
          <>
            {' '}
            by <WhoWhen change={state.pausedBy} now={Date.now()} />
          </>
        ) : null}{' '}
        — no step starts. Alerts are still accepted and queued; approvals can still be decided.
      </span>
      <span className="paused-actions">
        <button type="button" className="ghost" onClick={onShowHistory} data-testid="automation-history-open">
          <History size={14} aria-hidden="true" /> History
        </button>
        {admin && (
          <button type="button" className="primary" disabled={busy} onClick={resume} data-testid="automation-resume">
            <CirclePlay size={14} aria-hidden="true" /> Resume automation
          </button>
        )}
      </span>
    </div>
  );
}

/** The admin's control in the top bar: shows the state, opens the confirmation. */
export function KillSwitchButton({ state, onOpen }: { state: AutomationState | undefined; onOpen: () => void }) {
  const paused = state?.paused ?? false;
  return (
    <button
      type="button"
      className={`ghost kill-switch${paused ? ' is-paused' : ''}`}
      onClick={onOpen}
      title={paused ? 'Automation is paused — resume or see history' : 'Automation is running — pause all automation'}
      data-testid="kill-switch"
      disabled={state === undefined}
    >
      {paused ? <CirclePause size={16} aria-hidden="true" /> : <CirclePlay size={16} aria-hidden="true" />}
      <span className="topbar-label kill-switch-label">{paused ? 'Paused' : 'Automation on'}</span>
    </button>
  );
}

/** The last pauses and resumes, newest first. */
function AutomationHistory({ history }: { history: AutomationChange[] }) {
  const now = Date.now();
  if (history.length === 0) return <p className="muted">Automation has never been paused.</p>;
  return (
    <table className="automation-history" data-testid="automation-history">
      <thead>
        <tr>
          <th scope="col">What</th>
          <th scope="col">Who</th>
          <th scope="col">When</th>
          <th scope="col">Via</th>
        </tr>
      </thead>
      <tbody>
        {history.map((h) => (
          <tr key={`${h.at}-${h.action}-${h.actor}`}>
            <td>{h.action === 'pause' ? <span className="status failed">Paused</span> : <span className="status succeeded">Resumed</span>}</td>
            <td>{h.actor}</td>
            <td>
              <time dateTime={iso(h.at)} title={exactTime(iso(h.at))}>
                {formatRelative(iso(h.at), now)}
              </time>
            </td>
            <td className="muted">{h.via}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Pause or resume, with what that means, and the history. Non-admins open it only from the
 * banner's History and get no button to press.
 */
export function KillSwitchDialog({ state, admin, onClose, onChanged }: { state: AutomationState; admin: boolean; onClose: () => void; onChanged: () => void }) {
  const [busy, setBusy] = useState(false);
  const act = async () => {
    setBusy(true);
    const done = await switchAutomation(!state.paused);
    setBusy(false);
    onChanged();
    if (done) onClose();
  };
  const title = !admin ? 'Automation pause history' : state.paused ? 'Resume automation?' : 'Pause all automation?';
  return (
    <Dialog
      title={title}
      onClose={onClose}
      wide
      testId="kill-switch-dialog"
      footer={
        admin ? (
          <>
            <button type="button" onClick={onClose}>
              Cancel
            </button>
            <button type="button" className={state.paused ? 'primary' : 'danger solid'} disabled={busy} onClick={act} data-autofocus data-testid="kill-switch-confirm">
              {state.paused ? 'Resume automation' : 'Pause automation'}
            </button>
          </>
        ) : undefined
      }
    >
      <div className="kill-switch-body">
        {state.paused ? (
          <>
            <p>
              Automation is <strong>paused</strong>
              {state.pausedBy ? (
                <>
                  : <strong>{state.pausedBy.actor}</strong> paused it{' '}
                  <time dateTime={iso(state.pausedBy.at)} title={exactTime(iso(state.pausedBy.at))}>
                    {formatRelative(iso(state.pausedBy.at), Date.now())}
                  </time>
                </>
              ) : null}
              . No step starts until it is resumed.
            </p>
            {admin && <p>Resuming lets the queued runs start again, and every flow acts on new alerts as before.</p>}
          </>
        ) : (
          <>
            <p>Pausing stops remediation everywhere, for every team and flow, until someone resumes it:</p>
            <ul>
              <li>
                <strong>No step starts.</strong> Running runs finish the step they are in, then wait in the queue.
              </li>
              <li>Alerts and other deliveries are still accepted and their runs queued, so nothing is lost.</li>
              <li>Approvals can still be decided; the approved runs continue once automation is resumed.</li>
              <li>Everyone sees a banner saying who paused it. It stays paused across restarts.</li>
            </ul>
          </>
        )}
        <h3>Recent pauses and resumes</h3>
        <AutomationHistory history={state.history} />
      </div>
    </Dialog>
  );
}
