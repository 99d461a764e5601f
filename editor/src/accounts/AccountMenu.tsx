import { useEffect, useRef, useState } from 'react';
import { ChevronDown, CirclePause, CirclePlay, LogOut, ShieldAlert, UserRound, UserRoundCog, UsersRound } from 'lucide-react';
import { navigate } from '../router.js';
import { rolesSummary, signedInName } from './access.js';
import { useAccount } from './me.js';
import '../styles/accounts.css';

/**
 * Who is signed in, at the right of the top bar, with their menu: My account and Sign out. The
 * admin token is named as what it is (break-glass), so nobody mistakes it for a person's account.
 */
export function AccountMenu({ onSignOut, automation }: { onSignOut: () => void; automation?: { paused: boolean; open: () => void } }) {
  const { me } = useAccount();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const name = signedInName(me);
  const summary = rolesSummary(me);
  const breakGlass = me.kind === 'bootstrap-admin';

  useEffect(() => {
    if (!open) return;
    box.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const outside = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    const onEscape = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        button.current?.focus();
      }
    };
    document.addEventListener('mousedown', outside);
    document.addEventListener('keydown', onEscape);
    return () => {
      document.removeEventListener('mousedown', outside);
      document.removeEventListener('keydown', onEscape);
    };
  }, [open]);

  const choose = (action: () => void) => {
    setOpen(false);
    action();
  };

  return (
    <div className="account-menu" ref={box}>
      <button
        ref={button}
        type="button"
        className={`ghost account-button${breakGlass ? ' break-glass' : ''}`}
        aria-haspopup="menu"
        aria-expanded={open}
        title={`${name} — ${summary}`}
        onClick={() => setOpen((o) => !o)}
        data-testid="account-menu"
      >
        {breakGlass ? <ShieldAlert size={16} aria-hidden="true" /> : <UserRound size={16} aria-hidden="true" />}
        <span className="account-who topbar-label">
          <span className="account-name" data-testid="account-name">
            {name}
          </span>
          <span className="account-roles">{summary}</span>
        </span>
        <ChevronDown size={14} aria-hidden="true" className="topbar-label" />
      </button>
      {open && (
        <div className="account-popup" role="menu" aria-label="Account">
          <div className="account-popup-head">
            <strong>{name}</strong>
            <div className="muted small">{summary}</div>
          </div>
          <button type="button" role="menuitem" className="ghost" onClick={() => choose(() => navigate({ page: 'account' }))} data-testid="menu-account">
            <UserRound size={16} aria-hidden="true" /> My account
          </button>
          {me.admin && (
            // Also in the top bar, except on a phone, where it has no room for them.
            <>
              <button type="button" role="menuitem" className="ghost" onClick={() => choose(() => navigate({ page: 'people' }))} data-testid="menu-people">
                <UserRoundCog size={16} aria-hidden="true" /> People
              </button>
              <button type="button" role="menuitem" className="ghost" onClick={() => choose(() => navigate({ page: 'teams' }))} data-testid="menu-teams">
                <UsersRound size={16} aria-hidden="true" /> Teams
              </button>
              {automation && (
                // The kill switch (also in the top bar, except on a phone).
                <button type="button" role="menuitem" className="ghost" onClick={() => choose(automation.open)} data-testid="menu-automation">
                  {automation.paused ? <CirclePlay size={16} aria-hidden="true" /> : <CirclePause size={16} aria-hidden="true" />}
                  {automation.paused ? 'Resume automation…' : 'Pause automation…'}
                </button>
              )}
            </>
          )}
          <button type="button" role="menuitem" className="ghost" onClick={() => choose(onSignOut)} data-testid="sign-out">
            <LogOut size={16} aria-hidden="true" /> Sign out
          </button>
        </div>
      )}
    </div>
  );
}
