import { describe, expect, it } from 'vitest';
import { diffRevisions, valueChanges } from './revision-diff.js';
import type { Flow } from './schema.js';

const base: Flow = {
  format: 'salve.flow/v1',
  id: 'disk',
  name: 'Disk full',
  enabled: true,
  nodes: [
    { id: 'alert', type: 'source.alertmanager', position: { x: 0, y: 0 }, config: { path: 'disk' } },
    { id: 'check', type: 'logic.condition', position: { x: 200, y: 0 }, config: { expression: 'alert.labels.severity == "critical"' } },
    {
      id: 'clean',
      type: 'action.http',
      position: { x: 400, y: 0 },
      config: { url: 'https://ops.example/clean', method: 'POST', headers: [{ name: 'X-Team', value: 'sre' }] },
    },
  ],
  edges: [
    { source: 'alert', target: 'check' },
    { source: 'check', sourcePort: 'true', target: 'clean' },
  ],
};

const edit = (change: (f: Flow) => void): Flow => {
  const copy = structuredClone(base);
  change(copy);
  return copy;
};

describe('diffRevisions', () => {
  it('finds nothing between a revision and itself', () => {
    const diff = diffRevisions(base, structuredClone(base));
    expect(diff.identical).toBe(true);
    expect(diff.nodes).toEqual([]);
  });

  it('names the config paths that changed with their old and new values', () => {
    const after = edit((f) => {
      f.nodes[2]!.config.url = 'https://ops.example/clean-v2';
      (f.nodes[2]!.config.headers as { value: string }[])[0]!.value = 'platform';
      f.nodes[2]!.config.timeoutMs = 5000;
    });
    const diff = diffRevisions(base, after);
    expect(diff.nodes).toEqual([
      {
        id: 'clean',
        type: 'action.http',
        label: undefined,
        kind: 'changed',
        changes: [
          { path: 'config.headers[0].value', before: 'sre', after: 'platform' },
          { path: 'config.timeoutMs', before: undefined, after: 5000 },
          { path: 'config.url', before: 'https://ops.example/clean', after: 'https://ops.example/clean-v2' },
        ],
      },
    ]);
    expect(diff.identical).toBe(false);
  });

  it('lists added and removed nodes and the connections that came and went', () => {
    const after = edit((f) => {
      f.nodes = f.nodes.filter((n) => n.id !== 'check');
      f.nodes.push({ id: 'notify', type: 'notify.slack', config: { channel: '#ops' } });
      f.edges = [
        { source: 'alert', target: 'clean' },
        { source: 'clean', sourcePort: 'success', target: 'notify' },
      ];
    });
    const diff = diffRevisions(base, after);
    expect(diff.nodes.map((n) => [n.id, n.kind])).toEqual([
      ['notify', 'added'],
      ['check', 'removed'],
    ]);
    expect(diff.edges.added).toEqual([
      { source: 'alert', target: 'clean' },
      { source: 'clean', sourcePort: 'success', target: 'notify' },
    ]);
    expect(diff.edges.removed).toEqual(base.edges);
  });

  it('tells a connection from another port apart from the same connection', () => {
    const after = edit((f) => {
      f.edges[1] = { source: 'check', sourcePort: 'false', target: 'clean' };
    });
    const diff = diffRevisions(base, after);
    expect(diff.edges.added).toEqual([{ source: 'check', sourcePort: 'false', target: 'clean' }]);
    expect(diff.edges.removed).toEqual([{ source: 'check', sourcePort: 'true', target: 'clean' }]);
  });

  it('marks a node that only moved on the canvas as moved, not changed', () => {
    const after = edit((f) => {
      f.nodes[0]!.position = { x: 10, y: 50 };
    });
    expect(diffRevisions(base, after).nodes).toEqual([
      { id: 'alert', type: 'source.alertmanager', label: undefined, kind: 'moved', changes: [{ path: 'position', before: { x: 0, y: 0 }, after: { x: 10, y: 50 } }] },
    ]);
  });

  it('reports changes to the flow itself: name, enabled, settings, label, retry', () => {
    const after = edit((f) => {
      f.name = 'Disk full (v2)';
      f.enabled = false;
      f.settings = { allowedTargets: ['ops.example'] };
      f.nodes[1]!.label = 'Critical?';
      f.nodes[2]!.retry = { attempts: 3, backoff: 'fixed', delayMs: 1000 } as never;
    });
    const diff = diffRevisions(base, after);
    expect(diff.flow).toEqual([
      { path: 'name', before: 'Disk full', after: 'Disk full (v2)' },
      { path: 'enabled', before: true, after: false },
      { path: 'settings.allowedTargets', before: undefined, after: ['ops.example'] },
    ]);
    expect(diff.nodes.find((n) => n.id === 'check')?.changes).toEqual([{ path: 'label', before: undefined, after: 'Critical?' }]);
    expect(diff.nodes.find((n) => n.id === 'clean')?.changes.map((c) => c.path)).toEqual(['retry']);
  });

  it('reports sticky notes added, removed and edited', () => {
    const before = edit((f) => {
      f.notes = [
        { id: 'n1', text: 'runbook: wiki/disk', position: { x: 0, y: 100 } },
        { id: 'n2', text: 'old', position: { x: 0, y: 200 } },
      ];
    });
    const after = edit((f) => {
      f.notes = [
        { id: 'n1', text: 'runbook: wiki/disk-v2', position: { x: 0, y: 100 } },
        { id: 'n3', text: 'new', position: { x: 0, y: 300 } },
      ];
    });
    expect(diffRevisions(before, after).notes).toEqual({ added: ['n3'], removed: ['n2'], changed: ['n1'] });
  });
});

describe('valueChanges', () => {
  it('reports a whole list when its length changes', () => {
    expect(valueChanges({ to: ['a'] }, { to: ['a', 'b'] }, 'config')).toEqual([{ path: 'config.to', before: ['a'], after: ['a', 'b'] }]);
  });

  it('ignores the order of object keys', () => {
    expect(valueChanges({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toEqual([]);
  });
});
