import { describe, expect, it } from 'vitest';
import type { ReplayRun, ReplaySide } from '../../../shared/flow/replay-compare.js';
import { overlayFromReplay } from './replay-overlay.js';

const side = (steps: [string, string][]): ReplaySide => ({
  revision: null,
  starts: true,
  path: steps.map(([nodeId, port]) => ({ nodeId, port })),
  edges: steps.slice(1).map(([target], i) => ({ source: steps[i]![0], sourcePort: steps[i]![1], target })),
  actions: [],
});

const run = (saved: ReplaySide | null, draft: ReplaySide | null): ReplayRun => ({
  eventId: 'ev1',
  receivedAt: '2026-11-24T00:00:00.000Z',
  alertName: 'DiskFull',
  alertSummary: 'Disk almost full',
  fingerprint: 'f',
  status: 'firing',
  sourceNodeId: 'am',
  recorded: null,
  saved,
  draft,
  differences: [],
});

describe('overlayFromReplay', () => {
  it('marks nodes and edges by which flow goes through them, and names the saved path’s nodes the draft removed', () => {
    const saved = side([['am', 'out'], ['check', 'nomatch'], ['old', 'ok']]);
    const draft = side([['am', 'out'], ['check', 'match'], ['ask', 'approved']]);
    const drawn = overlayFromReplay(run(saved, draft), ['am', 'check', 'ask', 'page']);
    expect(Object.fromEntries(drawn.marks)).toEqual({
      am: { mark: 'replay-both', note: 'out' },
      check: { mark: 'replay-both', note: 'saved: nomatch · draft: match' },
      ask: { mark: 'replay-draft', note: 'draft: approved' },
      page: { mark: 'skipped' },
    });
    expect(Object.fromEntries(drawn.edges)).toEqual({
      'am:out->check': 'replay-both',
      'check:match->ask': 'replay-draft',
      'check:nomatch->old': 'replay-saved',
    });
    expect(drawn.savedOnlyMissing).toEqual(['old']);
  });

  it('says on a node which of its rendered fields differ', () => {
    const both = side([['am', 'out'], ['clean', 'ok']]);
    const drawn = overlayFromReplay({ ...run(both, both), differences: [{ kind: 'action', nodeId: 'clean', field: 'url' }] }, ['am', 'clean']);
    expect(drawn.marks.get('clean')).toEqual({ mark: 'replay-both', note: 'ok · url differs' });
  });

  it('draws only the draft when the saved flow did not start', () => {
    const drawn = overlayFromReplay(run({ ...side([]), starts: false }, side([['am', 'out']])), ['am']);
    expect(drawn.marks.get('am')).toEqual({ mark: 'replay-draft', note: 'draft: out' });
  });
});
