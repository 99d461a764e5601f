import { describe, expect, it } from 'vitest';
import type { ImportPlan } from './import-plan.js';
import { howToRetry, importButtonLabel, importFooterNote, PASTED } from './import-messages.js';

const plan = (sources: string[]): ImportPlan => ({
  body: {},
  flows: sources.map((source, i) => ({ id: `f${i}`, source, indexInSource: null })),
  sourceCount: new Set(sources).size,
  bytes: 10,
});

describe('importFooterNote', () => {
  it('names what cannot be read, first of all', () => {
    expect(importFooterNote([{ name: PASTED }], false, null)).toBe('Fix the pasted JSON to import.');
    expect(importFooterNote([{ name: 'a.json' }], false, plan(['b.json']))).toBe('Fix or remove “a.json” to import.');
    expect(importFooterNote([{ name: 'a.json' }, { name: PASTED }], true, null)).toBe('Fix or remove 2 inputs to import.');
  });

  it('then the size limit, then what importing means', () => {
    expect(importFooterNote([], true, plan(['a.json']))).toBe('Over 4 MiB: import fewer flows at a time.');
    expect(importFooterNote([], false, plan(['a.json']))).toBe('All or nothing: if any flow is invalid, none is imported.');
    expect(importFooterNote([], false, null)).toBe('');
  });
});

describe('importButtonLabel', () => {
  it('counts the flows it would import', () => {
    expect(importButtonLabel(false, null)).toBe('Import');
    expect(importButtonLabel(false, plan(['a.json']))).toBe('Import 1 flow');
    expect(importButtonLabel(false, plan(['a.json', 'a.json']))).toBe('Import 2 flows');
    expect(importButtonLabel(true, plan(['a.json']))).toBe('Importing…');
  });
});

describe('howToRetry', () => {
  it('says how each kind of input is fixed', () => {
    expect(howToRetry(plan([PASTED]))).toBe('edit the pasted JSON and import again');
    expect(howToRetry(plan(['a.json']))).toBe('choose the fixed file again (it replaces the one listed) and import again');
    expect(howToRetry(plan(['a.json', PASTED]))).toBe('choose the fixed file again (it replaces the one listed) or edit the pasted JSON and import again');
  });
});
