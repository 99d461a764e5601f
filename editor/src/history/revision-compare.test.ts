import { describe, expect, it } from 'vitest';
import { diffRevisions } from '../../../shared/flow/revision-diff.js';
import type { Flow } from '../../../shared/flow/schema.js';
import { compareCanvas, diffSummary, showValue } from './revision-compare.js';

const older: Flow = {
  format: 'salve.flow/v1',
  id: 'web',
  name: 'Web',
  enabled: true,
  nodes: [
    { id: 'start', type: 't.source', position: { x: 0, y: 0 }, config: {} },
    { id: 'old_step', type: 't.action', position: { x: 200, y: 0 }, config: { url: 'https://a.example' } },
    { id: 'kept', type: 't.action', position: { x: 400, y: 0 }, config: { url: 'https://b.example' } },
  ],
  edges: [
    { source: 'start', target: 'old_step' },
    { source: 'old_step', target: 'kept' },
  ],
};
const newer: Flow = {
  ...older,
  nodes: [
    { id: 'start', type: 't.source', position: { x: 0, y: 0 }, config: {} },
    { id: 'kept', type: 't.action', position: { x: 400, y: 0 }, config: { url: 'https://c.example' } },
    { id: 'new_step', type: 't.action', position: { x: 200, y: 100 }, config: {} },
  ],
  edges: [
    { source: 'start', target: 'new_step' },
    { source: 'new_step', target: 'kept' },
  ],
};

describe('compareCanvas', () => {
  it('draws the newer revision with the removed steps and connections put back, each step marked', () => {
    const drawn = compareCanvas(older, newer, diffRevisions(older, newer));
    expect(drawn.flow.nodes.map((n) => n.id)).toEqual(['start', 'kept', 'new_step', 'old_step']);
    expect(drawn.flow.edges).toHaveLength(4);
    expect(Object.fromEntries(drawn.overlay.marks)).toEqual({
      kept: { mark: 'changed', note: '1 change' },
      new_step: { mark: 'added' },
      old_step: { mark: 'removed' },
    });
    expect([...(drawn.highlightedEdges ?? [])]).toEqual(['start:->new_step', 'new_step:->kept']);
  });

  it('dims nothing when no connection was added', () => {
    const moved = { ...older, nodes: older.nodes.map((n) => (n.id === 'kept' ? { ...n, position: { x: 500, y: 0 } } : n)) };
    const drawn = compareCanvas(older, moved, diffRevisions(older, moved));
    expect(drawn.highlightedEdges).toBeNull();
    expect(drawn.overlay.marks.get('kept')).toEqual({ mark: 'moved' });
  });
});

describe('diffSummary', () => {
  it('counts what changed in words', () => {
    expect(diffSummary(diffRevisions(older, newer))).toBe('1 step changed · 1 step added · 1 step removed · 2 connections added · 2 connections removed');
    expect(diffSummary(diffRevisions(older, older))).toBe('No differences');
  });
});

describe('showValue', () => {
  it('shows an absent value as not set and cuts long ones', () => {
    expect(showValue(undefined)).toBe('(not set)');
    expect(showValue('x'.repeat(100), 10)).toBe(`"${'x'.repeat(8)}…`);
  });
});
