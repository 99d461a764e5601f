import { z } from 'zod';
import { truncate } from '../../../shared/text.js';
import { defineNodeType } from '../../node-type.js';

/** Most variables one step may set. */
const MAX_VARS = 50;

/** A variable name: what `vars.<name>` reads, so a CEL identifier. */
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Names JavaScript objects treat specially: never a variable's. */
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

export const SetTransformConfigSchema = z.strictObject({
  /** Name → a CEL expression over the alert, the event, earlier steps and earlier vars. */
  vars: z
    .record(z.string(), z.string({ error: 'must be a CEL expression' }).trim().min(1, 'expression is empty').max(4096))
    .superRefine((vars, ctx) => {
      const names = Object.keys(vars);
      if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'set at least one variable' });
      if (names.length > MAX_VARS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_VARS} variables` });
      for (const name of names) {
        if (RESERVED.has(name)) ctx.addIssue({ code: 'custom', path: [name], message: `a variable cannot be named ${name}` });
        else if (!VAR_NAME.test(name)) {
          ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" cannot be a variable name: start with a letter or "_", then letters, digits and "_" (max 64)` });
        }
      }
    }),
});

/** Computes named values once, for later steps to read as `vars.<name>`. */
export const setTransform = defineNodeType({
  type: 'transform.set',
  category: 'action',
  label: 'Set variables',
  defaultId: 'set_vars',
  description: 'Computes named values from CEL (e.g. the host of alert.labels.instance) that later steps read as vars.<name>.',
  icon: 'variable',
  configSchema: SetTransformConfigSchema,
  // The values it computed, by name: what the step records and what `vars` merges.
  outputSchema: z.record(z.string(), z.unknown()),
  outputs: ['out'],
  idempotent: true,
  // Computing changes nothing outside: simulation runs it for real.
  sideEffects: false,
  expressions: (config) => Object.entries(config.vars).map(([name, source]) => ({ path: ['vars', name], kind: 'cel' as const, source })),
  setsVars: (config) => (config && typeof config === 'object' && 'vars' in config && config.vars && typeof config.vars === 'object' ? Object.keys(config.vars) : []),
  summary: (config) => truncate(Object.keys(config.vars).join(', '), 80),
  portHelp: { out: 'every variable was computed' },
  notes: [
    'Example: `{ "host": "alert.labels.instance.split(\\":\\")[0]" }`; later steps read `vars.host` in CEL and `{{ vars.host }}` in templates.',
    'Each value is a CEL expression, checked when the flow is saved. It reads what any expression reads, and the `vars` of earlier steps (not those of the same step). When several steps set variables along a path, they merge in the order the steps ran: a later step replaces a name an earlier one set. Inside a loop item (For each), a step sees the variables set in its own item and before the loop.',
    'An expression that fails at run time fails the step, naming the variable; the step has no error port. The values together are limited to 64 KB of JSON.',
  ],
  ui: { vars: { widget: 'keyValue', label: 'Variables (name → CEL)', help: 'Later steps read them as vars.<name>, e.g. {{ vars.host }}.' } },
});
