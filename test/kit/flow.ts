/**
 * Flow documents for tests, as a person would write them in `salve.flow/v1` (the API parses and
 * validates them, as it does every flow).
 */

/** A node as written in a flow document. */
export interface NodeDoc {
  id: string;
  type: string;
  label?: string;
  config: object;
  position?: { x: number; y: number };
  retry?: { attempts: number; backoff?: 'exponential' | 'fixed'; initialDelay?: number; maxDelay?: number; jitter?: number };
  retryUnsafe?: boolean;
  onResolved?: 'cancel' | 'continue';
}

/** An edge as written in a flow document. */
export interface EdgeDoc {
  source: string;
  sourcePort?: string;
  target: string;
}

/** An Alertmanager source node: id `am`, path `infra`, no authentication, unless `config` says otherwise. */
export function amSource(config: Record<string, unknown> = {}, id = 'am'): NodeDoc {
  return { id, type: 'source.alertmanager', config: { path: 'infra', auth: { type: 'none' }, ...config } };
}

interface FlowDocInput {
  /** Default `f1`. */
  id?: string;
  /** Default: the id. */
  name?: string;
  /** Default true. */
  enabled?: boolean;
  settings?: Record<string, unknown>;
  /** The first node; default `amSource()`. `null` for none (the nodes name their own source). */
  source?: NodeDoc | null;
  /** The nodes after the source. */
  nodes?: NodeDoc[];
  edges?: EdgeDoc[];
}

/**
 * A valid flow document: by default `f1`, enabled, an Alertmanager source on `/hooks/infra`
 * without authentication, then `nodes` joined by `edges` (none unless given).
 */
export function flowDoc(input: FlowDocInput = {}) {
  const id = input.id ?? 'f1';
  const source = input.source === undefined ? amSource() : input.source;
  return {
    format: 'salve.flow/v1',
    id,
    name: input.name ?? id,
    enabled: input.enabled ?? true,
    ...(input.settings ? { settings: input.settings } : {}),
    nodes: [...(source ? [source] : []), ...(input.nodes ?? [])],
    edges: input.edges ?? [],
  };
}
