import { describe, expect, it } from 'vitest';
import { chooseStep, MAX_POINTS_PER_SERIES, prometheusTimeout, rangeQueryUrl, readRangeAnswer } from './range-query.js';

const TARGET = 'GET http://prom:9090/api/v1/query_range';
const read = (body: unknown, status = 200) => readRangeAnswer(TARGET, status, typeof body === 'string' ? body : JSON.stringify(body));

describe('the range query', () => {
  it('takes a round step giving about 240 points: 2 s for 5 min, 15 s for an hour, 6 min for a day', () => {
    expect([5, 15, 30, 60, 180, 360, 720, 1440].map((minutes) => chooseStep(minutes * 60))).toEqual([2, 5, 10, 15, 45, 90, 180, 360]);
    for (let minutes = 5; minutes <= 1440; minutes++) {
      const points = (minutes * 60) / chooseStep(minutes * 60) + 1;
      expect(points).toBeLessThanOrEqual(241);
      expect(points).toBeGreaterThanOrEqual(121);
    }
  });

  it('asks Prometheus to stop a little before Salve gives up', () => {
    expect([1, 2, 15, 60].map(prometheusTimeout)).toEqual(['500ms', '1s', '14s', '59s']);
  });

  it('is a GET below the base URL and its path prefix, with start, end, step and timeout', () => {
    const url = rangeQueryUrl({
      url: 'http://monitoring.internal/prometheus/',
      query: 'rate(x{a="b c"}[5m]) > 0 & 1',
      from: new Date('2026-11-24T00:00:00.000Z'),
      to: new Date('2026-11-24T01:00:00.250Z'),
      stepSeconds: 15,
      timeoutSeconds: 15,
    });
    expect(url.origin + url.pathname).toBe('http://monitoring.internal/prometheus/api/v1/query_range');
    expect([...url.searchParams]).toEqual([
      ['query', 'rate(x{a="b c"}[5m]) > 0 & 1'],
      ['start', '1795478400'],
      ['end', '1795482000.25'],
      ['step', '15'],
      ['timeout', '14s'],
    ]);
  });
});

describe('reading the answer', () => {
  it('reads a matrix: labels, times in ms, values as numbers, NaN and infinities as gaps', () => {
    const answer = read({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { __name__: 'up', instance: 'a' }, values: [[1795478400, '1'], [1795478415.5, 'NaN'], [1795478430, '+Inf'], [1795478445, '-Inf'], [1795478460, '1e3'], [1795478475, '0x10'], [1795478490, '']] },
          { metric: { instance: 'h' }, histograms: [[1795478400, { count: '1', sum: '1' }]] },
        ],
      },
      warnings: ['PromQL info: metric might not be a counter'],
    });
    expect(answer).toEqual({
      ok: true,
      status: 200,
      warnings: ['PromQL info: metric might not be a counter'],
      series: [
        {
          metric: { __name__: 'up', instance: 'a' },
          points: [
            { t: 1795478400000, v: 1 },
            { t: 1795478415500, v: null },
            { t: 1795478430000, v: null },
            { t: 1795478445000, v: null },
            { t: 1795478460000, v: 1000 },
            { t: 1795478475000, v: null },
            { t: 1795478490000, v: null },
          ],
        },
        // A native histogram has no value to draw: a series without points.
        { metric: { instance: 'h' }, points: [] },
      ],
    });
  });

  it('gives Prometheus’s own refusal, with its errorType', () => {
    expect(read({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error' }, 400)).toEqual({
      ok: false,
      status: 400,
      error: { type: 'bad_data', message: 'invalid parameter "query": 1:5: parse error' },
      message: 'Prometheus refused the query (400 bad_data): invalid parameter "query": 1:5: parse error',
    });
    expect(read({ status: 'success', data: { resultType: 'matrix', result: [] } }, 503)).toMatchObject({ ok: false, message: 'Prometheus refused the query (503 unknown): no message' });
  });

  it('refuses what is no range query result: garbage, another result type, a broken matrix, too many samples', () => {
    expect(read('<html>Bad Gateway</html>', 502)).toEqual({ ok: false, status: 502, message: `${TARGET} answered 502, not with a Prometheus query result: "<html>Bad Gateway</html>"` });
    expect(read('{"status":"success","data":')).toMatchObject({ ok: false, message: expect.stringContaining('not with a Prometheus query result') });
    expect(read({ status: 'success', data: { resultType: 'vector', result: [] } })).toEqual({ ok: false, status: 200, message: `${TARGET} answered with a "vector" result, not a matrix (what a range query gives)` });
    expect(read({ status: 'success', data: { resultType: 'matrix', result: [{ metric: { a: 1 }, values: [] }] } })).toMatchObject({ ok: false, message: 'the matrix in the answer is not a list of series with labels and [time, value] samples' });
    expect(read({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, 2]] }] } })).toMatchObject({ ok: false });
    const many = Array.from({ length: MAX_POINTS_PER_SERIES + 1 }, (_, i) => [i, '1']);
    expect(read({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: many }] } })).toMatchObject({
      ok: false,
      message: 'the answer has a series of 11001 samples; a range query gives at most 11,000 per series',
    });
    const most = Array.from({ length: MAX_POINTS_PER_SERIES }, (_, i) => [i, '1']);
    expect(read({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: most }] } })).toMatchObject({ ok: true });
  });
});
