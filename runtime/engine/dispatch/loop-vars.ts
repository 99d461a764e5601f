import { getNodeDefinition } from '../../../nodes/catalog.js';
import type { StepRow } from '../../store/steps-repo.js';

/**
 * The parts of a step's variables that depend on where it runs: `vars` (what earlier
 * `transform.set`-like steps computed, NodeSpec.setsVars) and, in a loop item, `item` and `index`.
 */

const parse = (text: string | null): unknown => (text == null ? undefined : JSON.parse(text));

/** A loop item's scope (`<loop step id>#<index>`) taken apart; undefined for anything else. */
export function parseScope(scope: string | null): { loopStepId: string; index: number } | undefined {
  const match = scope === null ? null : /^(.+)#(\d+)$/.exec(scope);
  return match ? { loopStepId: match[1]!, index: Number(match[2]) } : undefined;
}

/** The scope of item `index` of the loop step `loopStepId`. */
export const scopeOf = (loopStepId: string, index: number) => `${loopStepId}#${index}`;

/** The steps a step of `scope` may read: its item's own and those outside any loop (other items' are not its business). */
export function visibleSteps(steps: StepRow[], scope: string | null): StepRow[] {
  return steps.every((s) => s.scope === null) ? steps : steps.filter((s) => s.scope === null || s.scope === scope);
}

/** `vars`: the outputs of the succeeded steps that set variables, merged in the order they ran (a later one wins). */
export function varsFrom(steps: readonly StepRow[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of steps) {
    if (s.status !== 'succeeded' || !getNodeDefinition(s.nodeType)?.setsVars) continue;
    const values = parse(s.output);
    if (values && typeof values === 'object' && !Array.isArray(values)) Object.assign(out, values);
  }
  return out;
}

/** `item` and `index` of a loop item's step: from its scope and the loop step's list; nothing outside a loop. */
export function loopVars(steps: readonly StepRow[], scope: string | null): { item?: unknown; index?: number } {
  const at = parseScope(scope);
  if (!at) return {};
  const loop = steps.find((s) => s.id === at.loopStepId);
  const state = parse(loop?.output ?? null) as { items?: unknown[] } | undefined;
  return { item: state?.items?.[at.index] ?? null, index: at.index };
}
