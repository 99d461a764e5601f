import { describe, expect, it } from 'vitest';
import { isJsonFile, mergeSources } from './file-sources.js';

describe('isJsonFile', () => {
  it('takes .json names or the JSON media type', () => {
    expect(isJsonFile({ name: 'disk-full.json', type: '' })).toBe(true);
    expect(isJsonFile({ name: 'BUNDLE.JSON', type: '' })).toBe(true);
    expect(isJsonFile({ name: 'flow', type: 'application/json' })).toBe(true);
    expect(isJsonFile({ name: 'notes.txt', type: 'text/plain' })).toBe(false);
    expect(isJsonFile({ name: 'flow.json.bak', type: '' })).toBe(false);
  });
});

describe('mergeSources', () => {
  it('appends, replacing a file picked again where it was', () => {
    const merged = mergeSources(
      [
        { name: 'a.json', text: 'old' },
        { name: 'b.json', text: 'b' },
      ],
      [
        { name: 'c.json', text: 'c' },
        { name: 'a.json', text: 'new' },
      ],
    );
    expect(merged).toEqual([
      { name: 'a.json', text: 'new' },
      { name: 'b.json', text: 'b' },
      { name: 'c.json', text: 'c' },
    ]);
  });
});
