import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { nodeDefinitions } from '../../../nodes/catalog.js';
import type { NodeDefinition } from '../../../nodes/definition.js';
import { configJsonSchema, formModelFor, modelFromJsonSchema, type FieldModel } from './field-model.js';
import type { JsonSchema } from './json-schema.js';

const defOf = (type: string) => nodeDefinitions.find((d) => d.type === type) as unknown as NodeDefinition;
const byName = (fields: FieldModel[], name: string) => fields.find((f) => f.name === name);
const kinds = (fields: FieldModel[]) => Object.fromEntries(fields.map((f) => [f.name, f.kind]));
const schemaOf = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

describe('form model of the built-in node types', () => {
  it('builds a model for every type in the catalog', () => {
    for (const def of nodeDefinitions) expect(formModelFor(def as unknown as NodeDefinition).fields.length).toBeGreaterThan(0);
  });

  it('action.http: hints pick the widgets; defaults are optional', () => {
    const { fields, keys } = formModelFor(defOf('action.http'));
    expect(keys).toEqual(['method', 'url', 'headers', 'body', 'bodyType', 'expectStatus', 'timeoutSeconds', 'followRedirects']);
    expect(kinds(fields)).toEqual({
      method: 'select',
      url: 'expression',
      headers: 'keyValue',
      body: 'json',
      bodyType: 'select',
      expectStatus: 'list',
      timeoutSeconds: 'number',
      followRedirects: 'boolean',
    });
    const method = byName(fields, 'method');
    expect(method).toMatchObject({ kind: 'select', options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'], required: false, defaultValue: 'POST' });
    expect(byName(fields, 'url')).toMatchObject({ kind: 'expression', language: 'url', required: true, label: 'URL' });
    expect(byName(fields, 'followRedirects')).toMatchObject({ kind: 'boolean', required: false, defaultValue: false, label: 'Follow redirects' });
    expect(byName(fields, 'headers')).toMatchObject({ kind: 'keyValue', secretValues: true, defaultValue: {} });
    expect(byName(fields, 'expectStatus')).toMatchObject({ kind: 'list', item: 'integer', label: 'Expected status' });
    expect(byName(fields, 'expectStatus')!.constraint).toBe('One per line, whole numbers (100–599)');
    expect(byName(fields, 'body')).toMatchObject({ kind: 'json', compact: false, required: false });
    expect(byName(fields, 'timeoutSeconds')).toMatchObject({ kind: 'number', integer: true, min: 1, max: 3600, defaultValue: 10, label: 'Timeout (seconds)' });
    expect(byName(fields, 'timeoutSeconds')!.constraint).toBe('Whole number, 1–3600 · default 10');
  });

  it('action.shell: argv, text, keyValue, int list', () => {
    const { fields } = formModelFor(defOf('action.shell'));
    expect(kinds(fields)).toEqual({ command: 'argv', cwd: 'text', env: 'keyValue', timeoutSeconds: 'number', expectExitCodes: 'list' });
    expect(byName(fields, 'cwd')).toMatchObject({ label: 'Working directory', required: false });
    expect(byName(fields, 'command')).toMatchObject({ required: true });
    expect(byName(fields, 'expectExitCodes')).toMatchObject({ defaultValue: [0], label: 'Expected exit codes' });
  });

  it('source.alertmanager: auth is a union on `type` with each variant’s fields', () => {
    const { fields } = formModelFor(defOf('source.alertmanager'));
    const auth = byName(fields, 'auth');
    expect(auth?.kind).toBe('union');
    if (auth?.kind !== 'union') return;
    expect(auth.discriminator).toBe('type');
    expect(auth.label).toBe('Authentication');
    expect(auth.variants.map((v) => v.value)).toEqual(['bearer', 'basic', 'header', 'none']);
    const basic = auth.variants.find((v) => v.value === 'basic')!;
    expect(basic.fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['auth.username', 'text', true],
      ['auth.password', 'secret', true],
    ]);
    expect(auth.variants.find((v) => v.value === 'header')!.fields.map((f) => f.name)).toEqual(['auth.name', 'auth.value']);
    expect(auth.variants.find((v) => v.value === 'none')!.fields).toEqual([]);
    expect(byName(fields, 'on')).toMatchObject({ kind: 'select', options: ['firing', 'resolved', 'both'], defaultValue: 'firing' });
  });

  it('lists of addresses, topics and event types are typed one per line, never as JSON', () => {
    expect(byName(formModelFor(defOf('source.alertmanager')).fields, 'allowFrom')).toMatchObject({ kind: 'list', item: 'string', label: 'Allowed addresses', constraint: 'One per line' });
    expect(byName(formModelFor(defOf('source.cloudwatch')).fields, 'topicArns')).toMatchObject({ kind: 'list', item: 'string' });
    expect(byName(formModelFor(defOf('source.pagerduty')).fields, 'events')).toMatchObject({ kind: 'list', item: 'string' });
    // A list of secret references is not one line per item: it stays JSON.
    const json = (f: FieldModel): string[] => (f.kind === 'json' ? [f.name] : f.kind === 'object' ? f.fields.flatMap(json) : f.kind === 'union' ? f.variants.flatMap((v) => v.fields.flatMap(json)) : []);
    for (const def of nodeDefinitions) {
      for (const name of formModelFor(def as unknown as NodeDefinition).fields.flatMap(json)) {
        expect(['body', 'samplePayload', 'auth.secret', 'input'], `${def.type} ${name}`).toContain(name);
      }
    }
  });

  it('source.webhook: mapping is a fieldset of CEL fields', () => {
    const mapping = byName(formModelFor(defOf('source.webhook')).fields, 'mapping');
    expect(mapping?.kind).toBe('object');
    if (mapping?.kind !== 'object') return;
    expect(mapping.required).toBe(true);
    expect(mapping.fields.map((f) => [f.name, f.kind, f.required])).toContainEqual(['mapping.name', 'expression', true]);
    expect(mapping.fields.find((f) => f.name === 'mapping.startsAt')).toMatchObject({ kind: 'expression', language: 'cel', required: false, label: 'Starts at' });
  });

  it('conditions get expression widgets in their language', () => {
    expect(formModelFor(defOf('condition.match')).fields[0]).toMatchObject({ kind: 'expression', language: 'matchers' });
    expect(formModelFor(defOf('condition.expr')).fields[0]).toMatchObject({ kind: 'expression', language: 'cel' });
  });

  it('caches per type', () => {
    const def = defOf('action.http');
    expect(formModelFor(def)).toBe(formModelFor(def));
  });

  it('reads label and help from a hint when a definition gives them', () => {
    const schema = schemaOf(z.strictObject({ x: z.string() }));
    const model = modelFromJsonSchema(schema, { x: { widget: 'text', label: 'The X', help: 'Explains X' } as never });
    expect(model.fields[0]).toMatchObject({ label: 'The X', help: 'Explains X' });
  });

  it('gives a text field asking for several lines a textarea', () => {
    const schema = schemaOf(z.strictObject({ keys: z.string(), name: z.string() }));
    const model = modelFromJsonSchema(schema, { keys: { widget: 'text', multiline: true }, name: { widget: 'text' } });
    expect(model.fields.map((f) => [f.name, f.kind, 'multiline' in f ? f.multiline : undefined])).toEqual([
      ['keys', 'text', true],
      ['name', 'text', undefined],
    ]);
  });

  it('shows the schema description as help', () => {
    const model = modelFromJsonSchema(schemaOf(z.strictObject({ retries: z.int().describe('How often to try again') })));
    expect(model.fields[0]).toMatchObject({ kind: 'number', label: 'Retries', help: 'How often to try again' });
  });
});

describe('widgets chosen from the schema alone (no hints)', () => {
  const secret = z.strictObject({ secret: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/) });
  const schema = schemaOf(
    z.strictObject({
      name: z.string(),
      count: z.int().min(0).optional(),
      ratio: z.number(),
      enabled: z.boolean().default(false),
      level: z.enum(['a', 'b']),
      args: z.array(z.string()),
      codes: z.array(z.int().min(0).max(9)).optional(),
      headers: z.record(z.string(), z.union([z.string(), secret])),
      labels: z.record(z.string(), z.string()),
      token: secret,
      tokenOrText: z.union([z.string(), secret]),
      data: z.json(),
      nested: z.strictObject({ inner: z.string().optional() }),
      maybe: z.string().nullable(),
      kind: z.discriminatedUnion('mode', [z.strictObject({ mode: z.literal('x'), a: z.string() }), z.strictObject({ mode: z.literal('y') })]),
      mixed: z.union([z.string(), z.number()]),
    }),
  );
  const { fields } = modelFromJsonSchema(schema);

  it('maps JSON Schema types to widgets', () => {
    expect(kinds(fields)).toEqual({
      name: 'text',
      count: 'number',
      ratio: 'number',
      enabled: 'boolean',
      level: 'select',
      args: 'argv',
      codes: 'list',
      headers: 'keyValue',
      labels: 'keyValue',
      token: 'secret',
      tokenOrText: 'secret',
      data: 'json',
      nested: 'object',
      maybe: 'text',
      kind: 'union',
      mixed: 'json',
    });
    expect(byName(fields, 'ratio')).toMatchObject({ integer: false });
    expect(byName(fields, 'codes')).toMatchObject({ item: 'integer', constraint: 'One per line, whole numbers (0–9)' });
    expect(byName(fields, 'labels')).toMatchObject({ secretValues: false });
    expect(byName(fields, 'tokenOrText')).toMatchObject({ allowText: true });
    expect(byName(fields, 'token')).toMatchObject({ allowText: false });
  });

  it('falls back to the schema widget when a hint does not fit the schema', () => {
    const model = modelFromJsonSchema(schemaOf(z.strictObject({ n: z.int(), s: z.string() })), {
      n: { widget: 'argv' },
      s: { widget: 'number' },
    });
    expect(kinds(model.fields)).toEqual({ n: 'number', s: 'text' });
  });

  it('resolves $ref for recursive JSON values', () => {
    const root = configJsonSchema(defOf('action.http'));
    expect(root.properties!.body!.$ref).toMatch(/^#\/\$defs\//);
    expect(byName(modelFromJsonSchema(root).fields, 'body')?.kind).toBe('json');
  });

  it('turns an unrepresentable schema into a JSON field', () => {
    const model = modelFromJsonSchema(schemaOf(z.strictObject({ when: z.date() })));
    expect(model.fields[0]?.kind).toBe('json');
  });
});
