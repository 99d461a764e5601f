import { describe, expect, it } from 'vitest';
import { type Box, clearOffset } from './placement.js';

const box = (x: number, y: number, width = 240, height = 72): Box => ({ x, y, width, height });
const moved = (b: Box, o: { dx: number; dy: number }) => ({ ...b, x: b.x + o.dx, y: b.y + o.dy });
const apart = (a: Box, b: Box) => a.x >= b.x + b.width || b.x >= a.x + a.width || a.y >= b.y + b.height || b.y >= a.y + a.height;

describe('clearOffset', () => {
  it('leaves a node where it was wished when that spot is free', () => {
    expect(clearOffset([box(0, 0)], [box(600, 0)])).toEqual({ dx: 0, dy: 0 });
  });

  it('moves a node dropped on another one to the nearest free spot', () => {
    const taken = [box(0, 0)];
    const offset = clearOffset([box(10, 10)], taken);
    expect(offset).not.toEqual({ dx: 0, dy: 0 });
    expect(apart(moved(box(10, 10), offset), taken[0]!)).toBe(true);
    // Nearest: a short move (one node height and a gap), not across the canvas.
    expect(Math.hypot(offset.dx, offset.dy)).toBeLessThan(200);
  });

  it('moves a pasted group as one, clear of every existing node', () => {
    const taken = [box(0, 0), box(0, 120), box(300, 0), box(300, 120)];
    const group = [box(0, 0), box(300, 0)];
    const offset = clearOffset(group, taken);
    for (const g of group) for (const t of taken) expect(apart(moved(g, offset), t)).toBe(true);
    // The group keeps its shape.
    expect(moved(group[1]!, offset).x - moved(group[0]!, offset).x).toBe(300);
  });

  it('puts the group below everything when the canvas around it is full', () => {
    const taken: Box[] = [];
    for (let x = -2000; x <= 2000; x += 250) for (let y = -2000; y <= 2000; y += 80) taken.push(box(x, y, 250, 80));
    const offset = clearOffset([box(0, 0)], taken);
    const placed = moved(box(0, 0), offset);
    expect(taken.every((t) => apart(placed, t))).toBe(true);
  });
});
