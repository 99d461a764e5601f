import { describe, expect, it } from 'vitest';
import { readChoice, writeChoice, type ChoiceStorage } from './stored-choice.js';

const memory = (entries: Record<string, string> = {}): ChoiceStorage & { entries: Record<string, string> } => ({
  entries,
  getItem: (key) => entries[key] ?? null,
  setItem: (key, value) => {
    entries[key] = value;
  },
});

const SIDES = ['open', 'hidden'] as const;

describe('a layout choice remembered in the browser', () => {
  it('reads back what was written', () => {
    const storage = memory();
    writeChoice(storage, 'salve.editor.side', 'hidden');
    expect(readChoice(storage, 'salve.editor.side', SIDES, 'open')).toBe('hidden');
  });

  it('falls back on nothing stored, garbage, or a storage that throws', () => {
    expect(readChoice(memory(), 'salve.editor.side', SIDES, 'open')).toBe('open');
    for (const garbage of ['', 'HIDDEN', '{"side":"hidden"}', 'undefined', 'hidden ']) {
      expect(readChoice(memory({ 'salve.editor.side': garbage }), 'salve.editor.side', SIDES, 'open')).toBe('open');
    }
    const broken: ChoiceStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(readChoice(broken, 'salve.editor.side', SIDES, 'open')).toBe('open');
    expect(() => writeChoice(broken, 'salve.editor.side', 'hidden')).not.toThrow();
    expect(readChoice(null, 'salve.editor.side', SIDES, 'hidden')).toBe('hidden');
  });
});
