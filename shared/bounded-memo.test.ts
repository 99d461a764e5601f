import { describe, expect, it } from 'vitest';
import { boundedMemo } from './bounded-memo.js';

describe('boundedMemo', () => {
  it('computes a text once while it is kept, and forgets the oldest past the bound', () => {
    const calls: string[] = [];
    const length = boundedMemo((text) => {
      calls.push(text);
      return text.length;
    }, 2);
    expect([length('a'), length('bb'), length('a'), length('bb')]).toEqual([1, 2, 1, 2]);
    expect(calls).toEqual(['a', 'bb']);
    length('ccc'); // full: 'a', the oldest, goes
    length('bb');
    length('a');
    expect(calls).toEqual(['a', 'bb', 'ccc', 'a']);
  });

  it('keeps undefined results too', () => {
    let n = 0;
    const none = boundedMemo(() => {
      n++;
      return undefined;
    }, 5);
    none('x');
    none('x');
    expect(n).toBe(1);
  });
});
