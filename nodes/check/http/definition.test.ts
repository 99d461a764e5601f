import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../../shared/flow/validate.js';
import { lookupNodeSpec } from '../../catalog.js';
import { DEFAULT_EXPECT, HttpCheckConfigSchema } from './definition.js';

const paths = (input: unknown) => HttpCheckConfigSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

/** A flow: Alertmanager → restart (action.http) → verify (check.http with `expect`). */
function flow(expectSource: string) {
  return {
    format: 'salve.flow/v1',
    id: 'verify-restart',
    name: 'Verify restart',
    nodes: [
      { id: 'am', type: 'source.alertmanager', config: { path: 'restart', auth: { type: 'none' } } },
      { id: 'restart', type: 'action.http', config: { url: 'http://agent.internal/restart' } },
      { id: 'verify', type: 'check.http', config: { url: 'http://{{ alert.labels.instance }}/health', expect: expectSource } },
    ],
    edges: [
      { source: 'am', target: 'restart' },
      { source: 'restart', sourcePort: 'ok', target: 'verify' },
    ],
  };
}
const problems = (expectSource: string) => {
  const result = validateFlow(flow(expectSource), lookupNodeSpec);
  return result.ok ? [] : result.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('check.http definition', () => {
  it('fills defaults: GET, any 2xx passes, 10 s', () => {
    expect(HttpCheckConfigSchema.parse({ url: 'http://db1/health' })).toEqual({ url: 'http://db1/health', method: 'GET', headers: {}, expect: DEFAULT_EXPECT, timeoutSeconds: 10 });
  });

  it('names each bad field', () => {
    expect(paths({})).toEqual(['url: url is required']);
    expect(paths({ url: '{{ alert.labels.url }}' })).toEqual(['url: must start with http:// or https:// written out (a template cannot choose the scheme)']);
    expect(paths({ url: 'http://x', method: 'POST' })).toEqual(['method: must be GET or HEAD']);
    expect(paths({ url: 'http://x', headers: { 'Content-Length': '3' } })).toEqual(['headers.Content-Length: Content-Length is set by Salve and cannot be configured']);
    expect(paths({ url: 'http://x', expect: ' ' })).toEqual(['expect: expect is empty']);
    expect(paths({ url: 'http://x', timeoutSeconds: 301 })).toEqual(['timeoutSeconds: must be between 1 and 300 seconds']);
  });

  it('saves an expectation over response, the alert and earlier steps', () => {
    expect(problems('response.status == 200 && response.body.status == "ok"')).toEqual([]);
    expect(problems(DEFAULT_EXPECT)).toEqual([]);
    expect(problems('response.headers["content-type"].startsWith("application/json") && steps.restart.status == 200 && alert.status == "firing"')).toEqual([]);
  });

  it('refuses a typo in response, an expectation that is no condition, and response elsewhere in the flow', () => {
    expect(problems('response.stauts == 200')[0]).toMatch(/^nodes\.2\.config\.expect: node "verify": CEL expression .* is invalid: No such key: stauts/);
    expect(problems('response.status')[0]).toMatch(/this condition gives a number, not true\/false/);
    const elsewhere = flow(DEFAULT_EXPECT);
    elsewhere.nodes.push({ id: 'branch', type: 'condition.expr', config: { expression: 'response.status == 200' } } as never);
    elsewhere.edges.push({ source: 'verify', sourcePort: 'pass', target: 'branch' } as never);
    const result = validateFlow(elsewhere, lookupNodeSpec);
    expect(result.ok ? [] : result.issues.map((i) => i.message)).toEqual([expect.stringMatching(/Unknown variable: response/)]);
  });
});
