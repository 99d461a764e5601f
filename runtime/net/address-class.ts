import { formatIpv4, inPrefix, parseIp, type IpAddress } from '../../shared/net/ip.js';

/**
 * What kind of address an IP is, for the destination policy: only public unicast addresses
 * are reachable by default. The ranges come from the IANA special-purpose address registries.
 */
export interface AddressClass {
  /** True for public unicast: allowed without an allow-list entry. */
  public: boolean;
  /** What it is, for messages: `loopback`, `private`, `cloud metadata`, `IPv4-mapped 127.0.0.1 (loopback)`… */
  label: string;
}

type Range = [network: string, prefix: number, label: string];

// First match wins: narrower ranges come before the blocks that contain them.
const IPV4_RANGES: Range[] = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private'],
  ['100.100.100.200', 32, 'cloud metadata'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.169.254', 32, 'cloud metadata'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'reserved (IETF protocol assignments)'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, 'reserved (6to4 relay)'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  // Azure's platform endpoint (DNS, health, agent); its metadata service is 169.254.169.254.
  ['168.63.129.16', 32, 'cloud metadata'],
  ['224.0.0.0', 4, 'multicast'],
  ['255.255.255.255', 32, 'broadcast'],
  ['240.0.0.0', 4, 'reserved'],
];

/** IPv6 ranges that carry an IPv4 address in their last (or, for 6to4, second and third) 32 bits. */
const EMBEDDING: [network: string, prefix: number, label: string, offset: number][] = [
  ['::ffff:0:0', 96, 'IPv4-mapped', 12],
  ['::ffff:0:0:0', 96, 'IPv4-translated', 12],
  ['64:ff9b::', 96, 'NAT64', 12],
  ['2002::', 16, '6to4', 2],
];

const IPV6_RANGES: Range[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible (deprecated)'],
  ['64:ff9b:1::', 48, 'private (local-use NAT64)'],
  ['100::', 64, 'reserved (discard-only)'],
  ['2001::', 32, 'reserved (Teredo tunnel)'],
  ['2001:db8::', 32, 'documentation'],
  ['2001::', 23, 'reserved (IETF protocol assignments)'],
  ['3fff::', 20, 'documentation'],
  ['5f00::', 16, 'reserved (SRv6)'],
  ['fd00:ec2::254', 128, 'cloud metadata'],
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated)'],
  ['ff00::', 8, 'multicast'],
];

const parsed = (ranges: Range[]) => ranges.map(([net, prefix, label]) => ({ net: parseIp(net)!, prefix, label }));
const V4 = parsed(IPV4_RANGES);
const V6 = parsed(IPV6_RANGES);
const EMBED = EMBEDDING.map(([net, prefix, label, offset]) => ({ net: parseIp(net)!, prefix, label, offset }));
const GLOBAL_UNICAST = parseIp('2000::')!;

function classifyV4(ip: IpAddress): AddressClass {
  const range = V4.find((r) => inPrefix(ip, r.net, r.prefix));
  return range ? { public: false, label: range.label } : { public: true, label: 'public' };
}

function classifyV6(ip: IpAddress): AddressClass {
  // The IPv4 inside decides: ::ffff:127.0.0.1 is loopback however it is written.
  for (const e of EMBED) {
    if (!inPrefix(ip, e.net, e.prefix)) continue;
    const v4 = ip.bytes.slice(e.offset, e.offset + 4);
    const inner = classifyV4({ family: 4, bytes: v4 });
    return { public: inner.public, label: `${e.label} ${formatIpv4(v4)} (${inner.label})` };
  }
  const range = V6.find((r) => inPrefix(ip, r.net, r.prefix));
  if (range) return { public: false, label: range.label };
  if (!inPrefix(ip, GLOBAL_UNICAST, 3)) return { public: false, label: 'reserved (not global unicast)' };
  return { public: true, label: 'public' };
}

/** Classifies an IP address given as text (IPv6 with or without brackets); anything else is not public. */
export function classifyAddress(address: string): AddressClass {
  const ip = parseIp(address);
  if (!ip) return { public: false, label: 'not an IP address' };
  return classifyIp(ip);
}

/** Classifies a parsed address. */
export function classifyIp(ip: IpAddress): AddressClass {
  return ip.family === 4 ? classifyV4(ip) : classifyV6(ip);
}
