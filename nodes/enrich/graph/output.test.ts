import { describe, expect, it } from 'vitest';
import { imageAttachment } from '../../attachments.js';
import { presentGraphOutput } from './output.js';

const RANGE = { from: '2026-11-24T00:00:00.000Z', to: '2026-11-24T01:00:00.000Z', stepSeconds: 15 };

describe('enrich.graph in the run view', () => {
  it('shows the query, the series drawn, the range and the time, then the chart last', () => {
    const attachment = imageAttachment('DiskFull', 'image/png', new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    const view = presentGraphOutput({ ...RANGE, attachment, query: 'node_load1', series: 37, shown: 10, points: 2410, status: 200, durationMs: 420, message: 'Prometheus warned: slow' });
    expect(view.facts).toEqual([
      { label: 'Query', text: 'node_load1', mono: true },
      { label: 'Series', text: '10 of 37 drawn' },
      { label: 'Range', text: '60 min to 2026-11-24T01:00:00.000Z, step 15 s', mono: true },
      { label: 'Took', durationMs: 420 },
    ]);
    expect(view.blocks).toEqual([
      { kind: 'note', text: 'Prometheus warned: slow', tone: 'muted' },
      { kind: 'attachment', attachment },
    ]);
    expect(presentGraphOutput({ ...RANGE, attachment, query: 'up', series: 3, shown: 3, points: 723, durationMs: 1 }).facts[1]).toEqual({ label: 'Series', text: '3' });
  });

  it('shows why there is no chart, and a missing query', () => {
    const view = presentGraphOutput({ ...RANGE, query: '', series: 0, shown: 0, points: 0, durationMs: 0, message: 'no query: set query' });
    expect(view.facts.slice(0, 2)).toEqual([
      { label: 'Query', missing: 'None' },
      { label: 'Series', text: '0', tone: 'error' },
    ]);
    expect(view.blocks).toEqual([{ kind: 'note', text: 'no query: set query', tone: 'error' }]);
  });
});
