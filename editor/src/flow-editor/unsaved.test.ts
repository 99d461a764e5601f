import { describe, expect, it } from 'vitest';
import type { Flow } from '../../../shared/flow/schema.js';
import { canonicalJson } from '../canvas/store.js';
import { hasUnsavedWork } from './unsaved.js';

const flow = (nodes: Flow['nodes']): Flow => ({ format: 'salve.flow/v1', id: 'f', name: 'F', enabled: false, nodes, edges: [] });
const delay = { id: 'wait', type: 'action.delay', config: { seconds: 5 } };

describe('hasUnsavedWork', () => {
  it('counts any node of a new flow as work', () => {
    expect(hasUnsavedWork(flow([]), null, '')).toBe(false);
    expect(hasUnsavedWork(flow([delay]), null, '')).toBe(true);
  });

  it('compares a saved flow by meaning, not by text', () => {
    const saved = canonicalJson(flow([delay]));
    expect(hasUnsavedWork(flow([{ ...delay }]), 3, saved)).toBe(false);
    // The server stores configs with their defaults filled in; writing a default out is no change.
    const call = { id: 'call', type: 'action.http', config: { url: 'http://db1:9100/cleanup' } };
    const stored = canonicalJson(flow([{ ...call, config: { ...call.config, method: 'POST', timeoutSeconds: 10 } }]));
    expect(hasUnsavedWork(flow([call]), 3, stored)).toBe(false);
    expect(hasUnsavedWork(flow([{ ...delay, config: { seconds: 6 } }]), 3, saved)).toBe(true);
    expect(hasUnsavedWork(flow([]), 3, saved)).toBe(true);
  });
});
