import { describe, expect, it } from 'vitest';
import { describeAudit, runOf } from './describe.js';

describe('describeAudit', () => {
  it('says what changed between before and after, and nothing that did not', () => {
    expect(
      describeAudit({ before: { revision: 1, name: 'Disk full', enabled: true }, after: { revision: 2, name: 'Disk full', enabled: false }, details: {} }),
    ).toEqual(['revision: 1 → 2', 'enabled: true → false']);
  });

  it('lists what was set on create, what was there before a delete, and the details', () => {
    expect(describeAudit({ before: null, after: { hosts: ['events.pagerduty.com'] }, details: { changed: ['value', 'hosts'] } })).toEqual([
      'hosts: events.pagerduty.com',
      'changed: value, hosts',
    ]);
    expect(describeAudit({ before: { revision: 3, name: 'x', enabled: false }, after: null, details: {} })).toEqual(['was revision: 3', 'was name: x', 'was enabled: false']);
    expect(describeAudit({ before: { status: 'pending' }, after: { status: 'approved' }, details: { executionId: 'ex_1', comment: 'go' } })).toEqual([
      'status: pending → approved',
      'comment: go',
    ]);
  });

  it('says a person’s roles per team as the People page does, not as JSON', () => {
    const roles = [
      { team: 'payments', roles: ['approver', 'editor'] },
      { team: 'search', roles: ['viewer'] },
    ];
    expect(describeAudit({ before: null, after: { username: 'ana', roles }, details: null })).toEqual([
      'username: ana',
      'roles: payments (approver, editor), search (viewer)',
    ]);
    expect(describeAudit({ before: null, after: { roles: [] }, details: null })).toEqual(['roles: (none)']);
  });

  it('finds the run a row is about', () => {
    expect(runOf({ action: 'execution.cancel', target: 'ex_9', details: {} })).toBe('ex_9');
    expect(runOf({ action: 'flow.run', target: 'f1', details: { executionId: 'ex_2' } })).toBe('ex_2');
    expect(runOf({ action: 'flow.update', target: 'f1', details: {} })).toBeUndefined();
  });
});
