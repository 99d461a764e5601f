import type { Alert } from '../../../shared/alert/schema.js';
import type { ExprVars } from '../../../shared/expr/types.js';
import type { Flow } from '../../../shared/flow/schema.js';
import type { ExecutionRow } from '../../store/executions-repo.js';
import type { StepRow } from '../../store/steps-repo.js';
import { loopVars, varsFrom, visibleSteps } from './loop-vars.js';
import { placeholderLinks } from '../approvals/approval-links.js';

const parse = (text: string | null): unknown => (text == null ? undefined : JSON.parse(text));

/**
 * Variables for a step's expressions and templates: the alert, the raw event and what earlier
 * steps produced. The one definition: the runner uses it for real steps, the approval preview
 * for what would run next, so both render a config the same way.
 */
export function stepVars(
  exec: ExecutionRow,
  flow: Flow,
  allSteps: StepRow[],
  event: () => unknown,
  /** The loop item the step runs for (StepRow.scope); null outside a loop. */
  scope: string | null = null,
  /** The run's approval links (`approval`), made on first use; without it placeholders (previews sign nothing). */
  approvalLinks?: () => NonNullable<ExprVars['approval']>,
): ExprVars {
  // Inside a loop item: its own steps and those outside any loop; outside: those outside any loop.
  const steps = visibleSteps(allSteps, scope);
  let outputs: Record<string, unknown> | undefined;
  const stepOutputs = () => {
    if (!outputs) {
      outputs = {};
      for (const s of steps) {
        if (s.status === 'succeeded' || s.status === 'failed') outputs[s.nodeId] = parse(s.output) ?? null;
      }
    }
    return outputs;
  };
  let setVars: Record<string, unknown> | undefined;
  let approval: ExprVars['approval'];
  return {
    ...loopVars(allSteps, scope),
    get vars() {
      setVars ??= varsFrom(steps);
      return setVars;
    },
    alert: JSON.parse(exec.alert) as Alert,
    // Built on first use: most conditions read only the alert.
    get event() {
      return event();
    },
    get steps() {
      return stepOutputs();
    },
    flow: { id: flow.id, name: flow.name, revision: exec.flowRevision },
    execution: { id: exec.id, startedAt: new Date(exec.startedAt ?? exec.createdAt).toISOString() },
    // Signed on first use only: most steps never read them.
    get approval() {
      approval ??= approvalLinks?.() ?? placeholderLinks(flow);
      return approval;
    },
    // What the `flow.call` that started this run passed; empty for a run an alert or a person started.
    input: exec.input ? (JSON.parse(exec.input) as Record<string, unknown>) : {},
  };
}
