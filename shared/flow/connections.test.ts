import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkNewEdge, type EdgeRef } from './connections.js';
import { pathBetween } from './graph.js';
import type { NodeCategory, NodeSpec, NodeSpecLookup } from './node-spec.js';
import { validateFlow } from './validate.js';

// Fake node types, so these tests do not depend on nodes/.
const spec = (type: string, category: NodeCategory, outputs: string[]): NodeSpec => ({
  type,
  category,
  outputs,
  configSchema: z.object({}),
  outputSchema: z.unknown(),
  expressions: () => [],
});
const SPECS = [
  spec('source.fake', 'source', ['out']),
  spec('condition.fake', 'condition', ['match', 'nomatch']),
  spec('action.fake', 'action', ['ok', 'error']),
  spec('action.sink', 'action', []),
];
const lookup: NodeSpecLookup = (type) => SPECS.find((s) => s.type === type);

const nodes = [
  { id: 'am', type: 'source.fake' },
  { id: 'disk', type: 'condition.fake' },
  { id: 'clean', type: 'action.fake' },
  { id: 'am2', type: 'source.fake' },
  { id: 'sink', type: 'action.sink' },
  { id: 'odd', type: 'action.unknown' },
];
const edges: EdgeRef[] = [
  { source: 'am', target: 'disk' },
  { source: 'disk', sourcePort: 'match', target: 'clean' },
];

const why = (edge: EdgeRef) => {
  const r = checkNewEdge(edge, nodes, edges, lookup);
  return r.ok ? 'ok' : r.reason;
};

/** What saving says about the same edge added to the same flow (the issues of edge 2). */
function onSave(edge: EdgeRef): string[] {
  const doc = {
    format: 'salve.flow/v1',
    id: 'f',
    name: 'f',
    nodes: nodes.filter((n) => n.id !== 'odd').map((n) => ({ ...n, config: {} })),
    edges: [...edges, edge],
  };
  const result = validateFlow(doc, lookup);
  return result.ok ? [] : result.issues.filter((i) => i.path[0] === 'edges' && i.path[1] === 2).map((i) => i.message);
}

describe('checkNewEdge: the connection rules for one new edge', () => {
  it('allows an edge that keeps every rule', () => {
    expect(why({ source: 'disk', sourcePort: 'nomatch', target: 'clean' })).toBe('ok');
    expect(why({ source: 'clean', sourcePort: 'ok', target: 'sink' })).toBe('ok');
  });

  it('refuses each broken rule with the message saving gives for it', () => {
    const cases: [EdgeRef, string][] = [
      [{ source: 'clean', sourcePort: 'ok', target: 'clean' }, 'edge from "clean" leads back to itself'],
      [
        { source: 'clean', sourcePort: 'ok', target: 'am2' },
        'edge into "am2": source.fake is a source node; sources start a flow and take no incoming edges',
      ],
      [{ source: 'disk', sourcePort: 'maybe', target: 'clean' }, 'edge from "disk" uses port "maybe", but condition.fake has ports match, nomatch'],
      [{ source: 'disk', target: 'sink' }, 'sourcePort is required: "disk" has ports match, nomatch'],
      [{ source: 'sink', target: 'clean' }, '"sink" (action.sink) has no output ports'],
      [{ source: 'disk', sourcePort: 'match', target: 'clean' }, 'duplicate edge: "disk" port "match" is already connected to "clean"'],
      // The existing edge am → disk names no port: it leaves through the only one, "out".
      [{ source: 'am', sourcePort: 'out', target: 'disk' }, 'duplicate edge: "am" port "out" is already connected to "disk"'],
    ];
    for (const [edge, message] of cases) {
      expect(why(edge)).toBe(message);
      expect(onSave(edge)).toContain(message);
    }
  });

  it('names the loop a new edge would close, as a cycle found at save is named', () => {
    const edge = { source: 'clean', sourcePort: 'error', target: 'disk' };
    expect(why(edge)).toBe('cycle: "clean" → "disk" → "clean"; a flow must not loop back to an earlier node');
    expect(onSave(edge)).toEqual(['cycle: "disk" → "clean" → "disk"; a flow must not loop back to an earlier node']);
  });

  it('refuses ends that are not nodes, and a source node whose type is unknown', () => {
    expect(why({ source: 'ghost', target: 'clean' })).toBe('edge source "ghost" is not a node in this flow');
    expect(why({ source: 'clean', sourcePort: 'ok', target: 'ghost' })).toBe('edge target "ghost" is not a node in this flow');
    expect(why({ source: 'odd', sourcePort: 'ok', target: 'clean' })).toBe('unknown node type "action.unknown"');
  });
});

describe('pathBetween', () => {
  const graph = [
    { source: 'a', target: 'b' },
    { source: 'b', target: 'c' },
    { source: 'a', target: 'c' },
    { source: 'c', target: 'd' },
  ];

  it('gives a shortest walk, both ends included', () => {
    expect(pathBetween('a', 'd', graph)).toEqual(['a', 'c', 'd']);
    expect(pathBetween('b', 'b', graph)).toEqual(['b']);
  });

  it('gives undefined when the target cannot be reached', () => {
    expect(pathBetween('d', 'a', graph)).toBeUndefined();
  });

  it('walks a long chain without recursion', () => {
    const chain = Array.from({ length: 50_000 }, (_, i) => ({ source: `n${i}`, target: `n${i + 1}` }));
    expect(pathBetween('n0', 'n50000', chain)).toHaveLength(50_001);
  });
});
