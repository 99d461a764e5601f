import type { Flow } from '../../../shared/flow/schema.js';

/** The `/hooks/<path>` addresses a flow's source nodes listen on, in node order, once each. */
export function hookPaths(flow: Pick<Flow, 'nodes'>): string[] {
  const paths = flow.nodes
    .filter((n) => n.type.startsWith('source.') && typeof n.config.path === 'string')
    .map((n) => `/hooks/${n.config.path as string}`);
  return [...new Set(paths)];
}
