import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withGeneratedRouteMatrix } from './api-docs.js';
import { ROUTE_TABLE } from './route-table.js';

describe('docs/api.md', () => {
  it('holds the permission matrix generated from the route table', () => {
    const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    // A plain boolean first, so the failure says what to do rather than only showing a diff.
    if (doc !== withGeneratedRouteMatrix(doc)) {
      expect.fail('docs/api.md differs from the route table: run `npm run docs:api` and commit docs/api.md');
    }
  });

  it('changes when a row changes, and keeps the text around the markers', () => {
    const doc = 'before\n<!-- route-matrix:start -->\nold\n<!-- route-matrix:end -->\nafter\n';
    const changed = ROUTE_TABLE.map((r) => (r.path === '/api/flows' && r.method === 'GET' ? { ...r, permission: 'admin' as const } : r));
    const a = withGeneratedRouteMatrix(doc);
    const b = withGeneratedRouteMatrix(doc, changed);
    expect(a.startsWith('before\n<!-- route-matrix:start -->\n')).toBe(true);
    expect(a.endsWith('<!-- route-matrix:end -->\nafter\n')).toBe(true);
    expect(a).toContain('| GET | `/api/flows` | list flows | `flows:read` | `list` | 401 | yes |');
    expect(b).toContain('| GET | `/api/flows` | list flows | `admin` | `list` | 401 | yes |');
    expect(() => withGeneratedRouteMatrix('no markers')).toThrow(/markers/);
  });
});
