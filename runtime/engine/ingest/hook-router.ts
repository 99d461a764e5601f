import type { Flow, FlowNode } from '../../../shared/flow/schema.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { getWebhookAdapter } from '../../../nodes/registry.js';
import type { WebhookAdapter } from '../../../nodes/source-adapter.js';
import { hookPathOf } from '../../../nodes/trigger-spec.js';
import type { FlowRow } from '../../store/flows-repo.js';

/** One source node of one enabled flow, listening on a hook path. */
export interface HookRoute {
  flow: Flow;
  /** The team that owns the flow: its sources may check only this team's stored secrets. */
  team: string;
  revision: number;
  node: FlowNode;
  adapter: WebhookAdapter;
}

/** One source node of one enabled or disabled flow, listening (or not, while disabled) on a hook path. */
function* hookSources(rows: FlowRow[]): Generator<{ path: string; row: FlowRow; route: HookRoute }> {
  for (const row of rows) {
    for (const node of row.flow.nodes) {
      const path = hookPathOf(getNodeDefinition(node.type), node.config);
      const adapter = getWebhookAdapter(node.type);
      if (path === undefined || !adapter) continue;
      yield { path, row, route: { flow: row.flow, team: row.teamId, revision: row.revision, node, adapter } };
    }
  }
}

/**
 * Which enabled flows listen on which `/hooks/<path>`: the source nodes whose definition's
 * trigger is a webhook, at the path it names. Rebuilt whenever flows change, so the ingest hot
 * path reads no flow from the database. It also knows which disabled flows would listen on a
 * path, so a delivery refused with 404 can say why ("flow 'x' on this path is disabled").
 */
export class HookRouter {
  private byPath = new Map<string, HookRoute[]>();
  private disabledByPath = new Map<string, HookRoute[]>();

  rebuild(rows: FlowRow[], disabledRows: FlowRow[] = []): void {
    const next = new Map<string, HookRoute[]>();
    for (const { path, row, route } of hookSources(rows)) {
      if (!row.enabled) continue;
      next.set(path, [...(next.get(path) ?? []), route]);
    }
    const disabled = new Map<string, HookRoute[]>();
    for (const { path, row, route } of hookSources(disabledRows)) {
      if (row.enabled) continue;
      disabled.set(path, [...(disabled.get(path) ?? []), route]);
    }
    this.byPath = next;
    this.disabledByPath = disabled;
  }

  routes(path: string): HookRoute[] {
    return this.byPath.get(path) ?? [];
  }

  /** The source nodes of disabled flows on `path` (they receive nothing; named in the 404's record). */
  disabledRoutes(path: string): HookRoute[] {
    return this.disabledByPath.get(path) ?? [];
  }

  paths(): string[] {
    return [...this.byPath.keys()].sort();
  }
}
