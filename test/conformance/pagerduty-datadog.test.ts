import { describe, expect, it } from 'vitest';
import type { IngestContext, IngestRequest } from '../../nodes/source-adapter.js';
import { DatadogConfigSchema } from '../../nodes/source/datadog/definition.js';
import { datadogAdapter } from '../../nodes/source/datadog/ingest.js';
import { DATADOG_PAYLOAD_TEMPLATE } from '../../nodes/source/datadog/template.js';
import { PagerDutyConfigSchema } from '../../nodes/source/pagerduty/definition.js';
import { pagerdutyAdapter } from '../../nodes/source/pagerduty/ingest.js';
import { parseJson } from '../../runtime/engine/json.js';
import { fixtureBytes, fixtureFiles, fixtureHeaders, fixtureJson, fixturesAvailable } from './fixtures.js';
import { normalizeContext } from '../kit/nodes.js';
import { pagerDutySignature } from '../kit/hmac.js';

/**
 * Every real PagerDuty webhook v3 and Datadog webhook delivery in the team's collection
 * (../shared/fixtures/alerts) through source.pagerduty and source.datadog, checked against what
 * FORMATS.md says about each tool. Not deliveries, so not ingested: `pagerduty/events-v2-*` (request
 * bodies of PagerDuty's Events API, for a later action.pagerduty) and `*template*` files
 * (unrendered; the Datadog one is checked against the documented template instead).
 */
const files = (tool: string, prefix: string) => (fixturesAvailable ? fixtureFiles(tool).filter((f) => f.startsWith(`${tool}/${prefix}`)) : []);
const SECRET = 'conformance-pagerduty-secret';
const TOKEN = 'conformance-datadog-token';
const ctx: IngestContext = { secrets: (name) => ({ PD_SECRET: SECRET, DD_TOKEN: TOKEN })[name], now: Date.now(), fetch };
const sign = (bytes: Uint8Array, secret = SECRET) => pagerDutySignature(secret, bytes);

function request(file: string, headers: Record<string, string>, bytes = fixtureBytes(file)): IngestRequest {
  return { headers: { 'content-type': 'application/json', ...fixtureHeaders(file), ...headers }, rawBody: bytes };
}
function tamper(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  const at = copy.indexOf('"'.charCodeAt(0), Math.floor(copy.length / 2));
  copy[at + 1] = copy[at + 1]! ^ 0x20;
  return copy;
}

describe.runIf(fixturesAvailable)('conformance: PagerDuty webhook v3 deliveries through source.pagerduty', () => {
  const deliveries = files('pagerduty', 'webhook-v3-');
  const incidents = deliveries.filter((f) => !f.includes('pagey-ping'));
  const config = PagerDutyConfigSchema.parse({ path: 'pagerduty', auth: { type: 'signature', secret: { secret: 'PD_SECRET' } }, on: 'both' });

  it('has deliveries to check, and leaves the Events API bodies out', () => {
    expect(incidents.length).toBeGreaterThanOrEqual(3);
    expect(deliveries.some((f) => f.includes('pagey-ping'))).toBe(true);
    expect(fixtureFiles('pagerduty').filter((f) => f.includes('events-v2-')).every((f) => !deliveries.includes(f))).toBe(true);
  });

  it.each(deliveries)('%s: a signature over its exact bytes verifies, alone or among others; a changed byte does not', async (file) => {
    const bytes = fixtureBytes(file);
    expect(await pagerdutyAdapter.authenticate(config, request(file, { 'x-pagerduty-signature': sign(bytes) }), ctx)).toEqual({ ok: true });
    // During PagerDuty's rotation one value per active secret, comma-separated: any match is enough.
    const both = `${sign(bytes, 'the-other-active-secret')},${sign(bytes)}`;
    expect(await pagerdutyAdapter.authenticate(config, request(file, { 'x-pagerduty-signature': both }), ctx)).toEqual({ ok: true });
    expect((await pagerdutyAdapter.authenticate(config, request(file, { 'x-pagerduty-signature': sign(bytes) }, tamper(bytes)), ctx)).ok).toBe(false);
    expect((await pagerdutyAdapter.authenticate(config, request(file, { 'x-pagerduty-signature': sign(bytes, 'wrong') }), ctx)).ok).toBe(false);
  });

  it('pagey.ping: the published headers (signature mangled by their author) are refused; signed, it is answered with pong', async () => {
    const file = deliveries.find((f) => f.includes('pagey-ping'))!;
    const headers = fixtureHeaders(file);
    expect(headers['user-agent']).toBe('PagerDuty-Webhook/V3.0');
    expect(headers['x-pagerduty-signature']).toMatch(/^v1=/);
    expect(await pagerdutyAdapter.authenticate(config, request(file, {}), ctx)).toMatchObject({ ok: false });
    const bytes = fixtureBytes(file);
    const signed = request(file, { 'x-pagerduty-signature': sign(bytes) });
    expect(await pagerdutyAdapter.authenticate(config, signed, ctx)).toEqual({ ok: true });
    const body = parseJson(bytes);
    expect(await pagerdutyAdapter.handshake!(config, body, signed, ctx)).toEqual({ status: 200, message: 'pong' });
    expect(pagerdutyAdapter.normalize(config, body, normalizeContext(signed))).toEqual([]);
    // X-Webhook-Id is the delivery id.
    expect(pagerdutyAdapter.deliveryId!(config, signed, body)).toBe(`pagerduty:${headers['x-webhook-id']}`);
  });

  it.each(incidents)('%s: one alert with the facts FORMATS.md states', (file) => {
    const bytes = fixtureBytes(file);
    const req = request(file, { 'x-pagerduty-signature': sign(bytes) });
    const body = parseJson(bytes) as any;
    const { event } = body;
    const data = event.data;
    expect(pagerdutyAdapter.handshake!(config, body, req, ctx)).toBeUndefined();
    const alerts = pagerdutyAdapter.normalize(config, body, normalizeContext(req));
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert.source).toBe('pagerduty');
    // data.id (the incident) is the identity; title is name and summary; html_url the link.
    expect(alert.fingerprint).toBe(data.id);
    expect(alert.name).toBe(data.title);
    expect(alert.summary).toBe(data.title);
    expect(alert.links.source).toBe(data.html_url);
    // triggered/acknowledged/reopened → firing, resolved → resolved.
    expect(alert.status).toBe(data.status === 'resolved' ? 'resolved' : 'firing');
    expect(alert.labels).toMatchObject({ event_type: event.event_type, service: data.service.summary, urgency: data.urgency, status: data.status, number: String(data.number) });
    // priority is null or {summary: "P1"}; urgency high|low.
    if (data.priority) expect(alert.labels.priority).toBe(data.priority.summary);
    else expect(alert.labels.priority).toBeUndefined();
    const expectedSeverity = data.priority?.summary === 'P1' ? 'critical' : data.urgency === 'high' ? 'high' : 'warning';
    expect(alert.severity).toBe(expectedSeverity);
    if (data.incident_key) expect(alert.labels.incident_key).toBe(data.incident_key);
    // No startsAt in the payload: the episode's start when PagerDuty gives one, else occurred_at.
    expect(alert.startsAt).toBe(data.reopened_at ?? data.created_at ?? event.occurred_at);
    expect(alert.endsAt).toBe(alert.status === 'resolved' ? event.occurred_at : '');
    expect(alert.annotations.event_id).toBe(event.id);
    expect(alert.raw).toEqual(event);
    // event.id is the delivery id when no X-Webhook-Id header is published.
    expect(pagerdutyAdapter.deliveryId!(config, req, body)).toBe(`pagerduty:${event.id}`);
    // The same bytes again (a retry) are the same notification.
    expect(pagerdutyAdapter.normalize(config, parseJson(fixtureBytes(file)), normalizeContext(req))[0]!.dedupKey).toBe(alert.dedupKey);
  });

  it('the triggered and resolved captures start the flows FORMATS.md implies under the default events', () => {
    const firing = PagerDutyConfigSchema.parse({ path: 'pagerduty', auth: { type: 'none' } });
    const resolved = PagerDutyConfigSchema.parse({ path: 'pagerduty', auth: { type: 'none' }, on: 'resolved' });
    const of = (name: string) => pagerdutyAdapter.normalize(firing, fixtureJson(`pagerduty/${name}`), normalizeContext())[0]!;
    expect(pagerdutyAdapter.accepts(firing, of('webhook-v3-incident-triggered.json'))).toBe(true);
    expect(pagerdutyAdapter.accepts(firing, of('webhook-v3-incident-resolved.json'))).toBe(false);
    expect(pagerdutyAdapter.accepts(resolved, of('webhook-v3-incident-resolved.json'))).toBe(true);
    // A priority change is recorded, not started on, unless listed.
    const priority = of('webhook-v3-incident-priority-updated-docs.json');
    expect(pagerdutyAdapter.accepts(firing, priority)).toBe(false);
    expect(pagerdutyAdapter.accepts(PagerDutyConfigSchema.parse({ path: 'p', auth: { type: 'none' }, events: ['incident.priority_updated'] }), priority)).toBe(true);
  });
});

describe.runIf(fixturesAvailable)('conformance: Datadog webhook deliveries through source.datadog', () => {
  const deliveries = files('datadog', 'monitor-');
  const config = DatadogConfigSchema.parse({ path: 'datadog', auth: { type: 'bearer', token: { secret: 'DD_TOKEN' } }, on: 'both' });

  it('has deliveries to check', () => {
    expect(deliveries.length).toBeGreaterThanOrEqual(3);
  });

  it('the documented template keeps every field of Datadog\'s default payload (the unrendered template file)', () => {
    const template = fixtureJson('datadog/default-payload-template.json') as Record<string, unknown>;
    for (const [key, value] of Object.entries(template)) expect((DATADOG_PAYLOAD_TEMPLATE as Record<string, unknown>)[key], key).toEqual(value);
  });

  it.each(deliveries)('%s: the custom header Datadog is told to send is checked', async (file) => {
    expect(await datadogAdapter.authenticate(config, request(file, { authorization: `Bearer ${TOKEN}` }), ctx)).toEqual({ ok: true });
    expect((await datadogAdapter.authenticate(config, request(file, { authorization: 'Bearer guessed' }), ctx)).ok).toBe(false);
    expect((await datadogAdapter.authenticate(config, request(file, {}), ctx)).ok).toBe(false);
  });

  it.each(deliveries)('%s: one alert with the facts FORMATS.md states', (file) => {
    const bytes = fixtureBytes(file);
    const body = parseJson(bytes) as any;
    const alerts = datadogAdapter.normalize(config, body, normalizeContext(request(file, { authorization: `Bearer ${TOKEN}` })));
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert.source).toBe('datadog');
    // $ALERT_TRANSITION: Recovered is resolved; Triggered and Warn fire.
    expect(alert.status).toBe(body.alert_transition === 'Recovered' ? 'resolved' : 'firing');
    expect(alert.labels.transition).toBe(body.alert_transition);
    expect(alert.labels.alert_type).toBe(body.alert_type);
    // $ALERT_PRIORITY (P1..P5 or empty) → severity; without it the transition decides.
    const bySeverity: Record<string, string> = { P1: 'critical', P2: 'high', P3: 'warning', P4: 'info', P5: 'info' };
    const byTransition: Record<string, string> = { Triggered: 'critical', Warn: 'warning', Recovered: 'unknown' };
    expect(alert.severity).toBe(body.severity ? bySeverity[body.severity] : byTransition[body.alert_transition]);
    // Dedup: monitor id + scope (no $ALERT_CYCLE_KEY in these payloads).
    expect(alert.fingerprint).toBe(`${body.monitor_id}/${body.scopes}`);
    expect(alert.labels).toMatchObject({ monitor_id: body.monitor_id, scope: body.scopes, event_type: body.event_type, org_id: body.org.id });
    // Title `[Triggered on {scope}] name`, `[Recovered …]`, `[P2] [Warn] …`: the name is what follows.
    expect(alert.name).toBe(body.title.replace(/^(\s*\[[^\]]*\]\s*)+/, ''));
    expect(body.title.endsWith(alert.name)).toBe(true);
    // date: epoch ms as a string.
    expect(alert.startsAt).toBe(new Date(Number(body.date)).toISOString());
    expect(alert.endsAt).toBe(alert.status === 'resolved' ? alert.startsAt : '');
    // $TAGS: comma-separated.
    for (const tag of body.tags.split(',')) expect(alert.labels[tag.split(':')[0]]).toBeDefined();
    expect(alert.links.source).toBe(body.url);
    expect(alert.annotations).toMatchObject({ event_id: body.id, query: body.alert_query });
    expect(alert.description.startsWith('%%%')).toBe(false);
    expect(alert.raw).toEqual(body);
  });

  it('links the triggered and the recovered notification of the same monitor group; each notification is its own event', () => {
    const of = (name: string) => datadogAdapter.normalize(config, fixtureJson(`datadog/${name}`), normalizeContext())[0]!;
    const triggered = of('monitor-triggered-log-alert.json');
    const recovered = of('monitor-recovered-log-alert.json');
    const warn = of('monitor-warn-p2-log-alert.json');
    expect(recovered.fingerprint).toBe(triggered.fingerprint);
    expect(warn.fingerprint).not.toBe(triggered.fingerprint);
    expect(new Set([triggered.dedupKey, recovered.dedupKey, warn.dedupKey]).size).toBe(3);
    const firingOnly = DatadogConfigSchema.parse({ path: 'd', auth: { type: 'none' } });
    expect([triggered, recovered, warn].map((a) => datadogAdapter.accepts(firingOnly, a))).toEqual([true, false, true]);
  });
});
