import { describe, expect, it } from 'vitest';
import { secretEnvVar, secretNameProblem } from './secret-name.js';

describe('secret names', () => {
  it('accepts upper-case names', () => {
    for (const name of ['AM_TOKEN', 'A', 'X1_2', 'A'.repeat(64), '']) expect(secretNameProblem(name)).toBeNull();
  });
  it('explains what is wrong', () => {
    expect(secretNameProblem('am_token')).toBe('Secret names are upper-case: AM_TOKEN');
    expect(secretNameProblem('1TOKEN')).toMatch(/starting with a letter/);
    expect(secretNameProblem('A-B')).toMatch(/upper-case letters, digits/);
    expect(secretNameProblem('A'.repeat(65))).toMatch(/64/);
  });
  it('names the environment variable', () => {
    expect(secretEnvVar('AM_TOKEN')).toBe('SALVE_SECRET_AM_TOKEN');
    expect(secretEnvVar('')).toBe('SALVE_SECRET_<NAME>');
  });
});
