import { describe, expect, it } from 'vitest';
import type { Flow } from '../../../shared/flow/schema.js';
import { checkConnection } from './rules.js';
import { locateProblems } from './validation.js';
import exampleJson from '../../../examples/disk-full.json';


const example = exampleJson as Flow;
const node = (id: string, type: string) => ({ id, data: { type } });

describe('problems on the canvas', () => {
  it('finds nothing wrong with the example and nothing to say about an empty canvas', () => {
    expect(locateProblems(example).issues).toEqual([]);
    expect(locateProblems({ ...example, nodes: [], edges: [] }).issues).toEqual([]);
  });

  it('ties config problems to the node and the field inside its config', () => {
    const flow = structuredClone(example);
    flow.nodes[2]!.config = { method: 'POST' };
    const { issues, byNode } = locateProblems(flow);
    const url = issues.find((i) => i.nodeId === 'clean' && i.configPath?.[0] === 'url');
    expect(url?.message).toMatch(/url is required/);
    expect(byNode.get('clean')?.length).toBeGreaterThan(0);
  });

  it('ties edge problems to the node the edge leaves, and unreachable nodes to themselves', () => {
    const flow = structuredClone(example);
    flow.edges[1] = { source: 'disk', sourcePort: 'maybe', target: 'clean' };
    expect(locateProblems(flow).issues.find((i) => i.edgeIndex === 1)?.nodeId).toBe('disk');
    const cut = { ...structuredClone(example), edges: example.edges.filter((_, i) => i !== 1) };
    expect(locateProblems(cut).issues.some((i) => i.nodeId === 'clean' && /not reachable/.test(i.message))).toBe(true);
  });
});

describe('live connection rules', () => {
  const nodes = [node('am', 'source.alertmanager'), node('disk', 'condition.match'), node('clean', 'action.http'), node('am2', 'source.webhook')];
  const edges = [
    { source: 'am', target: 'disk', sourceHandle: 'out' },
    { source: 'disk', target: 'clean', sourceHandle: 'match' },
  ];

  it('allows a new edge from a port to a node that does not lead back', () => {
    expect(checkConnection({ source: 'disk', sourceHandle: 'nomatch', target: 'clean' }, nodes, edges)).toEqual({ ok: true });
  });

  it('explains each refusal in the words saving uses (shared/flow/connections.ts)', () => {
    const why = (c: { source: string; sourceHandle?: string; target: string }) => {
      const r = checkConnection(c, nodes, edges);
      return r.ok ? 'ok' : r.reason;
    };
    expect(why({ source: 'clean', sourceHandle: 'ok', target: 'am2' })).toBe(
      'edge into "am2": source.webhook is a source node; sources start a flow and take no incoming edges',
    );
    expect(why({ source: 'clean', sourceHandle: 'ok', target: 'clean' })).toBe('edge from "clean" leads back to itself');
    expect(why({ source: 'clean', sourceHandle: 'ok', target: 'disk' })).toBe(
      'cycle: "clean" → "disk" → "clean"; a flow must not loop back to an earlier node',
    );
    expect(why({ source: 'disk', sourceHandle: 'match', target: 'clean' })).toBe('duplicate edge: "disk" port "match" is already connected to "clean"');
    expect(why({ source: 'disk', sourceHandle: 'maybe', target: 'clean' })).toBe(
      'edge from "disk" uses port "maybe", but condition.match has ports match, nomatch',
    );
  });
});
