import type { Flow } from '../../../shared/flow/schema.js';
import type { ExecContext, StepOutcome } from '../../../nodes/executor.js';
import { getNodeModule } from '../../../nodes/registry.js';
import type { SqliteStore } from '../../store/db.js';
import { executionsRepo, type ExecutionRow } from '../../store/executions-repo.js';
import { stepsRepo, type StepRow } from '../../store/steps-repo.js';
import type { Logger } from '../../log.js';
import type { Clock } from '../clock.js';
import type { CommandUser } from '../../../nodes/command-user.js';
import type { DestinationPolicy } from '../../net/destination-policy.js';
import type { SecretStore } from '../secrets/secrets.js';
import { RenderError, renderConfig, type RenderedConfig } from './render.js';
import { scrubberFor } from '../secrets/scrub.js';
import { holdsLease, ownedBy } from './lease-fence.js';
import { firstTryStartedAt, nextTry } from './repeat.js';
import { applyOutcome, endExecution, repeatStep, settle, startExecution } from './transitions.js';
import { lazyEvent, stepVars } from './vars.js';

/** Why a run's signal was aborted. */
export type StopReason = 'cancel' | 'deadline' | 'shutdown';

export interface RunnerDeps {
  store: SqliteStore;
  clock: Clock;
  secrets: SecretStore;
  /** The user command steps run as (SALVE_COMMAND_USER); default Salve's own. */
  commandUser?: CommandUser;
  /** Where steps may connect (SALVE_ALLOWED_TARGETS, flow lists, secret host lists). */
  network: DestinationPolicy;
  log: Logger;
  /** The flow document of a revision (cached by the caller). */
  flowAt(id: string, revision: number): Flow | undefined;
  /** SALVE_PUBLIC_ORIGIN: steps get their run's editor URL from it (ExecContext.runUrl). */
  publicOrigin?: string;
  /** The lease owner this runner claims for (leases.ts); when set, a run whose lease another owner took stops without acting or recording. */
  leaseOwner?: string;
}

/**
 * Runs one claimed execution step by step until it finishes, parks (approval, delay) or is
 * stopped. Every transition is committed before the next begins; a side-effecting step's
 * intent is committed before the side effect, so a crash leaves a decidable state.
 */
export async function runExecution(
  deps: RunnerDeps,
  executionId: string,
  signal: AbortSignal,
  /** True when shutting down or paused: finish the current step, then checkpoint to the queue. */
  shouldCheckpoint: () => boolean = () => false,
): Promise<void> {
  const { store, clock } = deps;
  const first = executionsRepo.get(store.db, executionId);
  if (!first) return;
  const flow = deps.flowAt(first.flowId, first.flowRevision);
  if (!flow) {
    await store.writeEventually((db) => endExecution(db, first, 'cancelled', `flow ${first.flowId} revision ${first.flowRevision} is missing`, clock.now()));
    return;
  }
  // The delivery body is read and parsed only if an expression or template uses `event`.
  const loadEvent = lazyEvent(store.db, first.eventId);
  // The dispatcher normally starts the execution when it claims it; this covers the rest.
  if (stepsRepo.nextSeq(store.db, executionId) === 1) await store.writeEventually((db) => startExecution(db, flow, first, clock.now(), scrubberFor(deps.secrets)));

  for (;;) {
    const exec = executionsRepo.get(store.db, executionId);
    if (exec?.status !== 'running' || !ownedBy(exec, deps.leaseOwner)) return;
    if (signal.aborted || shouldCheckpoint()) {
      await stop(deps, exec, signal.aborted ? (signal.reason as StopReason) : 'shutdown');
      return;
    }
    if (clock.now() >= exec.deadlineAt) {
      await stop(deps, exec, 'deadline');
      return;
    }
    const steps = stepsRepo.forExecution(store.db, executionId);
    const next = steps.find((s) => s.status === 'pending');
    if (!next) {
      const result = await store.writeEventually((db) => settle(db, flow, executionId, clock.now()));
      if (result === 'continue') continue;
      return;
    }
    await runStep(deps, exec, flow, next, steps, loadEvent, signal);
  }
}

/** Stops a run: shutdown puts it back in the queue (a checkpoint), the others end it. */
async function stop(deps: RunnerDeps, exec: ExecutionRow, reason: StopReason): Promise<void> {
  const now = deps.clock.now();
  if (reason === 'shutdown') {
    await deps.store.writeEventually((db) => executionsRepo.transition(db, exec.id, ['running'], { status: 'queued', updatedAt: now }));
    return;
  }
  if (reason === 'deadline') {
    await deps.store.writeEventually((db) => endExecution(db, exec, 'timed_out', 'execution deadline exceeded', now));
  }
  // 'cancel': the cancel request already ended the execution.
}

async function runStep(
  deps: RunnerDeps,
  exec: ExecutionRow,
  flow: Flow,
  step: StepRow,
  steps: StepRow[],
  event: () => unknown,
  signal: AbortSignal,
): Promise<void> {
  const { store, clock } = deps;
  const nodeType = getNodeModule(step.nodeType);
  const def = nodeType?.definition;
  const node = flow.nodes.find((n) => n.id === step.nodeId);
  const startedAt = clock.now();
  // Each outcome is committed together with what follows from it (park or finish when
  // nothing else is pending), so a run costs one commit per step. Every outcome is scrubbed of
  // every secret Salve knows (not only the step's own) before it is stored. Retried until it
  // commits (a locked database delays the record, never drops it), unless the lease went to
  // another owner.
  const scrubber = scrubberFor(deps.secrets);
  const record = (from: 'pending' | 'intent', s: StepRow, outcome: StepOutcome, config: unknown, ran = false) => {
    const scrubbed = scrubber.scrub(outcome);
    const storedConfig = scrubber.scrub(config);
    const firstStartedAt = firstTryStartedAt(s, steps, startedAt);
    const random = Math.random();
    return store.writeEventually((db) => {
      if (!holdsLease(db, exec.id, deps.leaseOwner)) return;
      const now = clock.now();
      const meta = { config: storedConfig, startedAt, now };
      // Only a try that ran may run again (a config that does not render will not render next
      // time either), and never one cut short by a cancel or the deadline.
      const repeat = ran && !signal.aborted && node && def ? nextTry({ node, def, outcome, attempt: s.attempt, firstStartedAt, now, random }) : undefined;
      if (repeat) repeatStep(db, s, from, scrubbed, meta, repeat);
      else applyOutcome(db, flow, s, from, scrubbed, meta);
      // A step cut short by the execution deadline ends the execution as timed out.
      if (signal.aborted && signal.reason === 'deadline') {
        const current = executionsRepo.get(db, exec.id);
        if (current) endExecution(db, current, 'timed_out', 'execution deadline exceeded', now);
        return;
      }
      settle(db, flow, exec.id, now);
    });
  };
  const fail = (error: string, config: unknown = node?.config) => record('pending', step, { type: 'fail', error }, config);

  if (!nodeType || !def || !node) {
    await fail(`node type "${step.nodeType}" is not available in this version of Salve`);
    return;
  }
  const vars = stepVars(exec, flow, steps, event);
  let rendered: RenderedConfig;
  try {
    rendered = renderConfig(node.config, def.expressions(node.config), vars, deps.secrets.resolve);
  } catch (error) {
    if (error instanceof RenderError) {
      await fail(error.message);
      return;
    }
    throw error;
  }

  // A step that changes the world (or waits for a person) is committed as `intent` before it
  // runs, so after a crash recovery knows it may have acted. Others (conditions, delays) need
  // none: a crash leaves them `pending`, and they simply run again.
  const needsIntent = def.sideEffects;
  const attempt = step.attempt + 1;
  if (needsIntent) {
    const marked = await store.writeEventually((db) =>
      holdsLease(db, exec.id, deps.leaseOwner) &&
      stepsRepo.transition(db, step.id, ['pending'], {
        status: 'intent',
        attempt,
        startedAt,
        config: JSON.stringify(scrubber.scrub(rendered.redacted)),
      }),
    );
    if (!marked) return;
  }

  // Earlier tries of this same step (`retried` rows) share its key: a target that saw a try which
  // timed out after acting drops the retry. Other runs of the node get their own.
  const sameNodeBefore = steps.filter((s) => s.nodeId === step.nodeId && s.seq < step.seq && s.status !== 'retried').length;
  const ctx: ExecContext = {
    executionId: exec.id,
    nodeId: step.nodeId,
    stepId: step.id,
    attempt,
    idempotencyKey: sameNodeBefore === 0 ? `${exec.id}:${step.nodeId}` : `${exec.id}:${step.nodeId}:${sameNodeBefore + 1}`,
    signal,
    vars,
    network: deps.network.forStep({ flowTargets: flow.settings?.allowedTargets, secrets: rendered.secrets.map((s) => s.name) }),
    secrets: rendered.secrets,
    now: () => new Date(clock.now()),
    ...(deps.publicOrigin ? { runUrl: `${deps.publicOrigin}/#/runs/${encodeURIComponent(exec.id)}` } : {}),
    commandUser: deps.commandUser,
  };
  let outcome: StepOutcome;
  try {
    outcome = await nodeType.execute(rendered.value, ctx);
  } catch (error) {
    deps.log.error({ err: error, executionId: exec.id, nodeId: step.nodeId }, 'executor threw');
    outcome = { type: 'fail', error: `internal error in ${step.nodeType}: ${(error as Error).message}` };
  }
  if (signal.aborted && signal.reason === 'shutdown') {
    // Killed by shutdown after the grace period: record nothing. The step stays `intent` and
    // the next start decides as after a crash (retry if idempotent, else `unknown`).
    return;
  }
  await record(needsIntent ? 'intent' : 'pending', { ...step, attempt }, outcome, rendered.redacted, true);
}
