import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { letTimePass } from '../kit/wait.js';

/**
 * A stop must not wait for a client that never lets its connection go idle: Alertmanager keeps
 * retrying on a keep-alive connection while Salve answers 503, and `server.close()` alone waits
 * for every connection to end. The server must still exit, promptly.
 */
describe('graceful stop with a busy keep-alive connection', () => {
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.kill();
    if (server) removeDir(server.dataDir);
  });

  it('exits 0 within a few seconds although a client keeps requesting on one connection', async () => {
    server = await startServer();
    const { port } = new URL(server.url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let stopped = false;
    let answered = 0;
    // One connection, a request every 20 ms, for as long as the server answers.
    const pester = (async () => {
      while (!stopped) {
        const ok = await new Promise<boolean>((resolve) => {
          const req = http.request({ host: '127.0.0.1', port: Number(port), path: '/healthz', agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(true));
          });
          req.on('error', () => resolve(false));
          req.end();
        });
        if (ok) answered++;
        await letTimePass(20, 'the client pauses between requests, keeping its connection busy');
      }
    })();
    await letTimePass(300, 'the client settles into its rhythm');
    expect(answered).toBeGreaterThan(0);

    const started = Date.now();
    const code = await server.stop();
    const took = Date.now() - started;
    stopped = true;
    await pester;
    agent.destroy();
    expect(code).toBe(0);
    expect(took).toBeLessThan(8000);
  }, 30_000);
});
