import { describe, expect, it } from 'vitest';
import { parseCommandText, usage } from './command-text.js';

const problemOf = (text: string) => {
  const parsed = parseCommandText(text);
  if (parsed.verb !== 'invalid') throw new Error(`expected a problem with ${JSON.stringify(text)}, got ${JSON.stringify(parsed)}`);
  return parsed.problem;
};

describe('the slash command text', () => {
  it('is help when empty, blank or help (any case)', () => {
    for (const text of ['', '   ', 'help', 'HELP', ' help me ']) expect(parseCommandText(text)).toEqual({ verb: 'help' });
  });

  it('runs a flow with no input, or with key=value pairs as its input', () => {
    expect(parseCommandText('run restart-web')).toEqual({ verb: 'run', flowId: 'restart-web', input: {} });
    expect(parseCommandText('Run restart-web host=db1 severity=critical')).toEqual({ verb: 'run', flowId: 'restart-web', input: { host: 'db1', severity: 'critical' } });
    // Only the first "=" splits; an empty value is an empty string.
    expect(parseCommandText('run f query=a=b empty=')).toEqual({ verb: 'run', flowId: 'f', input: { query: 'a=b', empty: '' } });
  });

  it('takes quoted values with spaces, escaped quotes and the curly quotes phones type', () => {
    expect(parseCommandText('run f summary="disk full on db1"   note=""')).toEqual({ verb: 'run', flowId: 'f', input: { summary: 'disk full on db1', note: '' } });
    expect(parseCommandText('run f said="she said \\"no\\"" path="C:\\temp\\\\x"')).toEqual({ verb: 'run', flowId: 'f', input: { said: 'she said "no"', path: 'C:\\temp\\x' } });
    expect(parseCommandText('run f summary=\u201cdisk full\u201d')).toEqual({ verb: 'run', flowId: 'f', input: { summary: 'disk full' } });
  });

  it('sets fields inside objects with dotted keys (labels for source.manual)', () => {
    expect(parseCommandText('run f labels.instance=db1 labels.job="node exporter" name=x')).toEqual({
      verb: 'run',
      flowId: 'f',
      input: { labels: { instance: 'db1', job: 'node exporter' }, name: 'x' },
    });
  });

  it('reads what Slack escapes in text (&amp; &lt; &gt;) as the characters typed', () => {
    expect(parseCommandText('run f q="a &lt; b &amp;&amp; c &gt; d" lit=&amp;lt;')).toEqual({ verb: 'run', flowId: 'f', input: { q: 'a < b && c > d', lit: '&lt;' } });
  });

  it('refuses bad syntax, naming the word that is wrong', () => {
    expect(problemOf('run')).toMatch(/name the flow first/);
    expect(problemOf('run host=db1')).toMatch(/name the flow first/);
    expect(problemOf('run Restart_Web')).toMatch(/"Restart_Web" is not a flow id/);
    expect(problemOf('run f db1')).toMatch(/"db1" is not key=value/);
    expect(problemOf('run f summary="disk full')).toMatch(/the quote after summary= is not closed/);
    expect(problemOf('run f summary="disk"full')).toMatch(/put a space after the closing quote of summary=/);
    expect(problemOf('run f sum"mary=x')).toMatch(/unexpected quote in sum"/);
    expect(problemOf('run f summary=disk" full"')).toMatch(/unexpected quote/);
    expect(problemOf('run f "summary=x"')).toMatch(/unexpected quote/);
    expect(problemOf('run f =x')).toMatch(/"" is not an input name/);
    expect(problemOf('run f 9lives=x')).toMatch(/"9lives" is not an input name/);
    expect(problemOf('run f labels..x=1')).toMatch(/is not an input name/);
    expect(problemOf('run f host=a host=b')).toMatch(/host is given twice/);
    expect(problemOf('run f labels=x labels.instance=db1')).toMatch(/labels is given both as a value and with fields inside it/);
    expect(problemOf('run f labels.instance=db1 labels=x')).toMatch(/labels is given both as a value and with fields inside it/);
    expect(problemOf('status')).toMatch(/name the run/);
    expect(problemOf('status ex_1 ex_2')).toMatch(/"ex_2" is one too many/);
    expect(problemOf('status ex/1')).toMatch(/"ex\/1" is not a run id/);
  });

  it('refuses keys that would reach an object prototype', () => {
    expect(problemOf('run f __proto__.polluted=yes')).toMatch(/"__proto__" cannot be an input name/);
    expect(problemOf('run f labels.constructor=x')).toMatch(/"constructor" cannot be an input name/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses an unknown verb by name', () => {
    expect(problemOf('restart web')).toBe('unknown command "restart"');
    expect(problemOf('"run" f')).toMatch(/unexpected quote/);
  });

  it('asks for a status by run id', () => {
    expect(parseCommandText('status ex_01JF3ABCDEF')).toEqual({ verb: 'status', runId: 'ex_01JF3ABCDEF' });
    expect(parseCommandText('  STATUS   ex_1 ')).toEqual({ verb: 'status', runId: 'ex_1' });
  });

  it('usage names every command under the name Slack gave it', () => {
    const text = usage('/ops');
    expect(text).toContain('`/ops run <flow-id> [key=value …]`');
    expect(text).toContain('`/ops status <run-id>`');
    expect(text).toContain('`/ops help`');
  });
});
