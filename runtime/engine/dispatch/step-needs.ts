import type { NodeDefinition } from '../../../nodes/definition.js';
import type { ExpressionRef } from '../../../shared/expr/types.js';
import { isSecretRef } from '../../../shared/flow/schema.js';

/**
 * What a node's step must have read from the database before its config renders. Rendering and
 * evaluating expressions are synchronous (and must stay so: they run under a budget), while reads
 * are async on PostgreSQL; so the runner reads these first, and only when the config may use them.
 */
export interface StepNeeds {
  /** The node's expressions and templates (`def.expressions`). */
  expressions: ExpressionRef[];
  /** An expression may read `event` (the delivery body). */
  event: boolean;
  /** An expression may read `approval` (signed approval links: a read of the run's approvals). */
  approval: boolean;
  /** The secrets the config references (their owning team is checked against the flow's). */
  secrets: string[];
}

/**
 * By config object: flow revisions are immutable and cached (RunnerDeps.flowAt), so a node's
 * config is the same object on every run of its revision, and this is worked out once.
 */
const needsByConfig = new WeakMap<object, StepNeeds>();

/**
 * Whether an expression may read root variable `name`. A substring test: CEL has no way to reach
 * a variable without writing its name, so a source without the name cannot read it. Anything
 * containing it counts (`events`, a string literal): at worst a read that was not needed.
 */
const mayRead = (refs: readonly ExpressionRef[], name: string) => refs.some((r) => r.source.includes(name));

/** The names of the secrets `config` references (`{ "secret": "NAME" }`, anywhere in it). */
function secretNames(config: unknown, out: Set<string> = new Set()): Set<string> {
  if (isSecretRef(config)) out.add(config.secret);
  else if (Array.isArray(config)) for (const v of config) secretNames(v, out);
  else if (config && typeof config === 'object') for (const v of Object.values(config)) secretNames(v, out);
  return out;
}

/** What a step of `def` with `config` needs read before it renders (see StepNeeds). */
export function stepNeeds(def: NodeDefinition, config: unknown): StepNeeds {
  const cacheable = typeof config === 'object' && config !== null;
  const cached = cacheable ? needsByConfig.get(config) : undefined;
  if (cached) return cached;
  const expressions = def.expressions(config);
  const needs: StepNeeds = {
    expressions,
    event: mayRead(expressions, 'event'),
    approval: mayRead(expressions, 'approval'),
    secrets: [...secretNames(config)],
  };
  if (cacheable) needsByConfig.set(config, needs);
  return needs;
}
