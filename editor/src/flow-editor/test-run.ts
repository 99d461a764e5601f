import type { SimulatedAlert } from '../../../shared/api-views.js';
import type { TestInput } from './test-input.js';

/** The test payload as JSON; an Error that says so when it is not. */
export function parseTestPayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`The payload is not valid JSON: ${(error as Error).message}`);
  }
}

/** What the config form's live previews say they render against, e.g. `sample “firing”: DiskFull`. */
export function previewDescription(input: Pick<TestInput, 'sample' | 'delivery'>, alertName: string): string {
  if (input.delivery) return `${input.delivery.label.replace(/^Delivery/, 'delivery')}: ${alertName}`;
  return `${input.sample === 'custom' ? 'pasted payload' : `sample “${input.sample}”`}: ${alertName}`;
}

/** The simulated result of each step that ran (as `steps.<id>` in expressions), null where there is none. */
export function simulatedStepResults(sim: Pick<SimulatedAlert, 'steps'> | undefined): Record<string, unknown> {
  const steps: Record<string, unknown> = {};
  for (const step of sim?.steps ?? []) steps[step.nodeId] = step.result ?? null;
  return steps;
}
