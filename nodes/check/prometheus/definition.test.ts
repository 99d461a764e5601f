import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../../shared/flow/validate.js';
import { simulateFlow } from '../../../runtime/engine/flows/simulate.js';
import { amBody } from '../../../test/kit/alertmanager.js';
import { flowDoc } from '../../../test/kit/flow.js';
import { lookupNodeSpec } from '../../catalog.js';
import { PrometheusCheckConfigSchema } from './definition.js';

const paths = (input: unknown) => PrometheusCheckConfigSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

const QUERY = 'disk_used_ratio{instance="{{ alert.labels.instance }}", mountpoint="/"}';

/** A flow: Alertmanager → verify (check.prometheus with `query` and `expect`). */
const flow = (config: Record<string, unknown>) =>
  flowDoc({
    id: 'verify-disk',
    nodes: [{ id: 'verify', type: 'check.prometheus', config: { url: 'http://prometheus.internal:9090', query: QUERY, expect: 'result.size() == 0', ...config } }],
    edges: [{ source: 'am', target: 'verify' }],
  });
const problems = (config: Record<string, unknown>) => {
  const result = validateFlow(flow(config), lookupNodeSpec);
  return result.ok ? [] : result.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('check.prometheus definition', () => {
  it('fills defaults: no headers, 10 s; expect has no default', () => {
    expect(PrometheusCheckConfigSchema.parse({ url: 'http://prom:9090', query: 'up', expect: 'result.size() == 1' })).toEqual({
      url: 'http://prom:9090',
      query: 'up',
      headers: {},
      expect: 'result.size() == 1',
      timeoutSeconds: 10,
    });
  });

  it('names each bad field', () => {
    expect(paths({})).toEqual(['url: url is required', 'query: query is required', 'expect: expect is required: a CEL condition over result, e.g. result.size() == 0']);
    expect(paths({ url: '{{ alert.labels.prom }}', query: 'up', expect: 'true' })).toEqual(['url: must start with http:// or https:// written out (a template cannot choose the scheme)']);
    expect(paths({ url: 'http://x', query: ' ', expect: ' ' })).toEqual(['query: query is required', 'expect: expect is empty']);
    expect(paths({ url: 'http://x', query: 'up', expect: 'true', headers: { 'Content-Length': '3' }, timeoutSeconds: 0 })).toEqual([
      'headers.Content-Length: Content-Length is set by Salve and cannot be configured',
      'timeoutSeconds: must be between 1 and 300 seconds',
    ]);
  });

  it('saves a query with alert values in double-quoted strings, and expectations over result and resultType', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ expect: 'double(result[0].value) < 0.9' })).toEqual([]);
    expect(problems({ expect: 'resultType == "vector" && result.all(s, s.metric.mountpoint == "/" && double(s.value) < 0.9) && alert.status == "firing"' })).toEqual([]);
    expect(problems({ headers: { Authorization: { secret: 'PROM_TOKEN' } } })).toEqual([]);
  });

  it('refuses at save a query whose value could change its structure, naming the field', () => {
    expect(problems({ query: 'disk_used_ratio{instance={{ alert.labels.instance }}}' })).toEqual([
      'nodes.1.config.query: node "verify": PromQL template "disk_used_ratio{instance={{ alert.labels.instance }}}" is invalid: {{ alert.labels.instance }} sits outside a string: a value there could change the query; put it inside a double-quoted string, e.g. instance="{{ alert.labels.instance }}" (at character 29)',
    ]);
    expect(problems({ query: "up{instance='{{ alert.labels.instance }}'}" })[0]).toMatch(/^nodes\.1\.config\.query: .* sits in a single-quoted or backtick string/);
  });

  it('refuses a typo in result, an expectation that is no condition, and result elsewhere in the flow', () => {
    expect(problems({ expect: 'reslt.size() == 0' })[0]).toMatch(/^nodes\.1\.config\.expect: node "verify": CEL expression .* is invalid: Unknown variable: reslt/);
    expect(problems({ expect: 'result.size()' })[0]).toMatch(/this condition gives a number, not true\/false/);
    const elsewhere = flow({});
    elsewhere.nodes.push({ id: 'branch', type: 'condition.expr', config: { expression: 'result.size() == 0' } } as never);
    elsewhere.edges.push({ source: 'verify', sourcePort: 'pass', target: 'branch' } as never);
    const result = validateFlow(elsewhere, lookupNodeSpec);
    expect(result.ok ? [] : result.issues.map((i) => i.message)).toEqual([expect.stringMatching(/Unknown variable: result/)]);
  });

  it('is simulated without connecting: the query rendered as the step would render it, "pass" assumed', async () => {
    const checked = validateFlow(flow({}), lookupNodeSpec);
    if (!checked.ok) throw new Error('the flow should be valid');
    const [sim] = await simulateFlow(checked.flow, 'alertmanager', amBody('fp1', { instance: 'db1"} or vector(1) #' }));
    expect(sim!.steps.find((s) => s.nodeId === 'verify')).toMatchObject({
      status: 'taken',
      port: 'pass',
      assumed: true,
      rendered: { query: 'disk_used_ratio{instance="db1\\"} or vector(1) #", mountpoint="/"}' },
    });
  });
});
