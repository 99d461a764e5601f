import type { Attachment } from '../shared/attachment.js';
import type { NodeDefinition } from './definition.js';

/**
 * How the run view shows a step's output when JSON is in the way: a few facts (a definition
 * list), then notes and text or JSON blocks. A node type describes it in its definition's
 * `present(output)`; the editor draws it (editor/src/runs/ReadableOutput.tsx) knowing no node
 * type. Browser-safe, plain data.
 */

/** `ok` reads green, `error` red. */
type Tone = 'ok' | 'error';

export type OutputFact =
  /** A word or a value; `status` draws it as an HTTP status code, `mono` in a fixed-width font. */
  | { label: string; text: string; tone?: Tone; mono?: boolean; status?: boolean }
  /** A duration in milliseconds, written the way the run view writes durations. */
  | { label: string; durationMs: number }
  /** Nothing to show but a red pill, e.g. an HTTP request that got no answer. */
  | { label: string; missing: string };

export type OutputBlock =
  | { kind: 'note'; text: string; tone: 'error' | 'muted' }
  | { kind: 'text'; title: string; text: string; tone?: 'error' }
  | { kind: 'json'; title: string; value: unknown }
  /** A file the step made (a log, a chart): shown as text or an image, with a download link. */
  | { kind: 'attachment'; attachment: Attachment };

export interface OutputView {
  facts: OutputFact[];
  blocks: OutputBlock[];
}

/**
 * The readable form of a step's output, or null when its type has none or the output does not
 * have the shape the type records (it is then shown as JSON).
 */
export function presentOutput(def: NodeDefinition | undefined, output: unknown): OutputView | null {
  if (!def?.present) return null;
  const parsed = def.outputSchema.safeParse(output);
  return parsed.success ? def.present(parsed.data) : null;
}

/**
 * The one line saying what a rendered config does, or null when its type has none or the
 * config does not fit the type's schema (it is then shown as JSON).
 */
export function commandLineOf(def: NodeDefinition | undefined, config: unknown): string | null {
  if (!def?.commandLine) return null;
  const parsed = def.configSchema.safeParse(config);
  return parsed.success ? def.commandLine(parsed.data) : null;
}
