import { describe, expect, it } from 'vitest';
import { safeEqual } from './safe-equal.js';

describe('safeEqual', () => {
  it('is true only for the same string', () => {
    expect(safeEqual('change-me', 'change-me')).toBe(true);
    expect(safeEqual('', '')).toBe(true);
    expect(safeEqual('change-me', 'change-mE')).toBe(false);
    expect(safeEqual('change-me', 'change-me ')).toBe(false);
  });

  it('compares strings of any length without throwing (timingSafeEqual alone would)', () => {
    expect(safeEqual('short', 'a much longer secret value')).toBe(false);
    expect(safeEqual('', 'x')).toBe(false);
  });

  it('compares text, not bytes in some other encoding', () => {
    expect(safeEqual('pässwörd-✓', 'pässwörd-✓')).toBe(true);
    expect(safeEqual('pässwörd', 'passwörd')).toBe(false);
  });
});
