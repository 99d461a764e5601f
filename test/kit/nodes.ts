import type { z } from 'zod';
import { formatIssues, ValidationError } from '../../shared/errors.js';
import { isSecretRef } from '../../shared/flow/schema.js';
import type { Alert } from '../../shared/alert/schema.js';
import type { ExprVars } from '../../shared/expr/types.js';
import type { ExecContext, Resolved } from '../../nodes/executor.js';
import type { IngestRequest, NormalizeContext } from '../../nodes/source-adapter.js';
import { NO_NETWORK } from '../../nodes/network.js';

/** The fixed "now" of tests (testContext's clock too). */
export const TEST_NOW = new Date('2026-11-24T01:00:00.000Z');

/** What a source's `normalize` gets in tests: the clock at TEST_NOW, and the delivery when there is one. */
export function normalizeContext(request?: IngestRequest): NormalizeContext {
  return request ? { now: TEST_NOW.getTime(), request } : { now: TEST_NOW.getTime() };
}

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
    now: () => new Date(TEST_NOW),
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

/** Whether a secret reference is left anywhere inside `value`. */
function holdsSecretRef(value: unknown): boolean {
  if (isSecretRef(value)) return true;
  if (Array.isArray(value)) return value.some(holdsSecretRef);
  if (value && typeof value === 'object') return Object.values(value).some(holdsSecretRef);
  return false;
}

/**
 * `input` parsed by a node type's config schema, as the runner hands it to an executor: tests
 * write the values a secret would resolve to, so no secret reference may be left (checked).
 */
export function resolvedConfig<S extends z.ZodType>(schema: S, input: unknown): Resolved<z.output<S>> {
  const config = schema.parse(input);
  if (holdsSecretRef(config)) throw new Error('an executor receives resolved configs: write the secret\'s value, not a reference');
  return config as Resolved<z.output<S>>;
}
