import type { Flow } from '../../../shared/flow/schema.js';
import { getNodeDefinition } from '../../../nodes/catalog.js';
import { hookPathOf } from '../../../nodes/trigger-spec.js';

/** The `/hooks/<path>` addresses a flow's source nodes listen on, in node order, once each. */
export function hookPaths(flow: Pick<Flow, 'nodes'>): string[] {
  const paths = flow.nodes.flatMap((n) => {
    const path = hookPathOf(getNodeDefinition(n.type), n.config);
    return path === undefined ? [] : [`/hooks/${path}`];
  });
  return [...new Set(paths)];
}
