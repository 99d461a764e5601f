import { describe, expect, it } from 'vitest';
import { SlugSchema } from '../../../shared/flow/schema.js';
import { flowIdProblem, slugFromName } from './slug.js';

describe('flowIdProblem', () => {
  it('accepts slugs', () => {
    for (const id of ['a', '0', 'disk-full', 'disk-full-copy-2', 'a'.repeat(64), '9-lives']) expect(flowIdProblem(id)).toBeNull();
  });

  it('says what to change', () => {
    expect(flowIdProblem('')).toBe('Give the flow an id.');
    expect(flowIdProblem('a'.repeat(65))).toMatch(/Too long: 65 characters, at most 64/);
    expect(flowIdProblem('Disk-Full')).toMatch(/lower-case/);
    expect(flowIdProblem('-disk')).toMatch(/Start with a letter or digit/);
    expect(flowIdProblem('disk_full')).toBe('"_" not allowed: use lower-case letters, digits and "-".');
    expect(flowIdProblem('disk full!')).toBe('spaces, "!" not allowed: use lower-case letters, digits and "-".');
  });

  it('agrees with the server schema (SlugSchema) on what is a slug', () => {
    const samples = ['a-', 'a--b', 'é', 'a.b', '0-0', 'x'.repeat(63) + '-', 'x'.repeat(65), ' a', 'a\n', '-a', 'A'];
    for (const id of samples) expect(flowIdProblem(id) === null).toBe(SlugSchema.safeParse(id).success);
  });

  it('refuses an id that is taken', () => {
    expect(flowIdProblem('disk-full', new Set(['disk-full']))).toBe('A flow with id "disk-full" already exists.');
  });
});

describe('slugFromName', () => {
  it('makes a valid id that reads like the name', () => {
    expect(slugFromName('Disk full on /var')).toBe('disk-full-on-var');
    expect(slugFromName('  Redémarrer   nginx — prod!  ')).toBe('redemarrer-nginx-prod');
    expect(slugFromName('New flow')).toBe('new-flow');
  });

  it('is never empty and never too long, and always passes the id check', () => {
    for (const name of ['', '!!!', '日本語', 'x'.repeat(300), `${'a'.repeat(63)} b`]) {
      const slug = slugFromName(name);
      expect(flowIdProblem(slug), `${JSON.stringify(name)} → ${slug}`).toBeNull();
    }
    expect(slugFromName('!!!')).toBe('new-flow');
  });
});
