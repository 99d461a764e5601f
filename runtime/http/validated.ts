import type { Context, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { parseBody, parseQuery } from './query.js';
import { UnsupportedMediaTypeError } from '../../shared/errors.js';
import { readJsonBody, readRawBody } from './raw-body.js';

/**
 * Route middleware that parses a request part with a zod schema and hands the result to the
 * handler (`c.req.valid('query' | 'json')`). Besides doing the parsing the handlers did before,
 * they declare the route's input, which the editor's typed client (`hc`) reads: the query's
 * names and values, the JSON body's shape. Failures are the same typed errors as before.
 */

/** A query value as it travels: text, or a number the client turns into text. Enums keep their values. */
type QueryValue<T> = [NonNullable<T>] extends [string] ? NonNullable<T> : string | number;

/** What a route's query schema accepts, as the client writes it: every name optional. */
type QueryInput<S extends z.ZodType> = { [K in keyof z.input<S>]?: QueryValue<z.input<S>[K]> };

type QueryRoute<S extends z.ZodType> = { in: { query: QueryInput<S> }; out: { query: z.output<S> } };
type JsonRoute<S extends z.ZodType> = { in: { json: z.input<S> }; out: { json: z.output<S> } };

/** Parses the query string with `schema`; problems are a 422 at `query.<name>` (see parseQuery). */
// biome-ignore lint/suspicious/noExplicitAny: any Env, as Hono's own validator(): the middleware fits the Env of whichever app uses it
export function validQuery<S extends z.ZodType>(schema: S): MiddlewareHandler<any, string, QueryRoute<S>> {
  return async (c, next) => {
    c.req.addValidatedData('query', parseQuery(c as Context, schema) as object);
    await next();
  };
}

/**
 * Reads the JSON body (415 unless JSON, 413 past `limitBytes`) and parses it with `schema`
 * (422 naming the field); `what` names the body in the error message.
 */
// biome-ignore lint/suspicious/noExplicitAny: any Env, as Hono's own validator(): the middleware fits the Env of whichever app uses it
export function validJson<S extends z.ZodType>(schema: S, limitBytes: number, what?: string): MiddlewareHandler<any, string, JsonRoute<S>> {
  return async (c, next) => {
    const { json } = await readJsonBody(c as Context, { limitBytes });
    // `addValidatedData` wants an object; a body that is not one (a flow document that is an
    // array, say) is passed on as it is and refused by the handler's own validation.
    c.req.addValidatedData('json', parseBody(json, schema, what) as object);
    await next();
  };
}

/**
 * Like validJson, for a body that may be left out: a request without a Content-Type and with an
 * empty body is read as `{}`; anything else is read and checked as validJson does.
 */
// biome-ignore lint/suspicious/noExplicitAny: as validJson
export function validOptionalJson<S extends z.ZodType>(schema: S, limitBytes: number): MiddlewareHandler<any, string, JsonRoute<S>> {
  const withBody = validJson(schema, limitBytes);
  return async (c, next) => {
    if (c.req.header('content-type') !== undefined) return withBody(c, next);
    const raw = await readRawBody(c as Context, { limitBytes, anyMediaType: true });
    if (raw.length > 0) throw new UnsupportedMediaTypeError();
    c.req.addValidatedData('json', parseBody({}, schema) as object);
    await next();
  };
}
