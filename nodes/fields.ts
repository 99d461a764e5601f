import { z } from 'zod';
import { SecretRefSchema } from '../shared/flow/schema.js';

/** RFC 9110 token characters: what an HTTP header name may contain. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;

/** Whether `name` is a valid HTTP header name. */
export function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name);
}

/** An HTTP header name (letters, digits and `-` in practice; RFC 9110 token characters allowed). */
export const HeaderNameSchema = z
  .string()
  .regex(HEADER_NAME, 'must be an HTTP header name (letters, digits and "-", e.g. X-Api-Key)');

/** A plain string, or `{ "secret": "NAME" }` resolved by the engine just before the step runs. */
export const StringOrSecretSchema = z.union([z.string().max(16_384), SecretRefSchema], {
  error: 'must be a string or a secret reference like {"secret":"API_TOKEN"}',
});

/** A whole number of seconds within `[min, max]`. */
export function secondsSchema(min: number, max: number) {
  return z
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(min, `must be between ${min} and ${max} seconds`)
    .max(max, `must be between ${min} and ${max} seconds`);
}
