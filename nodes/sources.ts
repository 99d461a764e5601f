import type { SourceAdapter } from './source-adapter.js';
import type { NodeType } from './catalog.js';
import { alertmanagerAdapter } from './source/alertmanager/ingest.js';
import { grafanaAdapter } from './source/grafana/ingest.js';
import { zabbixAdapter } from './source/zabbix/ingest.js';
import { nagiosAdapter } from './source/nagios/ingest.js';
import { webhookAdapter } from './source/webhook/ingest.js';
import { cloudwatchAdapter } from './source/cloudwatch/ingest.js';
import { manualAdapter } from './source/manual/ingest.js';
import { scheduleAdapter } from './source/schedule/ingest.js';
import { pagerdutyAdapter } from './source/pagerduty/ingest.js';
import { datadogAdapter } from './source/datadog/ingest.js';

/** Source node type → how its deliveries are authenticated and normalized. Node-only. */
export const sourceAdapters = {
  'source.alertmanager': alertmanagerAdapter,
  'source.grafana': grafanaAdapter,
  'source.zabbix': zabbixAdapter,
  'source.nagios': nagiosAdapter,
  'source.webhook': webhookAdapter,
  'source.cloudwatch': cloudwatchAdapter,
  'source.schedule': scheduleAdapter,
  'source.manual': manualAdapter,
  'source.pagerduty': pagerdutyAdapter,
  'source.datadog': datadogAdapter,
} satisfies Partial<Record<NodeType, SourceAdapter<any>>>;

/** The adapter of source type `type`, or undefined when `type` is not a source this version has. */
export function getSourceAdapter(type: string): SourceAdapter | undefined {
  return Object.hasOwn(sourceAdapters, type) ? (sourceAdapters[type as keyof typeof sourceAdapters] as SourceAdapter) : undefined;
}
