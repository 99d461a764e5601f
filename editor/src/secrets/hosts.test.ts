import { describe, expect, it } from 'vitest';
import { hostsProblem, hostsSummary, hostsText, parseHosts } from './hosts.js';

describe('secret host bindings', () => {
  it('splits on commas, spaces and new lines, dropping empty entries', () => {
    expect(parseHosts(' api.example.com,, *.example.org\n10.0.0.0/8 ')).toEqual(['api.example.com', '*.example.org', '10.0.0.0/8']);
    expect(parseHosts('  ')).toEqual([]);
  });

  it('writes a binding back as the text box shows it', () => {
    expect(parseHosts(hostsText(['a.example.com', 'b.example.com:8443']))).toEqual(['a.example.com', 'b.example.com:8443']);
  });

  it('names a URL pasted where a host belongs, with the host to enter', () => {
    expect(hostsProblem(['a.example.com', 'https://restart.example.internal:8443/restart'])).toBe(
      'Entry 2 is a URL; enter only its host: restart.example.internal:8443.',
    );
    expect(hostsProblem(['a.example.com', '*.example.org', '10.0.0.0/8', '*'])).toBeNull();
  });

  it('says nowhere for no entry and anywhere for *', () => {
    expect(hostsSummary([])).toEqual({ kind: 'nowhere', text: 'nowhere' });
    expect(hostsSummary(['a.example.com', '*'])).toEqual({ kind: 'anywhere', text: 'anywhere' });
    expect(hostsSummary(['a.example.com', 'b.example.com'])).toEqual({ kind: 'hosts', text: 'a.example.com, b.example.com' });
  });
});
