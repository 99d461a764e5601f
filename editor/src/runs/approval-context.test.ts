import { describe, expect, it } from 'vitest';
import type { Approval, ExecutionDetail, Step } from '../../../shared/api-views.js';
import { approvalContextView, nextFromFlow, ranFromExecution } from './approval-context.js';

const flow = {
  format: 'salve.flow/v1',
  id: 'disk-full',
  name: 'Disk full',
  enabled: true,
  nodes: [
    { id: 'am', type: 'source.alertmanager', config: {} },
    { id: 'clean', type: 'action.http', label: 'Clean /var/tmp', config: { url: 'http://{{ alert.labels.instance }}/cleanup' } },
    { id: 'ask', type: 'approval.request', config: { message: 'Restart?' } },
    { id: 'restart', type: 'action.shell', config: { command: ['systemctl', 'restart', '{{ alert.labels.service }}'] } },
    { id: 'page', type: 'action.http', config: { url: 'http://pager' } },
  ],
  edges: [
    { source: 'am', target: 'clean' },
    { source: 'clean', sourcePort: 'ok', target: 'ask' },
    { source: 'ask', sourcePort: 'approved', target: 'restart' },
    { source: 'ask', sourcePort: 'rejected', target: 'page' },
  ],
} as unknown as NonNullable<ExecutionDetail['flow']>;

const mk = (seq: number, nodeId: string, nodeType: string, status: Step['status'], port: string | null): Step => ({
  id: `st_${seq}`,
  seq,
  nodeId,
  nodeType,
  parentStepId: null,
  status,
  attempt: 1,
  port,
  input: null,
  config: null,
  output: { n: seq },
  error: null,
  createdAt: '',
  startedAt: null,
  endedAt: `2026-05-01T12:00:0${seq}.000Z`,
  wakeAt: null,
  waitReason: null,
  scope: null,
});

const steps = [mk(3, 'ask', 'approval.request', 'waiting', null), mk(1, 'am', 'source.alertmanager', 'succeeded', 'out'), mk(2, 'clean', 'action.http', 'succeeded', 'ok')];
const detail = { steps, flow } as unknown as ExecutionDetail;
const approval = { id: 'ap_1', stepId: 'st_3', nodeId: 'ask', executionId: 'ex_1' } as Approval;

describe('ranFromExecution', () => {
  it('lists the steps before the approval, in order, with their labels', () => {
    const ran = ranFromExecution(detail, approval);
    expect(ran.map((s) => [s.nodeId, s.label, s.port])).toEqual([
      ['am', 'Alertmanager', 'out'],
      ['clean', 'Clean /var/tmp', 'ok'],
    ]);
    expect(ran[1]!.output).toEqual({ n: 2 });
  });
});

describe('nextFromFlow', () => {
  it('gives only the nodes on the approved port', () => {
    expect(nextFromFlow(flow, 'ask')).toEqual([
      { nodeId: 'restart', nodeType: 'action.shell', label: 'Run command', rendered: { command: ['systemctl', 'restart', '{{ alert.labels.service }}'] } },
    ]);
    expect(nextFromFlow(null, 'ask')).toEqual([]);
  });
});

describe('approvalContextView', () => {
  it('prefers what the server sent', () => {
    const withContext: Approval = { ...approval, flowName: 'From server', ran: [], next: [{ nodeId: 'restart', nodeType: 'action.shell', label: 'Restart', rendered: { command: ['x'] } }] };
    const view = approvalContextView(withContext, detail);
    expect(view.flowName).toBe('From server');
    expect(view.ran).toEqual([]);
    expect(view.nextUnrendered).toBe(false);
  });

  it('falls back to the execution and says the configs are not rendered', () => {
    const view = approvalContextView(approval, detail);
    expect(view.flowName).toBe('Disk full');
    expect(view.ran).toHaveLength(2);
    expect(view.next.map((n) => n.nodeId)).toEqual(['restart']);
    expect(view.nextUnrendered).toBe(true);
  });

  it('is empty until the execution has loaded', () => {
    expect(approvalContextView(approval, undefined)).toEqual({ flowName: null, ran: [], next: [], nextUnrendered: true });
  });
});
