import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { DestinationRefused, ResolveFailed, type CheckedDestination, type ConnectTarget } from '../../nodes/network.js';
import { DestinationPolicy, type Resolver } from './destination-policy.js';

/** A resolver that knows a few names and nothing else (no network in tests). */
const ZONE: Record<string, { address: string; family: 4 | 6 }[]> = {
  'public.test': [{ address: '93.184.216.34', family: 4 }],
  'dual.test': [
    { address: '93.184.216.34', family: 4 },
    { address: '2606:2800:220:1::1', family: 6 },
  ],
  'rebind.test': [{ address: '127.0.0.1', family: 4 }],
  'mixed.test': [
    { address: '93.184.216.34', family: 4 },
    { address: '10.0.0.7', family: 4 },
  ],
  'v6loop.test': [
    { address: '2606:2800:220:1::1', family: 6 },
    { address: '::1', family: 6 },
  ],
  'agent.internal': [{ address: '10.1.2.3', family: 4 }],
  'metadata.test': [{ address: '169.254.169.254', family: 4 }],
};
const resolver: Resolver = async (host) => {
  const found = ZONE[host];
  if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return found;
};

const policy = (opts: { allowed?: string[]; hosts?: Record<string, string[]> } = {}) =>
  new DestinationPolicy({ allowedTargets: opts.allowed ?? [], secretHosts: (name) => opts.hosts?.[name], resolver });
const target = (host: string, port = 80, secrets?: string[]): ConnectTarget => ({ host, port, display: `http://${host}:${port}/x`, ...(secrets ? { secrets } : {}) });

async function refusal(p: DestinationPolicy, t: ConnectTarget, scope: { flowTargets?: string[]; secrets?: string[] } = {}): Promise<DestinationRefused> {
  try {
    await p.forStep({ secrets: [], ...scope }).resolve(t);
  } catch (error) {
    if (error instanceof DestinationRefused) return error;
    throw error;
  }
  throw new Error(`expected ${t.host} to be refused`);
}
const allowed = (p: DestinationPolicy, t: ConnectTarget, scope: { flowTargets?: string[]; secrets?: string[] } = {}) =>
  p.forStep({ secrets: [], ...scope }).resolve(t);

describe('destination policy: the default', () => {
  it('allows public addresses, literal or resolved', async () => {
    expect((await allowed(policy(), target('93.184.216.34'))).addresses).toEqual([{ address: '93.184.216.34', family: 4 }]);
    expect((await allowed(policy(), target('dual.test'))).addresses).toHaveLength(2);
    expect((await allowed(policy(), target('[2606:2800:220:1::1]'))).addresses).toEqual([{ address: '2606:2800:220:1::1', family: 6 }]);
  });

  it('refuses loopback, private and metadata addresses, naming the host, the address and the setting', async () => {
    expect((await refusal(policy(), target('127.0.0.1', 9100))).message).toBe(
      'refused to connect to 127.0.0.1 (loopback) for http://127.0.0.1:9100/x: non-public addresses need an entry in SALVE_ALLOWED_TARGETS (e.g. SALVE_ALLOWED_TARGETS=127.0.0.1:9100)',
    );
    expect((await refusal(policy(), target('rebind.test', 9100))).message).toBe(
      'refused to connect to rebind.test at 127.0.0.1 (loopback) for http://rebind.test:9100/x: non-public addresses need an entry in SALVE_ALLOWED_TARGETS (e.g. SALVE_ALLOWED_TARGETS=rebind.test:9100)',
    );
    expect((await refusal(policy(), target('metadata.test'))).message).toMatch(/at 169\.254\.169\.254 \(cloud metadata\)/);
    expect((await refusal(policy(), target('169.254.169.254'))).message).toMatch(/cloud metadata/);
    expect((await refusal(policy(), target('[fd00:ec2::254]'))).message).toMatch(/fd00:ec2::254 \(cloud metadata\)/);
    expect((await refusal(policy(), target('[::ffff:7f00:1]'))).message).toMatch(/::ffff:7f00:1 \(IPv4-mapped 127\.0\.0\.1 \(loopback\)\)/);
    expect((await refusal(policy(), target('[::1]'))).message).toMatch(/::1 \(loopback\)/);
    expect((await refusal(policy(), target('0.0.0.0'))).message).toMatch(/unspecified/);
    expect((await refusal(policy(), target('192.168.0.10'))).reason).toBe('policy');
  });

  it('checks every address a name resolves to, IPv4 and IPv6', async () => {
    expect((await refusal(policy(), target('mixed.test'))).message).toMatch(/mixed\.test at 10\.0\.0\.7 \(private\)/);
    expect((await refusal(policy(), target('v6loop.test'))).message).toMatch(/v6loop\.test at ::1 \(loopback\)/);
  });

  it('resolves with the system resolver and checks what it returns, whatever the host string', async () => {
    const system = new DestinationPolicy({ allowedTargets: [], secretHosts: () => undefined });
    // getaddrinfo reads these as 127.0.0.1; the check is on the address it returns.
    for (const host of ['localhost', '2130706433', '0177.0.0.1', '0x7f000001', '127.1']) {
      expect((await refusal(system, target(host))).message, host).toMatch(/127\.0\.0\.1 \(loopback\)/);
    }
  });

  it('reports a name that does not resolve as a resolve failure, not a refusal', async () => {
    await expect(allowed(policy(), target('nowhere.test'))).rejects.toThrow(ResolveFailed);
    await expect(allowed(policy(), target('nowhere.test'))).rejects.toThrow('could not resolve nowhere.test (for http://nowhere.test:80/x): ENOTFOUND');
  });
});

describe('destination policy: SALVE_ALLOWED_TARGETS', () => {
  it('allows listed addresses, blocks and names, and only those', async () => {
    await expect(allowed(policy({ allowed: ['127.0.0.1'] }), target('127.0.0.1', 9100))).resolves.toBeDefined();
    await expect(allowed(policy({ allowed: ['127.0.0.1'] }), target('[::ffff:127.0.0.1]'))).resolves.toBeDefined();
    await expect(allowed(policy({ allowed: ['127.0.0.1'] }), target('rebind.test'))).resolves.toBeDefined();
    await expect(allowed(policy({ allowed: ['10.1.0.0/16'] }), target('agent.internal'))).resolves.toBeDefined();
    await expect(allowed(policy({ allowed: ['agent.internal'] }), target('agent.internal'))).resolves.toBeDefined();
    await expect(allowed(policy({ allowed: ['*.internal'] }), target('agent.internal'))).resolves.toBeDefined();
    expect((await refusal(policy({ allowed: ['127.0.0.1'] }), target('[::1]'))).reason).toBe('policy');
    expect((await refusal(policy({ allowed: ['10.1.0.0/16'] }), target('metadata.test'))).reason).toBe('policy');
  });

  it('limits an entry with a port to that port', async () => {
    await expect(allowed(policy({ allowed: ['10.1.0.0/16:9100'] }), target('agent.internal', 9100))).resolves.toBeDefined();
    expect((await refusal(policy({ allowed: ['10.1.0.0/16:9100'] }), target('agent.internal', 22))).message).toMatch(/agent\.internal at 10\.1\.2\.3 \(private\)/);
  });

  it('refuses to start with a bad entry', () => {
    expect(() => policy({ allowed: ['*'] })).toThrow(/SALVE_ALLOWED_TARGETS: "\*" would allow everywhere/);
  });
});

describe('destination policy: a flow list narrows, never widens', () => {
  it('refuses public destinations the flow does not list', async () => {
    const refused = await refusal(policy(), target('public.test'), { flowTargets: ['hooks.example.com'] });
    expect(refused.reason).toBe('flow');
    expect(refused.message).toBe("refused to connect to public.test at 93.184.216.34 for http://public.test:80/x: not in this flow's settings.allowedTargets");
    await expect(allowed(policy(), target('public.test'), { flowTargets: ['public.test'] })).resolves.toBeDefined();
  });

  it('cannot allow what the server refuses', async () => {
    expect((await refusal(policy(), target('127.0.0.1'), { flowTargets: ['127.0.0.1'] })).reason).toBe('policy');
    await expect(allowed(policy({ allowed: ['10.0.0.0/8'] }), target('agent.internal'), { flowTargets: ['10.1.2.0/24'] })).resolves.toBeDefined();
    expect((await refusal(policy({ allowed: ['10.0.0.0/8'] }), target('agent.internal'), { flowTargets: ['10.9.0.0/16'] })).reason).toBe('flow');
  });
});

describe('destination policy: secrets go only where their host list allows', () => {
  it('refuses a secret with no host list, naming the variable', async () => {
    const refused = await refusal(policy(), target('public.test'), { secrets: ['AGENT_TOKEN'] });
    expect(refused.reason).toBe('secret');
    expect(refused.message).toBe(
      'secret AGENT_TOKEN may not be sent to public.test (for http://public.test:80/x): SALVE_SECRET_AGENT_TOKEN_HOSTS is not set; set it to the hosts this secret may be sent to (or * for anywhere)',
    );
  });

  it('refuses a host the list does not name, and allows one it does', async () => {
    const p = policy({ hosts: { AGENT_TOKEN: ['agent.example.com', '10.1.0.0/16'], ANY: ['*'] }, allowed: ['10.0.0.0/8'] });
    expect((await refusal(p, target('public.test'), { secrets: ['AGENT_TOKEN'] })).message).toBe(
      'secret AGENT_TOKEN may not be sent to public.test at 93.184.216.34 (for http://public.test:80/x): it is not in SALVE_SECRET_AGENT_TOKEN_HOSTS',
    );
    await expect(allowed(p, target('agent.internal'), { secrets: ['AGENT_TOKEN'] })).resolves.toBeDefined();
    await expect(allowed(p, target('public.test'), { secrets: ['ANY'] })).resolves.toBeDefined();
    // The executor may say it sends fewer secrets (a redirect hop that dropped them).
    await expect(allowed(p, target('public.test', 80, []), { secrets: ['AGENT_TOKEN'] })).resolves.toBeDefined();
  });

  it('answers which secrets may not go to a checked destination', async () => {
    const p = policy({ hosts: { A: ['public.test'], B: ['other.test'] } });
    const dest = await allowed(p, target('public.test', 80, []), { secrets: ['A', 'B'] });
    expect(dest.refusedSecrets(['A', 'B', 'C']).map((r) => r.name)).toEqual(['B', 'C']);
  });
});

describe('destination policy: the lookup a connection uses', () => {
  const lookup = (dest: CheckedDestination, host: string, options: object) =>
    new Promise<{ err: Error | null; address: string | LookupAddress[]; family?: number }>((resolve) =>
      dest.lookup(host, options, (err, address, family) => resolve({ err, address, family })),
    );

  it('answers only with the checked addresses, one or all, by family', async () => {
    const dest = await allowed(policy(), target('dual.test'));
    expect(await lookup(dest, 'dual.test', {})).toEqual({ err: null, address: '93.184.216.34', family: 4 });
    expect((await lookup(dest, 'dual.test', { all: true })).address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
    expect((await lookup(dest, 'dual.test', { all: true, family: 6 })).address).toEqual([{ address: '2606:2800:220:1::1', family: 6 }]);
  });

  it('refuses to answer for another host', async () => {
    const dest = await allowed(policy(), target('dual.test'));
    expect((await lookup(dest, 'rebind.test', {})).err?.message).toMatch(/checked for dual\.test/);
  });
});
