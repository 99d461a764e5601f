import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatIssues } from '../errors.js';
import { checkCel } from '../expr/index.js';
import { checkNewEdge } from './connections.js';
import { expressionScope } from './expression-scope.js';
import type { NodeSpec } from './node-spec.js';
import { validateFlow } from './validate.js';

// Fake node types, so these tests do not depend on nodes/: a source, a loop, a step that sets vars, a plain step.
const SPECS: NodeSpec[] = [
  { type: 'source.fake', category: 'source', outputs: ['out'], configSchema: z.object({}), outputSchema: z.object({}), expressions: () => [] },
  {
    type: 'loop.fake',
    category: 'action',
    outputs: ['each', 'done', 'error'],
    loopPort: 'each',
    configSchema: z.object({}),
    outputSchema: z.object({ results: z.array(z.unknown()) }),
    expressions: () => [],
  },
  {
    type: 'set.fake',
    category: 'action',
    outputs: ['out'],
    configSchema: z.object({ vars: z.record(z.string(), z.string()) }),
    outputSchema: z.record(z.string(), z.unknown()),
    expressions: () => [],
    setsVars: (config) => Object.keys((config as { vars?: object }).vars ?? {}),
  },
  {
    type: 'step.fake',
    category: 'action',
    outputs: ['ok'],
    configSchema: z.object({ text: z.string().default('') }),
    outputSchema: z.object({ status: z.number() }),
    expressions: (c) => ((c as { text: string }).text.includes('{{') ? [{ path: ['text'], kind: 'template', source: (c as { text: string }).text }] : []),
  },
];
const lookup = (type: string) => SPECS.find((s) => s.type === type);

const node = (id: string, type: string, config: object = {}) => ({ id, type, position: { x: 0, y: 0 }, config });
const flow = (nodes: object[], edges: object[]) => ({ format: 'salve.flow/v1', id: 'f', name: 'f', enabled: true, nodes: [node('src', 'source.fake'), ...nodes], edges: [{ source: 'src', target: (nodes[0] as { id: string }).id }, ...edges] });
const problems = (doc: object) => {
  const result = validateFlow(doc, lookup);
  return result.ok ? 'ok' : formatIssues(result.issues);
};

describe('loops in a flow', () => {
  it('accepts a loop whose body stays inside, continuing after it from done', () => {
    const doc = flow(
      [node('loop', 'loop.fake'), node('a', 'step.fake', { text: '{{ item }} {{ index }}' }), node('b', 'step.fake'), node('after', 'step.fake', { text: '{{ steps.loop.results }}' })],
      [
        { source: 'loop', sourcePort: 'each', target: 'a' },
        { source: 'a', target: 'b' },
        { source: 'loop', sourcePort: 'done', target: 'after' },
      ],
    );
    expect(problems(doc)).toBe('ok');
  });

  it('refuses an edge from outside into the body, naming it', () => {
    const doc = flow(
      [node('loop', 'loop.fake'), node('a', 'step.fake'), node('after', 'step.fake')],
      [
        { source: 'loop', sourcePort: 'each', target: 'a' },
        { source: 'a', target: 'after' },
        { source: 'loop', sourcePort: 'done', target: 'after' },
      ],
    );
    expect(problems(doc)).toContain('edges[3]: edge "loop" (done) → "after": "after" runs once per item of loop "loop"');
  });

  it('refuses a loop inside a loop', () => {
    const doc = flow([node('loop', 'loop.fake'), node('inner', 'loop.fake')], [{ source: 'loop', sourcePort: 'each', target: 'inner' }]);
    expect(problems(doc)).toContain('node "inner" is a loop inside the "each" branch of loop "loop": loops cannot be nested');
  });

  it('gives item and index to the body only, and refuses reading the loop from inside it', () => {
    const doc = flow(
      [node('loop', 'loop.fake'), node('a', 'step.fake', { text: '{{ steps.loop.results }}' }), node('after', 'step.fake', { text: '{{ item }}' })],
      [
        { source: 'loop', sourcePort: 'each', target: 'a' },
        { source: 'loop', sourcePort: 'done', target: 'after' },
      ],
    );
    const text = problems(doc);
    expect(text).toContain('steps.loop is the loop this node runs in');
    expect(text).toContain('item exists only in the nodes a loop runs per item');
  });
});

describe('vars in the scope of an expression', () => {
  const graph = {
    nodes: [
      { id: 'src', type: 'source.fake' },
      { id: 'one', type: 'set.fake', config: { vars: { host: 'x', port: 'y' } } },
      { id: 'two', type: 'set.fake', config: { vars: { rack: 'z' } } },
      { id: 'use', type: 'step.fake' },
    ],
    edges: [
      { source: 'src', target: 'one' },
      { source: 'one', target: 'use' },
      { source: 'src', target: 'two' },
    ],
  };

  it('holds the names the steps before it set, not those of another branch', () => {
    const scope = expressionScope(graph, 'use', lookup);
    expect([...scope.vars!].sort()).toEqual(['host', 'port']);
    expect(checkCel('vars.host + ":" + vars.port', { scope })).toEqual([]);
    expect(checkCel('vars.rack == "a"', { scope }).map((i) => i.message)).toEqual(['no step before this node sets vars.rack (steps before it set vars.host and vars.port)']);
    expect(checkCel('vars.host == "a"', { scope: expressionScope(graph, 'one', lookup) }).map((i) => i.message)).toEqual([
      'no step before this node sets vars.host (no step before it sets variables)',
    ]);
  });

  it('leaves a comprehension variable named item alone outside a loop', () => {
    const scope = expressionScope(graph, 'use', lookup);
    expect(checkCel('["a"].exists(item, item == vars.host)', { scope, returns: 'bool' })).toEqual([]);
    expect(checkCel('index > 0', { scope, returns: 'bool' }).map((i) => i.message)).toEqual([
      'index exists only in the nodes a loop runs per item (those on a loop\'s "each" port)',
    ]);
  });
});

describe('loops while a wire is dragged', () => {
  const nodes = [
    { id: 'src', type: 'source.fake' },
    { id: 'loop', type: 'loop.fake' },
    { id: 'a', type: 'step.fake' },
    { id: 'after', type: 'step.fake' },
  ];
  const edges = [
    { source: 'src', target: 'loop' },
    { source: 'loop', sourcePort: 'each', target: 'a' },
    { source: 'loop', sourcePort: 'done', target: 'after' },
  ];

  it('refuses a wire from the body out to a node after the loop, in the words saving uses', () => {
    expect(checkNewEdge({ source: 'a', sourcePort: 'ok', target: 'after' }, nodes, edges, lookup)).toEqual({
      ok: false,
      reason: 'edge "loop" (done) → "after": "after" runs once per item of loop "loop", so only "loop"\'s "each" port and nodes of that branch may lead to it; continue after the loop from "loop"\'s other ports',
    });
  });

  it('accepts a wire inside the body', () => {
    const more = [...nodes, { id: 'b', type: 'step.fake' }];
    expect(checkNewEdge({ source: 'a', sourcePort: 'ok', target: 'b' }, more, edges, lookup)).toEqual({ ok: true });
  });
});
