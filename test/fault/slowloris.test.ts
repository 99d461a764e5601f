import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startServer, type TestServer } from '../kit/server.js';
import { letTimePass, waitFor } from '../kit/wait.js';

/**
 * Slow clients against the built server, over loopback: connections that trickle their headers
 * or a /hooks body are closed at the configured timeouts (Node answers 408), other clients are
 * served meanwhile, and connections beyond the caps are closed as soon as they are accepted.
 */

interface Slow {
  socket: Socket;
  openedAt: number;
  closedAt?: number;
  received: string;
}

/** A raw connection from `localAddress` that sends `first`, then one more byte a second until closed. */
function trickle(port: number, first: string, localAddress = '127.0.0.1'): Slow {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  const slow: Slow = { socket, openedAt: Date.now(), received: '' };
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (slow.received += d));
  socket.on('error', () => undefined); // a reset by the server is what we expect
  socket.write(first);
  const timer = setInterval(() => {
    if (socket.writable) socket.write('a');
  }, 1000);
  socket.once('close', () => {
    clearInterval(timer);
    slow.closedAt = Date.now();
  });
  return slow;
}

/**
 * A keep-alive connection from `localAddress` that makes one request: `served` when the server
 * answered it (the connection then stays open, idle), `refused` when the server closed the
 * connection without a byte.
 */
function hold(port: number, localAddress: string): Promise<{ outcome: 'served' | 'refused'; socket: Socket }> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('data', (d: string) => {
      received += d;
      if (received.includes('\r\n\r\n')) resolve({ outcome: received.startsWith('HTTP/1.1 200') ? 'served' : 'refused', socket });
    });
    socket.once('close', () => resolve({ outcome: 'refused', socket }));
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  });
}

const portOf = (server: TestServer) => Number(new URL(server.url).port);

describe('slow clients', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: { SALVE_HTTP_HEADERS_TIMEOUT: '2', SALVE_HTTP_REQUEST_TIMEOUT: '4', SALVE_HTTP_KEEPALIVE_TIMEOUT: '2' } });
  });
  afterAll(async () => {
    await server?.stop();
    removeDir(server.dataDir);
  });

  it('closes 240 connections trickling header bytes at the header timeout, and serves others meanwhile', async () => {
    const port = portOf(server);
    const slow = Array.from({ length: 240 }, (_, i) => trickle(port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-${i}: `));
    await letTimePass(1000, 'the connections trickle for a second, half the header timeout');
    expect(slow.filter((s) => s.closedAt !== undefined)).toHaveLength(0); // not cut before the timeout

    // During the attack an ordinary client is served.
    const health = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    expect(health.status).toBe(200);
    expect((await server.api('GET', '/api/flows')).status).toBe(200);

    // 2 s header timeout, checked every second: generous margin for a loaded machine, far below
    // the 60 s Node would wait by default.
    await waitFor(() => slow.every((s) => s.closedAt !== undefined), 15_000, 'every slow connection to be closed');
    const longest = Math.max(...slow.map((s) => s.closedAt! - s.openedAt));
    expect(longest).toBeLessThan(12_000);
    expect(slow.filter((s) => s.received.startsWith('HTTP/1.1 408')).length).toBeGreaterThan(200);
  });

  it('cuts a /hooks body that trickles in at the request timeout', async () => {
    const started = Date.now();
    const body = trickle(portOf(server), 'POST /hooks/infra HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
    await waitFor(() => body.closedAt !== undefined, 15_000, 'the slow body to be cut');
    expect(body.closedAt! - started).toBeGreaterThanOrEqual(3500);
    expect(body.closedAt! - started).toBeLessThan(12_000);
    expect(body.received).toMatch(/^HTTP\/1\.1 408/);
    expect(server.output()).not.toMatch(/unhandled error|"level":50/);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const { outcome, socket } = await hold(portOf(server), '127.0.0.1');
    expect(outcome).toBe('served');
    const servedAt = Date.now();
    await waitFor(() => socket.closed, 15_000, 'the idle connection to be closed');
    expect(Date.now() - servedAt).toBeLessThan(10_000);
  });
});

describe('connection caps', () => {
  let server: TestServer;
  const held: Socket[] = [];
  beforeAll(async () => {
    server = await startServer({ env: { SALVE_MAX_CONNECTIONS: '30', SALVE_MAX_CONNECTIONS_PER_ADDRESS: '10', SALVE_HTTP_KEEPALIVE_TIMEOUT: '60' } });
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await server?.stop();
    removeDir(server.dataDir);
  });

  const holdAll = async (address: string, n: number) => {
    const results = await Promise.all(Array.from({ length: n }, () => hold(portOf(server), address)));
    held.push(...results.map((r) => r.socket));
    return results.map((r) => r.outcome);
  };

  it('closes connections beyond the per-address cap at once; other addresses are still served', async () => {
    expect(await holdAll('127.0.0.1', 10)).toEqual(Array(10).fill('served'));
    expect(await holdAll('127.0.0.1', 3)).toEqual(Array(3).fill('refused'));
    expect(await holdAll('127.0.0.2', 10)).toEqual(Array(10).fill('served'));
  });

  it('closes connections beyond the total cap at once, and accepts again when one ends', async () => {
    expect(await holdAll('127.0.0.3', 10)).toEqual(Array(10).fill('served')); // 30 open: the cap
    expect(await holdAll('127.0.0.4', 2)).toEqual(['refused', 'refused']);
    held.find((s) => !s.closed)!.destroy();
    await waitFor(async () => (await holdAll('127.0.0.4', 1))[0] === 'served', 10_000, 'a freed slot to be used');
    expect(server.output()).toContain('connection cap reached');
  });
});
