// The client ceiling: a bare node:http server that reads the body, parses it and answers 202.
// Nothing can serve this request faster on this machine with Node, so a Salve figure close to
// this row's says the load generator (or the machine), not Salve, was the limit.
import http from 'node:http';

const answer = JSON.stringify({ eventId: 'ev_0', executions: ['ex_0'], duplicates: 0 });
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(answer);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
