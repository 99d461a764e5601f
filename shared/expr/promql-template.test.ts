import { describe, expect, it } from 'vitest';
import type { Alert } from '../alert/schema.js';
import { ExpressionError } from './errors.js';
import { checkPromqlTemplate, escapePromqlString, renderPromqlTemplate } from './promql-template.js';

const withLabel = (instance: unknown) => ({ alert: { name: 'DiskFull', labels: { instance } } as unknown as Alert });
const render = (template: string, instance: unknown) => renderPromqlTemplate(template, withLabel(instance));
const problems = (template: string) => checkPromqlTemplate(template).map((i) => i.message);

const UP = 'up{instance="{{ alert.labels.instance }}"}';

/**
 * Reads a double-quoted PromQL string back as Prometheus's lexer does (Go escapes), from the
 * opening quote at `start`: the text it holds and where it ends. An independent reading of what
 * the renderer writes.
 */
function readPromqlString(query: string, start: number): { text: string; end: number } {
  expect(query[start]).toBe('"');
  let text = '';
  for (let i = start + 1; i < query.length; i++) {
    const ch = query[i]!;
    if (ch === '"') return { text, end: i };
    if (ch === '\n') throw new Error('unterminated string');
    if (ch !== '\\') {
      text += ch;
      continue;
    }
    const next = query[++i]!;
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"' };
    if (next in simple) text += simple[next];
    else if (next === 'x') {
      text += String.fromCharCode(parseInt(query.slice(i + 1, i + 3), 16));
      i += 2;
    } else throw new Error(`unknown escape \\${next}`);
  }
  throw new Error('unterminated string');
}

describe('PromQL templates: rendering', () => {
  it('inserts an ordinary value as it is', () => {
    expect(render(UP, 'db1:9100')).toBe('up{instance="db1:9100"}');
    expect(renderPromqlTemplate('disk_used_ratio{instance="{{ alert.labels.instance }}", mountpoint="/"} > 0.9', withLabel('db1'))).toBe(
      'disk_used_ratio{instance="db1", mountpoint="/"} > 0.9',
    );
    expect(renderPromqlTemplate('up', withLabel('x'))).toBe('up');
  });

  it('keeps hostile values inside their string: the query keeps its structure and reads back the value exactly', () => {
    const hostile = [
      'db1"} or vector(1) #',
      'db1\\"} or vector(1)',
      'db1\\',
      '"',
      '\\\\"',
      'a\nb"} or up{x="',
      'tab\there\rcr',
      'nul\u0000bell\u0007del\u007f',
      '{{ alert.name }}',
      "it's `raw`",
      'ünïcödé ✓ 😀',
    ];
    for (const value of hostile) {
      const query = render(UP, value);
      const start = query.indexOf('"');
      const read = readPromqlString(query, start);
      expect(read.text, JSON.stringify(value)).toBe(value);
      // Nothing after the string but the template's own closing brace.
      expect(query.slice(read.end)).toBe('"}');
      expect(query.startsWith('up{instance="')).toBe(true);
      expect(query).not.toContain('\n');
    }
  });

  it('escapes backslash, double quote and line breaks the way PromQL reads them', () => {
    expect(escapePromqlString('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(render(UP, 'x"} or vector(1) #')).toBe('up{instance="x\\"} or vector(1) #"}');
  });

  it('quotes a value in a regex matcher so it matches itself, not every series', () => {
    expect(renderPromqlTemplate('up{instance=~"{{ alert.labels.instance }}"}', withLabel('.*'))).toBe('up{instance=~"\\\\.\\\\*"}');
    expect(renderPromqlTemplate('up{instance!~ "db-{{ alert.labels.instance }}|other"}', withLabel('a|b(c)'))).toBe('up{instance!~ "db-a\\\\|b\\\\(c\\\\)|other"}');
    // An equality matcher takes the value as it is.
    expect(render(UP, '.*')).toBe('up{instance=".*"}');
  });

  it('renders numbers, lists and maps as text inside the string', () => {
    const steps = { probe: { port: 9100, hosts: ['a', 'b'] } };
    expect(renderPromqlTemplate('up{port="{{ steps.probe.port }}"}', { steps })).toBe('up{port="9100"}');
    expect(renderPromqlTemplate('up{hosts="{{ steps.probe.hosts }}"}', { steps })).toBe('up{hosts="[\\"a\\",\\"b\\"]"}');
  });

  it('refuses text that is not valid Unicode', () => {
    expect(() => render(UP, 'a\uD800b')).toThrow(/gave text that is not valid Unicode/);
  });

  it('refuses at render a template that the validator refuses', () => {
    expect(() => render('up{instance={{ alert.labels.instance }}}', 'x')).toThrow(ExpressionError);
  });
});

describe('PromQL templates: where a {{ }} part may sit (checked when the flow is saved)', () => {
  it('accepts parts inside double-quoted strings, several per string, and PromQL around them', () => {
    expect(problems(UP)).toEqual([]);
    expect(problems('sum by (mountpoint) (disk_used_ratio{instance="{{ alert.labels.instance }}:{{ alert.name }}", job="node"}) > 0.9')).toEqual([]);
    expect(problems('label_replace(up, "x", "{{ alert.name }}", "", "") # a comment')).toEqual([]);
    expect(problems("up{a='x', b=\"{{ alert.name }}\"} # it's fine")).toEqual([]);
    expect(problems('up{a="\\"{{ alert.name }}"}')).toEqual([]);
    expect(problems('up')).toEqual([]);
  });

  it('refuses a part outside a string, naming it', () => {
    expect(problems('up{instance={{ alert.labels.instance }}}')).toEqual([
      '{{ alert.labels.instance }} sits outside a string: a value there could change the query; put it inside a double-quoted string, e.g. instance="{{ alert.labels.instance }}"',
    ]);
    expect(problems('{{ alert.labels.metric }}{job="x"}')[0]).toMatch(/^\{\{ alert\.labels\.metric \}\} sits outside a string/);
    expect(problems('rate(x[{{ alert.labels.window }}])')[0]).toMatch(/sits outside a string/);
    expect(problems('up{a="b"} # {{ alert.name }}')[0]).toMatch(/sits in a # comment/);
  });

  it('refuses a part in a single-quoted or backtick string, after a backslash, or in a string never closed', () => {
    expect(problems("up{instance='{{ alert.labels.instance }}'}")[0]).toMatch(/sits in a single-quoted or backtick string: write that string in double quotes/);
    expect(problems('up{instance=`{{ alert.labels.instance }}`}')[0]).toMatch(/single-quoted or backtick/);
    expect(problems('up{instance="\\{{ alert.labels.instance }}"}')[0]).toMatch(/follows a backslash/);
    expect(problems('up{instance="{{ alert.labels.instance }}}')[0]).toMatch(/sits in a string that is never closed/);
    expect(problems('up{instance="{{ alert.labels.instance }}\n"}')[0]).toMatch(/sits in a string that is never closed/);
  });

  it('gives the offset of the part and checks the CEL inside', () => {
    expect(checkPromqlTemplate('up{instance={{ alert.name }}}')[0]?.offset).toBe(15);
    expect(problems('up{instance="{{ alert.nme }}"}')[0]).toMatch(/No such key: nme/);
  });
});
