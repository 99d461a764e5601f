import { describe, expect, it } from 'vitest';
import { parseTestPayload, previewDescription, simulatedStepResults } from './test-run.js';

describe('the test panel helpers', () => {
  it('parses the payload, or says it is not JSON', () => {
    expect(parseTestPayload('{"a":1}')).toEqual({ a: 1 });
    expect(() => parseTestPayload('{"a":')).toThrow(/^The payload is not valid JSON: /);
  });

  it('names the sample or the pasted payload the previews use', () => {
    expect(previewDescription({ sample: 'firing' }, 'DiskFull')).toBe('sample “firing”: DiskFull');
    expect(previewDescription({ sample: 'custom' }, 'DiskFull')).toBe('pasted payload: DiskFull');
    const delivery = { eventId: 'ev_1', label: 'Delivery 14:02:11 · accepted · DiskFull' };
    expect(previewDescription({ sample: 'delivery', delivery }, 'DiskFull')).toBe('delivery 14:02:11 · accepted · DiskFull: DiskFull');
  });

  it("keeps each simulated step's result by node id, null where it has none", () => {
    const sim = {
      steps: [
        { nodeId: 'disk', type: 'condition.match', status: 'taken' as const, result: true },
        { nodeId: 'clean', type: 'action.http', status: 'taken' as const, rendered: {} },
      ],
    };
    expect(simulatedStepResults(sim)).toEqual({ disk: true, clean: null });
    expect(simulatedStepResults(undefined)).toEqual({});
  });
});
