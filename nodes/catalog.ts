import type { NodeSpecLookup } from '../shared/flow/node-spec.js';
import type { NodeDefinition } from './definition.js';
import { delayAction } from './action/delay/definition.js';
import { waitResolved } from './wait/resolved/definition.js';
import { httpAction } from './action/http/definition.js';
import { shellAction } from './action/shell/definition.js';
import { sshAction } from './action/ssh/definition.js';
import { kubernetesAction } from './action/kubernetes/definition.js';
import { httpCheck } from './check/http/definition.js';
import { prometheusCheck } from './check/prometheus/definition.js';
import { approvalRequest } from './approval/request/definition.js';
import { pagerdutyNotify } from './notify/pagerduty/definition.js';
import { slackNotify } from './notify/slack/definition.js';
import { emailNotify } from './notify/email/definition.js';
import { teamsNotify } from './notify/teams/definition.js';
import { opsgenieNotify } from './notify/opsgenie/definition.js';
import { jiraNotify } from './notify/jira/definition.js';
import { exprCondition } from './condition/expr/definition.js';
import { matchCondition } from './condition/match/definition.js';
import { setTransform } from './transform/set/definition.js';
import { foreachControl } from './control/foreach/definition.js';
import { alertmanagerSource } from './source/alertmanager/definition.js';
import { grafanaSource } from './source/grafana/definition.js';
import { zabbixSource } from './source/zabbix/definition.js';
import { nagiosSource } from './source/nagios/definition.js';
import { webhookSource } from './source/webhook/definition.js';
import { cloudwatchSource } from './source/cloudwatch/definition.js';
import { manualSource } from './source/manual/definition.js';
import { scheduleSource } from './source/schedule/definition.js';
import { pagerdutySource } from './source/pagerduty/definition.js';
import { datadogSource } from './source/datadog/definition.js';
import { callFlow } from './flow/call/definition.js';
import { alertmanagerSilence } from './alertmanager/silence/definition.js';
import { pagerdutyIncident } from './pagerduty/incident/definition.js';
import { grafanaAnnotate } from './grafana/annotate/definition.js';
import { enrichLogs } from './enrich/logs/definition.js';
import { enrichGraph } from './enrich/graph/definition.js';

/**
 * Every node type, in palette order: the one list of node types. Browser-safe: the editor
 * imports only this. Adding a node type is its folder (`<kind>/<name>/definition.ts` and
 * `node.ts`) plus one line here; nodes/registry.ts finds its Node-only half from its type.
 */
export const nodeDefinitions = [
  alertmanagerSource,
  grafanaSource,
  zabbixSource,
  nagiosSource,
  webhookSource,
  cloudwatchSource,
  scheduleSource,
  manualSource,
  pagerdutySource,
  datadogSource,
  matchCondition,
  exprCondition,
  setTransform,
  foreachControl,
  httpAction,
  shellAction,
  sshAction,
  kubernetesAction,
  delayAction,
  waitResolved,
  callFlow,
  httpCheck,
  prometheusCheck,
  enrichLogs,
  enrichGraph,
  pagerdutyNotify,
  opsgenieNotify,
  slackNotify,
  teamsNotify,
  emailNotify,
  jiraNotify,
  alertmanagerSilence,
  pagerdutyIncident,
  grafanaAnnotate,
  approvalRequest,
] as const;

const byType = new Map<string, NodeDefinition>(nodeDefinitions.map((d) => [d.type, d]));

/** The definition of node type `type`, or undefined when this version has no such type. */
export function getNodeDefinition(type: string): NodeDefinition | undefined {
  return byType.get(type);
}

/** The catalog as the flow validator sees it. */
export const lookupNodeSpec: NodeSpecLookup = (type) => getNodeDefinition(type);
