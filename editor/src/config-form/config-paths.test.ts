import { describe, expect, it } from 'vitest';
import { dotted, getAt, isEmptyValue, pathKey, setAt, writeField } from './config-paths.js';

describe('getAt', () => {
  const config = { auth: { type: 'bearer', token: { secret: 'T' } }, command: ['a', 'b'] };
  it('reads nested values and list items', () => {
    expect(getAt(config, ['auth', 'token', 'secret'])).toBe('T');
    expect(getAt(config, ['command', 1])).toBe('b');
    expect(getAt(config, [])).toBe(config);
  });
  it('is undefined for missing steps and inherited keys', () => {
    expect(getAt(config, ['auth', 'nope', 'x'])).toBeUndefined();
    expect(getAt(config, ['command', 'length'])).toBeUndefined();
    expect(getAt(config, ['toString'])).toBeUndefined();
  });
});

describe('setAt', () => {
  it('writes without touching the original', () => {
    const config = { auth: { type: 'basic', username: 'u' }, url: 'x' };
    const next = setAt(config, ['auth', 'username'], 'v');
    expect(next).toEqual({ auth: { type: 'basic', username: 'v' }, url: 'x' });
    expect(config.auth.username).toBe('u');
    expect(next.auth).not.toBe(config.auth);
  });
  it('creates missing objects and lists', () => {
    expect(setAt({}, ['mapping', 'name'], 'event.x')).toEqual({ mapping: { name: 'event.x' } });
    expect(setAt({}, ['command', 0], 'ls')).toEqual({ command: ['ls'] });
  });
  it('removes a key or a list item with undefined, keeping the parent', () => {
    expect(setAt({ mapping: { name: 'a' } }, ['mapping', 'name'], undefined)).toEqual({ mapping: {} });
    expect(setAt({ command: ['a', 'b', 'c'] }, ['command', 1], undefined)).toEqual({ command: ['a', 'c'] });
    expect(Object.keys(setAt({ a: 1, b: 2 }, ['a'], undefined))).toEqual(['b']);
  });
  it('keeps key order when replacing', () => {
    expect(Object.keys(setAt({ a: 1, b: 2, c: 3 }, ['b'], 9))).toEqual(['a', 'b', 'c']);
  });
  it('keeps __proto__ as an own key, never as the prototype', () => {
    const next = setAt({}, ['headers', '__proto__'], 'x');
    const headers = next.headers as Record<string, unknown>;
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.hasOwn(headers, '__proto__')).toBe(true);
    expect(getAt(next, ['headers', '__proto__'])).toBe('x');
  });
  it('replaces the whole config at the empty path', () => {
    expect(setAt({ a: 1 }, [], { b: 2 })).toEqual({ b: 2 });
  });
});

describe('writeField', () => {
  const optional = { path: ['cwd'], required: false };
  const required = { path: ['url'], required: true };
  it('removes optional fields left empty', () => {
    expect(writeField({ cwd: '/tmp', x: 1 }, optional, '')).toEqual({ x: 1 });
    expect(writeField({ expectStatus: [200] }, { path: ['expectStatus'], required: false }, [])).toEqual({});
    expect(writeField({ headers: { A: 'b' } }, { path: ['headers'], required: false }, {})).toEqual({});
  });
  it('keeps empty values of required fields so validation can name them', () => {
    expect(writeField({}, required, '')).toEqual({ url: '' });
    expect(writeField({}, { path: ['command'], required: true }, [])).toEqual({ command: [] });
  });
  it('removes any field written as undefined', () => {
    expect(writeField({ url: 'x' }, required, undefined)).toEqual({});
  });
  it('writes values, including false and 0', () => {
    expect(writeField({}, optional, '/srv')).toEqual({ cwd: '/srv' });
    expect(writeField({}, { path: ['n'], required: false }, 0)).toEqual({ n: 0 });
    expect(writeField({}, { path: ['b'], required: false }, false)).toEqual({ b: false });
  });
});

describe('path helpers', () => {
  it('compares list indexes as strings', () => expect(pathKey(['command', 0])).toBe(pathKey(['command', '0'])));
  it('dots paths', () => expect(dotted(['headers', 0, 'name'])).toBe('headers.0.name'));
  it('knows empty values', () => {
    expect([undefined, '', [], {}].every(isEmptyValue)).toBe(true);
    expect([0, false, ' ', [1], { a: 1 }, null].some(isEmptyValue)).toBe(false);
  });
});
