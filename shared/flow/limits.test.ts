import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatIssues, type Issue } from '../errors.js';
import type { NodeSpec } from './node-spec.js';
import { validateFlow } from './validate.js';

// One fake source type: these tests are about the flow-level `limits`, not nodes.
const source: NodeSpec = {
  type: 'source.fake',
  category: 'source',
  outputs: ['out'],
  configSchema: z.strictObject({}),
  outputSchema: z.object({}),
  expressions: () => [],
};
const lookup = (type: string) => (type === source.type ? source : undefined);

const doc = (limits: unknown) => ({
  format: 'salve.flow/v1',
  id: 'restart-web',
  name: 'Restart web',
  nodes: [{ id: 'am', type: 'source.fake', config: {} }],
  limits,
});

function issuesOf(limits: unknown): Issue[] {
  const result = validateFlow(doc(limits), lookup);
  if (result.ok) throw new Error('expected the flow to be invalid');
  return result.issues;
}

const at = (issues: Issue[], path: string) => issues.find((i) => i.path.join('.') === path);

describe('flow limits (guard rails) at save', () => {
  it('accepts every limit and keeps it in the validated flow', () => {
    const limits = {
      maxRunsPerWindow: { runs: 20, window: 3600 },
      target: { key: 'alert.labels.instance', cooldown: 1800, maxConcurrent: 1 },
      blastRadius: { targets: 3, window: 600 },
      breaker: { failures: 3, window: 900 },
      onHeld: { flow: 'page-oncall' },
    };
    const result = validateFlow(doc(limits), lookup);
    expect(result.ok ? result.flow.limits : formatIssues(result.issues)).toEqual(limits);
  });

  it('refuses blastRadius without a target key, naming limits.blastRadius', () => {
    const issues = issuesOf({ blastRadius: { targets: 3, window: 600 } });
    expect(at(issues, 'limits.blastRadius')?.message).toContain('set limits.target.key');
  });

  it('refuses a target key that is not valid CEL, naming limits.target.key', () => {
    const issues = issuesOf({ target: { key: 'alert.labels.instance ==', cooldown: 60 } });
    expect(at(issues, 'limits.target.key')?.message).toMatch(/^target key "alert.labels.instance ==" is invalid/);
  });

  it('refuses a target key that reads a step (none has run when the run is created)', () => {
    const issues = issuesOf({ target: { key: 'steps.am.host' } });
    expect(at(issues, 'limits.target.key')).toBeDefined();
  });

  it('names out-of-range numbers and unknown fields at their paths', () => {
    const issues = issuesOf({ maxRunsPerWindow: { runs: 0, window: 604_801 }, target: { key: 'alert.name', cooldown: 1.5 }, breaker: { failures: 3 }, later: 1 });
    expect(at(issues, 'limits.maxRunsPerWindow.runs')?.message).toBe('must be at least 1');
    expect(at(issues, 'limits.maxRunsPerWindow.window')?.message).toContain('at most 604800 seconds');
    expect(at(issues, 'limits.target.cooldown')?.message).toContain('whole number of seconds');
    expect(at(issues, 'limits.breaker.window')).toBeDefined();
    expect(at(issues, 'limits.later')?.message).toBe('unknown field "later"');
  });
});
