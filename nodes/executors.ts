import { executeDelay } from './action/delay/execute.js';
import { executeHttp } from './action/http/execute.js';
import { executeShell } from './action/shell/execute.js';
import { executeApproval } from './approval/request/execute.js';
import type { NodeType } from './catalog.js';
import { executeExpr } from './condition/expr/execute.js';
import { executeMatch } from './condition/match/execute.js';
import type { Executor } from './executor.js';

/** Sources have already "run" when an execution starts: their output is the alert. */
const passAlert: Executor = async (_config, ctx) => ({ type: 'next', port: 'out', output: ctx.vars.alert });

/** Node type → executor. `satisfies` makes a missing executor a type error. */
export const executors = {
  'source.alertmanager': passAlert,
  'source.webhook': passAlert,
  'condition.match': executeMatch,
  'condition.expr': executeExpr,
  'action.http': executeHttp,
  'action.shell': executeShell,
  'action.delay': executeDelay,
  'approval.request': executeApproval,
} satisfies Record<NodeType, Executor<any>>;

/** The executor of `type` (Node-only), or undefined. */
export function getExecutor(type: string): Executor | undefined {
  return (executors as Record<string, Executor<any>>)[type];
}
