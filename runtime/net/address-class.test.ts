import { describe, expect, it } from 'vitest';
import { classifyAddress } from './address-class.js';

// [address, public?, label]
const TABLE: [string, boolean, string][] = [
  // Public unicast
  ['93.184.216.34', true, 'public'],
  ['8.8.8.8', true, 'public'],
  ['1.1.1.1', true, 'public'],
  ['2606:4700:4700::1111', true, 'public'],
  ['2a00:1450:4001:80b::200e', true, 'public'],
  ['172.32.0.1', true, 'public'], // just past 172.16/12
  ['100.128.0.1', true, 'public'], // just past 100.64/10
  // IPv4 special ranges
  ['127.0.0.1', false, 'loopback'],
  ['127.255.255.254', false, 'loopback'],
  ['0.0.0.0', false, 'unspecified ("this network")'],
  ['0.1.2.3', false, 'unspecified ("this network")'],
  ['10.0.0.1', false, 'private'],
  ['172.16.0.1', false, 'private'],
  ['172.31.255.255', false, 'private'],
  ['192.168.1.1', false, 'private'],
  ['100.64.0.1', false, 'carrier-grade NAT'],
  ['100.127.255.255', false, 'carrier-grade NAT'],
  ['169.254.1.1', false, 'link-local'],
  ['169.254.169.254', false, 'cloud metadata'],
  ['100.100.100.200', false, 'cloud metadata'],
  ['168.63.129.16', false, 'cloud metadata'],
  ['192.0.0.8', false, 'reserved (IETF protocol assignments)'],
  ['192.0.2.1', false, 'documentation'],
  ['198.51.100.7', false, 'documentation'],
  ['203.0.113.9', false, 'documentation'],
  ['198.18.0.1', false, 'benchmarking'],
  ['192.88.99.1', false, 'reserved (6to4 relay)'],
  ['224.0.0.1', false, 'multicast'],
  ['239.255.255.250', false, 'multicast'],
  ['240.0.0.1', false, 'reserved'],
  ['255.255.255.255', false, 'broadcast'],
  // IPv6 special ranges
  ['::1', false, 'loopback'],
  ['::', false, 'unspecified'],
  ['[::1]', false, 'loopback'],
  ['fe80::1', false, 'link-local'],
  ['fe80::1%eth0', false, 'link-local'],
  ['fd00:ec2::254', false, 'cloud metadata'],
  ['fd12:3456::1', false, 'unique local (private)'],
  ['fc00::1', false, 'unique local (private)'],
  ['fec0::1', false, 'site-local (deprecated)'],
  ['ff02::1', false, 'multicast'],
  ['2001:db8::1', false, 'documentation'],
  ['3fff::1', false, 'documentation'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', false, 'reserved (Teredo tunnel)'],
  ['2001:2::1', false, 'reserved (IETF protocol assignments)'],
  ['100::1', false, 'reserved (discard-only)'],
  ['64:ff9b:1::1', false, 'private (local-use NAT64)'],
  ['4000::1', false, 'reserved (not global unicast)'],
  ['::2', false, 'IPv4-compatible (deprecated)'],
  ['::127.0.0.1', false, 'IPv4-compatible (deprecated)'],
  ['::8.8.8.8', false, 'IPv4-compatible (deprecated)'],
  // IPv4 inside IPv6: the IPv4 address decides
  ['::ffff:127.0.0.1', false, 'IPv4-mapped 127.0.0.1 (loopback)'],
  ['::ffff:7f00:1', false, 'IPv4-mapped 127.0.0.1 (loopback)'],
  ['[::ffff:7f00:1]', false, 'IPv4-mapped 127.0.0.1 (loopback)'],
  ['::ffff:169.254.169.254', false, 'IPv4-mapped 169.254.169.254 (cloud metadata)'],
  ['::ffff:10.0.0.1', false, 'IPv4-mapped 10.0.0.1 (private)'],
  ['::ffff:8.8.8.8', true, 'IPv4-mapped 8.8.8.8 (public)'],
  ['::ffff:0:7f00:1', false, 'IPv4-translated 127.0.0.1 (loopback)'],
  ['64:ff9b::7f00:1', false, 'NAT64 127.0.0.1 (loopback)'],
  ['64:ff9b::a9fe:a9fe', false, 'NAT64 169.254.169.254 (cloud metadata)'],
  ['64:ff9b::808:808', true, 'NAT64 8.8.8.8 (public)'],
  ['2002:7f00:1::1', false, '6to4 127.0.0.1 (loopback)'],
  ['2002:c0a8:101::1', false, '6to4 192.168.1.1 (private)'],
  ['2002:808:808::1', true, '6to4 8.8.8.8 (public)'],
  // Not canonical addresses: never public (the URL parser or getaddrinfo turns real ones into the above)
  ['2130706433', false, 'not an IP address'],
  ['0177.0.0.1', false, 'not an IP address'],
  ['0x7f000001', false, 'not an IP address'],
  ['localhost', false, 'not an IP address'],
  ['', false, 'not an IP address'],
];

describe('classifyAddress', () => {
  it.each(TABLE)('%s → public %s (%s)', (address, isPublic, label) => {
    expect(classifyAddress(address)).toEqual({ public: isPublic, label });
  });
});
