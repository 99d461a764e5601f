import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP server that records what remediation actions send it. */
export interface Target {
  url: string;
  requests: ReceivedRequest[];
  /** Requests grouped by Idempotency-Key, so tests can count real side effects. */
  effectsByKey(): Map<string, number>;
  close(): Promise<void>;
}

/** Starts a target on 127.0.0.1; `respond` decides the status (default 200) and may delay. */
export async function startTarget(
  respond: (req: ReceivedRequest) => Promise<{ status: number; body?: string }> | { status: number; body?: string } = () => ({ status: 200, body: '{"ok":true}' }),
): Promise<Target> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const r: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(r);
      const answer = await respond(r);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    effectsByKey() {
      const m = new Map<string, number>();
      for (const r of requests) {
        const key = String(r.headers['idempotency-key'] ?? '');
        m.set(key, (m.get(key) ?? 0) + 1);
      }
      return m;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
