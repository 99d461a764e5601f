import type { NodeSpecLookup } from '../shared/flow/node-spec.js';
import { delayAction } from './action/delay/definition.js';
import { httpAction } from './action/http/definition.js';
import { shellAction } from './action/shell/definition.js';
import { approvalRequest } from './approval/request/definition.js';
import { exprCondition } from './condition/expr/definition.js';
import { matchCondition } from './condition/match/definition.js';
import type { NodeDefinition } from './definition.js';
import { alertmanagerSource } from './source/alertmanager/definition.js';
import { webhookSource } from './source/webhook/definition.js';

/** Every node type, browser-safe. Adding a node type = adding its folder and a line here. */
export const nodeDefinitions = [
  alertmanagerSource,
  webhookSource,
  matchCondition,
  exprCondition,
  httpAction,
  shellAction,
  delayAction,
  approvalRequest,
] as const;

export type NodeType = (typeof nodeDefinitions)[number]['type'];

const byType = new Map<string, NodeDefinition>(nodeDefinitions.map((d) => [d.type, d as unknown as NodeDefinition]));

/** The definition of `type`, or undefined for an unknown type. */
export function getNodeDefinition(type: string): NodeDefinition | undefined {
  return byType.get(type);
}

/** The lookup the flow validator takes. */
export const lookupNodeSpec: NodeSpecLookup = (type) => byType.get(type);
