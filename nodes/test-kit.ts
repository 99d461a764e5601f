import { formatIssues, ValidationError } from '../shared/errors.js';
import type { Alert } from '../shared/alert/schema.js';
import type { ExprVars } from '../shared/expr/types.js';
import type { ExecContext } from './executor.js';
import { NO_NETWORK } from './network.js';

/** A normalized alert for executor tests; fields can be overridden. */
export function testAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    source: 'alertmanager',
    status: 'firing',
    name: 'DiskFull',
    severity: 'critical',
    summary: 'Disk almost full on db1',
    description: '',
    labels: { alertname: 'DiskFull', instance: 'db1:9100', service: 'postgresql', severity: 'critical' },
    annotations: { summary: 'Disk almost full on db1' },
    startsAt: '2026-11-24T01:00:00.000Z',
    endsAt: '',
    fingerprint: 'a1b2c3d4e5f60708',
    dedupKey: 'a1b2c3d4e5f60708:2026-11-24T01:00:00.000Z:firing',
    links: {},
    raw: null,
    ...overrides,
  };
}

/** An ExecContext for calling an executor directly, as the runner would. */
export function testContext(overrides: Partial<Omit<ExecContext, 'vars'>> & { vars?: Partial<ExprVars> } = {}): ExecContext {
  const { vars, ...rest } = overrides;
  return {
    executionId: 'ex_test',
    nodeId: 'node',
    stepId: 'st_test',
    attempt: 1,
    idempotencyKey: 'ex_test:node',
    signal: new AbortController().signal,
    now: () => new Date('2026-11-24T01:00:00.000Z'),
    // Executors connect only when a test passes a network that allows it.
    network: NO_NETWORK,
    secrets: [],
    ...rest,
    vars: {
      alert: testAlert(),
      event: {},
      steps: {},
      flow: { id: 'disk-full', name: 'Disk full', revision: 1 },
      execution: { id: 'ex_test', startedAt: '2026-11-24T01:00:00.000Z' },
      ...vars,
    },
  };
}

/** The issues `fn` throws as a ValidationError, formatted `path: message` per line (fails otherwise). */
export function issuesOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return formatIssues(error.issues);
  }
  throw new Error('expected a ValidationError');
}
