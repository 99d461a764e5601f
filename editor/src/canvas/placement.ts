import { DEFAULT_NODE_SIZE, type SalveNode } from './model.js';

/** A node's rectangle on the canvas, in flow coordinates. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Space kept between a placed node and its neighbours, so ports and labels stay clickable. */
const GAP = 16;
/** How far apart the tried positions are, and how many rings of them are tried around the wish. */
const STEP = 40;
const RINGS = 40;

/** A node's or note's box: its measured size once drawn, else its set size (a resized note), else a node's usual size. */
export function boxOf(n: Pick<SalveNode, 'position' | 'measured' | 'width' | 'height'>): Box {
  return {
    x: n.position.x,
    y: n.position.y,
    width: n.measured?.width ?? n.width ?? DEFAULT_NODE_SIZE.width,
    height: n.measured?.height ?? n.height ?? DEFAULT_NODE_SIZE.height,
  };
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width + GAP && b.x < a.x + a.width + GAP && a.y < b.y + b.height + GAP && b.y < a.y + a.height + GAP;
}

/** The offsets of ring `r` around (0, 0): the square of side 2r, nearest to the centre first. */
function ring(r: number): { dx: number; dy: number }[] {
  if (r === 0) return [{ dx: 0, dy: 0 }];
  const points: { dx: number; dy: number }[] = [];
  for (let i = -r; i <= r; i++) {
    points.push({ dx: i, dy: -r }, { dx: i, dy: r });
    if (i !== -r && i !== r) points.push({ dx: -r, dy: i }, { dx: r, dy: i });
  }
  return points.sort((a, b) => a.dx * a.dx + a.dy * a.dy - (b.dx * b.dx + b.dy * b.dy)).map((p) => ({ dx: p.dx * STEP, dy: p.dy * STEP }));
}

/**
 * How far to move `group` (new or pasted nodes) so that none of it lands on a `taken` node: no
 * move when it is already clear, else the nearest clear spot around the wished position. A
 * crowded canvas puts the group below everything.
 */
export function clearOffset(group: readonly Box[], taken: readonly Box[]): { dx: number; dy: number } {
  if (group.length === 0 || taken.length === 0) return { dx: 0, dy: 0 };
  for (let r = 0; r <= RINGS; r++) {
    for (const { dx, dy } of ring(r)) {
      const clear = group.every((g) => !taken.some((t) => overlaps({ ...g, x: g.x + dx, y: g.y + dy }, t)));
      if (clear) return { dx, dy };
    }
  }
  const bottom = Math.max(...taken.map((t) => t.y + t.height));
  const top = Math.min(...group.map((g) => g.y));
  return { dx: 0, dy: bottom + GAP * 2 - top };
}
