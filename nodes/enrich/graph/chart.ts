import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import { truncate } from '../../../shared/text.js';
import type { MatrixSeries } from './range-query.js';

/**
 * The chart of a range query, drawn on the server: a Vega-Lite line chart built here, compiled
 * with vega-lite, rendered to SVG by vega (no browser, no canvas), and rasterized to PNG by
 * resvg. Everything drawn comes from the alert or from Prometheus's answer, so the input is
 * bounded before it gets here (at most 10 series of at most ~240 points, labels cut to 60
 * characters, control characters removed) and the rendering time with it. The spec holds inline
 * values only, never a data or image URL, so Vega's loader fetches nothing.
 *
 * No `eval`, `Function` or `node:vm` on this path (a project rule). Vega compiles its
 * expressions (signals, encodings, the axis and legend label code Vega-Lite generates) into
 * functions with `Function` (vega-runtime's `expressionCodegen`, also its `codegen.get` and
 * `codegen.comparator` field accessors) unless the spec is parsed with `{ ast: true }` and the
 * View is given `{ expr: expressionInterpreter }` from vega-interpreter, which evaluates the
 * parsed expression trees instead; the interpreter has no `codegen`, so vega-util's `field`,
 * `key` and `compare` fall back to plain closures. Checked on the packages as pinned
 * (vega 6.4.0, vega-lite 6.4.3, vega-interpreter 2.3.2) by grepping every module a render loads
 * (listed with a module resolve hook): the only other `Function` there is d3-dsv's CSV/TSV row converter, reached only when Vega parses CSV or TSV
 * data (here the data is inline JSON values); vega-lite's compiler, vega-expression's parser and
 * code generator (which only builds strings), the scenegraph's SVG renderer and resvg-js (a
 * native addon) use none. chart.test.ts renders with `Function` and `eval` trapped to keep it so.
 */

const CHART_WIDTH = 800;
const CHART_HEIGHT = 320;
/** Series drawn at most: the ones with the highest maximum. */
const MAX_SHOWN_SERIES = 10;
/** A legend label's length at most, in characters. */
const MAX_LABEL = 60;
/** A title's length at most, in characters. */
export const MAX_TITLE = 120;

/** The one font, shipped on npm (no system font is used: the machine may have none). */
const FONT_FAMILY = 'DejaVu Sans';
const require = createRequire(import.meta.url);
/** DejaVu Sans and its bold face (titles), from the `dejavu-fonts-ttf` package. */
const fontFiles = () => [require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'), require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')];

/** One line of the chart: its legend label and its samples (`v` null: a gap). */
export interface ChartLine {
  label: string;
  points: { t: number; v: number | null }[];
}

/** What one chart shows. */
export interface Chart {
  title: string;
  from: Date;
  to: Date;
  stepSeconds: number;
  /** The lines drawn (at most 10). */
  lines: ChartLine[];
  /** How many series the answer had. */
  total: number;
}

/** Characters SVG (XML 1.0) cannot hold or that would break a line: control characters, U+FFFE/U+FFFF. */
const UNPRINTABLE = /[\p{Cc}\ufffe\uffff]/gu;
/** Half a UTF-16 surrogate pair: not a character at all. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` as the chart may draw it: one line of characters XML can hold, at most `max` long. */
export function drawable(text: string, max: number): string {
  return truncate(text.replace(UNPRINTABLE, ' ').replace(LONE_SURROGATE, '\ufffd').replace(/\s+/g, ' ').trim(), max);
}

/** A series' labels as Prometheus writes them, `name{a="x", b="y"}`, without the labels `omit` names. */
function labelsText(metric: Record<string, string>, omit: ReadonlySet<string>): string {
  const { __name__: name, ...labels } = metric;
  const pairs = Object.keys(labels)
    .filter((key) => !omit.has(key))
    .sort()
    .map((key) => `${key}=${JSON.stringify(labels[key])}`)
    .join(', ');
  const shownName = omit.has('__name__') ? '' : (name ?? '');
  return pairs ? `${shownName}{${pairs}}` : shownName;
}

/**
 * The labels a legend leaves out: `__name__` when every series has the same one (the query names
 * one metric), and, when several lines are drawn, every label they all share (`job="node"` on
 * each says nothing and would push what tells them apart past the 60 characters).
 */
function sharedLabels(all: readonly MatrixSeries[], shown: readonly MatrixSeries[]): Set<string> {
  const omit = new Set<string>();
  if (new Set(all.map((s) => s.metric.__name__)).size === 1) omit.add('__name__');
  const [first, ...rest] = shown;
  if (!first || rest.length === 0) return omit;
  for (const [key, value] of Object.entries(first.metric)) {
    if (key !== '__name__' && rest.every((s) => s.metric[key] === value)) omit.add(key);
  }
  return omit;
}

/** The highest value a series reaches; -Infinity when it has none (drawn last). */
const highest = (series: MatrixSeries) => series.points.reduce((max, p) => (p.v !== null && p.v > max ? p.v : max), Number.NEGATIVE_INFINITY);

/**
 * The lines to draw from the answer's series: the 10 with the highest maximum, highest first,
 * each labelled by the labels that tell it from the others (see sharedLabels; the query itself
 * for a series without any), cut to 60 characters and made unique. Samples outside `[from, to]`
 * are dropped.
 */
export function chartLines(series: readonly MatrixSeries[], query: string, range: { from: Date; to: Date }): ChartLine[] {
  const shown = series
    .map((s) => ({ s, max: highest(s) }))
    .sort((a, b) => b.max - a.max || 0)
    .slice(0, MAX_SHOWN_SERIES)
    .map(({ s }) => s);
  const omit = sharedLabels(series, shown);
  const from = range.from.getTime();
  const to = range.to.getTime();
  const used = new Set<string>();
  return shown.map((s) => {
    const base = drawable(labelsText(s.metric, omit) || query, MAX_LABEL);
    let label = base;
    for (let n = 2; used.has(label); n++) label = `${truncate(base, MAX_LABEL - String(n).length - 3)} (${n})`;
    used.add(label);
    return { label, points: s.points.filter((p) => p.t >= from && p.t <= to) };
  });
}

/** `2026-11-24 01:00` in UTC. */
const utcMinute = (time: Date) => time.toISOString().slice(0, 16).replace('T', ' ');

/** A time as a Vega-Lite DateTime in UTC (a scale domain). */
const dateTime = (time: Date) => ({
  utc: true,
  year: time.getUTCFullYear(),
  month: time.getUTCMonth() + 1,
  date: time.getUTCDate(),
  hours: time.getUTCHours(),
  minutes: time.getUTCMinutes(),
  seconds: time.getUTCSeconds(),
  milliseconds: time.getUTCMilliseconds(),
});

/** The line under the title: the range in UTC, the step, and how many series are drawn ("10 of 37 series", "no data"). */
function subtitleOf(chart: Chart): string {
  const shown = chart.lines.length === 0 ? 'no data' : chart.total > chart.lines.length ? `${chart.lines.length} of ${chart.total} series` : `${chart.total} series`;
  return `${utcMinute(chart.from)} – ${utcMinute(chart.to)} UTC · step ${chart.stepSeconds} s · ${shown}`;
}

/**
 * How the value axis writes numbers: SI prefixes from 10,000 on (`36G`), plain below (`0.005`,
 * not `5m`, which would read as minutes).
 */
function valueFormat(values: readonly { v: number | null }[]): string {
  const largest = values.reduce((max, p) => (p.v !== null && Math.abs(p.v) > max ? Math.abs(p.v) : max), 0);
  return largest >= 10_000 ? '~s' : '~r';
}

/** The Vega-Lite spec of a chart: lines over a UTC time axis, a legend below, "No data" across an empty one. */
function chartSpec(chart: Chart): TopLevelSpec {
  // Labels and the title come from the alert and the answer: drawn only as text XML can hold.
  const labels = chart.lines.map((line) => drawable(line.label, MAX_LABEL));
  const values = chart.lines.flatMap((line, i) => line.points.map((p) => ({ t: p.t, v: p.v, series: labels[i] })));
  const x = {
    field: 't',
    type: 'temporal' as const,
    scale: { type: 'utc' as const, domain: [dateTime(chart.from), dateTime(chart.to)] },
    axis: { title: null, format: chart.to.getTime() - chart.from.getTime() > 12 * 3600_000 ? '%d %H:%M' : '%H:%M', labelOverlap: true },
  };
  const lines = {
    mark: { type: 'line' as const, clip: true, strokeWidth: 1.5, invalid: 'break-paths-filter-domains' as const },
    encoding: {
      x,
      y: { field: 'v', type: 'quantitative' as const, scale: { zero: false }, axis: { title: null, format: valueFormat(values), tickCount: 5 } },
      color: {
        field: 'series',
        type: 'nominal' as const,
        sort: labels,
        legend: { title: null, orient: 'bottom' as const, direction: 'vertical' as const, columns: 2, labelLimit: 380, symbolType: 'stroke', labelFontSize: 10 },
      },
    },
  };
  const noData = {
    data: { values: [{}] },
    mark: { type: 'text' as const, text: 'No data', fontSize: 16, color: '#888' },
    encoding: { x: { value: CHART_WIDTH / 2 }, y: { value: CHART_HEIGHT / 3 } },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    padding: 8,
    background: 'white',
    title: { text: drawable(chart.title, MAX_TITLE), subtitle: subtitleOf(chart), anchor: 'start', fontSize: 14, subtitleFontSize: 11, subtitleColor: '#555' },
    data: { values },
    layer: chart.lines.length === 0 ? [{ ...lines, encoding: { x, y: lines.encoding.y } }, noData] : [lines],
    config: { font: FONT_FAMILY, view: { stroke: '#ddd' } },
  };
}

/** A rendered chart: its bytes and what they are. */
export interface RenderedChart {
  mediaType: 'image/png' | 'image/svg+xml';
  bytes: Uint8Array;
}

/** Vega-Lite's and Vega's warnings (e.g. a scale with no data) are not the step's to report. */
const quiet = { level: () => quiet, error: () => quiet, warn: () => quiet, info: () => quiet, debug: () => quiet };

/**
 * Draws the chart as SVG (`format: 'svg'`) or PNG (800×320). vega, vega-lite, vega-interpreter
 * and resvg are loaded on the first chart, not when Salve starts.
 */
export async function renderChart(chart: Chart, format: 'png' | 'svg'): Promise<RenderedChart> {
  const [vegaLite, vega, { expressionInterpreter }] = await Promise.all([import('vega-lite'), import('vega'), import('vega-interpreter')]);
  const compiled = vegaLite.compile(chartSpec(chart), { logger: quiet }).spec;
  // ast: expressions stay parsed trees; expr: the interpreter evaluates them (no Function).
  const view = new vega.View(vega.parse(compiled, undefined, { ast: true }), { renderer: 'none', expr: expressionInterpreter, logLevel: vega.None });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  if (format === 'svg') return { mediaType: 'image/svg+xml', bytes: Buffer.from(svg, 'utf8') };
  const { renderAsync } = await import('@resvg/resvg-js');
  // Rasterized on libuv's thread pool: the event loop keeps taking webhooks meanwhile.
  const image = await renderAsync(svg, {
    fitTo: { mode: 'original' },
    background: 'white',
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  const png = image.asPng();
  return { mediaType: 'image/png', bytes: png };
}
