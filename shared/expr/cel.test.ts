import { describe, expect, it } from 'vitest';
import type { Alert } from '../alert/schema.js';
import { EVAL_LIMITS, EvalBudget } from './budget.js';
import { checkCel, evaluateCel, evaluateCelBool, stepsReadBy } from './cel.js';
import type { CelDecl } from './declared-types.js';
import type { ExprScope } from './types.js';
import { ExpressionError } from './errors.js';
import { renderTemplate } from './template.js';

const alert: Alert = {
  source: 'alertmanager',
  status: 'firing',
  name: 'DiskFull',
  severity: 'critical',
  summary: 'Disk almost full',
  description: '',
  labels: { alertname: 'DiskFull', instance: 'db1:9100', env: 'prod', team: 'storage' },
  annotations: { runbook_url: 'https://runbooks.example/disk' },
  startsAt: '2026-11-24T01:00:00Z',
  endsAt: '',
  fingerprint: 'abc',
  dedupKey: 'abc:firing',
  links: {},
  raw: null,
};
const vars = {
  alert,
  event: { groupKey: 'g', alerts: [{ status: 'firing' }, { status: 'resolved' }], nested: { count: 3, ratio: 0.5 } },
  steps: { clean: { status: 200, body: { freed: 1024, ok: true }, list: [1, 2, 3] } },
  flow: { id: 'disk-full', name: 'Disk', revision: 2 },
  execution: { id: 'ex_1', startedAt: '2026-11-24T01:00:01Z' },
};

/** Expression → expected value: the behaviour flows rely on. */
const CONFORMANCE: [string, unknown][] = [
  ['true', true],
  ['!false', true],
  ['true && false', false],
  ['true || false', true],
  ['1 + 2 * 3', 7],
  ['7 / 2', 3],
  ['7 % 3', 1],
  ['7.0 / 2.0', 3.5],
  ['-5 < 0', true],
  ['"a" + "b"', 'ab'],
  ['"abc".startsWith("ab")', true],
  ['"abc".endsWith("bc")', true],
  ['"abc".contains("b")', true],
  ['size("héllo")', 5],
  ['"DiskFull".matches("^Disk")', true],
  ['alert.name', 'DiskFull'],
  ['alert.severity == "critical"', true],
  ['alert.status != "resolved"', true],
  ['alert.labels.instance', 'db1:9100'],
  ['alert.labels["env"] == "prod"', true],
  ['"env" in alert.labels', true],
  ['"missing" in alert.labels', false],
  ['has(alert.labels.team)', true],
  ['has(alert.labels.nope)', false],
  ['size(alert.labels)', 4],
  ['alert.annotations.runbook_url.startsWith("https://")', true],
  ['alert.severity in ["critical", "high"]', true],
  ['alert.labels.env == "prod" ? "page" : "ticket"', 'page'],
  ['alert.labels.instance.split(":")[0]', 'db1'],
  ['steps.clean.status == 200', true],
  ['steps.clean.status >= 200 && steps.clean.status < 300', true],
  ['steps.clean.status + 1', 201],
  ['steps.clean.body.ok', true],
  ['steps.clean.body.freed > 1000', true],
  ['size(steps.clean.list)', 3],
  ['steps.clean.list.exists(x, x == 2)', true],
  ['steps.clean.list.all(x, x > 0)', true],
  ['steps.clean.list.map(x, x * 2)', [2, 4, 6]],
  ['steps.clean.list.filter(x, x > 1)', [2, 3]],
  ['event.groupKey', 'g'],
  ['event.nested.count == 3', true],
  ['event.nested.ratio < 1.0', true],
  ['size(event.alerts)', 2],
  ['event.alerts[1].status', 'resolved'],
  ['event.alerts.exists(a, a.status == "resolved")', true],
  ['flow.id', 'disk-full'],
  ['flow.revision == 2', true],
  ['execution.id', 'ex_1'],
  ['{"a": 1}', { a: 1 }],
  ['[1, 2, 3]', [1, 2, 3]],
  ['int("42") + 1', 43],
  ['double(1) / 2.0', 0.5],
  ['string(42)', '42'],
  ['timestamp("2026-11-24T01:00:00Z") < timestamp("2026-11-24T02:00:00Z")', true],
  ['timestamp(alert.startsAt) < timestamp(execution.startedAt)', true],
  ['duration("1h") > duration("30m")', true],
  ['type(1) == int', true],
  ['null == null', true],
  ['"x" != "y"', true],
  ['[1, 2] + [3]', [1, 2, 3]],
];

describe('CEL evaluation', () => {
  it.each(CONFORMANCE)('%s', (source, expected) => {
    expect(checkCel(source)).toEqual([]);
    expect(evaluateCel(source, vars)).toEqual(expected);
  });

  it('evaluateCelBool insists on a bool', () => {
    expect(evaluateCelBool('alert.severity == "critical"', vars)).toBe(true);
    expect(() => evaluateCelBool('alert.name', vars)).toThrow(/not true or false/);
  });

  it('reports a missing key readably at run time', () => {
    expect(() => evaluateCel('alert.labels.region == "eu"', vars)).toThrow(ExpressionError);
    expect(() => evaluateCel('alert.labels.region == "eu"', vars)).toThrow(/No such key: region/);
  });
});

describe('CEL checks at save time', () => {
  it.each([
    ['', /empty/],
    ['alrt.name', /Unknown variable: alrt/],
    ['alert.labels + 1', /no such overload/],
    ['alert.name + 1', /no such overload/],
    ['alert.nope', /No such key: nope/],
    ['1 +', /Unexpected/],
    ['size(1, 2, 3', /./],
    ['unknownFunction(1)', /./],
  ])('rejects %j', (source, message) => {
    const issues = checkCel(source);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.message).toMatch(message);
  });

  it('rejects regexes RE2 cannot run, and dynamic patterns', () => {
    expect(checkCel('alert.name.matches("(a)\\\\1")')[0]!.message).toMatch(/not allowed/);
    expect(checkCel('alert.name.matches("(?=x)")')[0]!.message).toMatch(/not allowed/);
    expect(checkCel('alert.name.matches(alert.labels.env)')[0]!.message).toMatch(/string literal/);
    expect(checkCel('alert.name.matches("^Disk(Full|Slow)$")')).toEqual([]);
  });

  it.each([
    'this.constructor.constructor("return process")()',
    'alert.constructor',
    'alert.__proto__',
    'alert.labels.__proto__.polluted',
    '`${process}`',
    'process.exit(1)',
    'globalThis',
    'require("fs")',
  ])('never reaches host JavaScript: %s', (source) => {
    expect(checkCel(source).length).toBeGreaterThan(0);
    expect(() => evaluateCel(source, vars)).toThrow(ExpressionError);
  });

  it('keeps a "__proto__" key in event data as plain data', () => {
    const event = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}');
    expect(evaluateCel('event', { event })).toEqual(JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'));
    expect(evaluateCel('"__proto__" in event', { event })).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('limits the length of an expression', () => {
    expect(checkCel(`"${'a'.repeat(5000)}"`)[0]!.message).toMatch(/longer than/);
  });
});

describe('CEL checks where the expression sits (a scope)', () => {
  // Node "notify" runs after "am" (the source) and "check" (an HTTP step); "later" runs after it.
  const scope: ExprScope = {
    steps: new Map<string, CelDecl>([
      ['am', { name: 'string', labels: 'map<string, string>' }],
      ['check', { status: 'dyn', headers: 'map<string, string>', truncated: 'bool', body: 'dyn' }],
    ]),
    nodeIds: new Set(['am', 'check', 'notify', 'later']),
    self: 'notify',
  };
  const messages = (source: string, returns?: 'bool') => checkCel(source, { scope, returns }).map((i) => i.message);

  it('reads the steps before the node, typed by their outputs', () => {
    for (const source of ['steps.check.status == 200', 'steps["check"].truncated', 'has(steps.check.body.ok)', 'steps.am.labels.env']) {
      expect(messages(source), source).toEqual([]);
    }
    expect(messages('steps.check.truncated + 1')[0]).toMatch(/no such overload/);
    expect(messages('steps.check.stauts')[0]).toMatch(/No such key: stauts/);
  });

  it('reads `steps` used whole as the map of outputs a run has (its steps untyped, their names still checked)', () => {
    expect(messages('size(steps) > 1 && steps.check.truncated', 'bool')).toEqual([]);
    expect(messages('steps[alert.labels.step] == 1 || steps.check.anything == 2')).toEqual([]);
    expect(messages('size(steps) > 1 && steps.later.truncated')[0]).toMatch(/^step "later" does not run before this node/);
  });

  it('names a step that does not exist, with the steps the node can read', () => {
    expect(checkCel('alert.name == "x" && steps.nosuch.status == 200', { scope })).toEqual([
      { message: 'no step named "nosuch" in this flow (it can read steps.am and steps.check)', offset: 21 },
    ]);
    expect(messages('has(steps.nosuch)')).toEqual(['no step named "nosuch" in this flow (it can read steps.am and steps.check)']);
  });

  it('refuses a step that does not run before the node, and the node itself', () => {
    expect(messages('steps.later.status == 200')).toEqual([
      'step "later" does not run before this node, so its output cannot be read here (it can read steps.am and steps.check)',
    ]);
    expect(messages('steps["notify"]')).toEqual(['a step cannot read its own output: steps.notify is this node']);
    const first: ExprScope = { steps: new Map(), nodeIds: new Set(['am', 'first']), self: 'first' };
    expect(checkCel('steps.am.name', { scope: first })[0]!.message).toBe(
      'step "am" does not run before this node, so its output cannot be read here (no step runs before it)',
    );
  });

  it('requires a condition to give true or false; data known only when it runs (dyn) may', () => {
    expect(messages('alert.severity', 'bool')).toEqual(['this condition gives a string, not true/false: compare it, e.g. alert.severity == "critical"']);
    expect(messages('steps.check.headers', 'bool')[0]).toMatch(/^this condition gives a map, not true\/false: compare it, e.g. size\(steps.check.headers\) > 0/);
    expect(messages('size(alert.labels)', 'bool')[0]).toMatch(/gives a number/);
    expect(messages('alert.labels.keys()', 'bool').length).toBeGreaterThan(0);
    for (const source of ['alert.severity == "critical"', 'steps.check.truncated', 'event.retry', 'steps.check.body.ok']) {
      expect(messages(source, 'bool'), source).toEqual([]);
    }
    // Without `returns`, any value is fine (a template part, a mapping).
    expect(messages('alert.severity')).toEqual([]);
  });

  it('lists the steps an expression reads (for the editor\'s preview)', () => {
    expect(stepsReadBy('steps.a.x == 1 && steps["b"].ok || steps.a.y')).toEqual(['a', 'b']);
    expect(stepsReadBy('alert.name')).toEqual([]);
    expect(stepsReadBy('steps.a.')).toEqual([]);
  });
});

const L10 = '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]';
/** The review's attacks (refused at save; here they run, to show the runtime budget holds alone). */
const EIGHT_ALLS = `cel.bind(L, ${L10}, ${Array.from({ length: 8 }, (_, i) => `L.all(x${i}, `).join('')}true${')'.repeat(8)})`;
const SIX_MAPS = `cel.bind(L, ${L10}, ${Array.from({ length: 6 }, (_, i) => `L.map(m${i}, `).join('')}"${'x'.repeat(100)}"${').join()'.repeat(6)})`;
/** The step and size limits, with time out of the way (this machine may be slow): tests are about what trips. */
const untimed = () => new EvalBudget({ ...EVAL_LIMITS, timeMs: 60_000 });
const budgetError = (source: string, v: Parameters<typeof evaluateCel>[1], budget: EvalBudget = untimed()): ExpressionError => {
  try {
    evaluateCel(source, v, { budget });
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error(`${source} did not fail`);
};

describe('the runtime budget', () => {
  it("stops the review's eight nested all() at the step limit", () => {
    expect(budgetError(EIGHT_ALLS, {}).message).toMatch(/expression stopped: it took more than 100,000 loop steps/);
    // The same loops over sender data.
    const nested = `${Array.from({ length: 8 }, (_, i) => `event.L.all(x${i}, `).join('')}true${')'.repeat(8)}`;
    expect(budgetError(nested, { event: { L: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] } }).message).toMatch(/more than 100,000 loop steps/);
  });

  it("stops the review's six nested map() at the size limit", () => {
    const budget = new EvalBudget({ ...EVAL_LIMITS, steps: 10_000_000, timeMs: 60_000 });
    expect(budgetError(SIX_MAPS, {}, budget).message).toMatch(/expression stopped: it built more than 8\.0 MB of strings and lists/);
    expect(budget.produced).toBeLessThan(EVAL_LIMITS.producedBytes + 4 * 1024 * 1024);
  });

  it('stops strings that double without any loop', () => {
    const doubling = `cel.bind(a, event.s + event.s, ${['b', 'c', 'd', 'e', 'f'].map((v, i) => `cel.bind(${v}, ${'abcde'[i]} + ${'abcde'[i]}, `).join('')}size(f)${')'.repeat(6)}`;
    expect(budgetError(doubling, { event: { s: 'x'.repeat(100_000) } }).message).toMatch(/built more than 8\.0 MB/);
  });

  it('stops at the time limit (checked every few operations)', () => {
    const budget = new EvalBudget({ steps: 1e9, producedBytes: 1e12, timeMs: 0 });
    expect(budgetError('event.L.exists(x, x == -1)', { event: { L: Array.from({ length: 1000 }, (_, i) => i) } }, budget).message).toMatch(
      /expression stopped: it ran longer than 0 ms/,
    );
  });

  it('still fails when CEL would absorb the error (|| true, exists), and stops the loop at once', () => {
    const L = Array.from({ length: 300_000 }, (_, i) => i);
    expect(budgetError('event.L.all(x, x >= 0) || true', { event: { L } }).message).toMatch(/more than 100,000 loop steps/);
    const budget = untimed();
    expect(budgetError('event.L.exists(x, x == -1)', { event: { L } }, budget).message).toMatch(/more than 100,000 loop steps/);
    // The other 200,000 elements were not visited.
    expect(budget.steps).toBe(EVAL_LIMITS.steps + 1);
  });

  it('is shared between the evaluations given the same budget', () => {
    const budget = untimed();
    const event = { L: Array.from({ length: 60_000 }, (_, i) => i) };
    expect(evaluateCel('event.L.all(x, x >= 0)', { event }, { budget })).toBe(true);
    expect(budgetError('event.L.all(x, x >= 0)', { event }, budget).message).toMatch(/more than 100,000 loop steps/);
    // A fresh budget per evaluation otherwise.
    expect(evaluateCel('event.L.all(x, x >= 0)', { event }, { budget: untimed() })).toBe(true);
    expect(evaluateCel('event.L.all(x, x >= 0)', { event }, { budget: untimed() })).toBe(true);
  });

  it('counts what the hooks see exactly (fails if a cel-js upgrade changes the AST the hooks wrap)', () => {
    const count = (source: string, v: Parameters<typeof evaluateCel>[1] = {}) => {
      const budget = untimed();
      evaluateCel(source, v, { budget });
      return { steps: budget.steps, produced: budget.produced };
    };
    expect(count('[1, 2, 3].map(x, x * 2)')).toEqual({ steps: 3, produced: 3 * 8 /* literal */ + 3 * 8 /* result */ });
    expect(count('[1, 2, 3].all(x, [1, 2].all(y, x != y || true))')).toEqual({ steps: 3 + 3 * 2, produced: 3 * 8 + 3 * 2 * 8 });
    expect(count('[1, 2, 3].filter(x, x > 1).size()')).toEqual({ steps: 3, produced: 24 + 16 });
    expect(count('alert.labels.exists_one(k, k == "env")', { alert })).toEqual({ steps: 4, produced: 0 });
    expect(count('"ab" + "cd"')).toEqual({ steps: 0, produced: 8 });
    expect(count('["a", "b"].join("-")')).toEqual({ steps: 0, produced: 16 + 6 });
    expect(count('{"a": 1}')).toEqual({ steps: 0, produced: 16 });
    expect(count('cel.bind(x, "abc", x + x)')).toEqual({ steps: 0, produced: 12 });
  });

  it('a template shares one budget between its parts', () => {
    const event = { L: Array.from({ length: 60_000 }, (_, i) => i) };
    expect(renderTemplate('{{ event.L.all(x, x >= 0) }}', { event }, { budget: untimed() })).toBe('true');
    const budget = untimed();
    expect(() => renderTemplate('{{ event.L.all(x, x >= 0) }} {{ event.L.all(x, x >= 0) }}', { event }, { budget })).toThrow(/more than 100,000 loop steps/);
    expect(budget.steps).toBe(EVAL_LIMITS.steps + 1);
  });
});

describe('keys named like JavaScript object members are plain data', () => {
  const labels = JSON.parse('{"alertname": "X", "__proto__": "p", "constructor": "c", "toString": "t", "hasOwnProperty": "h"}') as Record<string, string>;
  const odd: Alert = { ...alert, labels, annotations: JSON.parse('{"constructor": "note"}'), raw: JSON.parse('{"constructor": {"x": 1}, "__proto__": 2}') };

  it.each([
    ['alert.labels["__proto__"] == "p"', true],
    ['alert.labels["constructor"] == "c"', true],
    ['alert.labels.constructor', 'c'],
    ['alert.labels.toString', 't'],
    ['"constructor" in alert.labels', true],
    ['"__proto__" in alert.labels && "toString" in alert.labels', true],
    ['"valueOf" in alert.labels', false],
    ['has(alert.labels.hasOwnProperty)', true],
    ['size(alert.labels)', 5],
    ['alert.labels.filter(k, k.startsWith("_") || k.startsWith("c")).size()', 2],
    ['alert.labels.alertname', 'X'],
    ['alert.annotations.constructor', 'note'],
    ['alert.raw.constructor.x + 1.0', 2],
    ['alert.raw["__proto__"]', 2],
    ['alert.labels', { alertname: 'X', ['__proto__']: 'p', constructor: 'c', toString: 't', hasOwnProperty: 'h' }],
  ])('%s', (source, expected) => {
    expect(checkCel(source)).toEqual([]);
    const value = evaluateCel(source, { alert: odd });
    expect(value).toEqual(expected);
    if (source === 'alert.labels') expect(Object.keys(value as object)).toEqual(Object.keys(labels));
  });

  it('in event data and templates, without polluting any prototype', () => {
    const event = JSON.parse('{"labels": {"constructor": "c", "__proto__": {"polluted": true}, "toString": "t"}}');
    expect(evaluateCel('event.labels.constructor + event.labels.toString', { event })).toBe('ct');
    expect(evaluateCel('event.labels["__proto__"].polluted', { event })).toBe(true);
    const plain = evaluateCel('event.labels', { event }) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(plain, '__proto__')?.value).toEqual({ polluted: true });
    expect(renderTemplate('{{ alert.labels.constructor }}/{{ alert.labels["__proto__"] }}/{{ alert.labels.toString }}', { alert: odd })).toBe('c/p/t');
    expect(renderTemplate('{{ event.labels }}', { event })).toBe('{"constructor":"c","__proto__":{"polluted":true},"toString":"t"}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.toString.call([])).toBe('[object Array]');
  });

  it('refuses, at save, a map written in CEL with such a key (cel-js would drop it)', () => {
    expect(checkCel('{"constructor": alert.name}')[0]!.message).toMatch(/cannot have the key "constructor"/);
    expect(checkCel('{"__proto__": "x"}')[0]!.message).toMatch(/cannot have the key "__proto__"/);
    expect(checkCel('{"toString": "x"}')).toEqual([]);
  });
});
