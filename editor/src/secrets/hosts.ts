/**
 * A secret's host binding as the form edits it: one text box, entries separated by commas, spaces
 * or new lines (the same rule as `SALVE_SECRET_<NAME>_HOSTS`), empty entries dropped.
 */
export function parseHosts(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((h) => h.trim())
    .filter((h) => h !== '');
}

/** The text box's content for a stored binding. */
export function hostsText(hosts: readonly string[]): string {
  return hosts.join(', ');
}

/**
 * Where a secret may be sent, in words: `nowhere` (no entry: no step may send it, though a
 * source may still check deliveries with it), `anywhere` (`*`), or the entries.
 */
export function hostsSummary(hosts: readonly string[]): { kind: 'nowhere' | 'anywhere' | 'hosts'; text: string } {
  if (hosts.length === 0) return { kind: 'nowhere', text: 'nowhere' };
  if (hosts.includes('*')) return { kind: 'anywhere', text: 'anywhere' };
  return { kind: 'hosts', text: hosts.join(', ') };
}
