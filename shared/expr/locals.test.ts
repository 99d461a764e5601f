import { describe, expect, it } from 'vitest';
import { checkCel, evaluateCel, evaluateCelBool } from './cel.js';
import type { CelDecl } from './declared-types.js';
import { ExpressionError } from './errors.js';
import type { ExprScope } from './types.js';
import { EVAL_LIMITS, EvalBudget } from './budget.js';

// A check's `expect` reads the response it got: `response` is declared for that expression only.
const RESPONSE: Record<string, CelDecl> = { response: { status: 'int', headers: 'map<string, string>', body: 'dyn' } };
const scope: ExprScope = { steps: new Map<string, CelDecl>([['restart', { status: 'dyn' }]]), nodeIds: new Set(['restart', 'verify']), self: 'verify' };
const messages = (source: string, locals?: Record<string, CelDecl>) => checkCel(source, { scope, returns: 'bool', locals }).map((i) => i.message);

describe('variables an expression declares for itself (locals)', () => {
  it('checks an expression reading a declared local, typed by its declaration, with the steps of its scope', () => {
    expect(messages('response.status == 200 && response.body.status == "ok"', RESPONSE)).toEqual([]);
    expect(messages('response.headers["content-type"].startsWith("application/json") && steps.restart.status == 200', RESPONSE)).toEqual([]);
    expect(messages('response.stauts == 200', RESPONSE)[0]).toMatch(/No such key: stauts/);
    expect(messages('response.status', RESPONSE)[0]).toMatch(/this condition gives a number, not true\/false/);
    // Without a scope too (steps any map).
    expect(checkCel('response.status >= 200', { locals: RESPONSE })).toEqual([]);
  });

  it('refuses the local where it is not declared', () => {
    expect(messages('response.status == 200')[0]).toMatch(/Unknown variable: response/);
    expect(checkCel('response.status == 200')[0]?.message).toMatch(/Unknown variable: response/);
  });

  it('refuses a local that would hide a variable every expression has, or is no name', () => {
    expect(messages('alert.status == 200', { alert: 'dyn' })).toEqual(['the local variable "alert" would hide the variable every expression has']);
    expect(messages('true', { 'my-var': 'dyn' })).toEqual(['"my-var" cannot be a variable name']);
  });

  it('evaluates with the local values given, as data (numbers are ints, objects maps)', () => {
    const response = { status: 200, headers: { 'content-type': 'application/json' }, body: { status: 'ok', constructor: 'x' } };
    expect(evaluateCelBool('response.status == 200 && response.body.status == "ok"', {}, { locals: { response } })).toBe(true);
    expect(evaluateCelBool('response.status + 1 == 201 && response.body.constructor == "x"', {}, { locals: { response } })).toBe(true);
    expect(evaluateCel('response.body.status', { alert: undefined }, { locals: { response: { ...response, body: { status: 'down' } } } })).toBe('down');
  });

  it('does not let a program compiled with locals answer for the same source without them (the cache keys on their names)', () => {
    expect(evaluateCel('response.status', {}, { locals: { response: { status: 503 } } })).toBe(503);
    expect(() => evaluateCel('response.status', {})).toThrow(/Unknown variable: response/);
    expect(evaluateCel('response.status', {}, { locals: { response: { status: 204 } } })).toBe(204);
  });

  it('fails readably on a runtime error over the local (a missing field)', () => {
    const error = (() => {
      try {
        evaluateCelBool('response.body.status == "ok"', {}, { locals: { response: { status: 200, headers: {}, body: 'plain text' } } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ExpressionError);
  });

  it('keeps the evaluation budget over local data', () => {
    const items = Array.from({ length: 200_000 }, (_, i) => i);
    // The step limit is what must stop it; the time limit is lifted so a busy machine cannot stop it first.
    const budget = new EvalBudget({ ...EVAL_LIMITS, timeMs: 60_000 });
    expect(() => evaluateCelBool('response.body.all(x, x >= 0)', {}, { budget, locals: { response: { status: 200, headers: {}, body: items } } })).toThrow(
      /expression stopped: it took more than 100,000 loop steps/,
    );
  });
});
