/**
 * The parts of a field's help line, without repeats. A field's own help (from its node
 * definition), the schema's constraint and a widget's standard sentence are written in different
 * places, and often say the same thing: "…quotes are literal · One item per argument; …quotes are
 * literal" reads as a bug. A text part is dropped when another part already contains it (compared
 * without case, surrounding spaces or a final full stop); the earlier, more specific part wins a tie.
 */
export function distinctHelpParts<T>(parts: readonly (T | string | undefined | null | false)[]): (T | string)[] {
  const present = parts.filter((p): p is T | string => p !== undefined && p !== null && p !== false && p !== '');
  const norm = (s: string) => s.trim().replace(/\.$/, '').toLowerCase();
  return present.filter((part, i) => {
    if (typeof part !== 'string') return true;
    const mine = norm(part);
    return !present.some((other, j) => {
      if (j === i || typeof other !== 'string') return false;
      const theirs = norm(other);
      // Another part says all of this one (and more, or the same and comes first).
      return theirs.includes(mine) && (theirs.length > mine.length || j < i);
    });
  });
}
