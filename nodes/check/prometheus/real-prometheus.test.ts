import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderConfig } from '../../../runtime/engine/dispatch/render.js';
import { DestinationPolicy } from '../../../runtime/net/destination-policy.js';
import { testAlert, testContext } from '../../../test/kit/nodes.js';
import { startPrometheus, type TestPrometheus } from '../../../test/kit/prometheus.js';
import type { ExecContext, Resolved } from '../../executor.js';
import { prometheusCheck, PrometheusCheckConfigSchema, type PrometheusCheckConfig } from './definition.js';
import { executePrometheusCheck } from './execute.js';
import type { PrometheusCheckOutput } from './output.js';

/**
 * check.prometheus against a real Prometheus scraping a disk gauge. One series carries a hostile
 * label value (quotes, a backslash, a line break, PromQL after them): a query built from an alert
 * label with that value must find exactly that series, i.e. the value stayed one string.
 */
const HOSTILE = 'db1"} or vector(1) or up{x="\\\nz';
/** A label value in the text exposition format: backslash, double quote and line break escaped. */
const exposition = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const metrics = (rootUsed: number) =>
  [
    '# TYPE disk_used_ratio gauge',
    `disk_used_ratio{mountpoint="/"} ${rootUsed}`,
    `disk_used_ratio{mountpoint="/data",owner="${exposition(HOSTILE)}"} 0.5`,
    '',
  ].join('\n');

let prometheus: TestPrometheus;
beforeAll(async () => {
  prometheus = await startPrometheus(metrics(0.95));
  await prometheus.until('disk_used_ratio', (r) => r.result.length === 2, 'both disk series');
}, 90_000);
afterAll(async () => {
  await prometheus?.stop();
});

/** A step for an alert with `labels`, its config rendered as the runner renders it, then run. */
async function check(input: Record<string, unknown>, labels: Record<string, string> = { mountpoint: '/' }) {
  const policy = new DestinationPolicy({
    allowedTargets: ['127.0.0.1'],
    secretHosts: () => undefined,
    resolver: async () => {
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    },
  });
  const ctx: ExecContext = testContext({ network: policy.forStep({ secrets: [] }), vars: { alert: testAlert({ labels }) } });
  const config = PrometheusCheckConfigSchema.parse({ url: prometheus.url, ...input });
  const rendered = renderConfig(config, prometheusCheck.expressions(config), ctx.vars);
  const outcome = await executePrometheusCheck(rendered.value as Resolved<PrometheusCheckConfig>, ctx);
  return { outcome, output: (outcome as { output: PrometheusCheckOutput }).output, query: (rendered.value as PrometheusCheckConfig).query };
}

const DISK = 'disk_used_ratio{mountpoint="{{ alert.labels.mountpoint }}"}';

describe('check.prometheus against a real Prometheus', () => {
  it('passes or fails on the scraped value, reading it as a string the expectation converts', async () => {
    const full = await check({ query: DISK, expect: 'double(result[0].value) < 0.9' });
    expect(full.outcome).toMatchObject({ type: 'next', port: 'fail', output: { passed: false, status: 200, resultType: 'vector', seriesTotal: 1 } });
    expect(full.output.result).toEqual([{ metric: { __name__: 'disk_used_ratio', instance: prometheus.instance, job: 'exporter', mountpoint: '/' }, value: '0.95' }]);
    expect(full.output.reason).toBe('the expectation was false: double(result[0].value) < 0.9 (the query gave 1 series)');

    // The remediation freed space: the next scrapes report it, and the same check passes.
    prometheus.serve(metrics(0.42));
    await prometheus.until('disk_used_ratio{mountpoint="/"} < 0.9', (r) => r.result.length === 1, 'the freed disk');
    expect((await check({ query: DISK, expect: 'double(result[0].value) < 0.9' })).outcome).toMatchObject({ type: 'next', port: 'pass', output: { passed: true } });
    expect((await check({ query: 'disk_used_ratio{mountpoint="{{ alert.labels.mountpoint }}"} > 0.9', expect: 'result.size() == 0' })).outcome).toMatchObject({
      type: 'next',
      port: 'pass',
    });
  });

  it('reads a scalar result', async () => {
    const { outcome } = await check({ query: 'scalar(count(disk_used_ratio))', expect: 'resultType == "scalar" && double(result[0].value) == 2.0' });
    expect(outcome).toMatchObject({ type: 'next', port: 'pass', output: { resultType: 'scalar', result: [{ metric: {}, value: '2' }] } });
  });

  it('keeps a hostile label value one string: the query finds exactly the series carrying it', async () => {
    const owned = await check({ query: 'disk_used_ratio{owner="{{ alert.labels.owner }}"}', expect: 'result.size() == 1 && result[0].metric.owner == alert.labels.owner' }, { owner: HOSTILE });
    expect(owned.query).toBe('disk_used_ratio{owner="db1\\"} or vector(1) or up{x=\\"\\\\\\nz"}');
    expect(owned.outcome).toMatchObject({ type: 'next', port: 'pass', output: { seriesTotal: 1, result: [{ metric: { mountpoint: '/data', owner: HOSTILE }, value: '0.5' }] } });

    // In a regex matcher the value matches itself: ".*" finds no series, where unquoted it would find both.
    const everything = await check({ query: 'disk_used_ratio{mountpoint=~"{{ alert.labels.mountpoint }}"}', expect: 'result.size() == 0' }, { mountpoint: '.*' });
    expect(everything.outcome).toMatchObject({ type: 'next', port: 'pass', output: { seriesTotal: 0 } });
  });

  it('goes to "fail" with Prometheus’s error when it refuses the query', async () => {
    const { outcome, output } = await check({ query: 'disk_used_ratio{mountpoint="/"', expect: 'result.size() == 0' });
    expect(outcome).toMatchObject({ type: 'next', port: 'fail', output: { passed: false, status: 400, error: { type: 'bad_data' } } });
    expect(output.reason).toMatch(/^Prometheus refused the query \(400 bad_data\): invalid parameter "query": /);
  });
});
