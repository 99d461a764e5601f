import { FlowSchema, SLUG_MAX_LENGTH, type Flow } from '../../../shared/flow/schema.js';
import type { FlowTemplate } from '../../../shared/templates/index.js';
import type { TestInput } from '../panels/TestPanel.js';

/** The id a flow made from template `id` gets: the template's id, else `<id>-2`, `-3`… — the first one not taken. */
export function freeTemplateFlowId(id: string, taken: ReadonlySet<string>): string {
  if (!taken.has(id)) return id;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = `${id.slice(0, SLUG_MAX_LENGTH - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** The new (unsaved) flow a template makes, with id `id`; node configs get their defaults when it is saved. */
export function flowFromTemplate(template: FlowTemplate, id: string): Flow {
  return FlowSchema.parse({ ...structuredClone(template.flow), id });
}

/** The Test tab's input for a template: its own sample, delivered to its source. */
export function templateTestInput(template: FlowTemplate): TestInput {
  // Labelled as the template's: it is not one of the source type's own samples.
  return { sourceNodeId: template.sample.sourceNodeId, sample: `Template sample: ${template.sample.name}`, payloadText: JSON.stringify(template.sample.payload, null, 2) };
}
