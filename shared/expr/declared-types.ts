import type { z } from 'zod';
import { AlertSchema } from '../alert/schema.js';

/**
 * A CEL type as cel-js declares a variable: a type name (`string`, `int`, `list<string>`,
 * `map<string, dyn>`, `dyn`…), or an object's fields, each declared the same way.
 */
export type CelDecl = string | { readonly [field: string]: CelDecl };

/** What this module reads of a zod schema: its definition's kind and the parts each kind has. */
interface ZodDef {
  type: string;
  format?: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  options?: readonly z.ZodType[];
  entries?: Record<string, string | number>;
  values?: readonly unknown[];
  out?: z.ZodType;
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

// Whole-number formats: such values are CEL ints at run time (values.ts makes whole numbers ints).
const INT_FORMATS = new Set(['safeint', 'int32', 'uint32']);

/** A type name, for the places cel-js wants one (list elements, map values): objects are read as dyn there. */
const nameOf = (decl: CelDecl) => (typeof decl === 'string' ? decl : 'dyn');

/** The one type of a list of literals (`z.enum`, `z.literal`), or dyn when they differ. */
function literalType(values: readonly unknown[]): CelDecl {
  const types = new Set(values.map((v) => (typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : v === null ? 'null' : 'dyn')));
  return types.size === 1 ? [...types][0]! : 'dyn';
}

/**
 * The alternatives of a union as one type: the same type when they all agree; for objects, every
 * field any of them has (a field two of them type differently is dyn); otherwise dyn.
 */
function unionType(options: readonly CelDecl[]): CelDecl {
  if (options.length === 0) return 'dyn';
  if (options.every((o) => typeof o === 'string')) return options.every((o) => o === options[0]) ? options[0]! : 'dyn';
  if (!options.every((o) => typeof o === 'object')) return 'dyn';
  const fields: Record<string, CelDecl> = {};
  for (const option of options as Record<string, CelDecl>[]) {
    for (const [key, type] of Object.entries(option)) {
      fields[key] = key in fields && JSON.stringify(fields[key]) !== JSON.stringify(type) ? 'dyn' : type;
    }
  }
  return fields;
}

/**
 * An object whose every field may be left out (`alert.links`) is read like a map: `"runbook" in
 * alert.links` is how an expression asks whether one is there. When its fields share one type
 * it is declared as a map of that type, as it always was.
 */
function objectType(shape: Record<string, z.ZodType>): CelDecl {
  const entries = Object.entries(shape);
  const types = entries.map(([key, field]) => [key, celTypeOf(field)] as const);
  const allOptional = entries.length > 0 && entries.every(([, field]) => defOf(field).type === 'optional');
  const valueTypes = new Set(types.map(([, t]) => JSON.stringify(t)));
  if (allOptional && valueTypes.size === 1 && typeof types[0]![1] === 'string') return `map<string, ${types[0]![1]}>`;
  return Object.fromEntries(types);
}

/**
 * The CEL type of values a zod schema describes, as the save-time type checker declares it.
 * Objects keep their fields (so `steps.check.stauts` is an error); whole numbers are `int`;
 * numbers that may have a fraction, values that may be null, and shapes this mapping does not
 * know are `dyn`, checked when the expression runs.
 */
export function celTypeOf(schema: z.ZodType): CelDecl {
  const def = defOf(schema);
  switch (def.type) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'null':
      return 'null';
    case 'number':
      return INT_FORMATS.has(def.format ?? '') || INT_FORMATS.has((schema as z.ZodNumber).format ?? '') ? 'int' : 'dyn';
    case 'enum':
      return literalType(Object.values(def.entries ?? {}));
    case 'literal':
      return literalType(def.values ?? []);
    case 'array':
      return `list<${nameOf(celTypeOf(def.element!))}>`;
    case 'record':
      return `map<string, ${nameOf(celTypeOf(def.valueType!))}>`;
    case 'object':
      return objectType(def.shape ?? {});
    case 'optional':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      // A field left out fails when read, like any missing key; has() asks first.
      return celTypeOf(def.innerType!);
    case 'union':
      return unionType((def.options ?? []).map(celTypeOf));
    case 'pipe':
      return celTypeOf(def.out!);
    default:
      // nullable, unknown, any, json, lazy, date…: known only when the expression runs.
      return 'dyn';
  }
}

/** `alert` as expressions read it: the normalized alert's schema (shared/alert/schema.ts). */
export const ALERT_CEL_TYPE = celTypeOf(AlertSchema);
