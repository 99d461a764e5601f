import { describe, expect, it } from 'vitest';
import { validateFlow } from '../../../shared/flow/validate.js';
import { renderConfig } from '../../../runtime/engine/dispatch/render.js';
import { flowDoc } from '../../../test/kit/flow.js';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { lookupNodeSpec } from '../../catalog.js';
import { enrichGraph, GraphConfigSchema } from './definition.js';

const paths = (input: unknown) => GraphConfigSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

/** The catalog's types plus this one (the catalog lists it once integrated). */
const lookup = (type: string) => (type === 'enrich.graph' ? enrichGraph : lookupNodeSpec(type));

/** A flow: Alertmanager → graph (enrich.graph with `config`). */
const problems = (config: Record<string, unknown>) => {
  const flow = flowDoc({ id: 'chart-load', nodes: [{ id: 'graph', type: 'enrich.graph', config: { url: 'http://prometheus.internal:9090', ...config } }], edges: [{ source: 'am', target: 'graph' }] });
  const result = validateFlow(flow, lookup);
  return result.ok ? [] : result.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('enrich.graph config', () => {
  it('fills defaults: the last hour, PNG, 15 s; the alert’s expression only when asked for', () => {
    expect(GraphConfigSchema.parse({ url: 'http://prom:9090', query: 'up' })).toEqual({ url: 'http://prom:9090', headers: {}, query: 'up', alertExpression: false, rangeMinutes: 60, format: 'png', timeoutSeconds: 15 });
    expect(GraphConfigSchema.parse({ url: 'http://prom:9090', alertExpression: true })).toMatchObject({ alertExpression: true });
  });

  it('charts what the flow says unless told to take the alert’s expression: an alert does not choose what Prometheus runs by default', () => {
    expect(paths({ url: 'http://prom:9090' })).toEqual(['query: query is required: write the PromQL to chart, or set alertExpression to chart the alert’s own expression']);
    expect(paths({ url: 'http://prom:9090', query: 'up', alertExpression: true })).toEqual(['alertExpression: either query or alertExpression: the query given is what is charted']);
  });

  it('names each bad field', () => {
    expect(paths({ query: 'up' })).toEqual(['url: url is required, e.g. http://prometheus.internal:9090']);
    expect(paths({ url: 'http://{{ alert.labels.prometheus }}:9090', query: 'up' })).toEqual(['url: must be written out: an alert may not choose where Salve connects, e.g. http://prometheus.internal:9090']);
    expect(paths({ url: 'http://prom:9090/?x=1', query: 'up' })[0]).toContain('must have no query or fragment');
    expect(paths({ url: 'http://prom:9090', query: ' ', title: '' })).toEqual([
      'query: query is empty: write a PromQL query, or leave query out and set alertExpression to chart the alert’s own expression',
      'title: title is empty: leave it out for the alert’s name',
    ]);
    expect(paths({ url: 'http://prom:9090', query: 'up', rangeMinutes: 4, format: 'jpg', timeoutSeconds: 61 })).toEqual([
      'rangeMinutes: must be between 5 and 1440 minutes',
      'format: must be png or svg',
      'timeoutSeconds: must be between 1 and 60 seconds',
    ]);
    expect(paths({ url: 'http://prom:9090', query: 'up', rangeMinutes: 1441 })).toEqual(['rangeMinutes: must be between 5 and 1440 minutes']);
    expect(paths({ url: 'http://prom:9090', query: 'up', rangeMinutes: 7.5 })).toEqual(['rangeMinutes: must be a whole number of minutes']);
    expect(paths({ url: 'http://prom:9090', query: 'up', headers: { 'Content-Length': '3' }, step: 15 })).toEqual([
      'headers.Content-Length: Content-Length is set by Salve and cannot be configured',
      ': Unrecognized key: "step"',
    ]);
  });

  it('saves a query with alert values in double-quoted strings, a title template and a secret header', () => {
    expect(problems({ alertExpression: true })).toEqual([]);
    expect(problems({ query: 'rate(http_requests_total{instance="{{ alert.labels.instance }}"}[5m])', title: 'Requests on {{ alert.labels.instance }}' })).toEqual([]);
    expect(problems({ query: 'up', headers: { Authorization: { secret: 'PROM_TOKEN' } } })).toEqual([]);
  });

  it('refuses at save a query whose value could change its structure, and a title that reads nothing known', () => {
    expect(problems({ query: 'up{instance={{ alert.labels.instance }}}' })).toEqual([
      'nodes.1.config.query: node "graph": PromQL template "up{instance={{ alert.labels.instance }}}" is invalid: {{ alert.labels.instance }} sits outside a string: a value there could change the query; put it inside a double-quoted string, e.g. instance="{{ alert.labels.instance }}" (at character 16)',
    ]);
    expect(problems({ query: 'up', title: '{{ alret.name }}' })[0]).toMatch(/^nodes\.1\.config\.title: node "graph": template .* is invalid: .*alret/);
  });

  it('is rendered as the runner renders it: alert values escaped in the query, the title a template', () => {
    const config = GraphConfigSchema.parse({ url: 'http://prom:9090', query: 'up{instance="{{ alert.labels.instance }}"}', title: '{{ alert.name }} on {{ alert.labels.instance }}' });
    const vars = testContext({ vars: { alert: testAlert({ labels: { instance: 'db1"} or vector(1) #' } }) } }).vars;
    expect(renderConfig(config, enrichGraph.expressions(config), vars).value).toMatchObject({
      query: 'up{instance="db1\\"} or vector(1) #"}',
      title: 'DiskFull on db1"} or vector(1) #',
    });
  });

  it('says what it does in one line', () => {
    const mine = GraphConfigSchema.parse({ url: 'http://prom:9090', query: 'up{instance="{{ alert.labels.instance }}"}', rangeMinutes: 30 });
    expect(enrichGraph.summary(mine)).toBe('up{instance="{{…}}"} · 30 min');
    expect(enrichGraph.commandLine!(mine)).toBe('chart up{instance="{{ alert.labels.instance }}"} over the last 30 min from http://prom:9090');
    const theAlerts = GraphConfigSchema.parse({ url: 'http://prom:9090', alertExpression: true });
    expect(enrichGraph.summary(theAlerts)).toBe('the alert’s expression · 60 min');
    expect(enrichGraph.expressions(theAlerts)).toEqual([]);
  });
});
