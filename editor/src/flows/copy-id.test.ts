import { describe, expect, it } from 'vitest';
import { suggestCopyId, suggestCopyName } from './copy-id.js';
import { flowIdProblem } from './slug.js';

describe('suggestCopyId', () => {
  it('offers <id>-copy, then -copy-2, -copy-3 … whichever is free', () => {
    expect(suggestCopyId('disk-full', new Set(['disk-full']))).toBe('disk-full-copy');
    expect(suggestCopyId('disk-full', new Set(['disk-full', 'disk-full-copy']))).toBe('disk-full-copy-2');
    expect(suggestCopyId('disk-full', new Set(['disk-full', 'disk-full-copy', 'disk-full-copy-2']))).toBe('disk-full-copy-3');
  });

  it('counts on from the original when copying a copy', () => {
    const taken = new Set(['disk-full', 'disk-full-copy']);
    expect(suggestCopyId('disk-full-copy', taken)).toBe('disk-full-copy-2');
    expect(suggestCopyId('disk-full-copy-2', new Set([...taken, 'disk-full-copy-2']))).toBe('disk-full-copy-3');
  });

  it('stays a valid slug of at most 64 characters', () => {
    const long = 'a'.repeat(64);
    const id = suggestCopyId(long, new Set([long]));
    expect(id).toBe(`${'a'.repeat(59)}-copy`);
    expect(flowIdProblem(id)).toBeNull();
    const dashed = `${'a'.repeat(58)}-bcdef`;
    const copy = suggestCopyId(dashed, new Set([dashed]));
    expect(copy).toBe(`${'a'.repeat(58)}-copy`);
    expect(flowIdProblem(copy)).toBeNull();
    const taken = new Set<string>([long]);
    for (let i = 0; i < 12; i++) taken.add(suggestCopyId(long, taken));
    for (const t of taken) expect(flowIdProblem(t)).toBeNull();
    expect(taken.size).toBe(13);
  });
});

describe('suggestCopyName', () => {
  it('appends (copy) within 200 characters', () => {
    expect(suggestCopyName('Disk full')).toBe('Disk full (copy)');
    expect(suggestCopyName('x'.repeat(200))).toHaveLength(200);
    expect(suggestCopyName('x'.repeat(200)).endsWith(' (copy)')).toBe(true);
  });
});
