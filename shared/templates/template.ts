import type { z } from 'zod';
import type { FlowSchema } from '../flow/schema.js';

/** A flow document as written by hand: defaults (config fields, `enabled`, `edges`) may be left out. */
type FlowDocument = z.input<typeof FlowSchema>;

/** A delivery, as the template's source would receive it, that sets the template off. */
interface TemplateSample {
  /** The source node of `flow` the sample is delivered to. */
  sourceNodeId: string;
  /** One line: what the alert is, e.g. "DiskFull on db1 (/var 96% full)". */
  name: string;
  /** The JSON body as the sender posts it. */
  payload: unknown;
}

/**
 * A ready remediation offered by "New from template": a flow document (disabled, with secret
 * references and placeholder hosts), what to set before enabling it, and a sample alert that
 * runs it to its intended action. Browser-safe data: the editor, the runtime tests and the docs
 * read the same list (index.ts).
 */
export interface FlowTemplate {
  /** A slug; also the id of the flow the template creates (`<id>-2` when taken). */
  id: string;
  title: string;
  /** One paragraph: what the flow does, and what to configure before enabling it. */
  description: string;
  tags: readonly string[];
  flow: FlowDocument;
  sample: TemplateSample;
  /**
   * The node ids the sample goes through, in order, from the source to the action the template
   * is for (the last one). The simulation of the sample must take each of them.
   */
  expectedPath: readonly string[];
}
