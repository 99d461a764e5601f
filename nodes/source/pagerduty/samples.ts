import type { NodeSample } from '../../definition.js';

/**
 * One PagerDuty incident as a webhook v3 subscription delivers it, written for Salve (ids,
 * names and hosts are made up). The incident came from an Alertmanager DiskFull alert, so its
 * title is the alert name and the flows written for Alertmanager read it the same way.
 */
function diskFullIncident(eventType: 'incident.triggered' | 'incident.resolved') {
  const resolved = eventType === 'incident.resolved';
  return {
    event: {
      id: resolved ? '01FZQ7R6T1Y0W4SALVEPDRES01' : '01FZQ7K2M9D3X8SALVEPDTRG01',
      event_type: eventType,
      resource_type: 'incident',
      occurred_at: resolved ? '2026-11-24T09:47:05.412Z' : '2026-11-24T09:12:41.087Z',
      agent: resolved
        ? {
            html_url: 'https://example.pagerduty.com/users/PU2DB0A',
            id: 'PU2DB0A',
            self: 'https://api.pagerduty.com/users/PU2DB0A',
            summary: 'Dana On-Call',
            type: 'user_reference',
          }
        : {
            html_url: 'https://example.pagerduty.com/services/PSVC0DB',
            id: 'PSVC0DB',
            self: 'https://api.pagerduty.com/services/PSVC0DB',
            summary: 'postgresql',
            type: 'service_reference',
          },
      client: resolved ? null : { name: 'Alertmanager' },
      data: {
        id: 'Q1DISKFULL0DB1',
        type: 'incident',
        self: 'https://api.pagerduty.com/incidents/Q1DISKFULL0DB1',
        html_url: 'https://example.pagerduty.com/incidents/Q1DISKFULL0DB1',
        number: 4711,
        status: resolved ? 'resolved' : 'triggered',
        incident_key: 'd15cf011a0b2c3d4',
        created_at: '2026-11-24T09:12:41Z',
        title: 'DiskFull',
        service: {
          html_url: 'https://example.pagerduty.com/service-directory/PSVC0DB',
          id: 'PSVC0DB',
          self: 'https://api.pagerduty.com/services/PSVC0DB',
          summary: 'postgresql',
          type: 'service_reference',
        },
        assignees: resolved
          ? []
          : [
              {
                html_url: 'https://example.pagerduty.com/users/PU2DB0A',
                id: 'PU2DB0A',
                self: 'https://api.pagerduty.com/users/PU2DB0A',
                summary: 'Dana On-Call',
                type: 'user_reference',
              },
            ],
        escalation_policy: {
          html_url: 'https://example.pagerduty.com/escalation_policies/PEP0DBA',
          id: 'PEP0DBA',
          self: 'https://api.pagerduty.com/escalation_policies/PEP0DBA',
          summary: 'Databases',
          type: 'escalation_policy_reference',
        },
        teams: [],
        priority: {
          html_url: 'https://example.pagerduty.com/account/incident_priorities',
          id: 'PPRIO01',
          self: 'https://api.pagerduty.com/priorities/PPRIO01',
          summary: 'P1',
          type: 'priority_reference',
        },
        urgency: 'high',
        conference_bridge: null,
        resolve_reason: null,
      },
    },
  };
}

/** Test payloads for `source.pagerduty`. */
export const pagerdutySamples: readonly NodeSample[] = [
  {
    name: 'DiskFull incident triggered',
    description: 'A P1, high-urgency DiskFull incident on the postgresql service, as PagerDuty posts incident.triggered.',
    payload: diskFullIncident('incident.triggered'),
  },
  {
    name: 'DiskFull incident resolved',
    description: 'The same incident once resolved (incident.resolved); a source with "on": "firing" (the default) starts nothing for it.',
    payload: diskFullIncident('incident.resolved'),
  },
];
