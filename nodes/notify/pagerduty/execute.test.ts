import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DestinationPolicy, type Resolver } from '../../../runtime/net/destination-policy.js';
import { testContext } from '../../../test/kit/nodes.js';
import type { ExecContext, Resolved } from '../../executor.js';
import { PagerDutyNotifyConfigSchema, type PagerDutyNotifyConfig } from './definition.js';
import { executePagerDutyNotify } from './execute.js';

/**
 * A loopback stand-in for PagerDuty's Events API v2 (there is no PagerDuty to run in a test): it
 * answers /v2/enqueue the way the service documents — 202 with the dedup key, 400 with `errors`
 * for an event it cannot take, 429 when rate limited — and keeps the incidents by dedup key.
 */
const ROUTING_KEY = 'R0UTINGKEY0123456789abcdefghijkl';
const received: { path: string; event: Record<string, unknown> }[] = [];
const incidents = new Map<string, string>();
let limited = false;
let base = '';
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const event = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
    received.push({ path: req.url!, event });
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url !== '/v2/enqueue') return answer(404, { status: 'not found' });
    if (limited) return answer(429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly.' });
    if (event.routing_key !== ROUTING_KEY) return answer(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Invalid routing key'] });
    const dedupKey = String(event.dedup_key);
    const payload = event.payload as { summary?: string } | undefined;
    if (event.event_action === 'trigger') {
      if (!payload?.summary) return answer(400, { status: 'invalid event', message: 'Event object is invalid', errors: ["'payload.summary' is missing or blank"] });
      incidents.set(dedupKey, 'triggered');
    } else {
      incidents.set(dedupKey, event.event_action === 'resolve' ? 'resolved' : 'acknowledged');
    }
    answer(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://events.pagerduty.test:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const resolver: Resolver = async (host) => {
  if (host === 'events.pagerduty.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
};

/** The routing key as the executor gets it: resolved from the secret PD_ROUTING_KEY. */
const config = (input: Record<string, unknown> = {}, key = ROUTING_KEY) =>
  ({ ...PagerDutyNotifyConfigSchema.parse({ routingKey: { secret: 'PD_ROUTING_KEY' }, baseUrl: base, ...input }), routingKey: key }) as Resolved<PagerDutyNotifyConfig>;

/** A step's context whose network allows the loopback peer, unless told otherwise. */
function ctx(opts: { allowed?: string[]; keyHosts?: string[] } = {}): ExecContext {
  const policy = new DestinationPolicy({
    allowedTargets: opts.allowed ?? ['127.0.0.1'],
    // SALVE_SECRET_PD_ROUTING_KEY_HOSTS: where the routing key may be sent.
    secretHosts: (name) => (name === 'PD_ROUTING_KEY' ? (opts.keyHosts ?? ['events.pagerduty.test']) : undefined),
    resolver,
  });
  const secrets = [{ name: 'PD_ROUTING_KEY', path: ['routingKey'] }];
  return testContext({ secrets, network: policy.forStep({ secrets: ['PD_ROUTING_KEY'] }) });
}

describe('notify.pagerduty executor', () => {
  it('triggers an incident, then resolves the same one by the alert’s fingerprint', async () => {
    const triggered = await executePagerDutyNotify(config(), ctx());
    expect(triggered).toMatchObject({ type: 'next', port: 'ok', output: { action: 'trigger', status: 202, message: 'Event processed', dedupKey: 'a1b2c3d4e5f60708' } });
    const sent = received.at(-1)!;
    expect(sent.path).toBe('/v2/enqueue');
    expect(sent.event).toMatchObject({ routing_key: ROUTING_KEY, event_action: 'trigger', dedup_key: 'a1b2c3d4e5f60708', payload: { summary: 'DiskFull: Disk almost full on db1', severity: 'critical' } });
    expect(incidents.get('a1b2c3d4e5f60708')).toBe('triggered');

    const resolved = await executePagerDutyNotify(config({ action: 'resolve' }), ctx());
    expect(resolved).toMatchObject({ type: 'next', port: 'ok', output: { action: 'resolve', status: 202 } });
    expect(incidents.get('a1b2c3d4e5f60708')).toBe('resolved');
    // The output never holds the routing key.
    expect(JSON.stringify([triggered, resolved])).not.toContain(ROUTING_KEY);
  });

  it('goes to "error" with PagerDuty’s own words when it refuses the event', async () => {
    const outcome = await executePagerDutyNotify(config({}, 'not-the-key'), ctx());
    expect(outcome).toMatchObject({
      type: 'fail',
      port: 'error',
      error: 'PagerDuty answered 400: Event object is invalid; Invalid routing key',
      output: { status: 400, errors: ['Invalid routing key'] },
    });
  });

  it('says it was rate limited on a 429', async () => {
    limited = true;
    try {
      const outcome = await executePagerDutyNotify(config(), ctx());
      expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: 429 } });
      expect((outcome as { error: string }).error).toMatch(/^rate limited by PagerDuty \(429\); try again later: Requests for this service/);
    } finally {
      limited = false;
    }
  });

  it('sends nothing where the destination policy forbids, nor where the routing key may not go', async () => {
    const before = received.length;
    const forbidden = await executePagerDutyNotify(config(), ctx({ allowed: [] }));
    expect(forbidden).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
    expect((forbidden as { error: string }).error).toContain('127.0.0.1');
    // The key is bound to PagerDuty's real hosts: this one may not receive it.
    const keyBound = await executePagerDutyNotify(config(), ctx({ keyHosts: ['events.pagerduty.com', 'events.eu.pagerduty.com'] }));
    expect(keyBound).toMatchObject({ type: 'fail', port: 'error' });
    expect((keyBound as { error: string }).error).toContain('PD_ROUTING_KEY');
    expect(received.length).toBe(before);
  });

  it('gives up at its timeout when PagerDuty does not answer', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://events.pagerduty.test:${(silent.address() as AddressInfo).port}`;
      const outcome = await executePagerDutyNotify(config({ baseUrl: url, timeoutSeconds: 1 }), ctx());
      expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: null } });
      expect((outcome as { error: string }).error).toMatch(/timed out after 1 s/);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
