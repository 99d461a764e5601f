import { useSyncExternalStore } from 'react';

export interface Toast {
  id: number;
  kind: 'info' | 'success' | 'error';
  text: string;
  /** A link shown after the text, e.g. to the run a button started. */
  link?: { href: string; label: string };
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => {
  for (const fn of listeners) fn();
};

/** Shows a short message in the corner for a few seconds (errors, and toasts with a link, stay a little longer). */
export function toast(text: string, kind: Toast['kind'] = 'info', link?: Toast['link']): void {
  const id = nextId++;
  toasts = [...toasts, { id, kind, text, ...(link ? { link } : {}) }];
  emit();
  setTimeout(() => {
    toasts = toasts.filter((t) => t.id !== id);
    emit();
  }, kind === 'error' || link ? 8000 : 4000);
}

/** Where toasts appear; announced to screen readers. */
export function Toasts() {
  const list = useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    () => toasts,
  );
  return (
    <div className="toasts" role="status" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`} data-testid="toast">
          {t.text}
          {t.link && (
            <>
              {' '}
              <a href={t.link.href} data-testid="toast-link">
                {t.link.label}
              </a>
            </>
          )}
        </div>
      ))}
    </div>
  );
}
