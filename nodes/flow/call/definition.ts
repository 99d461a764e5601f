import { z } from 'zod';
import { defineNodeType } from '../../node-type.js';
import { templatesIn } from '../../definition.js';
import { secondsSchema } from '../../fields.js';
import { isSecretRef, SlugSchema } from '../../../shared/flow/schema.js';
import { formatDuration } from '../../format.js';
import { CalledRunOutputSchema, MAX_CALL_DEPTH } from '../../call-contract.js';

/** The largest `input` a call may pass, as JSON (it is stored with the called run). */
export const MAX_CALL_INPUT_BYTES = 65_536;

/** Where the first `{ "secret": … }` inside `value` is, or undefined. */
function secretRefPath(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (isSecretRef(value)) return path;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = secretRefPath(v, [...path, i]);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = secretRefPath(v, [...path, k]);
      if (found) return found;
    }
  }
  return undefined;
}

/** The size of `value` as UTF-8 JSON. */
export const jsonBytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

export const CallFlowConfigSchema = z.strictObject({
  /** The called flow's id: written out, never a template (alert data never chooses what runs). */
  flow: SlugSchema,
  /** What the called run reads as `input`; every string inside is a template. */
  input: z
    .record(z.string(), z.json(), { error: 'must be a JSON object' })
    .default({})
    .refine((v) => jsonBytes(v) <= MAX_CALL_INPUT_BYTES, `must be at most ${MAX_CALL_INPUT_BYTES} bytes as JSON`)
    // The input is stored with the called run (scrubbed), so a secret could never reach it: the
    // called flow references the secrets it needs itself.
    .superRefine((value, ctx) => {
      const at = secretRefPath(value);
      if (at) ctx.addIssue({ code: 'custom', path: at, message: 'a secret cannot be passed in input (it is stored with the called run); reference the secret in the called flow instead' });
    }),
  /** How long to wait for the called run; default: until this run's own deadline. */
  timeoutSeconds: secondsSchema(1, 604_800).optional(),
});


/** Runs another flow (a procedure) as a child run, waits for it, and continues on `ok` or `error`. */
export const callFlow = defineNodeType({
  type: 'flow.call',
  category: 'action',
  label: 'Call flow',
  defaultId: 'call_flow',
  description: 'Runs another flow (its current revision) as a child run with an input object, waits for it durably, then continues on "ok" or "error".',
  icon: 'call-flow',
  configSchema: CallFlowConfigSchema,
  outputSchema: CalledRunOutputSchema,
  outputs: ['ok', 'error'],
  // The engine starts at most one child run per step (its dedup key is the step's id), so a
  // step re-run after a crash finds the run it already started.
  idempotent: true,
  // The called flow may change the world.
  sideEffects: true,
  simulatePort: 'ok',
  expressions: (config) => templatesIn(config.input, ['input']),
  calledFlow: (config) => config.flow,
  summary: (config) => `run flow ${config.flow}${config.timeoutSeconds ? ` · wait up to ${formatDuration(config.timeoutSeconds, 's')}` : ''}`,
  commandLine: (config) => `run flow ${config.flow} with ${JSON.stringify(config.input)}`,
  portHelp: {
    ok: 'the called run ended `succeeded` or `no_action`',
    error: 'the called run failed, needs attention, was cancelled or timed out; or it could not start (flow deleted, call depth); or it did not end within `timeoutSeconds`',
  },
  notes: [
    `The called flow must have a \`source.manual\` node: the child run starts there, with this run's alert, and its expressions read the \`input\` object (strings inside are templates, rendered here; at most ${MAX_CALL_INPUT_BYTES} bytes). It runs the called flow's current revision, whether that flow is enabled or not ("enabled" means "listens for alerts").`,
    `Checked when the flow is saved: the called flow exists and has a manual source, and calls do not form a cycle (\`a → b → a\`) or nest deeper than ${MAX_CALL_DEPTH}. A flow that others call cannot be deleted (409 naming the callers).`,
    "The wait is durable (a database row; it survives restarts and holds no worker). The output is `{ executionId, flowId, status, error, steps, vars }`: `steps` holds the called run's step outputs by node id, `vars` the variables its steps set (a procedure's return values). Cancelling this run cancels the called run; a step that gives up after `timeoutSeconds` cancels it too. The called run's deadline is this run's deadline.",
  ],
  ui: {
    flow: { widget: 'text', suggest: 'flows', label: 'Flow id', help: 'The id of the flow to run (it needs a "Run by hand" source); saved flows are offered as you type.' },
    input: { widget: 'json', templates: true, label: 'Input', help: 'A JSON object the called flow reads as input; strings inside may use templates.' },
    timeoutSeconds: { widget: 'number', label: 'Timeout (seconds)', help: 'Give up (and cancel the called run) after this long; empty: until this run’s deadline.' },
  },
});
