import type { Flow, FlowNode } from '../../../shared/flow/schema.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { getSourceAdapter } from '../../../nodes/sources.js';
import type { SourceAdapter } from '../../../nodes/source-adapter.js';
import type { FlowRow } from '../../store/flows-repo.js';

/** One source node of one enabled flow, listening on a hook path. */
export interface HookRoute {
  flow: Flow;
  revision: number;
  node: FlowNode;
  adapter: SourceAdapter;
}

/**
 * Which enabled flows listen on which `/hooks/<path>`. Rebuilt whenever flows change, so the
 * ingest hot path reads no flow from the database.
 */
export class HookRouter {
  private byPath = new Map<string, HookRoute[]>();

  rebuild(rows: FlowRow[]): void {
    const next = new Map<string, HookRoute[]>();
    for (const row of rows) {
      if (!row.enabled) continue;
      const flow = row.flow;
      for (const node of flow.nodes) {
        const def = getNodeDefinition(node.type);
        const adapter = getSourceAdapter(node.type);
        const path = (node.config as { path?: unknown }).path;
        if (def?.category !== 'source' || !adapter || typeof path !== 'string') continue;
        const list = next.get(path) ?? [];
        list.push({ flow, revision: row.revision, node, adapter });
        next.set(path, list);
      }
    }
    this.byPath = next;
  }

  routes(path: string): HookRoute[] {
    return this.byPath.get(path) ?? [];
  }

  paths(): string[] {
    return [...this.byPath.keys()].sort();
  }
}
