/** A rectangle in flow coordinates (React Flow's `Rect`). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/**
 * The smallest zoom "fit" and "tidy up" choose. Node titles are 13 px and summaries 11.5 px at
 * zoom 1; at 0.75 they are about 10 and 9 px, the least a person reads without leaning in.
 * Pinch and the zoom buttons still go further out (to look at the whole shape).
 */
export const READABLE_ZOOM = 0.75;
/** Never zoom in past the nodes' own size to fill a big screen with a small flow. */
const MAX_FIT_ZOOM = 1;

/**
 * Where to look so the flow can be read: all of it when it fits at READABLE_ZOOM or more;
 * otherwise READABLE_ZOOM, starting from the sources.
 *
 * Why not shrink until everything fits (React Flow's fitView)? A flow of five nodes beside the
 * palette and the side panel then fits at about 45 %, and its text is too small to read: the
 * operator sees a shape, zooms in, and scrolls anyway. Flows read left to right from where alerts
 * come in (tidy up lays them out so), so when the whole flow does not fit, the view starts at the
 * sources — at the left edge, vertically centred on them — and what follows is one scroll away;
 * the minimap shows how much more there is. `area` is the part of the canvas the flow may use
 * (without the corner the minimap covers); `padding` is kept free on every side.
 */
export function readableViewport(all: Box, sources: Box | null, area: { width: number; height: number }, padding = 32): Viewport {
  const room = { width: Math.max(1, area.width - 2 * padding), height: Math.max(1, area.height - 2 * padding) };
  const fit = Math.min(MAX_FIT_ZOOM, room.width / Math.max(1, all.width), room.height / Math.max(1, all.height));
  if (fit >= READABLE_ZOOM) return centredOn(all, area, fit);

  const zoom = READABLE_ZOOM;
  const anchor = sources ?? all;
  const fitsAcross = all.width * zoom <= room.width;
  const fitsDown = all.height * zoom <= room.height;
  const x = fitsAcross ? area.width / 2 - (all.x + all.width / 2) * zoom : padding - anchor.x * zoom;
  const y = fitsDown ? area.height / 2 - (all.y + all.height / 2) * zoom : area.height / 2 - (anchor.y + anchor.height / 2) * zoom;
  return { x, y, zoom };
}

function centredOn(box: Box, area: { width: number; height: number }, zoom: number): Viewport {
  return { x: area.width / 2 - (box.x + box.width / 2) * zoom, y: area.height / 2 - (box.y + box.height / 2) * zoom, zoom };
}
