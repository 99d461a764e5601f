import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ALERT_CEL_TYPE, celTypeOf } from './declared-types.js';

describe('celTypeOf: the CEL type of a zod schema', () => {
  it.each([
    ['a string', z.string(), 'string'],
    ['an enum of words', z.enum(['approved', 'rejected']), 'string'],
    ['a string literal', z.literal('timeout'), 'string'],
    ['a boolean', z.boolean(), 'bool'],
    ['a whole number', z.int(), 'int'],
    ['a number made whole', z.number().int(), 'int'],
    // A JSON number without a fraction becomes an int when read, one with a fraction a double.
    ['any number', z.number(), 'dyn'],
    ['something that may be null', z.string().nullable(), 'dyn'],
    ['anything', z.unknown(), 'dyn'],
    ['JSON', z.json(), 'dyn'],
    ['a list of strings', z.array(z.string()), 'list<string>'],
    ['a list of objects', z.array(z.object({ a: z.string() })), 'list<dyn>'],
    ['a record of strings', z.record(z.string(), z.string()), 'map<string, string>'],
    ['an optional field, as its type', z.string().optional(), 'string'],
    ['a field with a default, as its type', z.int().default(3), 'int'],
  ])('%s', (_what, schema, type) => {
    expect(celTypeOf(schema)).toEqual(type);
  });

  it('keeps the fields of an object, nested', () => {
    expect(celTypeOf(z.object({ exitCode: z.int().nullable(), stdout: z.string(), inner: z.object({ ok: z.boolean() }) }))).toEqual({
      exitCode: 'dyn',
      stdout: 'string',
      inner: { ok: 'bool' },
    });
  });

  it('reads an object of optional fields of one type as a map (so `"x" in it` asks)', () => {
    expect(celTypeOf(z.object({ a: z.string().optional(), b: z.string().optional() }))).toBe('map<string, string>');
  });

  it('joins the objects of a union: every field any of them has, dyn where they disagree', () => {
    const schema = z.union([
      z.object({ status: z.int(), body: z.unknown(), durationMs: z.number() }),
      z.object({ status: z.null(), error: z.string() }),
    ]);
    expect(celTypeOf(schema)).toEqual({ status: 'dyn', body: 'dyn', durationMs: 'dyn', error: 'string' });
    expect(celTypeOf(z.union([z.string(), z.enum(['a'])]))).toBe('string');
    expect(celTypeOf(z.union([z.string(), z.int()]))).toBe('dyn');
  });

  it('declares the alert as expressions have always read it', () => {
    expect(ALERT_CEL_TYPE).toEqual({
      source: 'string',
      status: 'string',
      name: 'string',
      severity: 'string',
      summary: 'string',
      description: 'string',
      labels: 'map<string, string>',
      annotations: 'map<string, string>',
      startsAt: 'string',
      endsAt: 'string',
      fingerprint: 'string',
      dedupKey: 'string',
      links: 'map<string, string>',
      raw: 'dyn',
    });
  });
});
