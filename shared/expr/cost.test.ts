import { describe, expect, it } from 'vitest';
import { Bound } from './bound.js';
import { checkCel, estimateCel } from './cel.js';
import { checkTemplate } from './template.js';

const L10 = '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]';
/** The review's first attack: eight nested all() over a 10-element list. */
const EIGHT_ALLS = `cel.bind(L, ${L10}, ${Array.from({ length: 8 }, (_, i) => `L.all(x${i}, `).join('')}true${')'.repeat(8)})`;
/** The review's second attack: six nested map() building 100-character strings, joined. */
const SIX_MAPS = `cel.bind(L, ${L10}, ${Array.from({ length: 6 }, (_, i) => `L.map(m${i}, `).join('')}"${'x'.repeat(100)}"${').join()'.repeat(6)})`;

describe('the cost estimate', () => {
  it('counts loop steps exactly for literal lists and the label cap for alert maps', () => {
    expect(estimateCel('[1, 2, 3].all(x, [1, 2].all(y, x != y))')?.steps).toBe(3 + 3 * 2);
    expect(estimateCel('alert.labels.exists(k, k.startsWith("team"))')?.steps).toBe(256);
    expect(estimateCel('alert.severity == "critical"')).toEqual({ steps: 0, producedBytes: 0 });
    // "ab" + "cd" builds 4 characters (2 bytes each).
    expect(estimateCel('"ab" + "cd"')?.producedBytes).toBe(8);
  });

  it('estimates a walk over parts of the data as a walk, and independent loops as a product', () => {
    // The labels of each alert are parts of the one document: 1,000 alerts + 1,000 labels in all.
    expect(estimateCel('event.alerts.all(a, a.labels.exists(k, k == "x"))')?.steps).toBe(2000);
    expect(estimateCel('event.a.exists(x, event.b.exists(y, x == y))')?.steps).toBe(1000 + 1000 * 1000);
  });

  it.each([
    'alert.labels.severity == "critical" && alert.labels.exists(k, k.startsWith("team"))',
    'alert.labels.exists(a, alert.annotations.exists(b, a == b))',
    'event.alerts.exists(a, a.status == "resolved")',
    'event.alerts.all(a, a.labels.exists(k, k == "x") && a.annotations.all(k, k != ""))',
    'event.alerts.map(a, a.labels.alertname).join(", ")',
    'event.data.essentials.configurationItems.join(",")',
    'event.heartbeat.time.split(" ").join("T") + "Z"',
    'steps.check.body.items.map(i, i.name).join(", ")',
    'steps.check.stdout.split("\\n").exists(l, l.contains("ERROR"))',
    'steps.check.stdout + steps.check.stderr',
    'event.items.exists(i, event.total + 1 > i.count)',
    'cel.bind(s, alert.summary + alert.summary, s + s + s)',
  ])('accepts a representative expression: %s', (source) => {
    expect(checkCel(source)).toEqual([]);
  });

  it('refuses eight nested loops at save, naming the loops and where they start', () => {
    const [issue, ...rest] = checkCel(EIGHT_ALLS);
    expect(rest).toEqual([]);
    expect(issue!.message).toMatch(/^nested loops could run about 111,111,110 steps \(limit 100,000\): L\.all\(x0, …\) over up to 10 elements, inside it L\.all\(x1, …\)/);
    expect(issue!.offset).toBe(EIGHT_ALLS.indexOf('L.all'));
  });

  it('refuses six nested maps building strings, and names the value too large on its own', () => {
    const messages = checkCel(SIX_MAPS).map((i) => i.message);
    expect(messages[0]).toMatch(/^nested loops could run about 1,111,110 steps \(limit 100,000\)/);
    expect(messages[1]).toMatch(/^could build about \d+ MB of strings and lists \(limit 8\.0 MB\): L\.map\(m0, .* alone could be \d+ MB/);
  });

  it('refuses loops over data that multiply, and strings that double', () => {
    expect(checkCel('event.a.exists(x, event.b.exists(y, x == y))')[0]!.message).toMatch(/could run about 1,001,000 steps/);
    expect(checkCel('alert.labels.exists(a, alert.labels.exists(b, alert.labels.exists(c, a == b)))')[0]!.message).toMatch(/could run about 16,843,008 steps/);
    const doubling = `cel.bind(a, event.s + event.s, ${['b', 'c', 'd', 'e'].map((v, i) => `cel.bind(${v}, ${'abcd'[i]} + ${'abcd'[i]}, `).join('')}size(e)${')'.repeat(5)}`;
    expect(checkCel(doubling)[0]!.message).toMatch(/could build about \d+ MB of strings and lists \(limit 8\.0 MB\)/);
  });

  it('adds up the parts of a template: they share one budget', () => {
    const part = 'alert.labels.exists(a, alert.annotations.exists(b, a == b))'; // 65,792 steps
    expect(checkTemplate(`{{ ${part} }}`)).toEqual([]);
    expect(checkTemplate(`{{ ${part} }} and {{ ${part} }}`)[0]!.message).toMatch(/together, the \{\{ \}\} parts could run about 131,584 loop steps \(limit 100,000\)/);
  });
});

describe('Bound', () => {
  it('sums a per-iteration amount that is shared over a loop once, and a plain one n times', () => {
    const n = Bound.of(10);
    expect(Bound.of(3).sumOver('L1', n).max).toBe(30);
    expect(Bound.of(100).sharedOver('L1').sumOver('L1', n).max).toBe(100);
    // Shared over an outer loop: multiplied by the inner loop, summed once by the outer.
    const inner = Bound.of(100).sharedOver('L1').sumOver('L2', Bound.of(5));
    expect(inner.sumOver('L1', n).max).toBe(500);
  });

  it('stays finite: 0 × a huge bound is 0', () => {
    const huge = Bound.of(1e308).times(1e10);
    expect(huge.max).toBe(1e300);
    expect(Bound.ZERO.mul(huge).max).toBe(0);
  });
});
