import { describe, expect, it } from 'vitest';
import { limitKeyOf } from './client-address.js';

describe('limitKeyOf', () => {
  it('keeps IPv4 and IPv6 loopback as they are', () => {
    expect(limitKeyOf('192.0.2.1')).toBe('192.0.2.1');
    expect(limitKeyOf('127.0.0.1')).toBe('127.0.0.1');
    expect(limitKeyOf('::1')).toBe('::1');
    expect(limitKeyOf('unknown')).toBe('unknown');
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(limitKeyOf('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(limitKeyOf('::FFFF:127.0.0.1')).toBe('127.0.0.1');
  });

  it('counts IPv6 addresses by their /64, however they are written', () => {
    const key = '2001:db8:0:1::/64';
    for (const a of ['2001:db8:0:1::1', '2001:0DB8:0000:0001:ffff:ffff:ffff:ffff', '2001:db8::1:0:0:0:7', '2001:db8:0:1::192.0.2.1', '2001:db8:0:1::1%eth0']) {
      expect(limitKeyOf(a), a).toBe(key);
    }
    expect(limitKeyOf('2001:db8:0:2::1')).toBe('2001:db8:0:2::/64');
    expect(limitKeyOf('::')).toBe('0:0:0:0::/64');
    expect(limitKeyOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
