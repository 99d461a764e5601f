import { inPrefix, parseIpv4, parseIpv6, unmapIpv4, type IpAddress } from './ip.js';

/**
 * Destination lists: `SALVE_ALLOWED_TARGETS`, a flow's `settings.allowedTargets` and
 * `SALVE_SECRET_<NAME>_HOSTS`. Pure, so the editor validates a flow's list exactly as the
 * server does. Entries:
 *
 * - `agent.example.internal` — that host name exactly (as written in the URL)
 * - `*.example.internal` — any name under example.internal (not example.internal itself)
 * - `10.1.2.3`, `fd00::1` — that address; `10.1.0.0/16`, `fd00::/8` — a CIDR block
 * - any of the above with `:port` (IPv6 in brackets: `[fd00::/8]:9100`) — only that port
 * - `*` — anywhere (secret host lists only)
 *
 * Names are compared with the URL's host name, addresses with the address actually connected to.
 */
export type TargetEntry =
  | { kind: 'any' }
  | { kind: 'name'; name: string; port?: number }
  | { kind: 'suffix'; suffix: string; port?: number }
  | { kind: 'cidr'; network: IpAddress; prefix: number; port?: number };

/** One connection as the policy sees it. */
export interface Destination {
  /** The URL's host name, normalized with `normalizeHost`. */
  host: string;
  port: number;
  /** The address connected to. */
  address: IpAddress;
}

/** Splits a list written in one setting: entries separated by commas and/or whitespace. */
export function splitTargetList(raw: string): string[] {
  return raw.split(/[\s,]+/).filter((t) => t !== '');
}

/** Lower case, without IPv6 brackets or the root-zone dot (`Agent.Example.` → `agent.example`). */
export function normalizeHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.$/, '');
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

function nameProblem(name: string): string | undefined {
  if (/\s/.test(name)) return 'an entry has no spaces: one entry per line, or separate entries with commas';
  if (/[^\x21-\x7e]/.test(name)) return 'write international names in their xn-- form';
  if (name.length > 253) return 'a host name has at most 253 characters';
  const labels = name.split('.');
  if (!labels.every((l) => LABEL.test(l))) return 'a host name is letters, digits, "-" and "_" in dot-separated labels';
  // URL parsers read `2130706433` or `0x7f.1` as IPv4 addresses, never as names.
  if (/^(?:\d+|0x[0-9a-f]*)$/.test(labels[labels.length - 1]!)) return 'write an IPv4 address as four decimal numbers, a.b.c.d';
  return undefined;
}

function parsePort(text: string): number | string {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) return `port "${text}" is not 1-65535`;
  return Number(text);
}

function parseCidr(text: string): { network: IpAddress; prefix: number } | string {
  const [address = '', prefixText, extra] = text.split('/');
  const network = parseIpv4(address) ?? parseIpv6(address);
  if (!network || extra !== undefined) return `"${text}" is not an IP address or CIDR block`;
  const max = network.family === 4 ? 32 : 128;
  if (prefixText === undefined) return { network, prefix: max };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return `"${text}" has a prefix length that is not 0-${max}`;
  return { network, prefix: Number(prefixText) };
}

/** `host:port`, `[v6]:port` or a bare entry (an IPv6 address without brackets has no port). */
function splitPort(entry: string): { body: string; portText?: string } | string {
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(entry);
  if (bracketed) {
    if (!bracketed[1]!.includes(':')) return `"${entry}": only IPv6 addresses are written in brackets`;
    return { body: bracketed[1]!, portText: bracketed[2] };
  }
  const colons = entry.split(':').length - 1;
  if (colons !== 1) return { body: entry };
  const [body = '', portText] = entry.split(':');
  return { body, portText };
}

/**
 * Reads one entry; a string says what is wrong with it. `*` is accepted only with `allowAny`
 * (secret host lists): a destination policy that allowed everywhere would be no policy.
 */
export function parseTargetEntry(text: string, opts: { allowAny?: boolean } = {}): TargetEntry | string {
  const entry = text.trim();
  if (entry === '') return 'an entry is empty';
  if (entry === '*') return opts.allowAny ? { kind: 'any' } : '"*" would allow everywhere; list hosts, *.domains, addresses or CIDR blocks';
  const split = splitPort(entry);
  if (typeof split === 'string') return split;
  const { body } = split;
  let port: number | undefined;
  if (split.portText !== undefined) {
    const parsed = parsePort(split.portText);
    if (typeof parsed === 'string') return `"${entry}": ${parsed}`;
    port = parsed;
  }
  const withPort = (value: Exclude<TargetEntry, { kind: 'any' }>): TargetEntry => (port === undefined ? value : { ...value, port });

  if (body.includes(':') || body.includes('/') || /^[\d.]+$/.test(body)) {
    const cidr = parseCidr(body);
    return typeof cidr === 'string' ? cidr : withPort({ kind: 'cidr', ...cidr });
  }
  const lower = body.toLowerCase().replace(/\.$/, '');
  if (lower.startsWith('*.')) {
    const problem = nameProblem(lower.slice(2));
    return problem ? `"${entry}": ${problem}` : withPort({ kind: 'suffix', suffix: lower.slice(2) });
  }
  const problem = nameProblem(lower);
  return problem ? `"${entry}": ${problem}` : withPort({ kind: 'name', name: lower });
}

/** Reads every entry of a list; `problems` names each bad entry (by index) and why. */
export function parseTargetList(entries: readonly string[], opts: { allowAny?: boolean } = {}): { entries: TargetEntry[]; problems: { index: number; message: string }[] } {
  const out: TargetEntry[] = [];
  const problems: { index: number; message: string }[] = [];
  entries.forEach((text, index) => {
    const parsed = parseTargetEntry(text, opts);
    if (typeof parsed === 'string') problems.push({ index, message: parsed });
    else out.push(parsed);
  });
  return { entries: out, problems };
}

/** Whether `entry` allows `dest` (an IPv4-mapped address matches as the IPv4 it carries). */
export function entryMatches(entry: TargetEntry, dest: Destination): boolean {
  if (entry.kind === 'any') return true;
  if (entry.port !== undefined && entry.port !== dest.port) return false;
  switch (entry.kind) {
    case 'name':
      return dest.host === entry.name;
    case 'suffix':
      return dest.host.endsWith(`.${entry.suffix}`);
    case 'cidr':
      return inPrefix(dest.address, entry.network, entry.prefix) || inPrefix(unmapIpv4(dest.address), entry.network, entry.prefix);
  }
}

/** Whether any entry of `list` allows `dest`. */
export function listAllows(list: readonly TargetEntry[], dest: Destination): boolean {
  return list.some((entry) => entryMatches(entry, dest));
}
