import type { z } from 'zod';
import type { ExprVars } from '../shared/expr/types.js';
import type { CommandUser } from './action/shell/command-user.js';
import type { NodeDefinition } from './definition.js';
import type { NetworkAccess, SecretUse } from './network.js';

/** What an executor may use. It reaches the outside world only through this. */
export interface ExecContext {
  executionId: string;
  nodeId: string;
  stepId: string;
  /** 1 on the first try; higher when an idempotent step is retried after a crash. */
  attempt: number;
  /** `<execution>:<node>`, stable across retries: targets use it to drop repeats. */
  idempotencyKey: string;
  /** Aborted on cancel, execution deadline or shutdown. Executors must stop promptly. */
  signal: AbortSignal;
  /** Variables for CEL (conditions evaluate against these). */
  vars: ExprVars;
  /** The only way to open a connection: checks the destination policy and the secrets sent. */
  network: NetworkAccess;
  /** The secrets resolved into `config`, and where; a network call may send only where each is allowed. */
  secrets: readonly SecretUse[];
  now(): Date;
  /** The user commands run as (SALVE_COMMAND_USER); undefined: Salve's own user. */
  commandUser?: CommandUser;
}

/** What running a step produced. */
export type StepOutcome =
  /** Done: continue along the edges of `port`. */
  | { type: 'next'; port: string; output: unknown }
  /**
   * Failed. If the node declares `port` (e.g. `error`) the flow continues there; the step is
   * still recorded as failed.
   */
  | { type: 'fail'; error: string; port?: string; output?: unknown }
  /** Park the execution until a person decides, or until `timeoutSeconds` pass. */
  | { type: 'wait-approval'; message: string; timeoutSeconds: number }
  /** Park the execution until `until`; then continue on `port`. */
  | { type: 'wait-until'; until: Date; port: string; output: unknown };

/** Runs one step. `config` has templates rendered and secrets resolved. */
export type Executor<C = unknown> = (config: C, ctx: ExecContext) => Promise<StepOutcome>;

/** Declares an executor with `config` typed from the definition's schema. */
export function defineExecutor<S extends z.ZodType>(
  _def: NodeDefinition<S>,
  fn: Executor<z.output<S>>,
): Executor<z.output<S>> {
  return fn;
}
