import { describe, expect, it } from 'vitest';
import { distinctHelpParts } from './help-parts.js';

describe('distinctHelpParts', () => {
  it('drops a standard sentence the field help already says', () => {
    expect(
      distinctHelpParts([
        'The program, then one item per argument; no shell sees them, so spaces and quotes are literal.',
        undefined,
        'No shell sees them, so spaces and quotes are literal',
      ]),
    ).toEqual(['The program, then one item per argument; no shell sees them, so spaces and quotes are literal.']);
  });

  it('keeps one of two identical parts (the first), ignoring case and a final full stop', () => {
    expect(distinctHelpParts(['At most 64 characters.', 'at most 64 characters'])).toEqual(['At most 64 characters.']);
  });

  it('keeps different parts, in order, and skips empty ones', () => {
    expect(distinctHelpParts(['Seconds to wait.', '', false, null, 'Between 1 and 3600'])).toEqual(['Seconds to wait.', 'Between 1 and 3600']);
  });

  it('keeps parts that are not text', () => {
    const element = { element: true };
    expect(distinctHelpParts([element, 'Help'])).toEqual([element, 'Help']);
  });
});
