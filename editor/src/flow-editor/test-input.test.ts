import { describe, expect, it } from 'vitest';
import { clearTestInputs, loadTestInput, saveTestInput, startingTestInput, testInputKey, type TestInput, type TestInputStorage } from './test-input.js';

/** A sessionStorage stand-in over a Map (in insertion order, as `key(i)` walks it). */
function memory(entries: Record<string, string> = {}): TestInputStorage & { entries: Map<string, string> } {
  const map = new Map(Object.entries(entries));
  return {
    entries: map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
  };
}

const delivered: TestInput = {
  sourceNodeId: 'am',
  sample: 'delivery',
  payloadText: '{"alerts":[]}',
  delivery: { eventId: 'ev_1', label: 'Delivery 14:02:11 · accepted · DiskFull' },
};

describe("a flow's test input kept for the browser tab", () => {
  it('reads back what was saved for the same flow, and nothing for another flow', () => {
    const storage = memory();
    saveTestInput(storage, 'disk-full', delivered);
    expect(storage.entries.has('salve.editor.test.disk-full')).toBe(true);
    expect(loadTestInput(storage, 'disk-full')).toEqual(delivered);
    expect(loadTestInput(storage, 'other')).toBeNull();
  });

  it('ignores stored text that is not a test input, and a storage that throws or is missing', () => {
    for (const garbage of ['', 'not json', '[]', '{"sourceNodeId":""}', '{"sourceNodeId":"am","sample":"x"}', '{"sourceNodeId":"am","sample":"x","payloadText":"{}","delivery":{"label":"x"}}']) {
      expect(loadTestInput(memory({ [testInputKey('f')]: garbage }), 'f')).toBeNull();
    }
    const broken = {
      ...memory(),
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(loadTestInput(broken, 'f')).toBeNull();
    expect(() => saveTestInput(broken, 'f', delivered)).not.toThrow();
    expect(loadTestInput(null, 'f')).toBeNull();
  });

  it('forgets every flow on sign-out and keeps what is not a test input', () => {
    const storage = memory({ 'salve.editor.palette': 'open' });
    saveTestInput(storage, 'a', delivered);
    saveTestInput(storage, 'b', delivered);
    clearTestInputs(storage);
    expect([...storage.entries.keys()]).toEqual(['salve.editor.palette']);
  });

  it('starts with the stored input, else the initial one, each only while its source node exists', () => {
    const initial: TestInput = { sourceNodeId: 'tick', sample: 'hourly', payloadText: '{}' };
    expect(startingTestInput(delivered, initial, ['am', 'tick'])).toBe(delivered);
    expect(startingTestInput(delivered, initial, ['tick'])).toBe(initial);
    expect(startingTestInput(null, initial, ['tick'])).toBe(initial);
    expect(startingTestInput(delivered, initial, ['other'])).toBeNull();
    expect(startingTestInput(null, undefined, ['am'])).toBeNull();
  });
});
