import { SYSTEM_ACTOR } from '../../shared/audit.js';
import type { Flow } from '../../shared/flow/schema.js';
import { truncate } from '../../shared/text.js';
import type { ExecContext } from '../../nodes/executor.js';
import type { AfterRunResult } from '../../nodes/node-module.js';
import { getNodeModule } from '../../nodes/registry.js';
import type { Logger } from '../log.js';
import type { DestinationPolicy } from '../net/destination-policy.js';
import type { AfterRunTaskRow } from '../store/after-run-repo.js';
import type { ExecutionRow } from '../store/executions-repo.js';
import type { ExprVars } from '../../shared/expr/types.js';
import type { Store } from '../store/store.js';
import type { StoreTx } from '../store/tx.js';
import type { Clock } from './clock.js';
import { RenderError, renderConfig } from './dispatch/render.js';
import { teamSecrets } from './dispatch/runner.js';
import type { SecretStore } from './secrets/secrets.js';
import type { KubernetesDirectory } from '../kubernetes/clusters.js';

export interface AfterRunDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  secrets: SecretStore;
  network: DestinationPolicy;
  kubernetes?: KubernetesDirectory;
  flowAt: (tx: StoreTx, flowId: string, revision: number) => Promise<Flow | undefined>;
}

export interface AfterRunOptions {
  /** How often due tasks are looked for (also right after a run ends). */
  everyMs?: number;
  /** The wait before try `attempt + 1`, after `attempt` failed tries. */
  backoffMs?: (attempts: number) => number;
  /** Tries at most; then the task is given up (logged and audited). */
  maxAttempts?: number;
}

/** A task is held this long by the process running it; a process that died lets it go after. */
const CLAIM_MS = 2 * 60_000;
/** Each call is bounded: a hook that hangs is cut off and tried again. */
const CALL_TIMEOUT_MS = 60_000;
const BATCH = 20;
/** 30 s, 1 min, 2 min… at most 15 min: twelve tries cover about two hours of an outage. */
const defaultBackoff = (attempts: number) => Math.min(30_000 * 2 ** attempts, 15 * 60_000);

/**
 * Runs what steps left for after their run (NodeModule.afterRun): a silence made "until the run
 * ends" is expired once it has. Tasks are rows written with the step's success (after-run-repo),
 * looked for every `everyMs` and as soon as a run ends, claimed one at a time (so two processes
 * sharing PostgreSQL do not both run one), and deleted when done. A failed call is tried again
 * with backoff; after `maxAttempts` the task is given up, logged and audited — the silence then
 * still ends at its own end time.
 */
export class AfterRunWorker {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /**
   * Tasks this process recorded and has not seen done: a run's end is looked at only while there
   * may be one (most runs leave none, and a look is a read). Tasks other processes recorded, and
   * any this count misses, are found by the timer.
   */
  private recorded = 0;
  private readonly stopping = new AbortController();
  private readonly everyMs: number;
  private readonly backoffMs: (attempts: number) => number;
  private readonly maxAttempts: number;

  constructor(
    private readonly deps: AfterRunDeps,
    options: AfterRunOptions = {},
  ) {
    this.everyMs = options.everyMs ?? 15_000;
    this.backoffMs = options.backoffMs ?? defaultBackoff;
    this.maxAttempts = options.maxAttempts ?? 12;
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.everyMs);
    this.timer.unref();
    this.unsubscribe = this.deps.store.onExecutionEnded(() => {
      if (this.recorded > 0) this.kick();
    });
    this.kick();
  }

  /** A step of this process left work for after its run (the runner says so once it committed). */
  noteRecorded(): void {
    this.recorded++;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.unsubscribe?.();
    this.stopping.abort();
    await this.running;
  }

  /** Looks for due tasks now (once more after the current look, when one is under way). */
  kick(): void {
    if (this.stopping.signal.aborted) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves once no look is under way (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      const now = this.deps.clock.now();
      const due = await this.deps.store.read((tx) => tx.afterRun.due(now, BATCH));
      for (const task of due) {
        if (this.stopping.signal.aborted) return;
        const claimed = await this.deps.store.write((tx) => tx.afterRun.claim(task.stepId, now, now + CLAIM_MS));
        if (claimed) await this.runTask(task);
      }
      if (due.length === BATCH) this.again = true;
    } catch (error) {
      this.deps.log.error({ err: error }, 'after-run tasks could not be read or claimed; trying again later');
    }
  }

  private async runTask(task: AfterRunTaskRow): Promise<void> {
    const { store, log } = this.deps;
    const loaded = await store.read(async (tx) => {
      const step = await tx.steps.get(task.stepId);
      const exec = await tx.executions.get(task.executionId);
      if (!step || !exec) return undefined;
      const flow = await this.deps.flowAt(tx, exec.flowId, exec.flowRevision);
      const team = await tx.flows.team(exec.flowId);
      return { step, exec, flow, team };
    });
    const module = loaded ? getNodeModule(loaded.step.nodeType) : undefined;
    if (!loaded || !module?.afterRun || loaded.step.config === null || loaded.step.output === null) {
      // The run was pruned, or this version of Salve has no such hook: nothing can be done.
      await store.write((tx) => tx.afterRun.remove(task.stepId));
      log.warn({ stepId: task.stepId, executionId: task.executionId }, 'after-run task dropped: its step or its node type’s afterRun is gone');
      return;
    }
    const { step, exec, flow, team } = loaded;
    const storedConfig = loaded.step.config;
    const storedOutput = loaded.step.output;
    let result: AfterRunResult;
    try {
      // The config as the step ran with it (templates rendered then); its secrets resolved again, for the flow's team.
      const vars = this.varsOf(exec, flow);
      const rendered = renderConfig(JSON.parse(storedConfig), [], vars, teamSecrets(this.deps.secrets, team));
      const ctx: ExecContext = {
        executionId: exec.id,
        nodeId: step.nodeId,
        stepId: step.id,
        attempt: task.attempts + 1,
        idempotencyKey: `${exec.id}:${step.nodeId}:after-run`,
        signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(CALL_TIMEOUT_MS)]),
        vars,
        network: this.deps.network.forStep({ flowTargets: flow?.settings?.allowedTargets, secrets: rendered.secrets.map((s) => s.name) }),
        secrets: rendered.secrets,
        now: () => new Date(this.deps.clock.now()),
        ...(this.deps.kubernetes ? { kubernetes: this.deps.kubernetes.forTeam(async () => team) } : {}),
      };
      result = await module.afterRun(rendered.value, JSON.parse(storedOutput), ctx);
    } catch (error) {
      if (!(error instanceof RenderError)) log.error({ err: error, stepId: step.id }, 'afterRun threw');
      result = { done: false, error: error instanceof RenderError ? error.message : `internal error: ${(error as Error).message}` };
    }
    if (this.stopping.signal.aborted && !result.done) return; // Cut short by shutdown: the claim lapses and the next start tries again.
    const now = this.deps.clock.now();
    const attempts = task.attempts + 1;
    const where = { executionId: exec.id, nodeId: step.nodeId, stepId: step.id, attempts };
    if (result.done) {
      await store.write(async (tx) => {
        await tx.afterRun.remove(step.id);
        await tx.audit.append({ actor: SYSTEM_ACTOR, action: 'step.after_run', target: exec.id, details: { nodeId: step.nodeId, stepId: step.id, message: result.message }, now });
      });
      this.recorded = Math.max(0, this.recorded - 1);
      log.info({ ...where, message: result.message }, 'after-run done');
    } else if (attempts >= this.maxAttempts) {
      await store.write(async (tx) => {
        await tx.afterRun.remove(step.id);
        await tx.audit.append({ actor: SYSTEM_ACTOR, action: 'step.after_run_failed', target: exec.id, details: { nodeId: step.nodeId, stepId: step.id, attempts, error: truncate(result.error, 1000) }, now });
      });
      this.recorded = Math.max(0, this.recorded - 1);
      log.warn({ ...where, error: result.error }, 'after-run given up');
    } else {
      await store.write((tx) => tx.afterRun.retryLater(step.id, now + this.backoffMs(attempts), truncate(result.error, 1000)));
      log.warn({ ...where, error: result.error }, 'after-run failed; trying again later');
    }
  }

  /** What a hook's context offers as variables: the run's alert and identity (hooks do not render templates). */
  private varsOf(exec: ExecutionRow, flow: Flow | undefined): ExprVars {
    return {
      alert: JSON.parse(exec.alert),
      event: {},
      steps: {},
      flow: { id: exec.flowId, name: flow?.name ?? exec.flowId, revision: exec.flowRevision },
      execution: { id: exec.id, startedAt: new Date(exec.startedAt ?? exec.createdAt).toISOString() },
    };
  }
}
