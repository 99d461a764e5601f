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
  // On Node, read the IncomingMessage directly: wrapping it in a web stream costs more than
  // the rest of ingest. `app.request()` in tests has no Node request and uses the web stream.
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming && typeof incoming.on === 'function' && !incoming.readableEnded) return readIncomingBody(incoming, opts.limitBytes);
  refuseDeclaredSize(c.req.header('content-length'), opts.limitBytes);
  const chunks = new BodyChunks(opts.limitBytes);
  const stream = c.req.raw.body;
  if (stream) {
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      try {
        chunks.add(value);
      } catch (error) {
        await reader.cancel().catch(() => undefined);
        throw error;
      }
    }
  }
  return chunks.bytes();
}

/** 413 before reading anything when the sender declares a body larger than the limit. */
function refuseDeclaredSize(contentLength: string | undefined, limitBytes: number): void {
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared > limitBytes) throw new PayloadTooLargeError(limitBytes);
}

/** A body being read: throws PayloadTooLargeError as soon as it passes the limit. */
class BodyChunks {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;
  constructor(private readonly limitBytes: number) {}
  add(chunk: Uint8Array): void {
    this.size += chunk.byteLength;
    if (this.size > this.limitBytes) throw new PayloadTooLargeError(this.limitBytes);
    this.chunks.push(chunk);
  }
  bytes(): Uint8Array {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
  }
}

/**
 * Reads a Node request's body as bytes, whatever its media type: 413 for a declared size past
 * `limitBytes` before reading anything, or as soon as the body passes it (the rest is then
 * discarded so the 413 can still be answered); 400 when the connection ends before the body does.
 */
export async function readIncomingBody(incoming: IncomingMessage, limitBytes: number): Promise<Uint8Array> {
  refuseDeclaredSize(incoming.headers['content-length'], limitBytes);
  const chunks = new BodyChunks(limitBytes);
  try {
    for await (const chunk of incoming) chunks.add(chunk as Buffer);
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
  return chunks.bytes();
}

/** Reads and parses a JSON request body (API routes). */
export async function readJsonBody(c: Context, opts: { limitBytes: number }): Promise<{ raw: Uint8Array; json: unknown }> {
  const raw = await readRawBody(c, opts);
  return { raw, json: parseJson(raw) };
}
