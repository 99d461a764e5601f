import { afterEach, describe, expect, it, vi } from 'vitest';
import { UnavailableError } from '../../../shared/errors.js';
import { cloudwatchSamples } from '../../../nodes/source/cloudwatch/samples.js';
import { testEngine } from '../../../test/kit/engine.js';

const encoder = new TextEncoder();

/**
 * A delivery that cannot be verified *right now* (the SNS signing certificate does not load) is
 * answered 503 so the sender retries it, not 401, which SNS would take as final and drop.
 */
describe('verification that may pass later', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('answers unavailable (503) when the certificate cannot be fetched, and starts nothing', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('fetch failed')));
    const { engine, store } = testEngine();
    await engine.flows.create(
      {
        format: 'salve.flow/v1',
        id: 'aws',
        name: 'aws',
        enabled: true,
        nodes: [
          { id: 'cw', type: 'source.cloudwatch', config: { path: 'aws' } },
          { id: 'wait', type: 'action.delay', config: { seconds: 60 } },
        ],
        edges: [{ source: 'cw', target: 'wait' }],
      },
      { name: 'test', via: 'token' },
    );
    // The sample's signature is a placeholder; it never gets that far without a certificate.
    const body = encoder.encode(JSON.stringify({ ...(cloudwatchSamples[0]!.payload as object), Signature: 'c2lnbmF0dXJl' }));
    const delivery = engine.ingest('aws', { headers: { 'content-type': 'text/plain; charset=UTF-8' }, rawBody: body });
    await expect(delivery).rejects.toBeInstanceOf(UnavailableError);
    expect(store.sqlite.prepare('select count(*) as n from executions').get()).toEqual({ n: 0 });
    await engine.shutdown(0);
    store.close();
  });
});
