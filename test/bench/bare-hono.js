// The framework baseline: a bare Hono endpoint that reads and parses the same request body and
// answers 202, as Salve does before its own work.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.post('/hooks/:path', async (c) => {
  await c.req.json();
  return c.json({ eventId: 'ev_0', executions: ['ex_0'], duplicates: 0 }, 202);
});
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
