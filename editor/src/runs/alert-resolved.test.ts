import { describe, expect, it } from 'vitest';
import { resolvedNotice } from './alert-resolved.js';

const asked = '2026-05-01T12:00:00.000Z';

describe('the notice that the alert behind an approval resolved', () => {
  it('says nothing while the alert has not resolved', () => {
    expect(resolvedNotice(null, asked, true)).toBeNull();
  });

  it('warns a pending approver that the alert resolved after the question was asked', () => {
    expect(resolvedNotice('2026-05-01T12:04:30.000Z', asked, true)).toEqual({
      tone: 'warning',
      title: 'The alert has resolved.',
      text: 'That was 4 min after this approval was requested: the problem may have gone away. Check that the fix is still needed before approving.',
    });
  });

  it('also warns when the alert had resolved before the approval was asked (a delay ran first)', () => {
    const notice = resolvedNotice('2026-05-01T11:58:00.000Z', asked, true);
    expect(notice?.title).toBe('The alert has resolved.');
    expect(notice?.text).toMatch(/^That was 2 min before this approval was requested: /);
  });

  it('is a quiet note once the approval is decided', () => {
    expect(resolvedNotice('2026-05-01T12:00:02.000Z', asked, false)).toEqual({
      tone: 'info',
      title: 'The alert resolved right when this approval was requested.',
      text: null,
    });
  });
});
