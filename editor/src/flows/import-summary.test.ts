import { describe, expect, it } from 'vitest';
import type { FlowSummary, StoredFlow } from '../../../shared/api-views.js';
import { previewImport, summarizeImport } from './import-summary.js';

const summary = (id: string, enabled: boolean, revision = 3): FlowSummary => ({ id, name: id, enabled, revision, updatedAt: '2026-01-01T00:00:00.000Z', team: 'default' });
const stored = (id: string, revision: number) =>
  ({ flow: { format: 'salve.flow/v1', id, name: `N ${id}`, enabled: false, nodes: [], edges: [] }, revision, createdAt: '', updatedAt: '', team: 'default' }) as StoredFlow;

describe('previewImport', () => {
  it('marks ids that will replace a stored flow', () => {
    const rows = previewImport(
      [
        { id: 'a', source: 'x', indexInSource: 0 },
        { id: 'new', source: 'x', indexInSource: 1 },
        { source: 'x', indexInSource: 2 },
      ],
      [summary('a', true)],
    );
    expect(rows[0]?.replaces?.id).toBe('a');
    expect(rows[1]?.replaces).toBeUndefined();
    expect(rows[2]?.replaces).toBeUndefined();
  });
});

describe('summarizeImport', () => {
  it('tells new flows from new revisions, and which were enabled before', () => {
    const rows = summarizeImport([stored('a', 4), stored('b', 1), stored('c', 2)], [summary('a', true)]);
    expect(rows).toEqual([
      { id: 'a', name: 'N a', revision: 4, replaced: true, wasEnabled: true },
      { id: 'b', name: 'N b', revision: 1, replaced: false, wasEnabled: false },
      // Not in the (older) list, but revision 2 means it existed.
      { id: 'c', name: 'N c', revision: 2, replaced: true, wasEnabled: false },
    ]);
  });
});
