import type { Flow, FlowNode } from '../../../shared/flow/schema.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { getWebhookAdapter } from '../../../nodes/registry.js';
import type { WebhookAdapter } from '../../../nodes/source-adapter.js';
import { hookPathOf } from '../../../nodes/trigger-spec.js';
import type { FlowRow } from '../../store/flows-repo.js';

/** One source node of one enabled flow, listening on a hook path. */
export interface HookRoute {
  flow: Flow;
  revision: number;
  node: FlowNode;
  adapter: WebhookAdapter;
}

/**
 * Which enabled flows listen on which `/hooks/<path>`: the source nodes whose definition's
 * trigger is a webhook, at the path it names. Rebuilt whenever flows change, so the ingest hot
 * path reads no flow from the database.
 */
export class HookRouter {
  private byPath = new Map<string, HookRoute[]>();

  rebuild(rows: FlowRow[]): void {
    const next = new Map<string, HookRoute[]>();
    for (const row of rows) {
      if (!row.enabled) continue;
      const flow = row.flow;
      for (const node of flow.nodes) {
        const path = hookPathOf(getNodeDefinition(node.type), node.config);
        const adapter = getWebhookAdapter(node.type);
        if (path === undefined || !adapter) continue;
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
