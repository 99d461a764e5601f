import { describe, expect, it } from 'vitest';
import { exceedsBytes, truncate, truncateBytes } from './text.js';

describe('truncate', () => {
  it('keeps text within the limit and cuts longer text to exactly the limit, ending with …', () => {
    expect(truncate('restart postgresql', 18)).toBe('restart postgresql');
    expect(truncate('restart postgresql', 10)).toBe('restart p…');
    expect(truncate('restart postgresql', 10)).toHaveLength(10);
  });

  it('never goes below the ellipsis itself', () => {
    expect(truncate('abc', 1)).toBe('…');
    expect(truncate('abc', 0)).toBe('…');
  });
});

describe('truncateBytes', () => {
  it('keeps text within the byte limit as it is', () => {
    expect(truncateBytes('short', 8)).toBe('short');
    expect(truncateBytes('ééé', 6)).toBe('ééé');
  });

  it('cuts to at most the limit in UTF-8 bytes, the … (3 bytes) included', () => {
    const cut = truncateBytes('a'.repeat(20), 10);
    expect(cut).toBe(`${'a'.repeat(7)}…`);
    expect(new TextEncoder().encode(cut).length).toBe(10);
  });

  it('cuts between code points, never inside one', () => {
    // é is 2 bytes, 😀 is 4 (two UTF-16 units): the cut falls before a character that would not fit.
    expect(truncateBytes('éééééé', 9)).toBe('ééé…');
    expect(truncateBytes('😀😀😀', 10)).toBe('😀…');
    expect(new TextEncoder().encode(truncateBytes('x😀😀😀', 10)).length).toBeLessThanOrEqual(10);
  });
});

describe('exceedsBytes', () => {
  it('counts UTF-8 bytes, not characters', () => {
    expect(exceedsBytes('aaaa', 4)).toBe(false);
    expect(exceedsBytes('aaaaa', 4)).toBe(true);
    expect(exceedsBytes('éé', 4)).toBe(false);
    expect(exceedsBytes('ééé', 4)).toBe(true);
    expect(exceedsBytes('€€', 5)).toBe(true);
  });
});
