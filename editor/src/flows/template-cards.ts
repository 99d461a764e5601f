import { getNodeDefinition } from '../../../nodes/catalog.js';
import type { FlowTemplate } from '../../../shared/templates/index.js';

/** What a gallery card says a template does: its source, the steps its sample takes, and how many other steps it has. */
export interface TemplateChain {
  source: string;
  steps: string[];
  /** Nodes off the sample's path (failure handling, a second attempt…). */
  more: number;
}

const nodeName = (template: FlowTemplate, id: string): string => {
  const node = template.flow.nodes.find((n) => n.id === id);
  return node?.label ?? getNodeDefinition(node?.type ?? '')?.label ?? id;
};

/** The card's chain, e.g. Alertmanager → Disk full? → Clean up old files (+1 more). */
export function templateChain(template: FlowTemplate): TemplateChain {
  const [sourceId, ...path] = template.expectedPath;
  const source = template.flow.nodes.find((n) => n.id === sourceId);
  return {
    source: getNodeDefinition(source?.type ?? '')?.label ?? sourceId ?? '',
    steps: path.map((id) => nodeName(template, id)),
    more: template.flow.nodes.length - template.expectedPath.length,
  };
}

/** The templates whose title, description or tags contain every word of `query` (any case). */
export function filterTemplates(templates: readonly FlowTemplate[], query: string): FlowTemplate[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return templates.filter((t) => {
    const text = [t.title, t.description, ...t.tags, templateChain(t).source].join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/**
 * A template's one paragraph, split for the card at its "Before enabling:" so what the flow
 * does and what the operator must set read as two parts (`setup` is empty without the marker).
 */
export function splitDescription(description: string): { does: string; setup: string } {
  const at = description.indexOf(SETUP_MARKER);
  if (at < 0) return { does: description, setup: '' };
  return { does: description.slice(0, at).trim(), setup: description.slice(at + SETUP_MARKER.length).trim() };
}

const SETUP_MARKER = 'Before enabling:';
