import { describe, expect, it } from 'vitest';
import { presentPrometheusCheckOutput } from './output.js';

describe('check.prometheus in the run view', () => {
  it('shows whether it passed and why not, the status, the result type and size, and says when series were cut', () => {
    const view = presentPrometheusCheckOutput({
      passed: false,
      status: 200,
      resultType: 'vector',
      result: [{ metric: { mountpoint: '/' }, value: '0.95' }],
      seriesTotal: 130,
      durationMs: 12,
      reason: 'the expectation was false: double(result[0].value) < 0.9 (the query gave 130 series)',
    });
    expect(view.facts).toEqual([
      { label: 'Check', text: 'Did not pass', tone: 'error' },
      { label: 'HTTP status', text: '200', tone: 'ok', status: true },
      { label: 'Result', text: 'vector, 130 series' },
      { label: 'Took', durationMs: 12 },
    ]);
    expect(view.blocks.map((b) => (b.kind === 'json' ? b.title : b.kind === 'attachment' ? b.attachment.name : b.text))).toEqual([
      'the expectation was false: double(result[0].value) < 0.9 (the query gave 130 series)',
      'The first 1 of 130 series are shown.',
      'Result',
    ]);
  });

  it('shows no answer, and Prometheus’s refusal, without an empty result', () => {
    const none = presentPrometheusCheckOutput({ passed: false, status: null, resultType: null, result: [], seriesTotal: 0, durationMs: 3, reason: 'GET http://prom:9090/api/v1/query failed: connect ECONNREFUSED 127.0.0.1:9090' });
    expect(none.facts[1]).toEqual({ label: 'HTTP status', missing: 'No answer' });
    expect(none.blocks).toEqual([{ kind: 'note', text: 'GET http://prom:9090/api/v1/query failed: connect ECONNREFUSED 127.0.0.1:9090', tone: 'error' }]);
    const refused = presentPrometheusCheckOutput({ passed: false, status: 400, resultType: null, result: [], seriesTotal: 0, durationMs: 3, error: { type: 'bad_data', message: 'parse error' }, reason: 'Prometheus refused the query (400 bad_data): parse error' });
    expect(refused.facts[1]).toEqual({ label: 'HTTP status', text: '400', tone: 'error', status: true });
    expect(refused.blocks.map((b) => b.kind)).toEqual(['note']);
  });
});
