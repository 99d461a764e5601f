import { describe, expect, it } from 'vitest';
import type { SalveNode } from '../canvas/model.js';
import { searchNodes } from './flow-search.js';

const node = (id: string, type: string, config: Record<string, unknown>, label?: string): SalveNode => ({
  id,
  type: 'salve',
  position: { x: 0, y: 0 },
  data: label ? { type, config, label } : { type, config },
});

const nodes = [
  node('am', 'source.alertmanager', { path: 'infra', auth: { type: 'none' } }),
  node('restart', 'action.shell', { command: ['systemctl', 'restart', 'PostgreSQL'] }, 'Restart the database'),
  node('ask', 'approval.request', { message: 'Restart {{ alert.labels.service }}?' }),
];

describe('searchNodes', () => {
  it('finds nodes by id, label, type and config text, ignoring case', () => {
    expect(searchNodes(nodes, 'AM').map((h) => [h.id, h.where])).toEqual([['am', 'id']]);
    expect(searchNodes(nodes, 'database').map((h) => [h.id, h.where])).toEqual([['restart', 'label']]);
    expect(searchNodes(nodes, 'approval.').map((h) => [h.id, h.where])).toEqual([['ask', 'type']]);
    const hits = searchNodes(nodes, 'postgresql');
    expect(hits.map((h) => [h.id, h.where])).toEqual([['restart', 'config']]);
    expect(hits[0]!.excerpt).toContain('PostgreSQL');
  });

  it('lists every match in document order, and nothing for an empty query', () => {
    expect(searchNodes(nodes, 'restart').map((h) => h.id)).toEqual(['restart', 'ask']);
    expect(searchNodes(nodes, '  ')).toEqual([]);
    expect(searchNodes(nodes, 'nothing-like-this')).toEqual([]);
  });
});
