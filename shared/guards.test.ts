import { describe, expect, it } from 'vitest';
import { isPlainObject, isRecord } from './guards.js';

describe('isRecord and isPlainObject', () => {
  it('accept objects with string keys, and refuse null, arrays and primitives', () => {
    for (const v of [{}, { a: 1 }, Object.create(null)]) {
      expect(isRecord(v)).toBe(true);
      expect(isPlainObject(v)).toBe(true);
    }
    for (const v of [null, undefined, [], [1], 'x', 1, true]) {
      expect(isRecord(v)).toBe(false);
      expect(isPlainObject(v)).toBe(false);
    }
  });

  it('tell a plain object from one with behaviour', () => {
    for (const v of [new Date(0), new Map(), new (class Box {})()]) {
      expect(isRecord(v)).toBe(true);
      expect(isPlainObject(v)).toBe(false);
    }
  });
});
