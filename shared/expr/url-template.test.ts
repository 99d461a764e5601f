import { describe, expect, it } from 'vitest';
import type { Alert } from '../alert/schema.js';
import { ExpressionError } from './errors.js';
import { checkUrlTemplate, renderUrlTemplate } from './url-template.js';

const withLabel = (instance: unknown) => ({ alert: { name: 'DiskFull', labels: { instance } } as unknown as Alert });
const render = (template: string, instance: unknown) => renderUrlTemplate(template, withLabel(instance));
const refusal = (template: string, instance: unknown): string => {
  try {
    render(template, instance);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(instance)} to be refused in ${template}`);
};

const HOST = 'http://{{ alert.labels.instance }}/cleanup';
const PATH = 'http://agent.example.internal:9100/hosts/{{ alert.labels.instance }}/cleanup';
const QUERY = 'http://agent.example.internal:9100/cleanup?host={{ alert.labels.instance }}&dry=1';

describe('URL templates: a value in the host', () => {
  it('takes a host name or IP address with an optional port', () => {
    expect(render(HOST, 'db1.example.internal:9100')).toBe('http://db1.example.internal:9100/cleanup');
    expect(render(HOST, '10.1.2.3')).toBe('http://10.1.2.3/cleanup');
    expect(render(HOST, '[fd00::1]:8080')).toBe('http://[fd00::1]:8080/cleanup');
    expect(render('https://agent-{{ alert.labels.instance }}.example.internal/x', 'db1')).toBe('https://agent-db1.example.internal/x');
    const steps = { probe: { port: 9100 } };
    expect(renderUrlTemplate('http://agent.example.internal:{{ steps.probe.port }}/x', { steps })).toBe('http://agent.example.internal:9100/x');
  });

  it('refuses values that would change the path, query, fragment or user info', () => {
    // The reproductions from the issue: a label replaced the path, or added Basic credentials.
    expect(refusal(HOST, '127.0.0.1:35881/internal/admin?q=')).toBe(
      `{{ alert.labels.instance }} gave "127.0.0.1:35881/internal/admin?q=", which cannot be the URL's host: it contains "/", which would change the URL's path, query or fragment`,
    );
    expect(refusal(HOST, 'user:pw@host#')).toMatch(/gave "user:pw@host#", which cannot be the URL's host: it contains "@", and user info is never taken from a template/);
    expect(refusal(HOST, 'evil.example#')).toMatch(/contains "#"/);
    expect(refusal(HOST, 'evil.example?')).toMatch(/contains "\?"/);
    expect(refusal(HOST, 'evil.example\\x')).toMatch(/contains "\\"/);
    expect(refusal(HOST, '127.0.0.1 /x')).toMatch(/contains whitespace/);
    expect(refusal(HOST, '127.0.0.1\t')).toMatch(/contains whitespace/);
    expect(refusal(HOST, 'a\nb')).toMatch(/contains whitespace/);
    expect(refusal(HOST, '127.0.0.1%2f')).toMatch(/contains "%"/);
    expect(refusal(HOST, '%31%32%37.0.0.1')).toMatch(/contains "%"/);
    expect(refusal(HOST, '１２７.０.０.１')).toMatch(/non-ASCII/);
    expect(refusal(HOST, 'evil.example;x')).toMatch(/contains ";"/);
    expect(refusal(HOST, '')).toMatch(/gave an empty host/);
  });

  it('refuses a value that is not host[:port] once combined with the literal text', () => {
    expect(refusal('http://{{ alert.labels.instance }}:9100/x', 'evil.example:80')).toMatch(/made the host "evil.example:80:9100", which is not a host name/);
    expect(refusal(HOST, '::1')).toMatch(/is not a host name or IP address/);
    expect(refusal(HOST, 'host:99999')).toMatch(/port is not 1-65535/);
    expect(refusal(HOST, 'host:0')).toMatch(/port is not 1-65535/);
    expect(refusal(HOST, '[::1')).toMatch(/is not a host name/);
  });

  it('lets numeric address forms through to the destination policy, which sees the real address', () => {
    // Syntactically these are hosts; the URL parser makes them 127.0.0.1 and the policy refuses that.
    expect(render(HOST, '2130706433')).toBe('http://127.0.0.1/cleanup');
    expect(render(HOST, '0177.0.0.1')).toBe('http://127.0.0.1/cleanup');
    expect(render(HOST, '0x7f000001')).toBe('http://127.0.0.1/cleanup');
    expect(render(HOST, '[::ffff:127.0.0.1]')).toBe('http://[::ffff:7f00:1]/cleanup');
  });
});

describe('URL templates: values in the path, query and fragment', () => {
  it('encodes a path value as one segment: "/" and ".." cannot add or climb segments', () => {
    expect(render(PATH, 'db1:9100')).toBe('http://agent.example.internal:9100/hosts/db1:9100/cleanup');
    expect(render(PATH, '../../admin')).toBe('http://agent.example.internal:9100/hosts/..%2F..%2Fadmin/cleanup');
    expect(render(PATH, 'a/b?c#d')).toBe('http://agent.example.internal:9100/hosts/a%2Fb%3Fc%23d/cleanup');
    expect(render(PATH, 'a b\\c')).toBe('http://agent.example.internal:9100/hosts/a%20b%5Cc/cleanup');
    expect(render(PATH, '%2e%2e')).toBe('http://agent.example.internal:9100/hosts/%252e%252e/cleanup');
    expect(refusal(PATH, '..')).toBe('{{ alert.labels.instance }} made the path segment "..", which would climb the path');
    expect(refusal(PATH, '.')).toMatch(/made the path segment "\."/);
    expect(refusal('http://a.example/x/{{ alert.labels.instance }}.', '.')).toMatch(/made the path segment "\.\."/);
    expect(render('http://a.example/x/{{ alert.labels.instance }}.json', '.')).toBe('http://a.example/x/..json');
  });

  it('encodes a query value so it cannot add parameters or a fragment', () => {
    expect(render(QUERY, 'db1:9100')).toBe('http://agent.example.internal:9100/cleanup?host=db1:9100&dry=1');
    expect(render(QUERY, 'x&admin=1#frag')).toBe('http://agent.example.internal:9100/cleanup?host=x%26admin%3D1%23frag&dry=1');
    expect(render(QUERY, 'a+b c;d')).toBe('http://agent.example.internal:9100/cleanup?host=a%2Bb%20c%3Bd&dry=1');
    expect(render(QUERY, 'https://x.example/a@b')).toBe('http://agent.example.internal:9100/cleanup?host=https://x.example/a@b&dry=1');
  });

  it('encodes a fragment value', () => {
    expect(render('http://a.example/x#{{ alert.labels.instance }}', 'a#b c')).toBe('http://a.example/x#a%23b%20c');
  });

  it('renders numbers, lists and null the way plain templates do, then encodes them', () => {
    const steps = { probe: { n: 42, none: null, list: ['a', 'b'] } };
    const q = (expr: string) => renderUrlTemplate(`http://a.example/x?v={{ ${expr} }}`, { steps });
    expect(q('steps.probe.n')).toBe('http://a.example/x?v=42');
    expect(q('steps.probe.none')).toBe('http://a.example/x?v=');
    expect(q('steps.probe.list')).toBe('http://a.example/x?v=%5B%22a%22,%22b%22%5D');
  });

  it('keeps the literal text as the flow author wrote it', () => {
    expect(render('http://user:pw@agent.example.internal/a/../b?x={{ alert.labels.instance }}', 'v')).toBe('http://user:pw@agent.example.internal/b?x=v');
  });
});

describe('URL templates: checks when the flow is saved', () => {
  const messages = (t: string) => checkUrlTemplate(t).map((i) => `${i.offset}: ${i.message}`);

  it('accepts templates anywhere but the scheme and the user info', () => {
    expect(checkUrlTemplate(HOST)).toEqual([]);
    expect(checkUrlTemplate(PATH)).toEqual([]);
    expect(checkUrlTemplate(QUERY)).toEqual([]);
    expect(checkUrlTemplate('https://user@{{ alert.labels.instance }}/x#{{ alert.name }}')).toEqual([]);
  });

  it('refuses a template that spans or chooses the scheme', () => {
    expect(messages('{{ alert.labels.url }}')).toEqual(['0: a URL template must start with http:// or https:// written out: a template cannot choose the scheme']);
    expect(messages('{{ alert.labels.scheme }}://x/')).toHaveLength(1);
    expect(messages('http{{ alert.labels.s }}://x/')).toHaveLength(1);
    expect(messages('ftp://{{ alert.name }}/')).toHaveLength(1);
  });

  it('refuses a template in the user info, with its offset', () => {
    expect(messages('http://{{ alert.labels.user }}@agent.example/x')).toEqual(['10: a template cannot write the user info (user:password@) of a URL']);
    expect(messages('http://u:{{ alert.labels.pw }}@agent.example/x')).toHaveLength(1);
  });

  it('reports template syntax and type problems first', () => {
    expect(messages('http://{{ alert.labels.instance /x')[0]).toMatch(/never closed/);
    expect(messages('http://{{ alrt.x }}/x')[0]).toMatch(/Unknown variable: alrt/);
  });

  it('refuses at render time what it refuses at save time', () => {
    expect(() => render('{{ alert.labels.instance }}', 'http://127.0.0.1/')).toThrow(/cannot choose the scheme/);
  });
});
