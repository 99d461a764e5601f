import type { z } from 'zod';
import type { ExprVars } from '../shared/expr/types.js';
import type { NodeDefinition } from './definition.js';
import type { ExecContext, Resolved, StepOutcome } from './executor.js';
import type { SourceAdapter, WebhookAdapter } from './source-adapter.js';
import type { SourceTrigger } from './source-trigger.js';

/**
 * The Node-only half of one node type, exported as `node` from `nodes/<kind>/<name>/node.ts`:
 * its definition (the very object the catalog lists) joined to how it runs. nodes/registry.ts
 * loads one for every catalog entry and checks it at start.
 *
 * `execute` is declared as a method on purpose: TypeScript checks method parameters
 * bivariantly, so every `NodeModule<S, O>` is a `NodeModule` and the registry holds them
 * without casts. The runner only ever passes a config parsed by this definition's schema.
 */
export interface NodeModule<S extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  definition: NodeDefinition<S, O>;
  /** Runs one step: `config` has templates rendered and secrets resolved. */
  execute(config: Resolved<z.output<S>>, ctx: ExecContext): Promise<StepOutcome<z.output<O>>>;
  /**
   * What a step would send, for the editor's Test panel: where to and the request body, built by
   * the same code the executor uses, without connecting. Secret references in `config` are left
   * as `{ "secret": "NAME" }` (simulation never resolves a secret), so none appears.
   */
  preview?(config: Resolved<z.output<S>>, ctx: PreviewContext): SendPreview;
  /**
   * The editor's Test tab: asks the real system whether it would accept the step, changing
   * nothing (Kubernetes' server-side dry run), so the test follows the port the step would take.
   * Undefined when it cannot be asked here (e.g. the operator turned dry runs off); the step is
   * then assumed to take its usual port, as for types without this.
   */
  dryRun?(config: Resolved<z.output<S>>, ctx: ExecContext): Promise<StepOutcome<z.output<O>> | undefined>;
  /**
   * Called once the run has ended, for each step of this type that asked for it
   * (`StepOutcome.afterRun`), with the config the step ran with (templates as rendered then,
   * secrets resolved again) and its output. Not done (`done: false`) is tried again later, with
   * backoff, a bounded number of times (runtime/engine/after-run.ts). Must be safe to repeat.
   */
  afterRun?(config: Resolved<z.output<S>>, output: z.output<O>, ctx: ExecContext): Promise<AfterRunResult>;
  /** Sources: how a payload becomes alerts (and, for webhook sources, how deliveries are checked). */
  source?: SourceAdapter<z.output<S>> | WebhookAdapter<z.output<S>>;
  /** Sources whose definition's trigger is `schedule` or `manual`: its implementation. */
  trigger?: SourceTrigger<z.output<S>>;
}

/** What an `afterRun` call did: done (with what happened, for the audit trail), or why not yet. */
export type AfterRunResult = { done: true; message: string } | { done: false; error: string };

/** What `preview` may read: the variables of the simulated step. */
interface PreviewContext {
  vars: ExprVars;
}

/** A request a step would make: one line saying where (`POST https://slack.com/api/chat.postMessage`), and its body. */
export interface SendPreview {
  to: string;
  body?: unknown;
}

/** Declares the Node-only half of a node type, typed from its definition. */
export function defineNodeModule<S extends z.ZodType, O extends z.ZodType>(module: NodeModule<S, O>): NodeModule<S, O> {
  return module;
}
