import { z } from 'zod';
import type { List, NodeTypeView } from '../../shared/api-views.js';
import { nodeDefinitions } from '../../nodes/catalog.js';

/**
 * `GET /api/node-types`: every registered type with what external tools need to build configs:
 * ports, flags, editor hints, sample payloads (sources) and a JSON Schema of the config as it
 * may be written (input side: fields with defaults are optional). Built once; it never changes.
 */
export function nodeTypesView(): List<NodeTypeView> {
  return {
    items: nodeDefinitions.map((d) => ({
      type: d.type,
      category: d.category,
      label: d.label,
      description: d.description,
      icon: d.icon,
      outputs: d.outputs,
      idempotent: d.idempotent,
      sideEffects: d.sideEffects,
      ui: d.ui ?? {},
      samples: d.samples ?? [],
      configSchema: z.toJSONSchema(d.configSchema, { io: 'input', unrepresentable: 'any' }),
    })),
  };
}
