import { useMemo } from 'react';
import uPlot from 'uplot';
import type { OutcomeBucket, OutcomeBucketRow } from '../../../shared/outcomes.js';
import { minutes, RUN_OUTCOMES, stackedRuns, xs } from './figures.js';
import { themeColor, UPlotChart } from './UPlotChart.js';

/** Axes and cursor as every Dashboard chart draws them, in the theme's colours. */
function baseOptions(bucket: OutcomeBucket, yLabel: string, yValues?: (v: number) => string): Pick<uPlot.Options, 'axes' | 'scales' | 'cursor' | 'legend'> {
  const text = themeColor('--text-muted');
  const grid = themeColor('--border');
  const axis: uPlot.Axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '11px system-ui, sans-serif' };
  return {
    scales: { x: { time: true } },
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    // The legend names the series; exact numbers are in the table and the CSV.
    legend: { live: false },
    axes: [
      // Days are labelled by date; hours by time (and the date where it changes).
      { ...axis, space: bucket === 'day' ? 60 : 50 },
      { ...axis, label: yLabel, labelFont: '11px system-ui, sans-serif', labelSize: 18, size: 44, ...(yValues ? { values: (_u, ticks) => ticks.map(yValues) } : {}) },
    ],
  };
}

const bucketName = (bucket: OutcomeBucket) => (bucket === 'hour' ? 'hour' : 'day');

/** Runs per bucket, stacked by outcome (bars): succeeded at the bottom, in the legend's order. */
function RunsChart({ series, bucket }: { series: readonly OutcomeBucketRow[]; bucket: OutcomeBucket }) {
  const { data, options } = useMemo(() => {
    const { stacked } = stackedRuns(series);
    const bars = uPlot.paths.bars!({ size: [0.7, 40], align: 0 });
    const options: Omit<uPlot.Options, 'width' | 'height'> = {
      ...baseOptions(bucket, `runs per ${bucketName(bucket)}`),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      series: [
        {},
        ...RUN_OUTCOMES.map((o) => {
          const color = themeColor(o.color);
          return { label: o.label, stroke: color, fill: color, width: 0, paths: bars, points: { show: false } } satisfies uPlot.Series;
        }),
      ],
      // Each outcome fills only from the stack below it up to its own top.
      bands: RUN_OUTCOMES.slice(1).map((_, i) => ({ series: [i + 2, i + 1] as [number, number] })),
    };
    return { data: [xs(series), ...stacked] as uPlot.AlignedData, options };
  }, [series, bucket]);
  return <UPlotChart options={options} data={data} label="Runs per bucket by outcome" />;
}

/** Success rate per bucket (succeeded of the runs that ended), in percent. */
function SuccessChart({ series, bucket }: { series: readonly OutcomeBucketRow[]; bucket: OutcomeBucket }) {
  const { data, options } = useMemo(() => {
    const color = themeColor('--success');
    const options: Omit<uPlot.Options, 'width' | 'height'> = {
      ...baseOptions(bucket, 'success %', (v) => `${v}`),
      scales: { x: { time: true }, y: { range: [0, 100] } },
      series: [
        {},
        {
          label: 'Success rate',
          stroke: color,
          width: 2,
          points: { show: true, size: 5, fill: color },
          spanGaps: false,
        },
      ],
    };
    const rate = series.map((b) => (b.successRate === null ? null : Math.round(b.successRate * 1000) / 10));
    return { data: [xs(series), rate] as uPlot.AlignedData, options };
  }, [series, bucket]);
  return <UPlotChart options={options} data={data} label="Success rate per bucket" />;
}

/** Time from alert start to a successful run's end, p50 and p90, in minutes. */
function RemediationChart({ series, bucket }: { series: readonly OutcomeBucketRow[]; bucket: OutcomeBucket }) {
  const { data, options } = useMemo(() => {
    const p50 = themeColor('--accent');
    const p90 = themeColor('--warning');
    const options: Omit<uPlot.Options, 'width' | 'height'> = {
      ...baseOptions(bucket, 'minutes'),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      series: [
        {},
        { label: 'Median (p50)', stroke: p50, width: 2, points: { show: true, size: 5, fill: p50 } },
        { label: 'p90', stroke: p90, width: 2, dash: [6, 4], points: { show: true, size: 5, fill: p90 } },
      ],
    };
    const d = [xs(series), series.map((b) => minutes(b.timeToRemediateP50Ms)), series.map((b) => minutes(b.timeToRemediateP90Ms))];
    return { data: d as uPlot.AlignedData, options };
  }, [series, bucket]);
  return <UPlotChart options={options} data={data} label="Time to remediate per bucket, median and p90" />;
}

/** The Dashboard's three charts, side by side where there is room and stacked on a phone. */
export function OutcomeCharts({ series, bucket }: { series: readonly OutcomeBucketRow[]; bucket: OutcomeBucket }) {
  const per = bucket === 'hour' ? 'per hour' : 'per day';
  return (
    <div className="dashboard-charts">
      <section className="card chart-card" aria-labelledby="chart-runs">
        <h2 id="chart-runs">Runs {per}, by outcome</h2>
        <p className="muted small">Each bar is the runs started in that {bucketName(bucket)}, coloured by how they ended.</p>
        <RunsChart series={series} bucket={bucket} />
      </section>
      <section className="card chart-card" aria-labelledby="chart-success">
        <h2 id="chart-success">Success rate {per}</h2>
        <p className="muted small">Succeeded ÷ (succeeded + failed + timed out + needs attention). Gaps: no run ended.</p>
        <SuccessChart series={series} bucket={bucket} />
      </section>
      <section className="card chart-card" aria-labelledby="chart-ttr">
        <h2 id="chart-ttr">Time to remediate {per}</h2>
        <p className="muted small">From the alert starting to the successful run ending: median and p90.</p>
        <RemediationChart series={series} bucket={bucket} />
      </section>
    </div>
  );
}
