import type { z } from 'zod';
import type { ExprVars } from '../shared/expr/types.js';
import type { SecretRef } from '../shared/flow/schema.js';
import type { ApprovalRules } from '../shared/approval-rules.js';
import type { CommandUser } from './command-user.js';
import type { NodeDefinition } from './definition.js';
import type { KubernetesAccess } from './kubernetes-access.js';
import type { NetworkAccess, SecretUse } from './network.js';

/** What an executor may use. It reaches the outside world only through this. */
export interface ExecContext {
  executionId: string;
  nodeId: string;
  stepId: string;
  /** 1 on the first try; higher on a retry (the node's `retry` policy, a polling check, or an idempotent step re-run after a crash). */
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
  /**
   * This run's page in the editor (`<SALVE_PUBLIC_ORIGIN>/#/runs/<id>`), for notifications to link
   * to; undefined when SALVE_PUBLIC_ORIGIN is not set (Salve does not know how people reach it).
   */
  runUrl?: string;
  /** The user commands run as (SALVE_COMMAND_USER); undefined: Salve's own user. */
  commandUser?: CommandUser;
  /** The Kubernetes clusters the operator configured (SALVE_KUBERNETES_CLUSTERS); undefined: none. */
  kubernetes?: KubernetesAccess;
}

/** What running a step produced; `O` is the node type's output (its definition's `outputSchema`). */
export type StepOutcome<O = unknown> =
  /**
   * Done: continue along the edges of `port`. `afterRun`: call this node type's `afterRun` once
   * the run has ended (to undo what the step set up for the run's duration, e.g. a silence); the
   * engine records that with the step's success, so a restart does not lose it.
   */
  | { type: 'next'; port: string; output: O; afterRun?: boolean }
  /**
   * Failed. If the node declares `port` (e.g. `error`) the flow continues there; the step is
   * still recorded as failed.
   */
  | { type: 'fail'; error: string; port?: string; output?: O }
  /**
   * Park the execution until people decide by `rules` (snapshotted on the approval), or until
   * `timeoutSeconds` pass.
   */
  | { type: 'wait-approval'; message: string; timeoutSeconds: number; rules: ApprovalRules }
  /** Park the execution until `until`; then continue on `port`. */
  | { type: 'wait-until'; until: Date; port: string; output: O }
  /**
   * Park until the run's alert is resolved (→ `resolved`), or `timeoutSeconds` pass (→ `timeout`);
   * the engine decides the port and the output (`{ resolvedAt, waitedSeconds }`).
   */
  | { type: 'wait-resolved'; timeoutSeconds: number }
  /**
   * Run the branch on the node's loop port once per item (NodeSpec.loopPort), then continue on
   * `done` or `error` with every item's result (runtime/engine/dispatch/loops.ts).
   */
  | { type: 'foreach'; items: unknown[] }
  /**
   * Run flow `flowId` (its current revision) as a child run reading `input`, and park this step
   * until it ends (at most `timeoutSeconds`); the engine then continues on `ok` or `error`.
   */
  | { type: 'call'; flowId: string; input: Record<string, unknown>; timeoutSeconds?: number };

/** Any JSON value. */
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * A config as an executor receives it: templates rendered (still strings) and every secret
 * reference `{ "secret": "NAME" }` resolved to its value (runtime/engine/dispatch/render.ts).
 * A field that may hold any JSON (a request body) stays any JSON: resolving keeps it JSON.
 */
export type Resolved<T> = [Json] extends [T] ? T : ResolvedEach<T>;

/** Resolved, member by member of a union. */
type ResolvedEach<T> = T extends SecretRef
  ? string
  : T extends readonly unknown[]
    ? { [K in keyof T]: Resolved<T[K]> }
    : T extends object
      ? { [K in keyof T]: Resolved<T[K]> }
      : T;

/** Runs one step. `config` has templates rendered and secrets resolved. */
export type Executor<C = unknown, O = unknown> = (config: Resolved<C>, ctx: ExecContext) => Promise<StepOutcome<O>>;

/** Declares an executor with `config` typed from the definition's schema and its outputs from the output schema. */
export function defineExecutor<S extends z.ZodType, O extends z.ZodType>(
  _def: NodeDefinition<S, O>,
  fn: Executor<z.output<S>, z.output<O>>,
): Executor<z.output<S>, z.output<O>> {
  return fn;
}
