import { z } from 'zod';
import type { FieldHint, NodeDefinition } from '../../../nodes/definition.js';
import {
  constOf,
  deref,
  discriminatorOf,
  isJsonValueSchema,
  isSecretRefSchema,
  isStringOrSecretSchema,
  isType,
  typesOf,
  unionOptions,
  withoutNull,
  type JsonSchema,
} from './json-schema.js';
import { labelFor } from './labels.js';
import type { ListItem } from './parse-input.js';

export type ExpressionLanguage = 'cel' | 'template' | 'url' | 'promql' | 'matchers';

/**
 * `label`/`help` are read from a hint when a definition provides them. FieldHint does not
 * declare them yet (see the editor's proposal); reading them here means no form change later.
 */
type HintWithText = FieldHint & { label?: unknown; help?: unknown };

interface FieldBase {
  /** Last path segment, e.g. `token`. */
  key: string;
  /** Path from the config root, e.g. `['auth', 'token']`. */
  path: string[];
  /** Dotted path, e.g. `auth.token`: the input's `name` and the hint key. */
  name: string;
  label: string;
  /** Operator-facing explanation (hint `help`, else the schema's `description`). */
  help?: string;
  /** Generated from the schema: ranges, defaults ("1–3600 · default 10"). */
  constraint?: string;
  required: boolean;
  /** The schema default: shown, never written unless the operator changes the field. */
  defaultValue?: unknown;
}

export type FieldModel =
  /** `multiline`: several lines may be typed (a textarea). */
  | (FieldBase & { kind: 'text'; multiline?: boolean; suggest?: 'flows' })
  | (FieldBase & { kind: 'number'; integer: boolean; min?: number; max?: number })
  | (FieldBase & { kind: 'boolean' })
  | (FieldBase & { kind: 'select'; options: string[] })
  | (FieldBase & { kind: 'expression'; language: ExpressionLanguage })
  /** `{ "secret": "NAME" }`; with `allowText`, a plain string is accepted too. */
  | (FieldBase & { kind: 'secret'; allowText: boolean })
  /** A map of names to strings (or to strings-or-secrets with `secretValues`). */
  | (FieldBase & { kind: 'keyValue'; secretValues: boolean })
  /** A list of strings, one input each. */
  | (FieldBase & { kind: 'argv' })
  /** A list of text or numbers typed one item per line (addresses, statuses, event types). */
  | (FieldBase & { kind: 'list'; item: ListItem })
  /** Raw JSON in a textarea; `compact` when the schema is a list of scalars (one line is enough). */
  | (FieldBase & { kind: 'json'; compact: boolean })
  | (FieldBase & { kind: 'object'; fields: FieldModel[] })
  | (FieldBase & { kind: 'union'; discriminator: string; variants: UnionVariant[] });

interface UnionVariant {
  /** The discriminator's value, e.g. `bearer`. */
  value: string;
  help?: string;
  /** The variant's fields other than the discriminator. */
  fields: FieldModel[];
}

type FieldKind = FieldModel['kind'];

export interface FormModel {
  fields: FieldModel[];
  /** Top-level keys the schema knows (anything else in a config is an unknown field). */
  keys: string[];
}

interface WalkContext {
  root: JsonSchema;
  hints: Record<string, FieldHint>;
  depth: number;
}

function rangeText(min: number | undefined, max: number | undefined): string | undefined {
  if (min !== undefined && max !== undefined) return `${min}–${max}`;
  if (min !== undefined) return `at least ${min}`;
  if (max !== undefined) return `at most ${max}`;
  return undefined;
}

function showDefault(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isEmptyDefault(value: unknown): boolean {
  return (
    value === undefined ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
  );
}

/** "1–3600 · default 10": what the schema says that the operator should know while typing. */
function constraintFor(schema: JsonSchema, kind: FieldKind): string | undefined {
  const parts: string[] = [];
  if (kind === 'number') {
    const range = rangeText(schema.minimum, schema.maximum);
    if (isType(schema, 'integer')) parts.push(range ? `Whole number, ${range}` : 'Whole number');
    else if (range) parts.push(range);
  }
  if (kind === 'list' || (kind === 'json' && schema.items && isType(schema, 'array'))) {
    const items = schema.items ?? {};
    const what = isType(items, 'integer') ? 'whole numbers' : isType(items, 'number') ? 'numbers' : undefined;
    const range = rangeText(items.minimum, items.maximum);
    if (kind === 'json') parts.push(`A JSON list${what ? ` of ${what}` : ''}${range ? ` (${range})` : ''}`);
    else parts.push(`One per line${what ? `, ${what}` : ''}${range ? ` (${range})` : ''}`);
  }
  // A select marks its default option itself.
  if (!isEmptyDefault(schema.default) && kind !== 'select') parts.push(`default ${showDefault(schema.default)}`);
  if (parts.length === 0) return undefined;
  const text = parts.join(' · ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function base(key: string, path: string[], schema: JsonSchema, required: boolean, hint: HintWithText | undefined): FieldBase {
  const hintLabel = typeof hint?.label === 'string' ? hint.label : undefined;
  const hintHelp = typeof hint?.help === 'string' ? hint.help : undefined;
  const field: FieldBase = {
    key,
    path,
    name: path.join('.'),
    label: hintLabel ?? schema.title ?? labelFor(key),
    required,
  };
  const help = hintHelp ?? schema.description;
  if (help) field.help = help;
  if (schema.default !== undefined) field.defaultValue = schema.default;
  return field;
}

function stringEnum(schema: JsonSchema): string[] | undefined {
  if (schema.enum?.every((v) => typeof v === 'string')) return schema.enum as string[];
  if (typeof schema.const === 'string') return [schema.const];
  return undefined;
}

function recordValues(schema: JsonSchema): JsonSchema | undefined {
  if (!isType(schema, 'object') || schema.properties) return undefined;
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

function objectFields(schema: JsonSchema, path: string[], ctx: WalkContext, skip?: string): FieldModel[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {})
    .filter(([key]) => key !== skip)
    .map(([key, child]) => fieldFor(key, [...path, key], child, required.has(key), { ...ctx, depth: ctx.depth + 1 }));
}

/** The widget a hint asks for, when the schema can hold what that widget writes. */
function fromHint(hint: FieldHint, schema: JsonSchema, b: FieldBase, ctx: WalkContext): FieldModel | undefined {
  switch (hint.widget) {
    case 'text':
      if (!isType(schema, 'string')) return undefined;
      return { ...b, kind: 'text', ...(hint.multiline ? { multiline: true } : {}), ...(hint.suggest ? { suggest: hint.suggest } : {}) };
    case 'number':
      return isType(schema, 'number') || isType(schema, 'integer') ? numberField(schema, b) : undefined;
    case 'boolean':
      return isType(schema, 'boolean') ? { ...b, kind: 'boolean' } : undefined;
    case 'select': {
      const options = stringEnum(schema);
      return options ? { ...b, kind: 'select', options } : undefined;
    }
    case 'expression':
      return isType(schema, 'string') ? { ...b, kind: 'expression', language: hint.language } : undefined;
    case 'secret':
      if (isSecretRefSchema(schema)) return { ...b, kind: 'secret', allowText: false };
      if (isStringOrSecretSchema(schema, ctx.root)) return { ...b, kind: 'secret', allowText: true };
      return undefined;
    case 'keyValue': {
      const values = recordValues(schema);
      if (!values) return undefined;
      const v = deref(values, ctx.root);
      if (isStringOrSecretSchema(v, ctx.root)) return { ...b, kind: 'keyValue', secretValues: true };
      return isType(v, 'string') ? { ...b, kind: 'keyValue', secretValues: false } : undefined;
    }
    case 'argv':
      return isType(schema, 'array') && schema.items && isType(deref(schema.items, ctx.root), 'string') ? { ...b, kind: 'argv' } : undefined;
    case 'list':
      return listField(schema, b, ctx);
    case 'json':
      return jsonField(schema, b, ctx);
  }
}

function numberField(schema: JsonSchema, b: FieldBase): FieldModel {
  const field: FieldModel = { ...b, kind: 'number', integer: isType(schema, 'integer') };
  if (schema.minimum !== undefined) field.min = schema.minimum;
  if (schema.maximum !== undefined) field.max = schema.maximum;
  return field;
}

/** What the items of an array schema are, when each fits on one line of a list field. */
function listItemOf(schema: JsonSchema, ctx: WalkContext): ListItem | undefined {
  if (!isType(schema, 'array') || !schema.items) return undefined;
  const items = deref(schema.items, ctx.root);
  if (unionOptions(items) || typesOf(items).filter((t) => t !== 'null').length > 1) return undefined;
  if (isType(items, 'integer')) return 'integer';
  if (isType(items, 'number')) return 'number';
  if (isType(items, 'string')) return 'string';
  return undefined;
}

function listField(schema: JsonSchema, b: FieldBase, ctx: WalkContext): FieldModel | undefined {
  const item = listItemOf(schema, ctx);
  return item ? { ...b, kind: 'list', item } : undefined;
}

/**
 * Raw JSON, except for a list of text or numbers: that is typed one item per line, so nobody
 * has to write brackets and quotes (and its messages can name the line).
 */
function jsonField(schema: JsonSchema, b: FieldBase, ctx: WalkContext): FieldModel {
  const list = listField(schema, b, ctx);
  if (list) return list;
  const items = schema.items ? deref(schema.items, ctx.root) : undefined;
  const scalarItems = !!items && ['string', 'number', 'integer', 'boolean'].some((t) => isType(items, t));
  return { ...b, kind: 'json', compact: isType(schema, 'array') && scalarItems };
}

/** The widget the schema alone suggests. */
function fromSchema(schema: JsonSchema, b: FieldBase, ctx: WalkContext): FieldModel {
  const options = unionOptions(schema)?.map((o) => deref(o, ctx.root));
  if (options) {
    if (isJsonValueSchema(schema, ctx.root)) return jsonField(schema, b, ctx);
    const discriminator = discriminatorOf(options);
    if (discriminator && ctx.depth < 6) {
      return {
        ...b,
        kind: 'union',
        discriminator,
        variants: options.map((option) => {
          const variant: UnionVariant = {
            value: constOf(option.properties![discriminator]) as string,
            fields: objectFields(option, b.path, ctx, discriminator),
          };
          if (option.description) variant.help = option.description;
          return variant;
        }),
      };
    }
    if (isStringOrSecretSchema(schema, ctx.root)) return { ...b, kind: 'secret', allowText: true };
    return jsonField(schema, b, ctx);
  }
  // `type: ["string", "number"]` has no single input that can write both.
  if (typesOf(schema).filter((t) => t !== 'null').length > 1) return jsonField(schema, b, ctx);
  if (isSecretRefSchema(schema)) return { ...b, kind: 'secret', allowText: false };
  const enumValues = stringEnum(schema);
  if (enumValues) return { ...b, kind: 'select', options: enumValues };
  if (isType(schema, 'string')) return { ...b, kind: 'text' };
  if (isType(schema, 'integer') || isType(schema, 'number')) return numberField(schema, b);
  if (isType(schema, 'boolean')) return { ...b, kind: 'boolean' };
  if (isType(schema, 'array') && schema.items) {
    const items = deref(schema.items, ctx.root);
    if (isType(items, 'string') && !items.enum) return { ...b, kind: 'argv' };
    if (isType(items, 'integer') || isType(items, 'number')) return listField(schema, b, ctx)!;
  }
  if (isType(schema, 'object')) {
    if (schema.properties && ctx.depth < 6) return { ...b, kind: 'object', fields: objectFields(schema, b.path, ctx) };
    const values = recordValues(schema);
    if (values) {
      const v = deref(values, ctx.root);
      if (isStringOrSecretSchema(v, ctx.root)) return { ...b, kind: 'keyValue', secretValues: true };
      if (isType(v, 'string') && !v.enum) return { ...b, kind: 'keyValue', secretValues: false };
    }
  }
  return jsonField(schema, b, ctx);
}

function fieldFor(key: string, path: string[], raw: JsonSchema, required: boolean, ctx: WalkContext): FieldModel {
  const schema = withoutNull(deref(raw, ctx.root), ctx.root);
  const name = path.join('.');
  const hint = ctx.hints[name] as HintWithText | undefined;
  const b = base(key, path, schema, required, hint);
  const field = (hint && fromHint(hint, schema, b, ctx)) ?? fromSchema(schema, b, ctx);
  const constraint = constraintFor(schema, field.kind);
  if (constraint) field.constraint = constraint;
  return field;
}

/** Builds the form model of a config JSON Schema (an object), using the definition's UI hints. */
export function modelFromJsonSchema(root: JsonSchema, hints: Record<string, FieldHint> = {}): FormModel {
  const ctx: WalkContext = { root, hints, depth: 0 };
  const schema = deref(root, root);
  return { fields: objectFields(schema, [], ctx), keys: Object.keys(schema.properties ?? {}) };
}

/** The config's JSON Schema as the operator writes it (`io: 'input'`: defaults are optional). */
export function configJsonSchema(def: NodeDefinition): JsonSchema {
  return z.toJSONSchema(def.configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

const cache = new Map<string, { schema: z.ZodType; model: FormModel }>();

/** The form model of a node type, built once per type (the schema does not change at run time). */
export function formModelFor(def: NodeDefinition): FormModel {
  const key = def.type;
  const hit = cache.get(key);
  if (hit && hit.schema === def.configSchema) return hit.model;
  const model = modelFromJsonSchema(configJsonSchema(def), def.ui ?? {});
  cache.set(key, { schema: def.configSchema, model });
  return model;
}
