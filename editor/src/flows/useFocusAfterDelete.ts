import { useEffect, useRef, type RefObject } from 'react';

/**
 * After a delete, focus was on the row's Delete button, which goes with the row: once the list
 * has redrawn, hand it to a neighbour row's name link, or to the page heading when none is left.
 * Returns the function that names that neighbour (an id, or null for the heading).
 */
export function useFocusAfterDelete(rows: unknown, heading: RefObject<HTMLHeadingElement | null>): (neighbourId: string | null) => void {
  /** The id of the row to focus, null for the heading, undefined when nothing was deleted. */
  const next = useRef<string | null | undefined>(undefined);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `rows` is the trigger: this runs once the list has redrawn
  useEffect(() => {
    if (next.current === undefined) return;
    const id = next.current;
    next.current = undefined;
    const link = id === null ? null : document.querySelector<HTMLElement>(`[data-testid="flow-row-${CSS.escape(id)}"] td.flow-name a`);
    (link ?? heading.current)?.focus();
  }, [rows, heading]);

  return (neighbourId) => {
    next.current = neighbourId;
  };
}
