// The editor's canvas under load: the same measurements on a 10-node and a 300-node flow, in one
// run of one headless Chromium against one server, reported side by side with their ratio.
// Part of `npm run bench` (BENCH_EDITOR=0 skips it). Stops by itself.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const CANDIDATES = [process.env.SALVE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** A flow of `n` nodes: a source, a match, then actions fanned out in a tree three wide. */
export function bigFlow(id, n) {
  const nodes = [
    { id: 'am', type: 'source.alertmanager', config: { path: id, auth: { type: 'none' } } },
    { id: 'match', type: 'condition.match', config: { matchers: 'alertname="DiskFull"' } },
  ];
  const edges = [{ source: 'am', target: 'match' }];
  for (let i = 0; nodes.length < n; i++) {
    const parent = i < 3 ? 'match' : `act${Math.floor((i - 3) / 3)}`;
    nodes.push({ id: `act${i}`, type: 'action.http', config: { method: 'POST', url: `http://{{ alert.labels.instance }}/step/${i}` } });
    edges.push(parent === 'match' ? { source: 'match', sourcePort: 'match', target: `act${i}` } : { source: parent, sourcePort: 'ok', target: `act${i}` });
  }
  // Positions on a grid, as a saved flow has them.
  nodes.forEach((node, i) => (node.position = { x: (i % 20) * 300, y: Math.floor(i / 20) * 140 }));
  return { format: 'salve.flow/v1', id, name: `${n} nodes`, enabled: false, nodes, edges };
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

/** Frame intervals (ms) while `action` runs, from requestAnimationFrame timestamps. */
async function frames(page, action) {
  await page.evaluate(() => {
    window.__frames = [];
    window.__recording = true;
    const tick = (t) => {
      if (!window.__recording) return;
      window.__frames.push(t);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const t0 = Date.now();
  await action();
  const wallMs = Date.now() - t0;
  const stamps = await page.evaluate(() => {
    window.__recording = false;
    return window.__frames;
  });
  const intervals = stamps.slice(1).map((t, i) => t - stamps[i]);
  return { wallMs, meanFrameMs: intervals.reduce((a, b) => a + b, 0) / Math.max(1, intervals.length), p95FrameMs: percentile(intervals, 95) };
}

async function drag(page, selector, dx, dy, steps) {
  const box = await page.locator(selector).boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + Math.min(14, box.height / 2); // the title row (zoomed far out, the middle)
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= steps; i++) await page.mouse.move(x + (dx * i) / steps, y + (dy * i) / steps);
  await page.mouse.up();
}

/** Measures one flow: open, drag one node, drag everything, undo. */
async function measure(page, baseUrl, flowId, n) {
  const t0 = Date.now();
  await page.goto(`${baseUrl}/#/flows/${flowId}`);
  // Drawn: every node, or — a big flow's canvas draws only what is in view — once the view is
  // fitted, every node in it; and none still hidden while React Flow measures it.
  await page.waitForFunction(
    (count) => {
      const drawn = [...document.querySelectorAll('.react-flow__node')];
      if (drawn.length === 0 || drawn.some((el) => el.style.visibility === 'hidden')) return false;
      if (drawn.length === count) return true;
      const fitted = document.querySelector('.react-flow__viewport')?.style.transform !== 'translate(0px, 0px) scale(1)';
      const pane = document.querySelector('.react-flow').getBoundingClientRect();
      const inView = (r) => r.right > pane.left && r.left < pane.right && r.bottom > pane.top && r.top < pane.bottom;
      return fitted && drawn.every((el) => inView(el.getBoundingClientRect()));
    },
    n,
    { timeout: 60000 },
  );
  const openMs = Date.now() - t0;
  const one = await frames(page, () => drag(page, '.react-flow__node[data-id="match"]', 120, 60, 60));
  await page.locator('[data-testid="canvas"]').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Control+a');
  const transform = () => page.evaluate(() => document.querySelector('.react-flow__node[data-id="act0"]').style.transform);
  const before = await transform();
  const all = await frames(page, () => drag(page, '.react-flow__node[data-id="match"]', -80, -40, 30));
  if ((await transform()) === before) throw new Error('editor bench: dragging the selection moved nothing');
  const tUndo = Date.now();
  await page.keyboard.press('Control+z');
  await page.waitForFunction((t) => document.querySelector('.react-flow__node[data-id="act0"]').style.transform === t, before, { timeout: 30000 });
  const undoMs = Date.now() - tUndo;
  return { n, openMs, one, all, undoMs };
}

/** Runs the editor bench against a running server; returns Markdown lines. */
export async function benchEditor(baseUrl, token) {
  const executablePath = CANDIDATES.find((p) => p && existsSync(p));
  if (!executablePath) return ['editor bench: no Chromium found (install chromium or set SALVE_CHROMIUM); skipped'];
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  for (const [id, n] of [['bench-10', 10], ['bench-300', 300]]) {
    const res = await fetch(`${baseUrl}/api/flows`, { method: 'POST', headers, body: JSON.stringify(bigFlow(id, n)) });
    if (res.status !== 201) throw new Error(`creating ${id}: ${res.status} ${await res.text()}`);
  }
  const browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    // The drags leave the first flow unsaved; leaving it asks, and the bench says yes.
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(baseUrl);
    // The sign-in page's break-glass way in, with the admin token.
    await page.click('[data-testid="signin-use-token"]');
    await page.fill('#admin-token', token);
    await page.click('[data-testid="signin-token-submit"]');
    await page.waitForSelector('.topbar');
    const small = await measure(page, baseUrl, 'bench-10', 10);
    const large = await measure(page, baseUrl, 'bench-300', 300);
    const row = (label, a, b) => `| ${label} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)} |`;
    return [
      '',
      '| editor canvas (headless Chromium, 1280×800) | 10 nodes | 300 nodes | ratio |',
      '|---|---|---|---|',
      row('open the flow until every node is drawn (ms)', small.openMs, large.openMs),
      row('drag one node, 60 moves: wall time (ms)', small.one.wallMs, large.one.wallMs),
      row('drag one node: mean frame (ms)', small.one.meanFrameMs, large.one.meanFrameMs),
      row('drag one node: p95 frame (ms)', small.one.p95FrameMs, large.one.p95FrameMs),
      row('select all, drag all, 30 moves: wall time (ms)', small.all.wallMs, large.all.wallMs),
      row('drag all: mean frame (ms)', small.all.meanFrameMs, large.all.meanFrameMs),
      row('undo the drag (ms)', small.undoMs, large.undoMs),
    ];
  } finally {
    await browser.close();
  }
}
