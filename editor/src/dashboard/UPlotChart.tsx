import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * A uPlot chart as a React component: created when it mounts or its options/data change,
 * destroyed when it unmounts, and as wide as its container (it follows the container's
 * resizes, so charts stack and shrink on a phone). `options` must be memoised by the caller.
 */
export function UPlotChart({ options, data, height = 220, label }: { options: Omit<uPlot.Options, 'width' | 'height'>; data: uPlot.AlignedData; height?: number; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const width = () => Math.max(200, Math.floor(el.clientWidth));
    const chart = new uPlot({ ...options, width: width(), height }, data, el);
    const resized = new ResizeObserver(() => {
      if (chart.width !== width()) chart.setSize({ width: width(), height });
    });
    resized.observe(el);
    return () => {
      resized.disconnect();
      chart.destroy();
    };
  }, [options, data, height]);
  return <div ref={host} className="uplot-host" role="img" aria-label={label} />;
}

/** A CSS custom property of the current theme (light or dark), for chart colours. */
export function themeColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}
