import { z } from 'zod';
import { ExpressionError, matchersToCel } from '../../../shared/expr/index.js';
import { boundedMemo } from '../../../shared/bounded-memo.js';
import { truncate } from '../../../shared/text.js';
import { defineNodeType } from '../../node-type.js';

type CompiledMatchers = Readonly<{ ok: true; cel: string } | { ok: false; message: string }>;

/**
 * The CEL a matcher list compiles to, or the error that stops it from compiling. Remembered by
 * text: every run of a `condition.match` step compiles its matchers twice (the config's
 * expressions, then the executor), and parsing them checks each regex with RE2.
 */
export const compileMatchers: (matchers: string) => CompiledMatchers = boundedMemo(compile, 500);

function compile(matchers: string): CompiledMatchers {
  try {
    return { ok: true, cel: matchersToCel(matchers) };
  } catch (error) {
    if (error instanceof ExpressionError) return { ok: false, message: error.message };
    throw error;
  }
}

export const MatchConditionConfigSchema = z.strictObject({
  /** Alertmanager matchers over the alert's labels: `alertname="DiskFull", severity=~"critical|page"`. */
  matchers: z
    .string({ error: 'must be Alertmanager matchers, e.g. alertname="DiskFull"' })
    .max(4096)
    .superRefine((text, ctx) => {
      const compiled = compileMatchers(text);
      if (!compiled.ok) ctx.addIssue({ code: 'custom', message: compiled.message });
    }),
});

/** Branches on the alert's labels, written the way Alertmanager routes are. */
export const matchCondition = defineNodeType({
  type: 'condition.match',
  category: 'condition',
  label: 'Match labels',
  defaultId: 'match_labels',
  description: 'Continues on "match" when the alert\'s labels fit Alertmanager-style matchers, else on "nomatch".',
  icon: 'filter',
  configSchema: MatchConditionConfigSchema,
  // The condition's value: true took the first port.
  outputSchema: z.boolean(),
  outputs: ['match', 'nomatch'],
  idempotent: true,
  sideEffects: false,
  expressions: (config) => {
    const compiled = compileMatchers(config.matchers);
    // Unparsable matchers never get past the schema; if they did, the raw text fails the CEL check.
    return [{ path: ['matchers'], kind: 'cel', source: compiled.ok ? compiled.cel : config.matchers, returns: 'bool' }];
  },
  summary: (config) => truncate(config.matchers.trim(), 80),
  portHelp: {"match": "every matcher holds", "nomatch": "at least one matcher does not hold"},
  notes: [
    "Semantics are Alertmanager's: all matchers must hold; a missing label equals `\"\"`; regexes are anchored on both ends (`=~\"web\"` does not match `webserver`) and must be RE2-compatible (no backreferences or lookaround). The matchers are compiled to CEL; the step output shows it.",
    "Example: `alertname=\"DiskFull\", severity=~\"critical|page\", env!=\"dev\", team!~\"qa.*\"`.",
  ],
  ui: { matchers: { widget: 'expression', language: 'matchers', label: 'Label matchers', help: 'Alertmanager syntax: name="value", name!="value", name=~"regex", name!~"regex", separated by commas.' } },
});
