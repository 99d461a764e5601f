import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderConfig } from '../../../runtime/engine/dispatch/render.js';
import { DestinationPolicy } from '../../../runtime/net/destination-policy.js';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { startPrometheus, type TestPrometheus } from '../../../test/kit/prometheus.js';
import { attachmentBytes } from '../../attachments.js';
import type { ExecContext, Resolved } from '../../executor.js';
import { enrichGraph, GraphConfigSchema, type GraphConfig } from './definition.js';
import { executeGraph } from './execute.js';
import type { GraphOutput } from './output.js';

/**
 * enrich.graph against a real Prometheus scraping three load gauges, one of them on a host whose
 * label value is hostile (quotes, markup): the range query Salve builds is one Prometheus
 * accepts (its `timeout` too), the answer's series are all counted and drawn, the alert's own
 * expression is charted from its generatorURL, and Prometheus's refusals arrive in its words.
 */
const HOSTILE = 'db3"} <script>&';
const exposition = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const METRICS = [
  '# TYPE node_load1 gauge',
  'node_load1{host="db1"} 3.5',
  'node_load1{host="db2"} 1.25',
  `node_load1{host="${exposition(HOSTILE)}"} 0.5`,
  '',
].join('\n');

let prometheus: TestPrometheus;
beforeAll(async () => {
  prometheus = await startPrometheus(METRICS);
  // Scrapes of each series over a few 2 s steps, so each is a line rather than a point.
  await prometheus.until('count_over_time(node_load1[1m]) >= 6', (r) => r.result.length === 3, 'six scrapes of the three load series');
}, 90_000);
afterAll(async () => {
  await prometheus?.stop();
});

/** A step for an alert with `links`, its config rendered as the runner renders it, then run now. */
async function graph(input: Record<string, unknown>, links: Record<string, string> = {}) {
  const policy = new DestinationPolicy({
    allowedTargets: ['127.0.0.1'],
    secretHosts: () => undefined,
    resolver: async () => {
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    },
  });
  const ctx: ExecContext = testContext({ network: policy.forStep({ secrets: [] }), now: () => new Date(), vars: { alert: testAlert({ name: 'HighLoad', links }) } });
  const config = GraphConfigSchema.parse({ url: prometheus.url, rangeMinutes: 5, ...input });
  const rendered = renderConfig(config, enrichGraph.expressions(config), ctx.vars);
  const outcome = await executeGraph(rendered.value as Resolved<GraphConfig>, ctx);
  return { outcome, output: (outcome as { output: GraphOutput }).output };
}

describe('enrich.graph against a real Prometheus', () => {
  it('charts every series of the answer as a PNG', async () => {
    const { outcome, output } = await graph({ query: 'node_load1' });
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { query: 'node_load1', series: 3, shown: 3, stepSeconds: 2, status: 200 } });
    expect(output.points).toBeGreaterThanOrEqual(6);
    expect(output.message).toBeUndefined();
    expect(output.attachment).toMatchObject({ name: 'HighLoad.png', mediaType: 'image/png' });
    const png = attachmentBytes(output.attachment!);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([800, 320]);
  });

  it('draws one line per series, highest first, labelled by what tells them apart (SVG)', async () => {
    const { output } = await graph({ query: 'node_load1{job="exporter"}', format: 'svg', title: 'Load of {{ alert.name }}' });
    expect(output).toMatchObject({ series: 3, shown: 3 });
    const svg = attachmentBytes(output.attachment!).toString('utf8');
    expect(svg.match(/<g class="mark-line[^"]*"/g)).toHaveLength(3);
    const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(texts).toEqual(expect.arrayContaining(['Load of HighLoad', '{host="db1"}', '{host="db2"}', '{host="db3\\"} &lt;script&gt;&amp;"}']));
    expect(texts.indexOf('{host="db1"}')).toBeLessThan(texts.indexOf('{host="db2"}'));
    expect(texts.some((t) => /· 3 series$/.test(t!))).toBe(true);
  });

  it('charts the alert’s own expression from its generatorURL, sent to the configured Prometheus', async () => {
    const link = `http://prometheus.elsewhere.test:9090/graph?g0.expr=${encodeURIComponent('node_load1 > 1')}&g0.tab=1`;
    const { outcome } = await graph({ alertExpression: true }, { source: link });
    expect(outcome).toMatchObject({ type: 'next', port: 'ok', output: { query: 'node_load1 > 1', series: 2, shown: 2 } });
  });

  it('makes an empty chart for an empty result, and goes to "error" with Prometheus’s own refusal', async () => {
    expect((await graph({ query: 'node_load1{host="nosuch"}' })).outcome).toMatchObject({ type: 'next', port: 'ok', output: { series: 0, shown: 0, points: 0 } });
    const { outcome, output } = await graph({ query: 'node_load1{host="db1"', timeoutSeconds: 1 });
    expect(outcome).toMatchObject({ type: 'fail', port: 'error', output: { status: 400 } });
    expect(output.message).toBe('Prometheus refused the query (400 bad_data): 1:22: parse error: unexpected end of input inside braces');
  });
});
