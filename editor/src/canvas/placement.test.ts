import { describe, expect, it } from 'vitest';
import { freeSpot } from './placement.js';

describe('freeSpot', () => {
  const size = { width: 200, height: 100 };

  it('keeps the wanted spot when nothing is there', () => {
    expect(freeSpot({ x: 0, y: 0 }, size, [{ x: 400, y: 0, width: 240, height: 72 }])).toEqual({ x: 0, y: 0 });
  });

  it('moves off a node that covers the wanted spot, to a spot that overlaps nothing', () => {
    const taken = [
      { x: 0, y: 0, width: 240, height: 72 },
      { x: 0, y: 120, width: 240, height: 72 },
    ];
    const spot = freeSpot({ x: 10, y: 10 }, size, taken);
    expect(spot).not.toEqual({ x: 10, y: 10 });
    for (const r of taken) {
      const overlaps = spot.x < r.x + r.width && spot.x + size.width > r.x && spot.y < r.y + r.height && spot.y + size.height > r.y;
      expect(overlaps).toBe(false);
    }
  });
});
