import { describe, expect, it } from 'vitest';
import { isAllowed } from './allowlist.js';
import { parseCidr } from './cidr.js';
import { AllowFromSchema } from './common.js';

describe('source allowlists', () => {
  it('reads addresses and CIDR blocks of both families, and refuses anything else', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', family: 'ipv4', prefix: 8 });
    expect(parseCidr('192.168.1.7')).toEqual({ address: '192.168.1.7', family: 'ipv4', prefix: 32 });
    expect(parseCidr('2001:db8::/32')).toEqual({ address: '2001:db8::', family: 'ipv6', prefix: 32 });
    expect(parseCidr('::1')).toMatchObject({ family: 'ipv6', prefix: 128 });
    for (const bad of ['10.0.0.0/33', '256.1.1.1', '10.0.0', 'example.com', '2001:db8::/129', '1::2::3', '10.0.0.0/8/1', '']) {
      expect(parseCidr(bad), bad).toBeNull();
    }
    const issues = AllowFromSchema.safeParse(['10.0.0.0/8', 'nope']).error!.issues;
    expect(issues.map((i) => [i.path, i.message])).toEqual([[[1], 'must be an IP address or CIDR block, e.g. 10.0.0.0/8 or 2001:db8::/32']]);
  });

  it('lets in only addresses inside the blocks, including IPv4 seen over an IPv6 socket', () => {
    const list = ['10.0.0.0/8', '2001:db8::/32'];
    expect(isAllowed(list, '10.20.30.40')).toBe(true);
    expect(isAllowed(list, '::ffff:10.20.30.40')).toBe(true);
    expect(isAllowed(list, '2001:db8:1::5')).toBe(true);
    expect(isAllowed(list, '11.0.0.1')).toBe(false);
    expect(isAllowed(list, '2001:db9::1')).toBe(false);
    expect(isAllowed(list, undefined)).toBe(false);
    expect(isAllowed(undefined, '203.0.113.9')).toBe(true);
  });
});
