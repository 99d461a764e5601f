import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/alert/schema.js';
import { boundAlert, boundedStringMap, MAX_ALERT_TEXT_BYTES } from './limits.js';
import { issuesOf } from '../../test/kit/nodes.js';

const alert: Alert = {
  source: 'webhook',
  status: 'firing',
  name: 'DiskFull',
  severity: 'critical',
  summary: 'Disk almost full',
  description: '',
  labels: { alertname: 'DiskFull' },
  annotations: {},
  startsAt: '2026-11-24T01:00:00Z',
  endsAt: '',
  fingerprint: 'abc',
  dedupKey: 'abc:firing',
  links: { source: 'https://prometheus.example/graph' },
  raw: null,
};

describe('boundAlert: the limits every source is held to', () => {
  it('passes an ordinary alert through unchanged', () => {
    expect(boundAlert(alert)).toEqual(alert);
  });

  it('refuses an overlong label name or value, too many labels, and an overlong identity field, naming the field', () => {
    expect(issuesOf(() => boundAlert({ ...alert, labels: { ['k'.repeat(4097)]: 'v' } }))).toBe(`alert.labels.${'k'.repeat(64)}…: name is longer than 4096 bytes`);
    expect(issuesOf(() => boundAlert({ ...alert, annotations: { note: 'é'.repeat(2049) } }))).toBe('alert.annotations.note: value is longer than 4096 bytes');
    const many = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`l${i}`, 'v']));
    expect(issuesOf(() => boundAlert({ ...alert, labels: many }))).toBe('alert.labels: too many labels: 257 (at most 256)');
    expect(issuesOf(() => boundAlert({ ...alert, fingerprint: 'f'.repeat(MAX_ALERT_TEXT_BYTES + 1) }))).toBe(`alert.fingerprint: is longer than ${MAX_ALERT_TEXT_BYTES} bytes`);
  });

  it('cuts text meant for people and leaves out an overlong link, so the alert still arrives', () => {
    const bounded = boundAlert({ ...alert, description: 'é'.repeat(MAX_ALERT_TEXT_BYTES), links: { source: `https://x/${'a'.repeat(MAX_ALERT_TEXT_BYTES)}`, runbook: 'https://r' } });
    expect(new TextEncoder().encode(bounded.description).length).toBeLessThanOrEqual(MAX_ALERT_TEXT_BYTES);
    expect(bounded.description.endsWith('…')).toBe(true);
    expect(bounded.links).toEqual({ runbook: 'https://r' });
  });
});

describe('boundedStringMap', () => {
  it('keeps a key named __proto__ as an own property (zod records drop it)', () => {
    const parsed = boundedStringMap('labels').parse(JSON.parse('{"__proto__": "p", "constructor": "c"}'));
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toBe('p');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(parsed.constructor).toBe('c');
  });

  it('names the key whose value is not a string, and refuses what is not a map', () => {
    const result = boundedStringMap('labels').safeParse({ a: 'x', b: 1 });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => [i.path, i.message])).toEqual([[['b'], 'must be a string']]);
    expect(boundedStringMap('labels').safeParse(['a']).error!.issues[0]!.message).toBe('must be a map of labels to string values');
  });
});
