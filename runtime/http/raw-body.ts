import type { Context } from 'hono';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../../shared/errors.js';
import { parseJson } from '../engine/json.js';

export { parseJson };

/** True for `application/json`, with or without parameters such as `; charset=utf-8`. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  return value.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/**
 * Reads the request body as bytes: 415 unless it is JSON, 413 as soon as it passes
 * `limitBytes` (a too-large Content-Length is refused before reading anything).
 */
export async function readRawBody(c: Context, opts: { limitBytes: number }): Promise<Uint8Array> {
  if (!isJsonContentType(c.req.header('content-type'))) throw new UnsupportedMediaTypeError();
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > opts.limitBytes) throw new PayloadTooLargeError(opts.limitBytes);
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > opts.limitBytes) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(opts.limitBytes);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Reads and parses a JSON request body (API routes). */
export async function readJsonBody(c: Context, opts: { limitBytes: number }): Promise<{ raw: Uint8Array; json: unknown }> {
  const raw = await readRawBody(c, opts);
  return { raw, json: parseJson(raw) };
}
