import type { Executor } from './executor.js';
import type { NodeType } from './catalog.js';
import { executeDelayAction } from './action/delay/execute.js';
import { executeHttpAction } from './action/http/execute.js';
import { executeShellAction } from './action/shell/execute.js';
import { executeApprovalRequest } from './approval/request/execute.js';
import { executeExprCondition } from './condition/expr/execute.js';
import { executeMatchCondition } from './condition/match/execute.js';

/** A source's step: it only hands the alert it produced to the next nodes. */
const passAlertOn: Executor = async (_config, ctx) => ({ type: 'next', port: 'out', output: ctx.vars.alert });

/** Node type → executor. Node-only; a type without an executor is a type error here. */
export const executors = {
  'source.alertmanager': passAlertOn,
  'source.grafana': passAlertOn,
  'source.zabbix': passAlertOn,
  'source.nagios': passAlertOn,
  'source.webhook': passAlertOn,
  'source.cloudwatch': passAlertOn,
  'source.schedule': passAlertOn,
  'source.manual': passAlertOn,
  'source.pagerduty': passAlertOn,
  'source.datadog': passAlertOn,
  'condition.match': executeMatchCondition,
  'condition.expr': executeExprCondition,
  'action.http': executeHttpAction,
  'action.shell': executeShellAction,
  'action.delay': executeDelayAction,
  'approval.request': executeApprovalRequest,
} satisfies Record<NodeType, Executor<any>>;

/** The executor of node type `type`, or undefined when this version has no such type. */
export function getExecutor(type: string): Executor | undefined {
  return Object.hasOwn(executors, type) ? (executors[type as NodeType] as Executor) : undefined;
}
