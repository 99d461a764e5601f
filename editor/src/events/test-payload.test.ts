import { describe, expect, it } from 'vitest';
import { deliveryLabel, deliveryTestInput, deliveryTime, receivingNode, unusableBody } from './test-payload.js';

const now = new Date(2026, 11, 4, 15, 0, 0);
const at = (h: number, m: number, s: number, day = 4) => new Date(2026, 11, day, h, m, s).toISOString();

const event = {
  id: 'ev_1',
  receivedAt: at(14, 2, 11),
  outcome: 'accepted' as const,
  alertNames: ['DiskFull'],
  alertCount: 1,
  httpStatus: 202,
  bodyBytes: 20,
  bodyTruncated: false,
  body: '{"alerts":[{"a":1}]}',
};

describe('a stored delivery as a test payload', () => {
  it('names it by local time (with the date on another day), outcome and alerts', () => {
    expect(deliveryTime(at(14, 2, 11), now)).toBe('14:02:11');
    expect(deliveryTime(at(9, 5, 0, 3), now)).toBe('Dec 3 09:05:00');
    expect(deliveryLabel(event, now)).toBe('Delivery 14:02:11 · accepted · DiskFull');
    expect(deliveryLabel({ ...event, alertNames: ['A', 'B', 'C'], alertCount: 7 }, now)).toBe('Delivery 14:02:11 · accepted · A, B +5');
    expect(deliveryLabel({ ...event, outcome: 'invalid', alertNames: [], alertCount: 0 }, now)).toBe('Delivery 14:02:11 · invalid');
  });

  it('becomes the pretty-printed body for the given source node, remembering which delivery it is', () => {
    expect(deliveryTestInput(event, 'am', now)).toEqual({
      sourceNodeId: 'am',
      sample: 'delivery',
      payloadText: JSON.stringify({ alerts: [{ a: 1 }] }, null, 2),
      delivery: { eventId: 'ev_1', label: 'Delivery 14:02:11 · accepted · DiskFull' },
    });
  });

  it('is refused, with the reason, when the body is cut, not stored, empty or not JSON', () => {
    expect(deliveryTestInput({ ...event, bodyTruncated: true, httpStatus: 401 }, 'am')).toEqual({ reason: 'only the first 4 KiB of its body is stored' });
    expect(deliveryTestInput({ ...event, bodyTruncated: true, httpStatus: 413, body: '' }, 'am')).toEqual({ reason: 'its body was over the size limit and not stored' });
    expect(deliveryTestInput({ ...event, bodyBytes: 0, body: '' }, 'am')).toEqual({ reason: 'its body is empty' });
    expect(deliveryTestInput({ ...event, body: 'status=firing&host=db1' }, 'am')).toEqual({ reason: 'its body is not JSON' });
    expect(unusableBody(event)).toBeNull();
  });

  it("finds the flow's source node that received it", () => {
    const routes = [
      { flowId: 'other', nodeId: 'x', source: 'alertmanager', result: 'authenticated' as const },
      { flowId: 'disk', nodeId: 'am', source: 'alertmanager', result: 'authenticated' as const },
    ];
    expect(receivingNode({ routes }, 'disk')).toBe('am');
    expect(receivingNode({ routes }, 'nope')).toBeUndefined();
  });
});
