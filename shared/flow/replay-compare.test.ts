import { describe, expect, it } from 'vitest';
import { compareSides, describeDifferences, describePath, summarize, type ReplaySide } from './replay-compare.js';

const side = (path: [string, string?][], actions: Record<string, unknown> = {}, starts = true): ReplaySide => ({
  revision: null,
  starts,
  path: path.map(([nodeId, port]) => ({ nodeId, ...(port ? { port } : {}) })),
  edges: [],
  actions: Object.entries(actions).map(([nodeId, rendered]) => ({ nodeId, type: 'action.x', rendered })),
});

describe('compareSides', () => {
  it('finds nothing when both sides do the same, started or not', () => {
    const a = side([['am', 'out'], ['check', 'match'], ['fix', 'ok']], { fix: { url: 'http://x/a' } });
    expect(compareSides(a, structuredClone(a))).toEqual([]);
    expect(compareSides(side([], {}, false), side([], {}, false))).toEqual([]);
    expect(compareSides(null, side([], {}, false))).toEqual([]);
  });

  it('says a run would now start (also when the saved flow did not listen) or would no longer start', () => {
    const runs = side([['am', 'out']]);
    expect(compareSides(side([], {}, false), runs)).toEqual([{ kind: 'starts' }]);
    expect(compareSides(null, runs)).toEqual([{ kind: 'starts' }]);
    expect(compareSides(runs, side([], {}, false))).toEqual([{ kind: 'stops' }]);
  });

  it('names the node that leaves by another port, and the nodes newly and no longer reached', () => {
    const saved = side([['am', 'out'], ['check', 'match'], ['fix', 'ok']]);
    const draft = side([['am', 'out'], ['check', 'nomatch'], ['page', 'ok']]);
    expect(compareSides(saved, draft)).toEqual([
      { kind: 'port', nodeId: 'check', savedPort: 'match', port: 'nomatch' },
      { kind: 'reached', nodeId: 'page' },
      { kind: 'unreached', nodeId: 'fix' },
    ]);
  });

  it('names each rendered field that differs, and an error the draft now stops at', () => {
    const saved = side([['am', 'out'], ['fix', 'ok']], { fix: { url: 'http://x/a', method: 'POST' } });
    const draft = side([['am', 'out'], ['fix', 'ok']], { fix: { url: 'http://x/b', method: 'POST' } });
    expect(compareSides(saved, draft)).toEqual([{ kind: 'action', nodeId: 'fix', field: 'url' }]);
    const failing: ReplaySide = { ...draft, path: [{ nodeId: 'am', port: 'out' }, { nodeId: 'fix', error: 'no such key: host' }], actions: [] };
    expect(compareSides(saved, failing)).toEqual([{ kind: 'error', nodeId: 'fix', error: 'no such key: host' }]);
  });
});

describe('summarize', () => {
  it('counts runs per kind of difference, in words, then the unchanged ones', () => {
    const runs = [
      ...Array.from({ length: 14 }, () => ({ differences: [{ kind: 'starts' as const }] })),
      ...Array.from({ length: 3 }, () => ({ differences: [{ kind: 'port' as const, nodeId: 'disk', savedPort: 'match', port: 'nomatch' }] })),
      ...Array.from({ length: 40 }, () => ({
        // The same field twice in one run counts once.
        differences: [
          { kind: 'action' as const, nodeId: 'restart', field: 'url' },
          { kind: 'action' as const, nodeId: 'restart', field: 'url' },
        ],
      })),
      { differences: [] },
    ];
    expect(summarize(runs).map((l) => l.text)).toEqual([
      'would now start 14 runs that did not start',
      '3 runs would take `nomatch` at `disk` (was `match`)',
      'rendered url of `restart` differs in 40 runs',
      '1 run unchanged',
    ]);
  });

  it('says so when nothing reached the flow, or nothing changed', () => {
    expect(summarize([]).map((l) => l.text)).toEqual(['no stored alert in the range reached this flow']);
    expect(summarize([{ differences: [] }, { differences: [] }]).map((l) => l.text)).toEqual(['all 2 runs unchanged']);
  });
});

describe('describeDifferences / describePath', () => {
  it('reads as one short line each', () => {
    expect(describeDifferences([{ kind: 'port', nodeId: 'check', savedPort: 'nomatch', port: 'match' }, { kind: 'reached', nodeId: 'ask' }])).toBe('check takes match (was nomatch); now reaches ask');
    expect(describeDifferences([])).toBe('same');
    expect(describePath(side([['am', 'out'], ['check', 'match']]))).toBe('am → check');
    expect(describePath(side([], {}, false))).toBe('not started');
    expect(describePath(null)).toBe('not listening');
  });
});
