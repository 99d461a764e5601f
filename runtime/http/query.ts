import type { Context } from 'hono';
import type { z } from 'zod';
import { ValidationError, issuesFromZod } from '../../shared/errors.js';

/** Parses the query string with `schema`; problems are reported at `query.<name>`. */
export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  const result = schema.safeParse(c.req.query());
  if (!result.success) throw new ValidationError('invalid query parameters', issuesFromZod(result.error.issues, ['query']));
  return result.data;
}

/** Parses an already-read JSON body with `schema`; problems are reported at their path. */
export function parseBody<S extends z.ZodType>(body: unknown, schema: S, what = 'request body'): z.output<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new ValidationError(`invalid ${what}`, issuesFromZod(result.error.issues));
  return result.data;
}
