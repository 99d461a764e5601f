import type { WebhookMapping } from './definition.js';

/**
 * Ready `source.webhook` mappings for tools that have no node type of their own. docs/sources.md
 * shows exactly these (a test compares them), and the conformance tests prove them on the tools'
 * real deliveries.
 */

/** Azure Monitor action groups with the common alert schema enabled. */
export const azureMonitorMapping = {
  name: 'event.data.essentials.alertRule',
  status: 'event.data.essentials.monitorCondition == "Resolved" ? "resolved" : "firing"',
  severity: '{"Sev0": "critical", "Sev1": "high", "Sev2": "warning", "Sev3": "info", "Sev4": "info"}[event.data.essentials.severity]',
  fingerprint: 'event.data.essentials.alertId',
  dedupKey: 'event.data.essentials.alertId',
  summary: 'event.data.essentials.description != "" ? event.data.essentials.description : event.data.essentials.alertRule',
  description: 'event.data.essentials.description',
  labels:
    '{"signalType": event.data.essentials.signalType, "monitoringService": event.data.essentials.monitoringService, "resource": has(event.data.essentials.configurationItems) ? event.data.essentials.configurationItems.join(",") : ""}',
  startsAt: 'event.data.essentials.firedDateTime',
  endsAt: 'has(event.data.essentials.resolvedDateTime) ? event.data.essentials.resolvedDateTime : ""',
} as const satisfies WebhookMapping;

/** Uptime Kuma's "Webhook" notification (body type JSON). */
export const uptimeKumaMapping = {
  skip: 'event.heartbeat == null || event.monitor == null || event.heartbeat.status > 1',
  name: 'event.monitor.name',
  status: 'event.heartbeat.status == 0 ? "firing" : "resolved"',
  severity: 'event.heartbeat.status == 0 ? "critical" : "info"',
  fingerprint: 'string(event.monitor.id)',
  summary: 'event.msg',
  description: 'event.heartbeat.msg',
  labels:
    '{"monitor": event.monitor.name, "type": event.monitor.type, "target": has(event.monitor.url) && event.monitor.url != null && event.monitor.url != "" ? event.monitor.url : (has(event.monitor.hostname) && event.monitor.hostname != null ? event.monitor.hostname : "")}',
  startsAt: 'event.heartbeat.time.split(" ").join("T") + "Z"',
} as const satisfies WebhookMapping;

/** Kubernetes events as kubernetes-event-exporter's webhook receiver posts them. */
export const kubernetesEventMapping = {
  name: 'event.reason',
  severity: 'event.type == "Warning" ? "warning" : "info"',
  fingerprint: 'event.metadata.uid',
  dedupKey: 'event.metadata.uid',
  summary: 'event.message',
  labels:
    '{"namespace": has(event.involvedObject.namespace) ? event.involvedObject.namespace : "", "kind": event.involvedObject.kind, "object": event.involvedObject.name, "reason": event.reason, "type": event.type}',
  startsAt: 'has(event.firstTimestamp) && event.firstTimestamp != null ? event.firstTimestamp : event.eventTime',
} as const satisfies WebhookMapping;
