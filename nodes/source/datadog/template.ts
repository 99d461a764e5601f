/**
 * The payload to paste into Datadog's webhook ("Payload" field). Its first seven fields are
 * Datadog's default payload, so a webhook that keeps the default is read the same way; the
 * `alert_*` fields give Salve the alert's identity ($ALERT_CYCLE_KEY), its transition and its
 * priority without parsing the title. docs/datadog/payload-template.json is the same text.
 */
export const DATADOG_PAYLOAD_TEMPLATE = {
  body: '$EVENT_MSG',
  last_updated: '$LAST_UPDATED',
  event_type: '$EVENT_TYPE',
  title: '$EVENT_TITLE',
  date: '$DATE',
  org: { id: '$ORG_ID', name: '$ORG_NAME' },
  id: '$ID',
  alert_cycle_key: '$ALERT_CYCLE_KEY',
  alert_transition: '$ALERT_TRANSITION',
  alert_type: '$ALERT_TYPE',
  alert_priority: '$ALERT_PRIORITY',
  alert_id: '$ALERT_ID',
  alert_title: '$ALERT_TITLE',
  alert_scope: '$ALERT_SCOPE',
  alert_query: '$ALERT_QUERY',
  alert_status: '$ALERT_STATUS',
  alert_metric: '$ALERT_METRIC',
  aggreg_key: '$AGGREG_KEY',
  hostname: '$HOSTNAME',
  link: '$LINK',
  tags: '$TAGS',
} as const;
