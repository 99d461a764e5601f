import { describe, expect, it } from 'vitest';
import { type Chart, chartLines, renderChart } from './chart.js';
import type { MatrixSeries } from './range-query.js';

const TO = new Date('2026-11-24T01:00:00.000Z');
const FROM = new Date(TO.getTime() - 3600_000);
const STEP_MS = 15_000;

/** A series over the hour, one sample every 15 s, its value at sample i given by `value`. */
const series = (metric: Record<string, string>, value: (i: number) => number | null): MatrixSeries => ({
  metric,
  points: Array.from({ length: 241 }, (_, i) => ({ t: FROM.getTime() + i * STEP_MS, v: value(i) })),
});

const chartOf = (all: MatrixSeries[], query = 'node_load1', title = 'HighLoad'): Chart => ({
  title,
  from: FROM,
  to: TO,
  stepSeconds: 15,
  lines: chartLines(all, query, { from: FROM, to: TO }),
  total: all.length,
});

const svgOf = async (chart: Chart) => Buffer.from((await renderChart(chart, 'svg')).bytes).toString('utf8');
/** The text elements of an SVG, as drawn. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
/** The `d` of every line mark's path. */
const linePaths = (svg: string) => [...svg.matchAll(/<g class="mark-line[^"]*"[^>]*>(.*?)<\/g>/g)].flatMap((g) => [...g[1]!.matchAll(/ d="([^"]*)"/g)].map((m) => m[1]!));

/** The PNG signature and the width and height in its IHDR chunk (which must come first). */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const png = Buffer.from(bytes);
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const wave = (phase: number, level: number) => (i: number) => level + Math.sin(i / 20 + phase);

describe('the lines drawn', () => {
  it('are the 10 series with the highest maximum, highest first, of however many came', () => {
    const all = Array.from({ length: 37 }, (_, n) => series({ __name__: 'node_load1', instance: `host-${n}:9100` }, () => n));
    const lines = chartLines(all, 'node_load1', { from: FROM, to: TO });
    expect(lines.map((l) => l.label)).toEqual(Array.from({ length: 10 }, (_, i) => `{instance="host-${36 - i}:9100"}`));
    // A series with no value at all (only NaN) is drawn last.
    const gapsOnly = series({ instance: 'nan' }, () => null);
    expect(chartLines([gapsOnly, series({ instance: 'low' }, () => -5)], 'q', { from: FROM, to: TO }).map((l) => l.label)).toEqual(['{instance="low"}', '{instance="nan"}']);
  });

  it('are labelled by the series labels: no metric name when every series has the same one, nor labels every line shares, cut to 60 characters, unique', () => {
    const one = chartLines([series({ __name__: 'up', job: 'node', instance: 'a:9100' }, () => 1)], 'up', { from: FROM, to: TO });
    expect(one[0]!.label).toBe('{instance="a:9100", job="node"}');
    const two = chartLines([series({ __name__: 'up', job: 'node', env: 'a' }, () => 2), series({ __name__: 'scrape_duration_seconds', job: 'node' }, () => 1)], '{job="node"}', { from: FROM, to: TO });
    expect(two.map((l) => l.label)).toEqual(['up{env="a"}', 'scrape_duration_seconds']);
    const disks = ['/', '/var/lib/postgresql'].map((mountpoint, i) =>
      series({ __name__: 'node_filesystem_avail_bytes', instance: 'db1.example.internal:9100', job: 'node', device: '/dev/sda1', mountpoint }, () => i),
    );
    expect(chartLines(disks, 'node_filesystem_avail_bytes', { from: FROM, to: TO }).map((l) => l.label)).toEqual(['{mountpoint="/var/lib/postgresql"}', '{mountpoint="/"}']);
    const long = 'x'.repeat(100);
    const cut = chartLines([series({ path: `${long}a` }, () => 2), series({ path: `${long}b` }, () => 1)], 'q', { from: FROM, to: TO });
    expect(cut.map((l) => l.label.length)).toEqual([60, 60]);
    expect(cut[0]!.label).toMatch(/^\{path="x+…$/);
    expect(cut[1]!.label).toMatch(/^\{path="x+… \(2\)$/);
    // A series without labels (sum(…)) is labelled by the query.
    expect(chartLines([series({}, () => 1)], 'sum(rate(http_requests_total[5m]))', { from: FROM, to: TO })[0]!.label).toBe('sum(rate(http_requests_total[5m]))');
  });

  it('keep only samples inside the range, and no character SVG cannot hold', () => {
    const hostile = series({ instance: 'a\u0000b\u001b[31m\nc\ud800' }, () => 1);
    hostile.points.push({ t: TO.getTime() + 3600_000, v: 1 }, { t: -1e15, v: 1 });
    const [line] = chartLines([hostile], 'q', { from: FROM, to: TO });
    expect(line!.points).toHaveLength(241);
    // Written as Prometheus writes label values: escaped, so nothing unprintable reaches the SVG.
    expect(line!.label).toBe('{instance="a\\u0000b\\u001b[31m\\nc\\ud800"}');
  });
});

describe('the chart', () => {
  it('draws the title, the range in UTC and the legend labels (SVG)', async () => {
    const svg = await svgOf(chartOf([series({ __name__: 'node_load1', instance: 'db1:9100' }, wave(0, 5)), series({ __name__: 'node_load1', instance: 'db2:9100' }, wave(2, 3))]));
    expect(svg).toMatch(/^<svg [^>]*width="800" height="320"/);
    const drawn = texts(svg);
    expect(drawn).toContain('HighLoad');
    expect(drawn).toContain('2026-11-24 00:00 – 2026-11-24 01:00 UTC · step 15 s · 2 series');
    expect(drawn).toContain('{instance="db1:9100"}');
    expect(drawn).toContain('{instance="db2:9100"}');
    expect(drawn).toContain('00:30');
    expect(svg).toContain('font-family="DejaVu Sans"');
    expect(linePaths(svg)).toHaveLength(2);
  });

  it('is a PNG of 800×320', async () => {
    const rendered = await renderChart(chartOf([series({ instance: 'db1:9100' }, wave(0, 5))]), 'png');
    expect(rendered.mediaType).toBe('image/png');
    expect(pngSize(rendered.bytes)).toEqual({ width: 800, height: 320 });
    expect(rendered.bytes.byteLength).toBeGreaterThan(5_000);
  });

  it('says "no data" for an empty result, and is still a picture', async () => {
    const empty = chartOf([]);
    const svg = await svgOf(empty);
    expect(texts(svg)).toEqual(expect.arrayContaining(['HighLoad', 'No data', '2026-11-24 00:00 – 2026-11-24 01:00 UTC · step 15 s · no data']));
    expect(linePaths(svg).join('')).toBe('');
    expect(pngSize((await renderChart(empty, 'png')).bytes)).toEqual({ width: 800, height: 320 });
  });

  it('says "10 of N series" and draws only those 10', async () => {
    const all = Array.from({ length: 37 }, (_, n) => series({ instance: `host-${n}` }, wave(n, n)));
    const svg = await svgOf(chartOf(all));
    const drawn = texts(svg);
    expect(drawn).toContain('2026-11-24 00:00 – 2026-11-24 01:00 UTC · step 15 s · 10 of 37 series');
    expect(drawn).toContain('{instance="host-36"}');
    expect(drawn).toContain('{instance="host-27"}');
    expect(drawn).not.toContain('{instance="host-26"}');
    expect(linePaths(svg)).toHaveLength(10);
  });

  it('draws NaN and infinite samples as gaps, and survives hostile values and labels', async () => {
    const gappy = series({ instance: 'gappy' }, (i) => (i >= 100 && i < 110 ? null : i));
    const [path] = linePaths(await svgOf(chartOf([gappy])));
    // Two pieces: the line is broken at the gap, not drawn across it.
    expect(path!.match(/M/g)).toHaveLength(2);

    const extreme = series({ instance: '<script>alert(1)</script> & "q"' }, (i) => (i % 2 ? 1.7e308 : -1.7e308));
    const onlyGaps = series({ instance: 'nan' }, () => null);
    const chart = chartOf([extreme, onlyGaps, gappy], 'q', 'Title <b>&amp; \u0007');
    const svg = await svgOf(chart);
    expect(svg).not.toContain('<script>');
    expect(texts(svg)).toContain('{instance="&lt;script&gt;alert(1)&lt;/script&gt; &amp; \\"q\\""}');
    // resvg parses the SVG: it is well-formed.
    expect(pngSize((await renderChart(chart, 'png')).bytes)).toEqual({ width: 800, height: 320 });
  });

  it('renders without Function or eval (the interpreter evaluates Vega’s expressions)', async () => {
    const chart = chartOf([series({ instance: 'db1:9100' }, wave(0, 5))]);
    await renderChart(chart, 'png'); // the modules are loaded before the trap is set
    const { Function: RealFunction, eval: realEval } = globalThis;
    const calls: string[] = [];
    globalThis.Function = new Proxy(RealFunction, {
      apply: (_target, _self, args) => {
        calls.push(`Function(${args.join(', ')})`);
        throw new Error('Function called while rendering');
      },
      construct: (_target, args) => {
        calls.push(`new Function(${args.join(', ')})`);
        throw new Error('Function called while rendering');
      },
    });
    globalThis.eval = (code: string) => {
      calls.push(`eval(${code})`);
      throw new Error('eval called while rendering');
    };
    try {
      await renderChart(chart, 'png');
      await renderChart(chartOf([]), 'svg');
    } finally {
      globalThis.Function = RealFunction;
      globalThis.eval = realEval;
    }
    expect(calls).toEqual([]);
  });
});
