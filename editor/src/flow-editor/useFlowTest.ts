import { useEffect, useState } from 'react';
import type { SimulateResult } from '../../../shared/api-views.js';
import type { Flow } from '../../../shared/flow/schema.js';
import type { PreviewContext } from '../config-form/ConfigForm.js';
import { previewVars, simulate } from '../panels/simulation.js';
import { defaultTestInput } from '../panels/TestPanel.js';
import { parseTestPayload, previewDescription, simulatedStepResults } from './test-run.js';
import { browserSessionStorage, loadTestInput, saveTestInput, startingTestInput, type TestInput } from './test-input.js';

/**
 * The Test tab's state: the chosen source and payload, the last simulation and the flow it was
 * computed for (`stale` once the flow changed), which of its alerts is shown, and the variables
 * the config form's live previews render against (the payload normalized by its source).
 * The chosen input is kept per flow in sessionStorage (test-input.ts), so a reload keeps it;
 * `initial` is what a flow with nothing stored starts with (e.g. a template's sample).
 */
export function useFlowTest(flow: Flow, flowJson: string, initial?: TestInput) {
  const [input, setInput] = useState<TestInput | null>(() =>
    startingTestInput(loadTestInput(browserSessionStorage(), flow.id), initial, flow.nodes.map((n) => n.id)),
  );
  const [tested, setTested] = useState<{ result: SimulateResult; flowJson: string } | null>(null);
  const [alertIndex, setAlertIndex] = useState(0);
  const [preview, setPreview] = useState<PreviewContext | null>(null);

  // A test needs a source; pick the first sample as soon as there is one.
  useEffect(() => {
    if (!input || !flow.nodes.some((n) => n.id === input.sourceNodeId)) setInput(defaultTestInput(flow));
  }, [flow, input]);

  // Every change is remembered for this flow (under its id as it is now; a new flow has none yet).
  useEffect(() => {
    if (input && flow.id) saveTestInput(browserSessionStorage(), flow.id, input);
  }, [flow.id, input]);

  const sourceNode = input ? flow.nodes.find((n) => n.id === input.sourceNodeId) : undefined;
  const sourceConfigJson = JSON.stringify(sourceNode?.config ?? null);
  // Recomputed when the payload or the source's own config changes, not on every edit of the flow.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the payload, the source and its config (as JSON) are the triggers, not the flow object
  useEffect(() => {
    if (!input || !sourceNode) {
      setPreview(null);
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(input.payloadText);
    } catch {
      setPreview(null);
      return;
    }
    const timer = setTimeout(() => {
      const steps = simulatedStepResults(tested?.result.alerts[alertIndex]);
      previewVars(flow, sourceNode.id, payload, steps).then(
        (vars) => setPreview({ vars, description: previewDescription(input, vars.alert.name) }),
        () => setPreview(null),
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [input?.payloadText, input?.sourceNodeId, sourceConfigJson, tested, alertIndex]);

  const run = async () => {
    if (!input) return;
    const payload = parseTestPayload(input.payloadText);
    const source = flow.nodes.find((n) => n.id === input.sourceNodeId);
    if (!source) throw new Error('Choose an alert source.');
    const result = await simulate(flow, source, payload);
    setAlertIndex(0);
    setTested({ result, flowJson });
  };

  return {
    input,
    setInput,
    result: tested?.result ?? null,
    /** True when the flow changed after the result was computed. */
    stale: tested !== null && tested.flowJson !== flowJson,
    alertIndex,
    setAlertIndex,
    /** The simulated alert shown on the canvas. */
    sim: tested?.result.alerts[alertIndex],
    preview,
    run,
    clear: () => setTested(null),
  };
}
