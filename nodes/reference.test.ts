import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { getNodeDefinition, nodeDefinitions } from './catalog.js';
import { defineNode } from './definition.js';
import { nodeReference, referenceMarkdown, withGeneratedReference } from './reference.js';

const ref = (type: string) => nodeReference(getNodeDefinition(type)!);

describe('nodeReference', () => {
  it('lists config fields with type, required, default, allowed values and the editor hints', () => {
    const http = ref('action.http');
    const byName = new Map(http.fields.map((f) => [f.name, f]));
    expect(byName.get('url')).toMatchObject({ required: true, label: 'URL', markers: ['URL template'] });
    expect(byName.get('method')).toMatchObject({ required: false, default: '"POST"', allowed: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] });
    expect(byName.get('timeoutSeconds')).toMatchObject({ type: 'whole number (1–3600)', default: '10' });
    expect(byName.get('headers')?.markers).toEqual(['secret ok', 'template']);
  });

  it('says whether a crashed step is retried and how a simulation treats it', () => {
    expect(ref('action.shell').retried).toMatch(/^no/);
    expect(ref('action.http').retried).toMatch(/^yes/);
    expect(ref('approval.request').simulated).toContain('`approved`');
    expect(ref('condition.expr').simulated).toContain('run as it would be');
  });

  it('gives ports with their meaning, and the outputs expressions read', () => {
    expect(ref('approval.request').ports.map((p) => p.name)).toEqual(['approved', 'rejected', 'timeout']);
    expect(ref('condition.match').ports[1]).toEqual({ name: 'nomatch', meaning: 'at least one matcher does not hold' });
    const shell = ref('action.shell');
    expect(shell.outputRoot).toBe('steps.<id>');
    expect(shell.outputs.find((o) => o.name === 'exitCode')).toEqual({ name: 'exitCode', type: 'whole number or null', always: true });
    // Only a failed request has `error`.
    expect(ref('action.http').outputs.find((o) => o.name === 'error')?.always).toBe(false);
    expect(ref('condition.expr')).toMatchObject({ outputs: [], outputType: 'boolean' });
  });

  it('describes a source by its trigger, with nested mapping fields one by one', () => {
    const webhook = ref('source.webhook');
    expect(webhook.trigger).toContain('POST /hooks/<path>');
    expect(webhook.outputRoot).toBe('alert');
    expect(webhook.fields.find((f) => f.name === 'mapping.name')).toMatchObject({ required: true, markers: ['CEL'] });
    expect(webhook.fields.find((f) => f.name === 'mapping.skip')).toMatchObject({ required: false });
    expect(ref('source.manual').trigger).toContain('Run now');
    expect(ref('condition.expr').trigger).toBeUndefined();
  });

  it('works for any definition, not only the catalog', () => {
    const def = defineNode({
      type: 'test.thing',
      category: 'action',
      defaultId: 'thing',
      label: 'Thing',
      description: 'Does a thing.',
      icon: 'x',
      configSchema: z.strictObject({ level: z.enum(['low', 'high']).default('low'), nested: z.strictObject({ a: z.number() }) }),
      outputSchema: z.object({ done: z.boolean() }),
      outputs: ['ok'],
      idempotent: false,
      sideEffects: true,
      expressions: () => [],
      summary: () => '',
      notes: ['A **note**.'],
    });
    const r = nodeReference(def);
    expect(r.fields.map((f) => [f.name, f.type, f.required])).toEqual([
      ['level', 'one of low, high', false],
      ['nested.a', 'number', true],
    ]);
    expect(r.simulated).toContain('`ok`');
    expect(r.notes).toEqual(['A **note**.']);
  });
});

describe('referenceMarkdown', () => {
  const md = referenceMarkdown(nodeDefinitions);

  it('has one section per node type, grouped by category', () => {
    for (const def of nodeDefinitions) expect(md).toContain(`### \`${def.type}\``);
    expect(md.indexOf('## Sources')).toBeLessThan(md.indexOf('## Conditions'));
    expect(md.indexOf('## Actions')).toBeLessThan(md.indexOf('## Approvals'));
  });

  it('escapes table pipes and keeps the hand-written notes', () => {
    expect(md).toContain('`action.shell`');
    expect(md).toContain('A durable wait: it is a database row');
    // A `|` in a cell would split the table row.
    const rows = md.split('\n').filter((l) => l.startsWith('| `'));
    for (const row of rows) expect(row.replaceAll('\\|', '').split('|').length).toBeLessThanOrEqual(7);
  });

  it('replaces only the text between the markers', () => {
    const doc = 'intro\n<!-- node-reference:start -->\nold\n<!-- node-reference:end -->\noutro\n';
    const out = withGeneratedReference(doc, nodeDefinitions);
    expect(out.startsWith('intro\n<!-- node-reference:start -->')).toBe(true);
    expect(out.endsWith('<!-- node-reference:end -->\noutro\n')).toBe(true);
    expect(out).not.toContain('\nold\n');
    expect(withGeneratedReference(out, nodeDefinitions)).toBe(out);
    expect(() => withGeneratedReference('no markers', nodeDefinitions)).toThrow(/node-reference:start/);
  });
});
