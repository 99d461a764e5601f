import { BlockList } from 'node:net';
import { parseCidr } from './cidr.js';

const cache = new Map<string, BlockList>();

/** `::ffff:10.0.0.1` (IPv4 over an IPv6 socket) is the IPv4 address it carries. */
function unmap(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  return { address, family: address.includes(':') ? 'ipv6' : 'ipv4' };
}

/**
 * Whether `remoteAddress` is inside one of the `allowFrom` blocks. No list means anyone may
 * call (authentication still applies); an unknown address with a list is refused.
 */
export function isAllowed(allowFrom: readonly string[] | undefined, remoteAddress: string | undefined): boolean {
  if (!allowFrom || allowFrom.length === 0) return true;
  if (!remoteAddress) return false;
  const key = allowFrom.join(',');
  let list = cache.get(key);
  if (!list) {
    list = new BlockList();
    for (const entry of allowFrom) {
      const cidr = parseCidr(entry);
      if (cidr) list.addSubnet(cidr.address, cidr.prefix, cidr.family);
    }
    if (cache.size > 1000) cache.clear();
    cache.set(key, list);
  }
  const peer = unmap(remoteAddress);
  return list.check(peer.address, peer.family);
}
