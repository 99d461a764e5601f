import { describe, expect, it } from 'vitest';
import { parseIp, parseIpv4, parseIpv6 } from './ip.js';
import { entryMatches, normalizeHost, parseTargetEntry, parseTargetList, splitTargetList, type TargetEntry } from './targets.js';

const entry = (text: string, allowAny = false): TargetEntry => {
  const parsed = parseTargetEntry(text, { allowAny });
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};
const dest = (host: string, address: string, port = 80) => ({ host: normalizeHost(host), port, address: parseIp(address)! });

describe('IP parsing', () => {
  it('reads canonical IPv4 only', () => {
    expect(parseIpv4('10.0.0.1')?.bytes).toEqual([10, 0, 0, 1]);
    for (const bad of ['0177.0.0.1', '0x7f.0.0.1', '2130706433', '127.1', '256.0.0.1', '1.2.3.4.5', '1.2.3.', '']) {
      expect(parseIpv4(bad), bad).toBeUndefined();
    }
  });

  it('reads IPv6 text forms', () => {
    expect(parseIpv6('::1')?.bytes).toEqual([...new Array(15).fill(0), 1]);
    expect(parseIpv6('::ffff:127.0.0.1')?.bytes.slice(10)).toEqual([0xff, 0xff, 127, 0, 0, 1]);
    expect(parseIpv6('1:2:3:4:5:6:7:8')?.bytes[15]).toBe(8);
    for (const bad of ['1::2::3', ':1', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', '1.2.3.4::', 'g::1']) {
      expect(parseIpv6(bad), bad).toBeUndefined();
    }
    expect(parseIp('[fe80::1]')?.family).toBe(6);
    expect(parseIp('fe80::1%eth0')?.family).toBe(6);
  });
});

describe('target lists', () => {
  it('splits on commas and whitespace', () => {
    expect(splitTargetList(' 10.0.0.0/8, agent.internal\n*.corp.example  [fd00::1]:9100 ')).toEqual(['10.0.0.0/8', 'agent.internal', '*.corp.example', '[fd00::1]:9100']);
  });

  it('reads every entry form', () => {
    expect(entry('Agent.Internal.')).toEqual({ kind: 'name', name: 'agent.internal' });
    expect(entry('agent.internal:9100')).toEqual({ kind: 'name', name: 'agent.internal', port: 9100 });
    expect(entry('*.corp.example')).toEqual({ kind: 'suffix', suffix: 'corp.example' });
    expect(entry('localhost:9100')).toEqual({ kind: 'name', name: 'localhost', port: 9100 });
    expect(entry('10.0.0.0/8')).toMatchObject({ kind: 'cidr', prefix: 8 });
    expect(entry('10.1.0.0/16:9100')).toMatchObject({ kind: 'cidr', prefix: 16, port: 9100 });
    expect(entry('127.0.0.1')).toMatchObject({ kind: 'cidr', prefix: 32 });
    expect(entry('fd00::/8')).toMatchObject({ kind: 'cidr', prefix: 8 });
    expect(entry('[fd00::/8]:9100')).toMatchObject({ kind: 'cidr', prefix: 8, port: 9100 });
    expect(entry('::1')).toMatchObject({ kind: 'cidr', prefix: 128 });
    expect(entry('*', true)).toEqual({ kind: 'any' });
  });

  it('names what is wrong with a bad entry', () => {
    const problems = parseTargetList(['*', 'agent internal', '2130706433', '0x7f000001', '10.0.0.0/33', 'a.example:0', 'a.example:99999', '[10.0.0.1]', 'bücher.example', 'a..b', '127.0.0.1/8/1']).problems;
    expect(problems.map((p) => `${p.index}: ${p.message}`)).toEqual([
      '0: "*" would allow everywhere; list hosts, *.domains, addresses or CIDR blocks',
      '1: "agent internal": an entry has no spaces: one entry per line, or separate entries with commas',
      '2: "2130706433" is not an IP address or CIDR block',
      '3: "0x7f000001": write an IPv4 address as four decimal numbers, a.b.c.d',
      '4: "10.0.0.0/33" has a prefix length that is not 0-32',
      '5: "a.example:0": port "0" is not 1-65535',
      '6: "a.example:99999": port "99999" is not 1-65535',
      '7: "[10.0.0.1]": only IPv6 addresses are written in brackets',
      '8: "bücher.example": write international names in their xn-- form',
      '9: "a..b": a host name is letters, digits, "-" and "_" in dot-separated labels',
      '10: "127.0.0.1/8/1" is not an IP address or CIDR block',
    ]);
  });

  it('matches names with the URL host and addresses with the address connected to', () => {
    expect(entryMatches(entry('agent.internal'), dest('AGENT.internal.', '10.0.0.5'))).toBe(true);
    expect(entryMatches(entry('agent.internal'), dest('other.internal', '10.0.0.5'))).toBe(false);
    expect(entryMatches(entry('*.corp.example'), dest('db1.eu.corp.example', '10.0.0.5'))).toBe(true);
    expect(entryMatches(entry('*.corp.example'), dest('corp.example', '10.0.0.5'))).toBe(false);
    expect(entryMatches(entry('*.corp.example'), dest('corp.example.evil.test', '10.0.0.5'))).toBe(false);
    expect(entryMatches(entry('*.corp.example'), dest('evilcorp.example', '10.0.0.5'))).toBe(false);
    expect(entryMatches(entry('10.1.0.0/16'), dest('anything', '10.1.200.3'))).toBe(true);
    expect(entryMatches(entry('10.1.0.0/16'), dest('anything', '10.2.0.1'))).toBe(false);
    expect(entryMatches(entry('127.0.0.1'), dest('[::ffff:7f00:1]', '::ffff:7f00:1'))).toBe(true);
    expect(entryMatches(entry('fd00::/8'), dest('x', 'fd12::1'))).toBe(true);
    expect(entryMatches(entry('fd00::/8'), dest('x', '10.0.0.1'))).toBe(false);
  });

  it('limits an entry with a port to that port', () => {
    expect(entryMatches(entry('10.1.0.0/16:9100'), dest('x', '10.1.0.1', 9100))).toBe(true);
    expect(entryMatches(entry('10.1.0.0/16:9100'), dest('x', '10.1.0.1', 22))).toBe(false);
    expect(entryMatches(entry('agent.internal:9100'), dest('agent.internal', '10.1.0.1', 80))).toBe(false);
    expect(entryMatches(entry('*', true), dest('x', '127.0.0.1', 1))).toBe(true);
  });
});
