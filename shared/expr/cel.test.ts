import { describe, expect, it } from 'vitest';
import type { Alert } from '../alert/schema.js';
import { checkCel, evaluateCel, evaluateCelBool } from './cel.js';
import { ExpressionError } from './errors.js';

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
