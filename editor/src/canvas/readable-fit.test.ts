import { describe, expect, it } from 'vitest';
import { READABLE_ZOOM, readableViewport, type Box, type Viewport } from './readable-fit.js';

/** Where a flow point lands on the screen for a viewport. */
const onScreen = (v: Viewport, p: { x: number; y: number }) => ({ x: p.x * v.zoom + v.x, y: p.y * v.zoom + v.y });

// Five nodes in a row as tidy up lays them out: 240 px wide, 90 px apart.
const row: Box = { x: 0, y: 0, width: 5 * 240 + 4 * 90, height: 120 };
const source: Box = { x: 0, y: 20, width: 240, height: 80 };

describe('the view that fit and tidy up choose', () => {
  it('fits the whole flow when it can be read that way, never zooming past 1', () => {
    const wide = readableViewport(row, source, { width: 1900, height: 800 });
    expect(wide.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    expect(wide.zoom).toBeLessThanOrEqual(1);
    expect(onScreen(wide, { x: 0, y: 0 }).x).toBeGreaterThanOrEqual(32);
    expect(onScreen(wide, { x: row.width, y: 0 }).x).toBeLessThanOrEqual(1900 - 32);
    const small = readableViewport({ x: 100, y: 100, width: 240, height: 80 }, null, { width: 1200, height: 800 });
    expect(small.zoom).toBe(1);
    expect(onScreen(small, { x: 220, y: 140 })).toEqual({ x: 600, y: 400 }); // centred
  });

  it('keeps the text readable when the flow does not fit, starting at the sources', () => {
    // Between a full palette and the side panel at 1440 px: fitting all would mean about 45 %.
    const view = readableViewport(row, source, { width: 848, height: 700 });
    expect(view.zoom).toBe(READABLE_ZOOM);
    expect(onScreen(view, { x: source.x, y: 0 }).x).toBe(32); // the source at the left edge
    expect(onScreen(view, { x: 0, y: row.height / 2 }).y).toBe(350); // the row vertically centred
  });

  it('centres vertically on the sources when the flow is too tall as well', () => {
    const tall: Box = { x: 0, y: -900, width: 3000, height: 2000 };
    const view = readableViewport(tall, source, { width: 800, height: 600 });
    expect(view.zoom).toBe(READABLE_ZOOM);
    expect(onScreen(view, { x: 0, y: source.y + source.height / 2 }).y).toBe(300);
  });

  it('centres across a flow that fits across but not down', () => {
    const column: Box = { x: 0, y: 0, width: 240, height: 2000 };
    const view = readableViewport(column, { x: 0, y: 0, width: 240, height: 80 }, { width: 800, height: 600 });
    expect(view.zoom).toBe(READABLE_ZOOM);
    expect(onScreen(view, { x: 120, y: 0 }).x).toBe(400);
  });
});
