import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.js';
import { conflictOf, notSavedText, saveBlocker } from './save-messages.js';

describe('saveBlocker', () => {
  it('asks for a source first, then for the problems to be fixed', () => {
    expect(saveBlocker(0, 3)).toBe('Add at least an alert source before saving.');
    expect(saveBlocker(2, 1)).toBe('Fix 1 problem before saving (listed under the canvas).');
    expect(saveBlocker(2, 4)).toBe('Fix 4 problems before saving (listed under the canvas).');
    expect(saveBlocker(2, 0)).toBeNull();
  });
});

describe('conflictOf', () => {
  const stale = new ApiError(409, 'conflict', 'flow "f" is at revision 5, not 4', { currentRevision: 5 });

  it('reads the current revision of a 409 on a saved flow', () => {
    expect(conflictOf(stale, 4)).toEqual({ currentRevision: 5, message: 'flow "f" is at revision 5, not 4' });
  });

  it('is no conflict for a new flow, another status, or a 409 without a revision', () => {
    expect(conflictOf(stale, null)).toBeNull();
    expect(conflictOf(new ApiError(422, 'validation_failed', 'invalid', { currentRevision: 5 }), 4)).toBeNull();
    expect(conflictOf(new ApiError(409, 'conflict', 'flow "f" exists already'), 4)).toBeNull();
    expect(conflictOf(new Error('offline'), 4)).toBeNull();
  });
});

describe('notSavedText', () => {
  it("lists the server's problems at their paths, else says its message", () => {
    const invalid = new ApiError(422, 'validation_failed', 'invalid flow', {
      issues: [
        { path: ['nodes', 1, 'config', 'url'], message: 'url is required' },
        { path: ['edges', 0], message: 'unknown port' },
      ],
    });
    expect(notSavedText(invalid)).toBe('Not saved: nodes[1].config.url: url is required; edges[0]: unknown port');
    expect(notSavedText(new ApiError(0, 'network', 'Salve did not answer. Is the server running?'))).toBe('Not saved: Salve did not answer. Is the server running?');
  });
});
