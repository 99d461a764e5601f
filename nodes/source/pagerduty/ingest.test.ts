import { describe, expect, it } from 'vitest';
import type { IngestRequest } from '../../source-adapter.js';
import { PagerDutyConfigSchema, pagerdutySource } from './definition.js';
import {
  normalizePagerDuty,
  pagerdutyAdapter,
  pagerdutyDeliveryId,
  pagerdutySeverity,
  pagerdutyStatus,
  parseSignatureHeader,
} from './ingest.js';
import { pagerdutySamples } from './samples.js';
import { issuesOf } from '../../../test/kit/nodes.js';
import { pagerDutySignature } from '../../../test/kit/hmac.js';

/** A webhook v3 incident event, written for these tests; `data` and the event can be overridden. */
function delivery(eventType = 'incident.triggered', data: Record<string, unknown> = {}, event: Record<string, unknown> = {}) {
  return {
    event: {
      id: '01TESTEVENT000000000000001',
      event_type: eventType,
      resource_type: 'incident',
      occurred_at: '2026-11-24T10:00:05.123Z',
      agent: { id: 'PUSER01', summary: 'Ops Person', type: 'user_reference' },
      client: null,
      data: {
        id: 'QINC0001',
        type: 'incident',
        html_url: 'https://acme.pagerduty.com/incidents/QINC0001',
        number: 42,
        status: 'triggered',
        title: 'Disk almost full on db1',
        created_at: '2026-11-24T10:00:00Z',
        service: { id: 'PSVC01', summary: 'Databases', type: 'service_reference' },
        assignees: [{ id: 'PUSER01', summary: 'Ops Person' }],
        priority: null,
        urgency: 'high',
        ...data,
      },
      ...event,
    },
  };
}

const one = (body: unknown) => {
  const alerts = normalizePagerDuty(body);
  expect(alerts).toHaveLength(1);
  return alerts[0]!;
};

const config = (extra: object = {}) => PagerDutyConfigSchema.parse({ path: 'pd', auth: { type: 'none' }, ...extra });

describe('normalizePagerDuty', () => {
  it('maps an incident event to one alert', () => {
    const body = pagerdutySamples[0]!.payload as { event: unknown };
    expect(one(body)).toEqual({
      source: 'pagerduty',
      status: 'firing',
      name: 'DiskFull',
      severity: 'critical',
      summary: 'DiskFull',
      description: '',
      labels: {
        event_type: 'incident.triggered',
        service: 'postgresql',
        service_id: 'PSVC0DB',
        urgency: 'high',
        priority: 'P1',
        status: 'triggered',
        number: '4711',
        incident_key: 'd15cf011a0b2c3d4',
      },
      annotations: { event_id: '01FZQ7K2M9D3X8SALVEPDTRG01', agent: 'postgresql', assignees: 'Dana On-Call' },
      startsAt: '2026-11-24T09:12:41Z',
      endsAt: '',
      fingerprint: 'Q1DISKFULL0DB1',
      dedupKey: JSON.stringify(['pagerduty', 'Q1DISKFULL0DB1', '2026-11-24T09:12:41Z', 'firing']),
      links: { source: 'https://example.pagerduty.com/incidents/Q1DISKFULL0DB1' },
      raw: body.event,
    });
    expect(one(pagerdutySamples[1]!.payload)).toMatchObject({ status: 'resolved', endsAt: '2026-11-24T09:47:05.412Z', startsAt: '2026-11-24T09:12:41Z' });
  });

  it.each([
    ['incident.triggered', 'triggered', 'firing'],
    ['incident.acknowledged', 'acknowledged', 'firing'],
    ['incident.unacknowledged', 'triggered', 'firing'],
    ['incident.reopened', 'triggered', 'firing'],
    ['incident.escalated', 'triggered', 'firing'],
    ['incident.resolved', 'resolved', 'resolved'],
    // Other events follow the incident's own status.
    ['incident.priority_updated', 'triggered', 'firing'],
    ['incident.priority_updated', 'acknowledged', 'firing'],
    ['incident.reassigned', 'resolved', 'resolved'],
    ['incident.delegated', 'acknowledged', 'firing'],
  ] as const)('%s with status %s → %s', (eventType, incidentStatus, expected) => {
    expect(one(delivery(eventType, { status: incidentStatus })).status).toBe(expected);
    expect(one(delivery(eventType, { status: incidentStatus })).labels).toMatchObject({ event_type: eventType, status: incidentStatus });
  });

  it('decides the status by event type where it is certain', () => {
    expect(pagerdutyStatus('incident.resolved', undefined)).toBe('resolved');
    expect(pagerdutyStatus('incident.resolved', 'triggered')).toBe('resolved');
    expect(pagerdutyStatus('incident.triggered', 'resolved')).toBe('firing');
    expect(pagerdutyStatus('incident.annotated', undefined)).toBe('firing');
  });

  it.each([
    ['P1', 'low', 'critical'],
    ['P2', 'low', 'high'],
    ['P3', 'high', 'warning'],
    ['P4', 'high', 'info'],
    ['P5', 'high', 'info'],
    // A priority scheme of the account's own naming that names no severity: urgency decides.
    ['SEV-A', 'high', 'high'],
    [undefined, 'high', 'high'],
    [undefined, 'low', 'warning'],
    [undefined, undefined, 'unknown'],
  ] as const)('priority %s, urgency %s → %s', (priority, urgency, expected) => {
    expect(pagerdutySeverity(priority, urgency)).toBe(expected);
    const data = { priority: priority ? { id: 'PP', summary: priority, type: 'priority_reference' } : null, urgency: urgency ?? null };
    expect(one(delivery('incident.triggered', data)).severity).toBe(expected);
  });

  it('starts the episode at the last reopening, else the creation, else the event', () => {
    expect(one(delivery()).startsAt).toBe('2026-11-24T10:00:00Z');
    expect(one(delivery('incident.acknowledged', { created_at: undefined })).startsAt).toBe('2026-11-24T10:00:05.123Z');
    expect(one(delivery('incident.acknowledged', { reopened_at: '2026-11-25T08:00:00Z' })).startsAt).toBe('2026-11-25T08:00:00Z');
    // The reopening event is the reopening, even when data does not say when.
    expect(one(delivery('incident.reopened', {}, { occurred_at: '2026-11-25T08:00:01.000Z' })).startsAt).toBe('2026-11-25T08:00:01.000Z');
  });

  describe('dedup: one notification per incident, state and episode', () => {
    const key = (eventType: string, data: Record<string, unknown> = {}, event: Record<string, unknown> = {}) =>
      one(delivery(eventType, data, event)).dedupKey;
    it('an acknowledgement, an escalation or a redelivery of the same incident repeats the trigger', () => {
      const triggered = key('incident.triggered');
      expect(key('incident.acknowledged', { status: 'acknowledged' }, { id: 'other-event', occurred_at: '2026-11-24T10:05:00.000Z' })).toBe(triggered);
      expect(key('incident.unacknowledged', {}, { id: 'third-event', occurred_at: '2026-11-24T10:35:00.000Z' })).toBe(triggered);
      expect(key('incident.escalated', {}, { id: 'fourth' })).toBe(triggered);
      expect(normalizePagerDuty(JSON.parse(JSON.stringify(delivery())))[0]!.dedupKey).toBe(triggered);
    });
    it('resolving, reopening and resolving again are each new', () => {
      const triggered = key('incident.triggered');
      const resolved = key('incident.resolved', { status: 'resolved' });
      const reopened = key('incident.reopened', { reopened_at: '2026-11-25T08:00:00Z' });
      const ackAfterReopen = key('incident.acknowledged', { status: 'acknowledged', reopened_at: '2026-11-25T08:00:00Z' });
      const resolvedAgain = key('incident.resolved', { status: 'resolved', reopened_at: '2026-11-25T08:00:00Z' });
      expect(new Set([triggered, resolved, reopened, resolvedAgain]).size).toBe(4);
      expect(ackAfterReopen).toBe(reopened);
    });
    it('another incident is another alert', () => {
      expect(one(delivery('incident.triggered', { id: 'QINC0002' })).fingerprint).toBe('QINC0002');
      expect(key('incident.triggered', { id: 'QINC0002' })).not.toBe(key('incident.triggered'));
    });
  });

  it('reads events about something inside an incident through data.incident', () => {
    const annotated = {
      event: {
        id: '01NOTE',
        event_type: 'incident.annotated',
        resource_type: 'incident',
        occurred_at: '2026-11-24T10:10:00.000Z',
        agent: null,
        client: null,
        data: {
          incident: { html_url: 'https://acme.pagerduty.com/incidents/QINC0001', id: 'QINC0001', summary: '[#42] Disk almost full on db1', type: 'incident_reference' },
          id: 'PNOTE1',
          content: 'looking',
          type: 'incident_note',
        },
      },
    };
    expect(one(annotated)).toMatchObject({
      status: 'firing',
      name: '[#42] Disk almost full on db1',
      fingerprint: 'QINC0001',
      startsAt: '2026-11-24T10:10:00.000Z',
      labels: { event_type: 'incident.annotated' },
      annotations: { event_id: '01NOTE' },
      links: { source: 'https://acme.pagerduty.com/incidents/QINC0001' },
    });
  });

  it('has no alert for pings and for other resources', () => {
    const ping = { event: { id: 'P1', event_type: 'pagey.ping', resource_type: 'pagey', occurred_at: '2026-11-24T10:00:00.000Z', agent: null, client: null, data: { message: 'Hello from your friend Pagey!', type: 'ping' } } };
    expect(normalizePagerDuty(ping)).toEqual([]);
    const service = { event: { id: 'S1', event_type: 'service.updated', resource_type: 'service', occurred_at: '2026-11-24T10:00:00.000Z', agent: null, client: null, data: { id: 'PSVC01', type: 'service' } } };
    expect(normalizePagerDuty(service)).toEqual([]);
  });

  it('falls back to the incident number for an incident without a title', () => {
    expect(one(delivery('incident.triggered', { title: undefined })).name).toBe('Incident #42');
  });

  it('names the missing or wrong field', () => {
    expect(issuesOf(() => normalizePagerDuty(null))).toContain('(root): ');
    expect(issuesOf(() => normalizePagerDuty({}))).toContain('event: must be the event object');
    // An Events API v2 body (what tools send TO PagerDuty) is not a webhook delivery.
    expect(issuesOf(() => normalizePagerDuty({ routing_key: 'x', event_action: 'trigger', payload: { summary: 's' } }))).toContain('event: ');
    expect(issuesOf(() => normalizePagerDuty(delivery('incident.triggered', {}, { occurred_at: 'yesterday' })))).toBe('event.occurred_at: must be an ISO 8601 timestamp');
    expect(issuesOf(() => normalizePagerDuty(delivery('incident.triggered', { id: '' })))).toBe('event.data.id: must be the incident id');
    expect(issuesOf(() => normalizePagerDuty(delivery('incident.triggered', { number: 'x' })))).toContain('event.data.number: ');
    expect(issuesOf(() => normalizePagerDuty(delivery('incident.triggered', {}, { data: { type: 'thing' } })))).toBe(
      'event.data: must be the incident (data.type "incident") or carry data.incident',
    );
    expect(issuesOf(() => normalizePagerDuty(delivery('incident.triggered', { service: { summary: 'x'.repeat(4097) } })))).toBe(
      'event.data.service.summary: value is longer than 4096 bytes',
    );
  });
});

describe('X-PagerDuty-Signature', () => {
  const SECRET = 'pd-subscription-secret-1';
  const OLD = 'pd-subscription-secret-0';
  const body = new TextEncoder().encode(JSON.stringify(delivery()));
  const sign = (secret: string, bytes: Uint8Array = body) => pagerDutySignature(secret, bytes);
  const request = (signature: string | undefined, rawBody: Uint8Array = body): IngestRequest => ({
    headers: signature === undefined ? {} : { 'x-pagerduty-signature': signature },
    rawBody,
  });
  const secrets: Record<string, string> = { PD_SECRET: SECRET, PD_SECRET_OLD: OLD, EMPTY: '' };
  const ctx = { secrets: (name: string) => secrets[name], now: Date.now(), fetch };
  const signed = config({ auth: { type: 'signature', secret: { secret: 'PD_SECRET' } } });
  const rotating = config({ auth: { type: 'signature', secret: [{ secret: 'PD_SECRET' }, { secret: 'PD_SECRET_OLD' }] } });
  const check = (c = signed, req: IngestRequest) => pagerdutyAdapter.authenticate(c, req, ctx) as { ok: boolean; reason?: string };

  it('accepts the HMAC-SHA256 of the raw body', () => {
    expect(check(signed, request(sign(SECRET)))).toEqual({ ok: true });
    expect(check(signed, request(sign(SECRET).toUpperCase().replace('V1=', 'v1=')))).toEqual({ ok: true });
  });

  it('refuses a wrong signature, a changed body and a missing header', () => {
    expect(check(signed, request(sign('not-the-secret')))).toMatchObject({ ok: false, reason: expect.stringContaining('does not match') });
    const tampered = new TextEncoder().encode(JSON.stringify(delivery('incident.resolved')));
    expect(check(signed, request(sign(SECRET), tampered)).ok).toBe(false);
    expect(check(signed, request(undefined))).toEqual({ ok: false, reason: 'missing X-PagerDuty-Signature header' });
    expect(check(signed, request(''))).toEqual({ ok: false, reason: 'X-PagerDuty-Signature has no v1= signature' });
    // Another scheme version, or a bare digest, is not a v1 signature.
    expect(check(signed, request(sign(SECRET).replace('v1=', 'v0='))).ok).toBe(false);
    expect(check(signed, request(sign(SECRET).slice(3))).ok).toBe(false);
    expect(check(signed, request(sign(SECRET).slice(0, -2))).ok).toBe(false);
  });

  it('accepts when any of several signatures matches (PagerDuty rotating its secret)', () => {
    expect(check(signed, request(`${sign('old-one')},${sign(SECRET)}`))).toEqual({ ok: true });
    expect(check(signed, request(`${sign(SECRET)}, ${sign('new-one')}`))).toEqual({ ok: true });
    expect(check(signed, request(`v0=abc, ${sign(SECRET)}`))).toEqual({ ok: true });
    expect(check(signed, request(`${sign('a')},${sign('b')}`)).ok).toBe(false);
  });

  it('accepts the previous secret too while Salve rotates', () => {
    expect(check(rotating, request(sign(SECRET)))).toEqual({ ok: true });
    expect(check(rotating, request(sign(OLD)))).toEqual({ ok: true });
    expect(check(signed, request(sign(OLD))).ok).toBe(false);
  });

  it('fails closed when no configured secret is set (or only empty ones)', () => {
    const unset = config({ auth: { type: 'signature', secret: { secret: 'NOT_SET' } } });
    expect(check(unset, request(sign(SECRET)))).toEqual({ ok: false, reason: 'secret NOT_SET is not set' });
    const empty = config({ auth: { type: 'signature', secret: { secret: 'EMPTY' } } });
    expect(check(empty, request(sign('')))).toEqual({ ok: false, reason: 'secret EMPTY is not set' });
    const pairUnset = config({ auth: { type: 'signature', secret: [{ secret: 'NOT_SET' }, { secret: 'EMPTY' }] } });
    expect(check(pairUnset, request(sign('')))).toEqual({ ok: false, reason: 'none of the secrets NOT_SET, EMPTY is set' });
    // Of a rotation pair, the one already retired (unset) is skipped.
    const retired = config({ auth: { type: 'signature', secret: [{ secret: 'PD_SECRET' }, { secret: 'NOT_SET' }] } });
    expect(check(retired, request(sign(SECRET)))).toEqual({ ok: true });
    expect(check(retired, request(sign('')))).toMatchObject({ ok: false });
  });

  it('takes at most two secrets', () => {
    const three = PagerDutyConfigSchema.safeParse({ path: 'pd', auth: { type: 'signature', secret: [{ secret: 'A' }, { secret: 'B' }, { secret: 'C' }] } });
    expect(three.success).toBe(false);
  });

  it('parses at most a handful of v1 values', () => {
    const many = Array.from({ length: 50 }, (_, i) => sign(`s${i}`)).join(',');
    expect(parseSignatureHeader(many)).toHaveLength(8);
    expect(parseSignatureHeader('v1=zz, v1=, junk')).toEqual([]);
  });

  it('also takes the shared schemes, sent as a custom header of the subscription', () => {
    const bearer = config({ auth: { type: 'bearer', token: { secret: 'PD_SECRET' } } });
    expect(check(bearer, { headers: { authorization: `Bearer ${SECRET}` }, rawBody: body })).toEqual({ ok: true });
    expect(check(bearer, request(sign(SECRET))).ok).toBe(false);
  });
});

describe('source.pagerduty', () => {
  it('answers pagey.ping with pong and nothing else', () => {
    const ping = { event: { id: 'P1', event_type: 'pagey.ping', resource_type: 'pagey', occurred_at: '2026-11-24T10:00:00.000Z', data: {} } };
    const req = { headers: {}, rawBody: new Uint8Array() };
    const ctx = { secrets: () => undefined, now: 0, fetch };
    expect(pagerdutyAdapter.handshake!(config(), ping, req, ctx)).toEqual({ status: 200, message: 'pong' });
    expect(pagerdutyAdapter.handshake!(config(), delivery(), req, ctx)).toBeUndefined();
    expect(pagerdutyAdapter.handshake!(config(), null, req, ctx)).toBeUndefined();
    expect(pagerdutyAdapter.handshake!(config(), { event: 'pagey.ping' }, req, ctx)).toBeUndefined();
  });

  it('identifies the delivery by X-Webhook-Id, else by the event id', () => {
    const req = (headers: Record<string, string>) => ({ headers, rawBody: new Uint8Array() });
    expect(pagerdutyDeliveryId(req({ 'x-webhook-id': 'c4e5-delivery' }), delivery())).toBe('pagerduty:c4e5-delivery');
    expect(pagerdutyDeliveryId(req({}), delivery())).toBe('pagerduty:01TESTEVENT000000000000001');
    expect(pagerdutyDeliveryId(req({}), {})).toBeUndefined();
    expect(pagerdutyAdapter.deliveryId!(config(), req({ 'x-webhook-id': 'x' }), {})).toBe('pagerduty:x');
  });

  it('starts flows on the opening events for "on": "firing", the closing one for "resolved"', () => {
    const alerts = Object.fromEntries(
      ['incident.triggered', 'incident.reopened', 'incident.acknowledged', 'incident.escalated', 'incident.priority_updated', 'incident.resolved'].map((t) => [
        t,
        one(delivery(t, { status: t === 'incident.resolved' ? 'resolved' : 'triggered' })),
      ]),
    );
    const starting = (c: ReturnType<typeof config>) => Object.keys(alerts).filter((t) => pagerdutyAdapter.accepts(c, alerts[t]!));
    expect(config().events).toBeUndefined();
    expect(starting(config())).toEqual(['incident.triggered', 'incident.reopened']);
    expect(starting(config({ on: 'resolved' }))).toEqual(['incident.resolved']);
    expect(starting(config({ on: 'both' }))).toEqual(['incident.triggered', 'incident.reopened', 'incident.resolved']);
    expect(starting(config({ events: ['incident.acknowledged'] }))).toEqual(['incident.acknowledged']);
    expect(starting(config({ events: ['incident.triggered', 'incident.priority_updated'] }))).toEqual(['incident.triggered', 'incident.priority_updated']);
    // Both must hold: a priority change on a resolved incident is resolved, which "on": "firing" skips.
    const late = one(delivery('incident.priority_updated', { status: 'resolved' }));
    expect(pagerdutyAdapter.accepts(config({ events: ['incident.priority_updated'] }), late)).toBe(false);
  });

  it('checks the config: auth required, event types, events that "on" would never start', () => {
    const missing = PagerDutyConfigSchema.safeParse({ path: 'pd' });
    expect(missing.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['auth', 'auth is required: use {"type":"signature","secret":{"secret":"NAME"}} with the subscription\'s signing secret'],
    ]);
    const bad = PagerDutyConfigSchema.safeParse({ path: 'pd', auth: { type: 'signature', secret: { secret: 'pd' } }, events: ['triggered', 'service.created'] });
    expect(bad.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['auth.secret.secret', 'events.0', 'events.1']);
    expect(PagerDutyConfigSchema.safeParse({ path: 'pd', auth: { type: 'none' }, events: [] }).success).toBe(false);
    const dead = PagerDutyConfigSchema.safeParse({ path: 'pd', auth: { type: 'none' }, events: ['incident.triggered', 'incident.resolved'] });
    expect(dead.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['events.1', 'incident.resolved gives a resolved alert, which "on": "firing" never starts; set "on" to "resolved" or "both"'],
    ]);
    const deadFiring = PagerDutyConfigSchema.safeParse({ path: 'pd', auth: { type: 'none' }, on: 'resolved', events: ['incident.acknowledged'] });
    expect(deadFiring.error!.issues[0]!.path).toEqual(['events', 0]);
    expect(PagerDutyConfigSchema.safeParse({ path: 'pd', auth: { type: 'none' }, on: 'both', events: ['incident.acknowledged', 'incident.resolved'] }).success).toBe(true);
  });

  it('summarizes path, verification and the starting events', () => {
    expect(pagerdutySource.summary(config({ auth: { type: 'signature', secret: { secret: 'PD' } } }))).toBe('/hooks/pd · signature · incident.triggered, incident.reopened');
    expect(pagerdutySource.summary(config({ auth: { type: 'signature', secret: [{ secret: 'PD' }, { secret: 'PD_OLD' }] }, on: 'resolved' }))).toBe(
      '/hooks/pd · signature (2 secrets) · incident.resolved',
    );
    expect(pagerdutySource.expressions(config())).toEqual([]);
  });
});
