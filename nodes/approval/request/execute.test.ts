import { describe, expect, it } from 'vitest';
import { testContext } from '../../../test/kit/nodes.js';
import { ApprovalRequestConfigSchema, approvalRequest } from './definition.js';
import { executeApprovalRequest } from './execute.js';

describe('approval.request', () => {
  it('parks the execution for a decision with the rendered message and timeout', async () => {
    const config = ApprovalRequestConfigSchema.parse({ message: 'Restart postgresql on db1?' });
    expect(await executeApprovalRequest(config, testContext())).toEqual({
      type: 'wait-approval',
      message: 'Restart postgresql on db1?',
      timeoutSeconds: 3600,
      // Four eyes unless the flow says otherwise: one approval, not by the run's starter or the revision's author.
      rules: { quorum: 1, allowSelfApproval: false, requireComment: false },
    });
  });

  it('hands its approval rules to the engine, to be kept with the approval', async () => {
    const config = ApprovalRequestConfigSchema.parse({
      message: 'Fail over?',
      approvers: { users: ['alice'], teams: ['dba'] },
      quorum: 2,
      allowSelfApproval: true,
      requireComment: true,
    });
    expect(await executeApprovalRequest(config, testContext())).toMatchObject({
      rules: { approvers: { users: ['alice'], teams: ['dba'] }, quorum: 2, allowSelfApproval: true, requireComment: true },
    });
    expect(approvalRequest.summary(config)).toBe('ask: Fail over? (1 h, 2 approvals)');
  });

  it('checks the rules, naming the field', () => {
    const issues = (input: object) => ApprovalRequestConfigSchema.safeParse({ message: 'ok?', ...input }).error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(issues({ quorum: 0 })).toEqual(['quorum']);
    expect(issues({ quorum: 1.5 })).toEqual(['quorum']);
    expect(issues({ quorum: 11 })).toEqual(['quorum']);
    expect(issues({ allowSelfApproval: 'yes' })).toEqual(['allowSelfApproval']);
    expect(issues({ requireComment: 1 })).toEqual(['requireComment']);
    expect(issues({ approvers: { users: [''] } })).toEqual(['approvers.users.0']);
    expect(issues({ approvers: { groups: ['x'] } })).toEqual(['approvers']);
    expect(issues({ approvers: { teams: ['dba'] }, quorum: 3 })).toEqual([]);
  });

  it('checks the message and timeout, naming the field', () => {
    const issues = (input: unknown) => ApprovalRequestConfigSchema.safeParse(input).error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(issues({})).toEqual(['message']);
    expect(issues({ message: '   ' })).toEqual(['message']);
    expect(issues({ message: 'x'.repeat(2001) })).toEqual(['message']);
    expect(issues({ message: 'ok?', timeoutSeconds: 59 })).toEqual(['timeoutSeconds']);
    expect(issues({ message: 'ok?', timeoutSeconds: 604_801 })).toEqual(['timeoutSeconds']);
    expect(issues({ message: 'ok?', timeoutSeconds: 900 })).toEqual([]);
  });

  it('declares the message as a template and summarizes it', () => {
    const config = ApprovalRequestConfigSchema.parse({ message: 'Restart {{ alert.labels.service }}?', timeoutSeconds: 900 });
    expect(approvalRequest.expressions(config)).toEqual([{ path: ['message'], kind: 'template', source: 'Restart {{ alert.labels.service }}?' }]);
    expect(approvalRequest.summary(config)).toBe('ask: Restart {{…}}? (15 min)');
    expect(approvalRequest.outputs).toEqual(['approved', 'rejected', 'timeout']);
    expect(approvalRequest.simulatePort).toBe('approved');
  });
});
