import { z } from 'zod';
import type { NodeDefinition } from './definition.js';

/**
 * The reference of a node type, worked out from its definition alone: the editor's Help tab and
 * the generated part of docs/nodes.md both show this, so neither can drift from the code.
 * Browser-safe and pure.
 */
export interface NodeReference {
  type: string;
  title: string;
  category: string;
  description: string;
  ports: readonly { name: string; meaning?: string }[];
  /** Whether a step interrupted by a crash is run again, in words. */
  retried: string;
  /** What a simulation (the editor's Test tab) does with the node, in words. */
  simulated: string;
  /** Sources only: what starts the flow. */
  trigger?: string;
  fields: readonly FieldReference[];
  /** How expressions of later nodes read what a step of this type recorded. */
  outputRoot: string;
  /** What the output is as a whole: `object`, `boolean`… */
  outputType: string;
  outputs: readonly OutputFieldReference[];
  /** Hand-written paragraphs (markdown: `code`, **bold**, [links](…); a paragraph starting ``` is a code block). */
  notes: readonly string[];
}

type FieldMarker = 'secret ok' | 'template' | 'CEL' | 'URL template' | 'PromQL template' | 'matchers';

interface FieldReference {
  /** Dotted path in the config, e.g. `timeoutSeconds` or `mapping.name`. */
  name: string;
  type: string;
  required: boolean;
  /** The default as JSON, when the schema has one. */
  default?: string;
  /** The values allowed, when the schema lists them. */
  allowed?: readonly string[];
  label?: string;
  help?: string;
  markers: readonly FieldMarker[];
}

interface OutputFieldReference {
  /** Path below the output root, e.g. `status` or `links.runbook`. */
  name: string;
  type: string;
  /** False when only some outputs carry it (e.g. `error` only when the request failed). */
  always: boolean;
}

/** The part of JSON Schema that z.toJSONSchema emits and this module reads. */
interface Schema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minimum?: number;
  maximum?: number;
  oneOf?: Schema[];
  anyOf?: Schema[];
  $ref?: string;
  $defs?: Record<string, Schema>;
}

const CATEGORY_TITLES: Record<string, string> = { source: 'Sources', condition: 'Conditions', action: 'Actions', approval: 'Approvals' };

function toSchema(schema: z.ZodType, io: 'input' | 'output'): Schema {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Schema;
}

function deref(schema: Schema, root: Schema): Schema {
  let current = schema;
  for (let hop = 0; hop < 8 && current.$ref; hop++) {
    const name = /^#\/\$defs\/(.+)$/.exec(current.$ref)?.[1];
    const target = name ? root.$defs?.[decodeURIComponent(name)] : undefined;
    if (!target) return {};
    const { $ref: _ref, ...rest } = current;
    current = { ...target, ...rest };
  }
  return current;
}

const typesOf = (s: Schema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);
const optionsOf = (s: Schema): Schema[] | undefined => s.oneOf ?? s.anyOf;

function isSecretRef(s: Schema): boolean {
  const keys = Object.keys(s.properties ?? {});
  return typesOf(s).includes('object') && keys.length === 1 && keys[0] === 'secret';
}

/** Any JSON value (z.json()): a union covering every JSON type. */
function isJsonValue(s: Schema, root: Schema): boolean {
  const covered = new Set((optionsOf(s) ?? []).map((o) => deref(o, root)).flatMap(typesOf));
  return ['string', 'number', 'boolean', 'null', 'array', 'object'].every((t) => covered.has(t));
}

/** The constant each option of a union has for one property (`auth.type`), when there is one. */
function discriminated(options: Schema[]): { key: string; values: string[] } | undefined {
  const first = options[0]?.properties;
  if (!first || options.length < 2) return undefined;
  for (const key of Object.keys(first)) {
    const values = options.map((o) => o.properties?.[key]?.const);
    if (values.every((v): v is string => typeof v === 'string')) return { key, values };
  }
  return undefined;
}

function range(s: Schema): string {
  if (s.minimum === undefined || s.maximum === undefined || Math.abs(s.maximum) > 1e12) return '';
  return ` (${s.minimum}–${s.maximum})`;
}

/** A short name for the kind of value a schema takes: `string`, `list of integer (0–255)`, `JSON`. */
function describeType(schema: Schema, root: Schema): string {
  const s = deref(schema, root);
  if (isJsonValue(s, root)) return 'JSON';
  const options = optionsOf(s)?.map((o) => deref(o, root));
  if (options) {
    if (options.length === 2 && options.some(isSecretRef) && options.some((o) => typesOf(o).includes('string'))) return 'string or secret';
    const tagged = discriminated(options);
    if (tagged) return `object, ${tagged.key} one of ${tagged.values.join(', ')}`;
    const named = [...new Set(options.map((o) => (isSecretRef(o) ? 'secret' : describeType(o, root))))];
    return named.join(' or ');
  }
  if (isSecretRef(s)) return 'secret';
  if ('const' in s) return JSON.stringify(s.const);
  if (s.enum) return `one of ${s.enum.map((v) => String(v)).join(', ')}`;
  if (typesOf(s).join() === 'null') return 'null';
  const types = typesOf(s).filter((t) => t !== 'null');
  const type = types[0];
  if (type === 'array') return s.items ? `list of ${describeType(s.items, root)}` : 'list';
  if (type === 'object' && !s.properties && typeof s.additionalProperties === 'object') return `map of name → ${describeType(s.additionalProperties, root)}`;
  if (type === 'integer' || type === 'number') return `${type === 'integer' ? 'whole number' : 'number'}${range(s)}`;
  if (types.length > 1) return types.join(' or ');
  return type ?? 'any';
}

function markersOf(def: NodeDefinition, name: string, type: string): FieldMarker[] {
  const hint = def.ui?.[name];
  const markers: FieldMarker[] = [];
  if (type.includes('string or secret') || type.endsWith('→ string or secret')) markers.push('secret ok');
  if (hint?.widget === 'expression') {
    markers.push(({ cel: 'CEL', template: 'template', url: 'URL template', promql: 'PromQL template', matchers: 'matchers' } as const)[hint.language]);
  } else if (hint?.templates) {
    markers.push('template');
  }
  return markers;
}

function configFields(def: NodeDefinition): FieldReference[] {
  const root = toSchema(def.configSchema, 'input');
  const fields: FieldReference[] = [];
  const walk = (object: Schema, prefix: string, parentRequired: boolean) => {
    const required = new Set(object.required ?? []);
    for (const [key, raw] of Object.entries(object.properties ?? {})) {
      const name = `${prefix}${key}`;
      const s = deref(raw, root);
      const isRequired = parentRequired && required.has(key);
      // A nested object of named fields (webhook `mapping`) is listed field by field.
      if (typesOf(s).includes('object') && s.properties && !isSecretRef(s)) {
        walk(s, `${name}.`, isRequired);
        continue;
      }
      const type = describeType(s, root);
      const hint = def.ui?.[name];
      const field: FieldReference = { name, type, required: isRequired, markers: markersOf(def, name, type) };
      if (s.default !== undefined) field.default = JSON.stringify(s.default);
      const allowed = s.enum ?? optionsOf(s)?.map((o) => deref(o, root).properties?.type?.const).filter((v) => v !== undefined);
      if (allowed && allowed.length > 0) field.allowed = allowed.map(String);
      if (hint?.label) field.label = hint.label;
      if (hint?.help) field.help = hint.help;
      fields.push(field);
    }
  };
  walk(root, '', true);
  return fields;
}

function outputFields(def: NodeDefinition): OutputFieldReference[] {
  const root = toSchema(def.outputSchema, 'output');
  const variants = (optionsOf(root) ?? [root]).map((o) => deref(o, root)).filter((o) => o.properties);
  const byName = new Map<string, { types: Set<string>; count: number; required: boolean }>();
  for (const variant of variants) {
    const required = new Set(variant.required ?? []);
    for (const [key, s] of Object.entries(variant.properties ?? {})) {
      const entry = byName.get(key) ?? { types: new Set<string>(), count: 0, required: true };
      const type = describeType(s, root);
      if (type !== 'null') entry.types.add(type);
      entry.count++;
      entry.required &&= required.has(key);
      byName.set(key, entry);
      const inner = deref(s, root);
      if (inner.properties) {
        for (const [sub, subSchema] of Object.entries(inner.properties)) {
          byName.set(`${key}.${sub}`, { types: new Set([describeType(subSchema, root)]), count: variants.length, required: entry.required });
        }
      }
    }
  }
  return [...byName].map(([name, e]) => ({
    name,
    type: e.types.size > 0 ? [...e.types].join(' or ') : 'null',
    always: e.required && e.count === variants.length,
  }));
}

function triggerText(def: NodeDefinition): string | undefined {
  switch (def.trigger?.kind) {
    case 'webhook':
      return 'a delivery posted to `POST /hooks/<path>` (the `path` field)';
    case 'schedule':
      return 'each tick of its own schedule';
    case 'manual':
      return 'a person: Run now in the editor, or `POST /api/flows/:id/run`';
    default:
      return undefined;
  }
}

/** The reference of one node type, from its definition. */
export function nodeReference(def: NodeDefinition): NodeReference {
  const isSource = def.category === 'source';
  const reference: NodeReference = {
    type: def.type,
    title: def.label,
    category: def.category,
    description: def.description,
    ports: def.outputs.map((name) => (def.portHelp?.[name] ? { name, meaning: def.portHelp[name] } : { name })),
    retried: isSource
      ? '— (a source starts the flow; it is not a step that runs)'
      : def.idempotent
        ? def.sideEffects
          ? 'yes: it runs again (a repeat is harmless for this type; the details say why)'
          : 'yes (no side effect)'
        : 'no: an interrupted step becomes `unknown` and its execution `needs_attention`',
    simulated: def.sideEffects
      ? `never run by a simulation: its config is rendered and it is assumed to take \`${def.simulatePort ?? def.outputs[0]}\``
      : isSource
        ? 'the sample payload is read as a delivery would be'
        : 'run as it would be (it has no side effect)',
    fields: configFields(def),
    outputRoot: isSource ? 'alert' : 'steps.<id>',
    outputType: describeType(toSchema(def.outputSchema, 'output'), toSchema(def.outputSchema, 'output')),
    outputs: outputFields(def),
    notes: def.notes ?? [],
  };
  const trigger = triggerText(def);
  if (trigger) reference.trigger = trigger;
  return reference;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (text: string) => `\`${text}\``;

function fieldMarkdown(f: FieldReference): string {
  const about = [f.label ? `**${f.label}**` : '', f.help ?? '']
    .filter(Boolean)
    .join(' — ');
  const markers = f.markers.map((m) => `*${m}*`).join(', ');
  return `| ${code(f.name)} | ${cell(f.type)}${markers ? `; ${markers}` : ''} | ${f.required ? 'yes' : 'no'} | ${f.default ? code(f.default) : '—'} | ${cell(about)} |`;
}

/** One node type as markdown: a `###` section. */
function nodeReferenceMarkdown(r: NodeReference): string {
  const lines = [`### \`${r.type}\``, '', `**${r.title}.** ${r.description}`, ''];
  lines.push('| | |', '|---|---|');
  if (r.trigger) lines.push(`| starts on | ${cell(r.trigger)} |`);
  lines.push(`| ports | ${cell(r.ports.map((p) => (p.meaning ? `${code(p.name)}: ${p.meaning}` : code(p.name))).join('; '))} |`);
  lines.push(`| retried after a crash | ${cell(r.retried)} |`);
  lines.push(`| in a simulation | ${cell(r.simulated)} |`, '');
  if (r.fields.length > 0) {
    lines.push('| config field | type | required | default | |', '|---|---|---|---|---|', ...r.fields.map(fieldMarkdown), '');
  }
  if (r.outputs.length > 0) {
    lines.push(`Output, read as \`${r.outputRoot}.<field>\`:`, '');
    lines.push(r.outputs.map((o) => `${code(o.name)} (${o.type}${o.always ? '' : ', not always'})`).join(', '), '');
  } else {
    lines.push(`Output: \`${r.outputRoot}\` is a ${r.outputType}.`, '');
  }
  for (const note of r.notes) lines.push(note, '');
  return lines.join('\n');
}

/** Every node type's reference as markdown, grouped by category in catalog order. */
export function referenceMarkdown(defs: readonly NodeDefinition[]): string {
  const out: string[] = [];
  for (const category of Object.keys(CATEGORY_TITLES)) {
    const inCategory = defs.filter((d) => d.category === category);
    if (inCategory.length === 0) continue;
    out.push(`## ${CATEGORY_TITLES[category]}`, '');
    for (const def of inCategory) out.push(nodeReferenceMarkdown(nodeReference(def)));
  }
  return `${out.join('\n').trimEnd()}\n`;
}

const REFERENCE_START = '<!-- node-reference:start -->';
const REFERENCE_END = '<!-- node-reference:end -->';

/**
 * `markdown` (docs/nodes.md) with the part between the reference markers replaced by the
 * reference of `defs`; the hand-written text around it is kept as it is.
 */
export function withGeneratedReference(markdown: string, defs: readonly NodeDefinition[]): string {
  const start = markdown.indexOf(REFERENCE_START);
  const end = markdown.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error(`the markers ${REFERENCE_START} and ${REFERENCE_END} are missing or out of order`);
  const note = '<!-- Generated from the node definitions by `npm run docs:nodes`: edit the definitions (notes, portHelp, ui help), not this part. -->';
  return `${markdown.slice(0, start)}${REFERENCE_START}\n${note}\n\n${referenceMarkdown(defs)}\n${markdown.slice(end)}`;
}
