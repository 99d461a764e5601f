import type { AnchorHTMLAttributes, ReactNode } from 'react';
import { hrefFor, navigate, type Route } from '../router.js';

type Props = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href' | 'onClick'> & { to: Route; children: ReactNode };

/**
 * A real link (so it can be opened in a new tab or copied) that goes through `navigate` on a
 * plain click, which asks before leaving unsaved work.
 */
export function RouteLink({ to, children, ...rest }: Props) {
  return (
    <a
      {...rest}
      href={hrefFor(to)}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
