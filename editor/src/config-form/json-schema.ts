/**
 * The part of JSON Schema (draft 2020-12) that `z.toJSONSchema` emits for node configs, and
 * small predicates over it. The form reads configs through this, never through zod internals,
 * so any schema zod can describe gets a form without editor changes.
 */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

/** Follows a local `$ref` (`#/$defs/name`) once; zod uses them for recursive types like z.json(). */
export function deref(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  // A chain of refs is legal JSON Schema; a cycle of bare refs is not, so a few hops suffice.
  for (let hop = 0; hop < 8 && current.$ref; hop++) {
    const match = /^#\/\$defs\/(.+)$/.exec(current.$ref);
    const target = match ? root.$defs?.[decodeURIComponent(match[1]!)] : undefined;
    if (!target) return {};
    const { $ref: _ref, ...rest } = current;
    current = { ...target, ...rest };
  }
  return current;
}

/** The options of a union (`oneOf` from discriminated unions, `anyOf` from plain ones). */
export function unionOptions(schema: JsonSchema): JsonSchema[] | undefined {
  return schema.oneOf ?? schema.anyOf;
}

export function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

export function isType(schema: JsonSchema, type: string): boolean {
  return typesOf(schema).includes(type);
}

/** `{ "secret": "NAME" }`: an object whose only property is a required string `secret`. */
export function isSecretRefSchema(schema: JsonSchema): boolean {
  const keys = Object.keys(schema.properties ?? {});
  return (
    isType(schema, 'object') &&
    keys.length === 1 &&
    keys[0] === 'secret' &&
    isType(schema.properties!.secret!, 'string') &&
    (schema.required ?? []).includes('secret')
  );
}

/** A plain string or a secret reference (fields marked "secret ok" in docs/nodes.md). */
export function isStringOrSecretSchema(schema: JsonSchema, root: JsonSchema): boolean {
  const options = unionOptions(schema)?.map((o) => deref(o, root));
  if (options?.length !== 2) return false;
  return options.some((o) => isType(o, 'string') && !o.enum) && options.some(isSecretRefSchema);
}

const JSON_TYPES = ['string', 'number', 'boolean', 'null', 'array', 'object'];

/** Any JSON value (what z.json() becomes): a union covering every JSON type. */
export function isJsonValueSchema(schema: JsonSchema, root: JsonSchema): boolean {
  const options = unionOptions(schema)?.map((o) => deref(o, root));
  if (!options) return false;
  const covered = new Set(options.flatMap(typesOf));
  if (covered.has('integer')) covered.add('number');
  return JSON_TYPES.every((t) => covered.has(t));
}

/**
 * The property that tells the options of a union apart, when every option is an object with
 * a different string `const` for it (zod's discriminatedUnion, e.g. `auth.type`).
 */
export function discriminatorOf(options: JsonSchema[]): string | undefined {
  if (options.length < 2 || !options.every((o) => isType(o, 'object') && o.properties)) return undefined;
  const first = options[0]!.properties!;
  for (const key of Object.keys(first)) {
    const values = options.map((o) => constOf(o.properties![key]));
    if (values.every((v) => typeof v === 'string') && new Set(values).size === values.length) return key;
  }
  return undefined;
}

/** The single value a schema allows (`const`, or a one-value `enum`), if any. */
export function constOf(schema: JsonSchema | undefined): unknown {
  if (!schema) return undefined;
  if ('const' in schema) return schema.const;
  if (schema.enum?.length === 1) return schema.enum[0];
  return undefined;
}

/** Drops `null` from a nullable union (`anyOf: [X, {type:"null"}]`) so X gets its widget. */
export function withoutNull(schema: JsonSchema, root: JsonSchema): JsonSchema {
  const options = unionOptions(schema);
  if (!options) return schema;
  const rest = options.filter((o) => !isType(deref(o, root), 'null') || typesOf(deref(o, root)).length > 1);
  if (rest.length === 1 && rest.length < options.length) {
    const { anyOf: _a, oneOf: _o, ...own } = schema;
    return { ...deref(rest[0]!, root), ...own };
  }
  return schema;
}
