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

/**
 * Why the entries are not what the field takes, when the mistake is a common one the form can
 * name better than the server: a URL pasted where its host belongs. Null otherwise (the server
 * checks the rest).
 */
export function hostsProblem(hosts: readonly string[]): string | null {
  for (const [i, entry] of hosts.entries()) {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(entry)) continue;
    let host = '';
    try {
      host = new URL(entry).host;
    } catch {
      // Not even a URL: the generic advice below still applies.
    }
    return `Entry ${i + 1} is a URL; enter only its host${host ? `: ${host}` : ' (e.g. api.example.com)'}.`;
  }
  return null;
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
