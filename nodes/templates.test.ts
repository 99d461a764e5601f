import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIssues } from '../shared/errors.js';
import { validateFlow } from '../shared/flow/validate.js';
import { flowTemplates } from '../shared/templates/index.js';
import { lookupNodeSpec } from './catalog.js';
import { getSourceAdapter } from './registry.js';
import { normalizeContext } from '../test/kit/nodes.js';

/**
 * The templates of shared/templates against the shipped node types. (Here rather than beside the
 * templates: shared/ may not load nodes/, and these checks need the catalog and the sources'
 * adapters.)
 */
describe('flow templates', () => {
  it('offers at least eight, with unique ids', () => {
    const ids = flowTemplates.map((t) => t.id);
    expect(ids.length).toBeGreaterThanOrEqual(8);
    expect(new Set(ids).size).toBe(ids.length);
  });

  describe.each(flowTemplates.map((t) => [t.id, t] as const))('%s', (_id, template) => {
    it('is a valid, disabled salve.flow/v1 document whose id is the template id', () => {
      const result = validateFlow(template.flow, lookupNodeSpec);
      expect(result.ok ? '' : formatIssues(result.issues)).toBe('');
      expect(template.flow.id).toBe(template.id);
      expect(template.flow.enabled).toBe(false);
    });

    it('keeps credentials in secret references and sends to placeholder or named public hosts', () => {
      const text = JSON.stringify(template.flow);
      // No literal credential: every Authorization, token, key or password value is a reference.
      expect(text).not.toMatch(/"(?:Authorization|X-Agent-Token|token|password|routing_key)":"/);
      for (const url of text.match(/https?:\/\/[^"/?]+/g) ?? []) {
        expect(url).toMatch(/\.example\.internal(?::\d+)?$|events\.pagerduty\.com$|\{\{ alert\.labels\.host \}\}:\d+$/);
      }
    });

    it('has a description, tags, and an expected path through its own nodes', () => {
      expect(template.description.length).toBeGreaterThan(100);
      expect(template.tags.length).toBeGreaterThan(0);
      const ids = new Set(template.flow.nodes.map((n) => n.id));
      for (const id of template.expectedPath) expect(ids, id).toContain(id);
      expect(template.expectedPath[0]).toBe(template.sample.sourceNodeId);
    });

    it('its sample normalizes with its source to a firing alert that starts the flow', () => {
      const source = template.flow.nodes.find((n) => n.id === template.sample.sourceNodeId);
      expect(source, 'sample.sourceNodeId').toBeDefined();
      const checked = validateFlow(template.flow, lookupNodeSpec);
      if (!checked.ok) throw new Error(formatIssues(checked.issues));
      const config = checked.flow.nodes.find((n) => n.id === source!.id)!.config;
      const adapter = getSourceAdapter(source!.type)!;
      const alerts = adapter.normalize(config, template.sample.payload, normalizeContext());
      expect(alerts.length).toBeGreaterThanOrEqual(1);
      expect(alerts[0]!.status).toBe('firing');
      expect(adapter.accepts(config, alerts[0]!)).toBe(true);
    });
  });
});

describe('docs/editor.md', () => {
  it('lists every template in its Templates section', () => {
    const doc = readFileSync(new URL('../docs/editor.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('\n## Templates'));
    for (const t of flowTemplates) expect(section, t.id).toContain(`| \`${t.id}\` |`);
  });
});
