/**
 * CIDR notation for source allowlists (`10.0.0.0/8`, `2001:db8::/32`, or a single address),
 * checked without Node so the editor validates exactly what the server accepts.
 */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function isIpv6(text: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return false;
  let parts = text.split(':');
  // An embedded IPv4 tail (::ffff:10.0.0.1) counts as two groups.
  const last = parts[parts.length - 1]!;
  if (last.includes('.')) {
    if (!IPV4.test(last)) return false;
    parts = [...parts.slice(0, -1), '0', '0'];
  }
  const groups = parts.filter((p) => p !== '');
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return text.includes('::') ? groups.length < 8 : groups.length === 8;
}

/** The address family and prefix of `cidr`, or null when it is not an address or CIDR block. */
export function parseCidr(cidr: string): { address: string; family: 'ipv4' | 'ipv6'; prefix: number } | null {
  const [address = '', prefixText, extra] = cidr.trim().split('/');
  if (extra !== undefined) return null;
  const family = IPV4.test(address) ? 'ipv4' : isIpv6(address) ? 'ipv6' : null;
  if (!family) return null;
  const max = family === 'ipv4' ? 32 : 128;
  if (prefixText === undefined) return { address, family, prefix: max };
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  return prefix <= max ? { address, family, prefix } : null;
}
