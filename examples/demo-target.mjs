// A stand-in for a host agent in the README walkthrough: answers POST /cleanup (and any other
// request; GET /health as a healthy service) on 127.0.0.1:9100 and prints what it received. Stop it with Ctrl-C.
import { createServer } from 'node:http';

createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    console.log(`${req.method} ${req.url} idempotency-key=${req.headers['idempotency-key']} body=${body}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    // GET /health answers like a healthy service (examples/restart-and-verify.json probes it).
    if (req.url.startsWith('/health')) return res.end(JSON.stringify({ status: 'ok' }));
    res.end(JSON.stringify({ freedBytes: 734003200 }));
  });
}).listen(9100, '127.0.0.1', () => console.log('demo target listening on http://127.0.0.1:9100'));
