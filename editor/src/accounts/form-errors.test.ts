import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.js';
import { browserName } from './browser-name.js';
import { placeErrors } from './form-errors.js';

describe('placing a refusal at its field', () => {
  it('puts each validation issue under the field its path names', () => {
    const error = new ApiError(422, 'validation', 'invalid body', {
      issues: [
        { path: ['json', 'password'], message: 'a password has at least 12 characters' },
        { path: ['other'], message: 'unexpected' },
      ],
    });
    expect(placeErrors(error, ['current', 'password'] as const)).toEqual({ password: ['a password has at least 12 characters'], form: ['unexpected'] });
  });

  it('places a refusal without issues by its status, else on the form as a sentence', () => {
    const wrong = new ApiError(403, 'forbidden', 'wrong current password');
    expect(placeErrors(wrong, ['current'] as const, { 403: { field: 'current', message: 'That is not your current password.' } })).toEqual({
      current: ['That is not your current password.'],
    });
    expect(placeErrors(new ApiError(409, 'conflict', 'the bootstrap admin has no password'), ['current'] as const)).toEqual({
      form: ['The bootstrap admin has no password.'],
    });
    expect(placeErrors(new Error('offline'), ['current'] as const)).toEqual({ form: ['offline'] });
  });
});

describe('a session’s browser in words', () => {
  it('tells browsers and systems apart', () => {
    expect(browserName('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe('Firefox on Linux');
    expect(browserName('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1')).toBe(
      'Safari on iOS',
    );
    expect(browserName('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0')).toBe('Edge on Windows');
    expect(browserName(null)).toBe('Unknown browser');
    expect(browserName('curl/8.5.0')).toBe('curl');
  });
});
