import { describe, it, expect } from 'vitest';
import { ancestorsOf, findCycles, reachableFrom, type GraphEdge } from './graph.js';

const edges = (...pairs: [string, string][]): GraphEdge[] =>
  pairs.map(([source, target], index) => ({ index, source, target }));

describe('findCycles', () => {
  it('finds nothing in a graph without loops, even with a diamond', () => {
    expect(findCycles(['a', 'b', 'c', 'd'], edges(['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd']))).toEqual([]);
  });

  it('names the nodes of a cycle in order and the edge that closes it', () => {
    const found = findCycles(['a', 'b', 'c', 'd'], edges(['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'b']));
    expect(found).toEqual([{ nodes: ['b', 'c', 'd', 'b'], closingEdge: 3 }]);
  });

  it('reports each separate cycle once', () => {
    const found = findCycles(
      ['a', 'b', 'x', 'y'],
      edges(['a', 'b'], ['b', 'a'], ['x', 'y'], ['y', 'x'], ['b', 'a']), // the last one is parallel
    );
    expect(found).toEqual([
      { nodes: ['a', 'b', 'a'], closingEdge: 1 },
      { nodes: ['x', 'y', 'x'], closingEdge: 3 },
    ]);
  });

  it('handles a long chain without overflowing the stack', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `n${i}`);
    const chain = ids.slice(1).map((id, i) => [ids[i]!, id] as [string, string]);
    expect(findCycles(ids, edges(...chain, [ids.at(-1)!, 'n0']))).toHaveLength(1);
  });
});

describe('reachableFrom', () => {
  it('follows edges from every root and leaves the rest out', () => {
    const reached = reachableFrom(['s'], edges(['s', 'a'], ['a', 'b'], ['x', 'b']));
    expect([...reached].sort()).toEqual(['a', 'b', 's']);
  });
});

describe('ancestorsOf', () => {
  it('finds every node a path leads from (both sides of a diamond), never the node itself', () => {
    const diamond = edges(['src', 'a'], ['src', 'b'], ['a', 'join'], ['b', 'join'], ['join', 'after'], ['src', 'side']);
    expect([...ancestorsOf('join', diamond)].sort()).toEqual(['a', 'b', 'src']);
    expect([...ancestorsOf('src', diamond)]).toEqual([]);
    // In a cycle (refused elsewhere) the node is its own ancestor; it is still left out.
    expect([...ancestorsOf('b', edges(['a', 'b'], ['b', 'c'], ['c', 'b']))].sort()).toEqual(['a', 'c']);
  });
});
