import { describe, expect, it } from 'vitest';
import { describeJsonProblem, findJsonProblem, lineColumnAt, parseJsonText } from './json-text.js';

function problemOf(text: string) {
  const r = parseJsonText(text);
  if (r.ok) throw new Error('expected a problem');
  return r.problem;
}

describe('parseJsonText', () => {
  it('parses valid JSON and ignores a byte-order mark', () => {
    expect(parseJsonText('{"a": [1, 2.5e3, "x", true, null]}')).toEqual({ ok: true, value: { a: [1, 2500, 'x', true, null] } });
    expect(parseJsonText('\uFEFF{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it('says when there is nothing to parse', () => {
    expect(problemOf('  \n ').message).toMatch(/empty/);
  });

  it('puts a missing comma at the end of the line that needs it', () => {
    const p = problemOf('{\n  "id": "a"\n  "name": "b"\n}');
    expect(p).toMatchObject({ line: 2, column: 12 });
    expect(p.message).toBe('a "," is missing after this value (the next one starts on line 3)');
    expect(describeJsonProblem(p)).toMatch(/^line 2, column 12: /);
    expect(problemOf('[\n  1\n  2\n]')).toMatchObject({ line: 2, column: 4 });
  });

  it('names what it found as a whole token', () => {
    const p = problemOf('{"id": "a" "name": "b"}');
    expect(p).toMatchObject({ line: 1, column: 12 });
    expect(p.message).toBe('expected "," or "}" after the property value, found the string "name"');
    expect(problemOf('[1 true]').message).toBe('expected "," or "]" after the array element, found "true"');
  });

  it('explains the usual mistakes', () => {
    expect(problemOf('{"a": 1,}').message).toMatch(/trailing comma/);
    expect(problemOf('[1, 2,]').message).toMatch(/trailing comma/);
    expect(problemOf("{'a': 1}").message).toMatch(/double quotes/);
    expect(problemOf('{a: 1}').message).toMatch(/property name in double quotes, found "a"/);
    expect(problemOf('{"a": 1} // note').message).toMatch(/comments/);
    expect(problemOf('{"a": "x\ny"}').message).toMatch(/line break inside a string/);
    expect(problemOf('{"a": "\\q"}').message).toMatch(/invalid escape/);
    expect(problemOf('{"a": 01}').message).toMatch(/invalid number/);
    expect(problemOf('{"a": tru}').message).toMatch(/expected a value/);
  });

  it('points at the opener when the text ends too early', () => {
    const p = problemOf('{\n  "nodes": [\n    {"id": "a"}\n');
    expect(p.message).toMatch(/ends inside the array opened at line 2, column 12/);
    expect(problemOf('{"a": "never closed').message).toMatch(/never closed/);
  });

  it('recognises two documents pasted one after the other', () => {
    const p = problemOf('{"id": "a"}\n{"id": "b"}');
    expect(p).toMatchObject({ line: 2, column: 1 });
    expect(p.message).toMatch(/\{ "flows": \[ … \] \}/);
  });
});

describe('findJsonProblem', () => {
  it('agrees with JSON.parse on what is valid', () => {
    const samples = ['0', '-0.5', '1e5', '"\\u00e9"', '[]', '{}', '[[[]]]', '{"a":{"b":[1,{"c":null}]}}', '-', '1.', '.5', '"\\u12"', '[,]', '{"a" 1}', 'nul', '"\t"'];
    for (const s of samples) {
      let valid = true;
      try {
        JSON.parse(s);
      } catch {
        valid = false;
      }
      expect(findJsonProblem(s) === null, s).toBe(valid);
    }
  });
});

describe('lineColumnAt', () => {
  it('counts from 1', () => {
    expect(lineColumnAt('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumnAt('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
