import { FLOW_NAME_MAX_LENGTH, SLUG_MAX_LENGTH } from '../../../shared/flow/schema.js';

/**
 * The id offered for a copy of flow `id`: `<id>-copy`, then `<id>-copy-2`, `-copy-3`… — the
 * first one not in `taken`. Copying a copy counts on from the original (`x-copy` → `x-copy-2`,
 * not `x-copy-copy`), and the base is shortened so the result stays a valid 64-character slug.
 */
export function suggestCopyId(id: string, taken: ReadonlySet<string>): string {
  const base = id.replace(/-copy(-\d+)?$/, '') || id;
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? '-copy' : `-copy-${n}`;
    // Trailing dashes left by shortening would give `x--copy`: valid, but looks like a typo.
    const head = base.slice(0, SLUG_MAX_LENGTH - suffix.length).replace(/-+$/, '') || 'flow';
    const candidate = `${head}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** The name offered for a copy: `<name> (copy)`, kept within the 200-character limit. */
export function suggestCopyName(name: string): string {
  const suffix = ' (copy)';
  return `${name.slice(0, FLOW_NAME_MAX_LENGTH - suffix.length).trimEnd()}${suffix}`;
}
