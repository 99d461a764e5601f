import type { StoreTx } from '../../store/tx.js';
import type { Store } from '../../store/store.js';
import type { Flow } from '../../../shared/flow/schema.js';
import type { ExecContext, StepOutcome } from '../../../nodes/executor.js';
import { getNodeModule } from '../../../nodes/registry.js';
import type { ExecutionRow } from '../../store/executions-repo.js';
import type { StepRow } from '../../store/steps-repo.js';
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
import { stepVars } from './vars.js';
import { stepNeeds } from './step-needs.js';
import { parseScope } from './loop-vars.js';
import type { ApprovalLinks } from '../approvals/approval-links.js';
import type { SecretResolver } from '../../../nodes/source-adapter.js';
import type { EngineMetrics } from '../../metrics.js';
import type { KubernetesDirectory } from '../../kubernetes/clusters.js';

/**
 * The secrets a step of a flow owned by `flowTeam` may use: environment secrets (no team) and
 * the stored secrets of its own team. Checked when the step runs, not only when the flow is
 * saved, because a secret of that name may be created by another team later.
 */
export function teamSecrets(secrets: SecretStore, flowTeam: string | undefined): SecretResolver {
  return (name) => {
    const owner = secrets.team?.(name);
    if (owner !== undefined && owner !== flowTeam) {
      throw new RenderError(`secret ${name} belongs to team "${owner}"; a flow of team "${flowTeam ?? 'none'}" cannot use it`);
    }
    return secrets.resolve(name);
  };
}

/**
 * A run's delivery body (`event` in expressions), read and parsed once, before the first step
 * whose expressions may read it (stepNeeds): most runs never need it.
 */
class RunEvent {
  private loaded = false;
  private value: unknown;

  constructor(
    private readonly store: Store,
    private readonly eventId: string,
  ) {}

  async load(): Promise<void> {
    if (this.loaded) return;
    const body = await this.store.read((tx) => tx.events.body(this.eventId));
    this.value = body === undefined ? null : (JSON.parse(body) as unknown);
    this.loaded = true;
  }

  /** The parsed body; a step whose needs said it reads none has no business asking (a bug: the step fails). */
  readonly read = (): unknown => {
    if (!this.loaded) throw new RenderError('internal error: the delivery body was read by a step that was not expected to read it');
    return this.value;
  };
}

/** What one run reads at most once, for the steps that need it (see stepNeeds). */
interface RunData {
  event: RunEvent;
  /** The flow's team, once a step used a stored secret. */
  team?: { name: string | undefined };
}

/** What a step's record left the run in (transitions.ts `settle`). */
type Settled = Awaited<ReturnType<typeof settle>>;

/** Why a run's signal was aborted. */
export type StopReason = 'cancel' | 'deadline' | 'shutdown';

export interface RunnerDeps {
  store: Store;
  clock: Clock;
  secrets: SecretStore;
  /** The user command steps run as (SALVE_COMMAND_USER); default Salve's own. */
  commandUser?: CommandUser;
  /** The Kubernetes clusters steps may act on (SALVE_KUBERNETES_CLUSTERS). */
  kubernetes?: KubernetesDirectory;
  /** Where steps may connect (SALVE_ALLOWED_TARGETS, flow lists, secret host lists). */
  network: DestinationPolicy;
  log: Logger;
  /** The flow document of a revision, read in `tx` unless the caller has it cached (revisions never change). */
  flowAt(tx: StoreTx, id: string, revision: number): Promise<Flow | undefined>;
  /** SALVE_PUBLIC_ORIGIN: steps get their run's editor URL from it (ExecContext.runUrl). */
  publicOrigin?: string;
  /** Signs the approval links templates read as `approval.link`. */
  approvalLinks?: ApprovalLinks;
  /** The lease owner this runner claims for (leases.ts); when set, a run whose lease another owner took stops without acting or recording. */
  leaseOwner?: string;
  /** Told each step try's duration once its outcome committed (GET /metrics); optional. */
  metrics?: EngineMetrics;
  /** Told when a step's success left work for after its run (StepOutcome.afterRun), once committed. */
  afterRunRecorded?: () => void;
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
  /** The execution as the claim that was just committed left it (the dispatcher's), so it is not read again. */
  claimed?: ExecutionRow,
): Promise<void> {
  const { store, clock } = deps;
  const first = claimed ?? (await store.read((tx) => tx.executions.get(executionId)));
  if (!first) return;
  const flow = await store.read((tx) => deps.flowAt(tx, first.flowId, first.flowRevision));
  if (!flow) {
    await store.writeEventually((tx) => endExecution(tx, first, 'cancelled', `flow ${first.flowId} revision ${first.flowRevision} is missing`, clock.now()));
    return;
  }
  const run: RunData = { event: new RunEvent(store, first.eventId) };
  // The dispatcher normally starts the execution when it claims it; this covers the rest.
  if ((await store.read((tx) => tx.steps.nextSeq(executionId))) === 1) {
    await store.writeEventually((tx) => startExecution(tx, flow, first, clock.now(), scrubberFor(deps.secrets)));
  }

  // Steps running now, by id: one at a time, but for loop items, which run side by side (startable).
  const inFlight = new Map<string, Promise<void>>();
  let failure: { error: unknown } | undefined;
  // A step's record committed the run's end or park (settle): there is nothing left to run here.
  let settled = false;
  // The first turn uses the row read (or claimed) just now; each later turn reads it once.
  let known: ExecutionRow | undefined = first;
  const allLanded = () => Promise.all(inFlight.values());
  try {
    for (;;) {
      if (failure) throw failure.error;
      if (settled) return;
      const exec = known ?? (await store.read((tx) => tx.executions.get(executionId)));
      known = undefined;
      if (exec?.status !== 'running' || !ownedBy(exec, deps.leaseOwner)) return;
      if (signal.aborted || shouldCheckpoint() || clock.now() >= exec.deadlineAt) {
        const reason: StopReason = signal.aborted ? (signal.reason as StopReason) : shouldCheckpoint() ? 'shutdown' : 'deadline';
        // What runs records its own outcome first (an abort cuts it short).
        await allLanded();
        const current = await store.read((tx) => tx.executions.get(executionId));
        if (current?.status !== 'running' || !ownedBy(current, deps.leaseOwner)) return;
        await stop(deps, current, reason);
        return;
      }
      const steps = await store.read((tx) => tx.steps.forExecution(executionId));
      const next = startable(steps, inFlight);
      if (next.length === 0) {
        if (inFlight.size > 0) {
          await Promise.race(inFlight.values());
          continue;
        }
        const result = await store.writeEventually((tx) => settle(tx, flow, executionId, clock.now()));
        if (result === 'continue') continue;
        return;
      }
      for (const step of next) {
        const running = runStep(deps, exec, flow, step, steps, run, signal)
          .then((result) => {
            if (result !== undefined && result !== 'continue') settled = true;
          })
          .catch((error: unknown) => {
            failure ??= { error };
          })
          .finally(() => inFlight.delete(step.id));
        inFlight.set(step.id, running);
      }
      // Everything startable now runs: nothing else can start until one of them lands.
      await Promise.race(inFlight.values());
    }
  } finally {
    // Never leave a step running unwatched (its failure would go unhandled).
    await allLanded();
  }
}

/**
 * The pending steps to start now. Steps run one at a time, in order, except the steps of loop
 * items (StepRow.scope): those of different items run side by side, one step per item at a time,
 * so a loop's `concurrency` (how many items are open) bounds them. A step outside any loop waits
 * until nothing else runs.
 */
function startable(steps: readonly StepRow[], inFlight: ReadonlyMap<string, unknown>): StepRow[] {
  const pending = steps.filter((s) => s.status === 'pending' && !inFlight.has(s.id));
  if (pending.length === 0) return [];
  const busy = new Set(steps.filter((s) => inFlight.has(s.id)).map((s) => s.scope));
  if (busy.has(null)) return [];
  if (inFlight.size === 0 && pending[0]!.scope === null) return [pending[0]!];
  const out: StepRow[] = [];
  for (const s of pending) {
    if (s.scope === null || busy.has(s.scope)) continue;
    busy.add(s.scope);
    out.push(s);
  }
  return out;
}

/** Stops a run: shutdown puts it back in the queue (a checkpoint), the others end it. */
async function stop(deps: RunnerDeps, exec: ExecutionRow, reason: StopReason): Promise<void> {
  const now = deps.clock.now();
  if (reason === 'shutdown') {
    await deps.store.writeEventually((tx) => tx.executions.transition(exec.id, ['running'], { status: 'queued', updatedAt: now }));
    return;
  }
  if (reason === 'deadline') {
    await deps.store.writeEventually((tx) => endExecution(tx, exec, 'timed_out', 'execution deadline exceeded', now));
  }
  // 'cancel': the cancel request already ended the execution.
}

async function runStep(
  deps: RunnerDeps,
  exec: ExecutionRow,
  flow: Flow,
  step: StepRow,
  steps: StepRow[],
  run: RunData,
  signal: AbortSignal,
): Promise<Settled | undefined> {
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
    const written = store.writeEventually(async (tx): Promise<{ now: number; settled?: Settled } | false> => {
      // The lease fence (holdsLease), read from the row applyOutcome needs anyway.
      const current = await tx.executions.get(exec.id);
      if (deps.leaseOwner !== undefined && current?.leaseOwner !== deps.leaseOwner) return false;
      const now = clock.now();
      const meta = { config: storedConfig, startedAt, now };
      // Only a try that ran may run again (a config that does not render will not render next
      // time either), and never one cut short by a cancel or the deadline.
      const repeat = ran && !signal.aborted && node && def ? nextTry({ node, def, outcome, attempt: s.attempt, firstStartedAt, now, random }) : undefined;
      if (repeat) await repeatStep(tx, s, from, scrubbed, meta, repeat);
      else await applyOutcome(tx, flow, s, from, scrubbed, meta, current);
      // A step cut short by the execution deadline ends the execution as timed out.
      if (signal.aborted && signal.reason === 'deadline') {
        const current = await tx.executions.get(exec.id);
        if (current) await endExecution(tx, current, 'timed_out', 'execution deadline exceeded', now);
        return { now };
      }
      return { now, settled: await settle(tx, flow, exec.id, now) };
    });
    // Counted once the outcome is committed (a write may run again before it commits).
    return written.then((done) => {
      if (done === false) return undefined;
      deps.metrics?.stepFinished(def ? step.nodeType : 'unknown', (done.now - startedAt) / 1000);
      if (outcome.type === 'next' && outcome.afterRun) deps.afterRunRecorded?.();
      return done.settled;
    });
  };
  const fail = (error: string, config: unknown = node?.config) => record('pending', step, { type: 'fail', error }, config);

  if (!nodeType || !def || !node) return fail(`node type "${step.nodeType}" is not available in this version of Salve`);
  // What the config may read from the database is read now: rendering is synchronous.
  const needs = stepNeeds(def, node.config);
  if (needs.event) await run.event.load();
  const links = deps.approvalLinks;
  const approval = links && needs.approval ? await store.read((tx) => links.varsFor(tx, exec, flow, step.scope, clock.now())) : undefined;
  // The flow's team, once per run, when the step uses a stored secret (one that has a team).
  if (run.team === undefined && needs.secrets.some((name) => deps.secrets.team?.(name) !== undefined)) {
    run.team = { name: await store.read((tx) => tx.flows.team(exec.flowId)) };
  }
  const vars = stepVars(exec, flow, steps, run.event.read, step.scope, approval && (() => approval));
  let rendered: RenderedConfig;
  try {
    rendered = renderConfig(node.config, needs.expressions, vars, teamSecrets(deps.secrets, run.team?.name));
  } catch (error) {
    if (error instanceof RenderError) return fail(error.message);
    throw error;
  }

  // A step that changes the world (or waits for a person) is committed as `intent` before it
  // runs, so after a crash recovery knows it may have acted. Others (conditions, delays) need
  // none: a crash leaves them `pending`, and they simply run again.
  const needsIntent = def.sideEffects;
  const attempt = step.attempt + 1;
  if (needsIntent) {
    const marked = await store.writeEventually(
      async (tx) =>
        (await holdsLease(tx, exec.id, deps.leaseOwner)) &&
        tx.steps.transition(step.id, ['pending'], {
          status: 'intent',
          attempt,
          startedAt,
          config: JSON.stringify(scrubber.scrub(rendered.redacted)),
        }),
    );
    if (!marked) return undefined;
  }

  // Earlier tries of this same step (`retried` rows) share its key: a target that saw a try which
  // timed out after acting drops the retry. Other runs of the node get their own.
  // A loop item's steps have keys of their own (`#<index>`): each item acts on something else.
  const sameNodeBefore = steps.filter((s) => s.nodeId === step.nodeId && s.scope === step.scope && s.seq < step.seq && s.status !== 'retried').length;
  const item = parseScope(step.scope);
  const key = item ? `${exec.id}:${step.nodeId}#${item.index}` : `${exec.id}:${step.nodeId}`;
  const ctx: ExecContext = {
    executionId: exec.id,
    nodeId: step.nodeId,
    stepId: step.id,
    attempt,
    idempotencyKey: sameNodeBefore === 0 ? key : `${key}:${sameNodeBefore + 1}`,
    signal,
    vars,
    network: deps.network.forStep({ flowTargets: flow.settings?.allowedTargets, secrets: rendered.secrets.map((s) => s.name) }),
    secrets: rendered.secrets,
    now: () => new Date(clock.now()),
    ...(deps.publicOrigin ? { runUrl: `${deps.publicOrigin}/#/runs/${encodeURIComponent(exec.id)}` } : {}),
    commandUser: deps.commandUser,
    ...(deps.kubernetes
      ? {
          kubernetes: deps.kubernetes.forTeam(async () => {
            run.team ??= { name: await store.read((tx) => tx.flows.team(exec.flowId)) };
            return run.team.name;
          }),
        }
      : {}),
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
    return undefined;
  }
  return record(needsIntent ? 'intent' : 'pending', { ...step, attempt }, outcome, rendered.redacted, true);
}
