import { describe, expect, it } from 'vitest';
import { getWebhookAdapter } from '../../../nodes/registry.js';
import { NotFoundError, UnavailableError, ValidationError } from '../../../shared/errors.js';
import { createScrubber, REDACTED } from '../secrets/scrub.js';
import { bodyForLog, cleanDeliveryId, notFoundReason, refusalOf, storableHeaders } from './event-rows.js';
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

  it('with no source on the path to say which headers are secret, hides every header named like a credential', () => {
    const headers = { 'x-gitlab-token': 't', 'x-auth': 'a', 'x-hook-secret': 's', 'x-session-id': 'i', 'x-request-id': 'r', 'user-agent': 'Alertmanager/0.27' };
    expect(storableHeaders(headers, [])).toEqual({
      'x-gitlab-token': '***',
      'x-auth': '***',
      'x-hook-secret': '***',
      'x-session-id': '***',
      'x-request-id': 'r',
      'user-agent': 'Alertmanager/0.27',
    });
  });

  it('says why no flow took a delivery: the disabled flows on the path, else the paths listened on', () => {
    const disabled = (id: string, name: string) => ({ flow: { id, name }, node: { id: 'src' } }) as unknown as HookRoute;
    expect(notFoundReason('x', [disabled('a', 'Disk A')], ['infra'])).toBe("no enabled flow listens on /hooks/x — flow 'Disk A' on this path is disabled");
    // A flow with two sources on the path is named once.
    expect(notFoundReason('x', [disabled('a', 'A'), disabled('a', 'A'), disabled('b', 'B')], [])).toBe(
      "no enabled flow listens on /hooks/x — flows 'A' and 'B' on this path are disabled",
    );
    expect(notFoundReason('x', [], [])).toBe('no flow listens on /hooks/x: no enabled flow listens on any path yet');
    expect(notFoundReason('x', [], ['a', 'b', 'c', 'd', 'e', 'f', 'g'])).toBe(
      'no flow listens on /hooks/x; enabled flows listen on /hooks/a, /hooks/b, /hooks/c, /hooks/d, /hooks/e and 2 more',
    );
  });

  it('records refusals by what the sender was answered; bugs (500) are not refusals', () => {
    expect(refusalOf(new NotFoundError('no'))).toMatchObject({ outcome: 'not_found', httpStatus: 404 });
    expect(refusalOf(new UnavailableError('too many executions are queued; retry later', 30))).toMatchObject({ outcome: 'unavailable', httpStatus: 503 });
    expect(refusalOf(new ValidationError('bad', []))).toMatchObject({ outcome: 'invalid', httpStatus: 422 });
    const busy = refusalOf(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }));
    expect(busy).toMatchObject({ outcome: 'unavailable', httpStatus: 503 });
    expect(busy!.error.message).toBe('the database was busy or failing (SQLITE_BUSY); retry later');
    expect(refusalOf(new Error('a bug'))).toBeUndefined();
  });

  it('keeps at most the first bytes of a body when told to, and says so', () => {
    const raw = new TextEncoder().encode('x'.repeat(5000));
    expect(bodyForLog(raw, 4096)).toEqual({ body: 'x'.repeat(4096), bodyBytes: 5000, bodyTruncated: true });
    expect(bodyForLog(raw)).toMatchObject({ bodyBytes: 5000, bodyTruncated: false });
    expect(bodyForLog(new TextEncoder().encode('{}'), 4096)).toEqual({ body: '{}', bodyBytes: 2, bodyTruncated: false });
  });

  it('scrubs a body before cutting it, so a secret across the cut leaves no prefix behind', () => {
    const secret = 'cut-across-secret-77';
    const text = `${'x'.repeat(4090)}${secret} tail`;
    const { body, bodyBytes, bodyTruncated } = bodyForLog(new TextEncoder().encode(text), 4096, createScrubber([secret]));
    expect(body).toBe(`${'x'.repeat(4090)}${REDACTED} ta`);
    expect(body).not.toContain('cut-');
    expect({ bodyBytes, bodyTruncated }).toEqual({ bodyBytes: text.length, bodyTruncated: true });
  });

  it('takes a delivery id only as a non-empty string, cut to 200 characters', () => {
    expect(cleanDeliveryId(' abc ')).toBe('abc');
    expect(cleanDeliveryId('')).toBeUndefined();
    expect(cleanDeliveryId(42)).toBeUndefined();
    expect(cleanDeliveryId('x'.repeat(500))).toHaveLength(200);
  });
});
