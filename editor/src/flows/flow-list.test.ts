import { describe, expect, it } from 'vitest';
import type { FlowSummary } from '../../../shared/api-views.js';
import { flowCountText, mergeFlowList, stillListed, summaryOf, without } from './flow-list.js';

const row = (id: string, name: string, revision = 1, enabled = true): FlowSummary => ({ id, name, enabled, revision, updatedAt: '2026-01-01T00:00:00.000Z', team: 'default' });

describe('mergeFlowList', () => {
  it('hides deleted rows and sorts by name', () => {
    const items = [row('b', 'Beta'), row('a', 'alpha'), row('c', 'Gamma')];
    expect(mergeFlowList(items, {}, new Set(['c'])).map((f) => f.id)).toEqual(['a', 'b']);
  });

  it("shows this page's own answer until the server's row is newer", () => {
    const items = [row('a', 'A', 3, true)];
    expect(mergeFlowList(items, { a: row('a', 'A', 4, false) }, new Set())[0]!.enabled).toBe(false);
    expect(mergeFlowList(items, { a: row('a', 'A', 3, false) }, new Set())[0]!.enabled).toBe(false);
    expect(mergeFlowList(items, { a: row('a', 'A', 2, false) }, new Set())[0]!.enabled).toBe(true);
  });
});

describe('stillListed', () => {
  it('forgets deleted ids the server no longer lists, and keeps the same set when nothing changed', () => {
    const deleted = new Set(['a', 'b']);
    expect([...stillListed(deleted, [{ id: 'b' }, { id: 'c' }])]).toEqual(['b']);
    expect(stillListed(deleted, [{ id: 'a' }, { id: 'b' }])).toBe(deleted);
  });
});

describe('the small helpers', () => {
  it('summarises a stored flow as a row', () => {
    const stored = { flow: { id: 'f', name: 'F', enabled: false } as never, revision: 2, createdAt: 'x', updatedAt: 'y', team: 'payments' };
    expect(summaryOf(stored)).toEqual({ id: 'f', name: 'F', enabled: false, revision: 2, updatedAt: 'y', team: 'payments' });
  });

  it('removes one value from a set', () => {
    expect([...without(new Set([1, 2, 3]), 2)]).toEqual([1, 3]);
  });

  it('counts flows, and what a search shows only when it hides some', () => {
    expect(flowCountText(1, 1, 1, '')).toBe('1 flow · 1 enabled');
    expect(flowCountText(3, 2, 1, 'disk')).toBe('3 flows · 2 enabled · showing 1');
    expect(flowCountText(3, 2, 3, 'd')).toBe('3 flows · 2 enabled');
    expect(flowCountText(3, 2, 3, '  ')).toBe('3 flows · 2 enabled');
  });
});
