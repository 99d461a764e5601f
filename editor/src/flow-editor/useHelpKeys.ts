import { useEffect, useRef } from 'react';

interface HelpKeyHandlers {
  shortcuts: () => void;
  search: () => void;
  help: () => void;
  fit: () => void;
  tidy: () => void;
}

function typingInField(): boolean {
  const el = document.activeElement as HTMLElement | null;
  return !!el && (el.isContentEditable || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT');
}

/** Focus is on the canvas (or nowhere): there Ctrl/Cmd+F searches the flow; elsewhere it is the browser's find. */
function focusOnCanvas(): boolean {
  const el = document.activeElement;
  return !el || el === document.body || !!el.closest('[data-testid="canvas"]');
}

/**
 * The editor's help and view keys (listed in canvas/shortcut-list.ts): `?` shortcuts, Ctrl/Cmd+F
 * search (on the canvas), Shift+H help, Shift+F fit, Shift+T tidy. None fires while typing in a
 * field or with a dialog open.
 */
export function useHelpKeys(handlers: HelpKeyHandlers): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (typingInField() || document.querySelector('[role="dialog"]')) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'f') {
        if (!focusOnCanvas()) return;
        e.preventDefault();
        ref.current.search();
        return;
      }
      if (mod || e.altKey) return;
      const action = { '?': 'shortcuts', H: 'help', F: 'fit', T: 'tidy' }[e.key] as keyof HelpKeyHandlers | undefined;
      if (!action) return;
      e.preventDefault();
      ref.current[action]();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
