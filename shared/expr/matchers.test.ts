import { describe, expect, it } from 'vitest';
import type { Alert } from '../alert/schema.js';
import { checkCel, evaluateCelBool } from './cel.js';
import { ExpressionError } from './errors.js';
import { matchersToCel, parseMatchers } from './matchers.js';

const withLabels = (labels: Record<string, string>) => ({ alert: { labels } as unknown as Alert });
const matches = (matchers: string, labels: Record<string, string>) => evaluateCelBool(matchersToCel(matchers), withLabels(labels));

describe('parseMatchers', () => {
  it('reads every operator, quoted and bare values, with or without braces', () => {
    expect(parseMatchers('a="x", b!="y", c=~"r.*", d!~"s|t"')).toEqual([
      { name: 'a', op: '=', value: 'x' },
      { name: 'b', op: '!=', value: 'y' },
      { name: 'c', op: '=~', value: 'r.*' },
      { name: 'd', op: '!~', value: 's|t' },
    ]);
    expect(parseMatchers('{ severity = critical , env!=dev }')).toEqual([
      { name: 'severity', op: '=', value: 'critical' },
      { name: 'env', op: '!=', value: 'dev' },
    ]);
    expect(parseMatchers('a=""')).toEqual([{ name: 'a', op: '=', value: '' }]);
  });

  it('unescapes quoted values', () => {
    expect(parseMatchers('msg="say \\"hi\\" \\\\ now\\n"')[0]!.value).toBe('say "hi" \\ now\n');
  });

  it.each([
    ['', /no matchers/],
    ['=x', /label name/],
    ['a x', /expected =/],
    ['a="x" b="y"', /","/],
    ['a="x', /unterminated/],
    ['{a="x"', /missing closing/],
    ['a=~"(a)\\\\1"', /not allowed/],
    ['a="x\\q"', /unknown escape/],
  ])('rejects %j with a position', (text, message) => {
    try {
      parseMatchers(text);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).message).toMatch(message);
      expect((error as ExpressionError).issues[0]!.offset).toBeTypeOf('number');
    }
  });

  it('quotes a bad regex as written, never in the anchored form it runs in', () => {
    const messageOf = (text: string) => {
      try {
        parseMatchers(text);
      } catch (error) {
        return (error as ExpressionError).message;
      }
      return expect.unreachable(`${text} should have been refused`);
    };
    // `x)|(?:y` is only valid once anchored as ^(?:x)|(?:y)$, which would match far more than meant.
    for (const text of ['severity=~"(crit"', 'severity=~"x)|(?:y"', 'a=~"(a)\\\\1"']) {
      expect(messageOf(text)).not.toContain('^(?:');
      expect(messageOf(text)).not.toMatch(/\/.*\/: /);
    }
    expect(messageOf('severity=~"(crit"')).toMatch(/^regex "\(crit" is (not allowed|invalid): /);
  });
});

describe('matchersToCel (Alertmanager semantics)', () => {
  it('produces CEL that type-checks', () => {
    expect(checkCel(matchersToCel('alertname="DiskFull", severity=~"critical|page", env!="dev", team!~"qa.*"'))).toEqual([]);
  });

  it('matches equality and inequality', () => {
    expect(matches('alertname="DiskFull"', { alertname: 'DiskFull' })).toBe(true);
    expect(matches('alertname="DiskFull"', { alertname: 'DiskSlow' })).toBe(false);
    expect(matches('env!="prod"', { env: 'dev' })).toBe(true);
  });

  it('anchors regexes on both ends, as Alertmanager does', () => {
    expect(matches('instance=~"web"', { instance: 'webserver' })).toBe(false);
    expect(matches('instance=~"web.*"', { instance: 'webserver' })).toBe(true);
    expect(matches('severity=~"critical|page"', { severity: 'page' })).toBe(true);
    expect(matches('severity=~"critical|page"', { severity: 'pager' })).toBe(false);
    expect(matches('severity!~"info|debug"', { severity: 'critical' })).toBe(true);
  });

  it('treats a missing label as the empty string', () => {
    expect(matches('env!="prod"', {})).toBe(true);
    expect(matches('env=""', {})).toBe(true);
    expect(matches('env="prod"', {})).toBe(false);
    expect(matches('env=~".*"', {})).toBe(true);
    expect(matches('env=~".+"', {})).toBe(false);
  });

  it('requires all matchers', () => {
    expect(matches('a="1", b="2"', { a: '1', b: '2' })).toBe(true);
    expect(matches('a="1", b="2"', { a: '1', b: '3' })).toBe(false);
  });

  it('escapes quotes and backslashes in values', () => {
    expect(matches('msg="a \\"quoted\\" \\\\ value"', { msg: 'a "quoted" \\ value' })).toBe(true);
    expect(matches('msg=~"a\\\\.b"', { msg: 'a.b' })).toBe(true);
    expect(matches('msg=~"a\\\\.b"', { msg: 'axb' })).toBe(false);
  });

  it('treats label values as data, never as CEL', () => {
    expect(matches('x="\\" || true || \\""', { x: 'nope' })).toBe(false);
  });
});
