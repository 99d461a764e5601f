import { describe, expect, it } from 'vitest';
import { getWebhookAdapter } from '../../../nodes/registry.js';
import { bodyForLog, cleanDeliveryId, storableHeaders } from './event-rows.js';
import type { HookRoute } from './hook-router.js';

const adapter = getWebhookAdapter('source.webhook')!;
const route = (auth: unknown) => ({ flow: { id: 'f' }, node: { id: 'n', type: 'source.webhook', config: { auth } }, adapter }) as unknown as HookRoute;

describe('event log pieces', () => {
  it('replaces credentials in stored headers, including every header a source on the path takes a secret in', () => {
    const headers = {
      authorization: 'Bearer s3cret',
      'proxy-authorization': 'Basic x',
      cookie: 'salve_session=abc',
      'x-api-key': 'k',
      'x-salve-token': 'header-secret',
      'x-other-token': 'other-secret',
      'x-grafana-alerting-signature': 'abc123',
      'content-type': 'application/json',
    };
    const out = storableHeaders(headers, [route({ type: 'header', name: 'X-Salve-Token', value: { secret: 'T' } }), route({ type: 'header', name: 'x-other-token', value: { secret: 'O' } }), route({ type: 'none' })]);
    expect(out).toEqual({
      authorization: '***',
      'proxy-authorization': '***',
      cookie: '***',
      'x-api-key': '***',
      'x-salve-token': '***',
      'x-other-token': '***',
      // Signatures are not secrets: they help to see why a check failed.
      'x-grafana-alerting-signature': 'abc123',
      'content-type': 'application/json',
    });
  });

  it('keeps at most the first bytes of a body when told to, and says so', () => {
    const raw = new TextEncoder().encode('x'.repeat(5000));
    expect(bodyForLog(raw, 4096)).toEqual({ body: 'x'.repeat(4096), bodyBytes: 5000, bodyTruncated: true });
    expect(bodyForLog(raw)).toMatchObject({ bodyBytes: 5000, bodyTruncated: false });
    expect(bodyForLog(new TextEncoder().encode('{}'), 4096)).toEqual({ body: '{}', bodyBytes: 2, bodyTruncated: false });
  });

  it('takes a delivery id only as a non-empty string, cut to 200 characters', () => {
    expect(cleanDeliveryId(' abc ')).toBe('abc');
    expect(cleanDeliveryId('')).toBeUndefined();
    expect(cleanDeliveryId(42)).toBeUndefined();
    expect(cleanDeliveryId('x'.repeat(500))).toHaveLength(200);
  });
});
