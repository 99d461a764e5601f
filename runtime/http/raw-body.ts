import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { BadRequestError, PayloadTooLargeError, SalveError, UnsupportedMediaTypeError } from '../../shared/errors.js';
import { mediaType } from '../../shared/media-type.js';
import { parseJson } from '../engine/json.js';

/** True for `application/json`, with or without parameters such as `; charset=utf-8`. */
export function isJsonContentType(value: string | undefined): boolean {
  return mediaType(value) === 'application/json';
}

/**
 * Reads the request body as bytes: 415 unless it is JSON (webhooks check their source's own
 * media types instead: `anyMediaType`), 413 as soon as it passes `limitBytes` (a too-large
 * Content-Length is refused before reading anything).
 */
export async function readRawBody(c: Context, opts: { limitBytes: number; anyMediaType?: boolean }): Promise<Uint8Array> {
  if (!opts.anyMediaType && !isJsonContentType(c.req.header('content-type'))) throw new UnsupportedMediaTypeError();
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > opts.limitBytes) throw new PayloadTooLargeError(opts.limitBytes);
  // On Node, read the IncomingMessage directly: wrapping it in a web stream costs more than
  // the rest of ingest. `app.request()` in tests has no Node request and uses the web stream.
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const add = (chunk: Uint8Array) => {
    size += chunk.byteLength;
    if (size > opts.limitBytes) throw new PayloadTooLargeError(opts.limitBytes);
    chunks.push(chunk);
  };
  if (incoming && typeof incoming.on === 'function' && !incoming.readableEnded) {
    try {
      for await (const chunk of incoming) add(chunk as Buffer);
    } catch (error) {
      if (error instanceof SalveError) {
        incoming.resume(); // discard the rest so the 413 can still be answered
        throw error;
      }
      // The connection ended before the body did: the client went away, or Node cut it at the
      // request timeout (SALVE_HTTP_REQUEST_TIMEOUT) and already answered 408. Nobody reads this
      // answer; it only keeps a slow client from being logged as a server error.
      throw new BadRequestError('the connection closed before the whole request body arrived');
    }
  } else {
    const stream = c.req.raw.body;
    if (stream) {
      const reader = stream.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        try {
          add(value);
        } catch (error) {
          await reader.cancel().catch(() => undefined);
          throw error;
        }
      }
    }
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/** Reads and parses a JSON request body (API routes). */
export async function readJsonBody(c: Context, opts: { limitBytes: number }): Promise<{ raw: Uint8Array; json: unknown }> {
  const raw = await readRawBody(c, opts);
  return { raw, json: parseJson(raw) };
}
