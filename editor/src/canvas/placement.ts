/** A box on the canvas, in flow coordinates. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where a new box of `size` goes: at `want` when that is free, else the nearest free spot on
 * rings of box-sized steps around it, so a new note does not hide a node. Gives up after a few
 * rings (a crowded view) and returns `want`.
 */
export function freeSpot(want: { x: number; y: number }, size: { width: number; height: number }, taken: readonly Rect[], gap = 16): { x: number; y: number } {
  const fits = (x: number, y: number) =>
    !taken.some((r) => x < r.x + r.width + gap && x + size.width + gap > r.x && y < r.y + r.height + gap && y + size.height + gap > r.y);
  if (fits(want.x, want.y)) return want;
  const stepX = size.width + gap;
  const stepY = size.height + gap;
  for (let ring = 1; ring <= 4; ring++) {
    const spots: { x: number; y: number; d: number }[] = [];
    for (let dy = -ring; dy <= ring; dy++) {
      for (let dx = -ring; dx <= ring; dx++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring) continue;
        spots.push({ x: want.x + dx * stepX, y: want.y + dy * stepY, d: Math.hypot(dx * stepX, dy * stepY) });
      }
    }
    spots.sort((a, b) => a.d - b.d);
    const free = spots.find((p) => fits(p.x, p.y));
    if (free) return { x: free.x, y: free.y };
  }
  return want;
}
