import http from 'node:http';
import https from 'node:https';
import { defineExecutor } from '../../executor.js';
import { httpAction } from './definition.js';

/** Response bodies are kept up to this many bytes. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

interface HttpOutput {
  status: number;
  contentType: string | null;
  body: unknown;
  truncated: boolean;
  durationMs: number;
}

export const executeHttp = defineExecutor(httpAction, async (config, ctx) => {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    return { type: 'fail', port: 'error', error: `url ${JSON.stringify(config.url)} is not a valid URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { type: 'fail', port: 'error', error: `only http and https URLs are allowed, not ${url.protocol}` };
  }
  const headers: Record<string, string> = { 'idempotency-key': ctx.idempotencyKey, 'user-agent': 'salve' };
  for (const [k, v] of Object.entries(config.headers)) headers[k.toLowerCase()] = String(v);
  let payload: Buffer | undefined;
  if (config.body !== undefined && config.method !== 'GET' && config.method !== 'HEAD') {
    if (config.bodyType === 'text') {
      payload = Buffer.from(typeof config.body === 'string' ? config.body : JSON.stringify(config.body));
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else {
      payload = Buffer.from(JSON.stringify(config.body));
      headers['content-type'] ??= 'application/json';
    }
    headers['content-length'] = String(payload.byteLength);
  }

  const started = Date.now();
  const timeoutMs = config.timeoutSeconds * 1000;
  const result = await new Promise<{ output?: HttpOutput; error?: string }>((resolve) => {
    const timer = setTimeout(() => abort(`timed out after ${config.timeoutSeconds} s`), timeoutMs);
    const onAbort = () => abort('aborted (execution cancelled or stopped)');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const finish = (value: { output?: HttpOutput; error?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const request = (url.protocol === 'https:' ? https : http).request(url, { method: config.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        if (size + chunk.byteLength > MAX_RESPONSE_BYTES) {
          chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
          size = MAX_RESPONSE_BYTES;
          truncated = true;
          res.destroy();
          done();
          return;
        }
        chunks.push(chunk);
        size += chunk.byteLength;
      });
      const done = () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const contentType = res.headers['content-type'] ?? null;
        let body: unknown = text;
        if (!truncated && contentType?.includes('json') && text) {
          try {
            body = JSON.parse(text);
          } catch {
            // keep the text
          }
        }
        finish({ output: { status: res.statusCode ?? 0, contentType, body, truncated, durationMs: Date.now() - started } });
      };
      res.on('end', done);
      res.on('error', (error) => finish({ error: `response failed: ${error.message}` }));
    });
    function abort(reason: string) {
      request.destroy();
      finish({ error: reason });
    }
    request.on('error', (error) => finish({ error: `request failed: ${(error as NodeJS.ErrnoException).code ?? error.message}` }));
    if (ctx.signal.aborted) onAbort();
    request.end(payload);
  });

  if (!result.output) return { type: 'fail', port: 'error', error: `${config.method} ${url.origin}${url.pathname}: ${result.error}` };
  const expected = config.expectStatus;
  const ok = expected ? expected.includes(result.output.status) : result.output.status >= 200 && result.output.status < 300;
  if (!ok) {
    return {
      type: 'fail',
      port: 'error',
      output: result.output,
      error: `expected ${expected ? expected.join(' or ') : '2xx'}, got ${result.output.status}`,
    };
  }
  return { type: 'next', port: 'ok', output: result.output };
});
