import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';

/** Limits on the HTTP server's connections (SALVE_HTTP_* and SALVE_MAX_CONNECTIONS*; see docs/operations.md). */
export interface HttpLimits {
  /** A request's headers must have arrived this long after its first byte (or after connecting). */
  headersTimeoutMs: number;
  /** The whole request, headers and body, must have arrived within this (a slow /hooks body is cut here). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Open connections in all; the server closes any connection beyond it at once. */
  maxConnections: number;
  /** Open connections from one client address; the server closes any connection beyond it at once. */
  maxConnectionsPerAddress: number;
}

/** The limits the configuration asks for (seconds there, milliseconds here). */
export function httpLimitsOf(config: Config): HttpLimits {
  return {
    headersTimeoutMs: config.httpHeadersTimeoutSeconds * 1000,
    requestTimeoutMs: config.httpRequestTimeoutSeconds * 1000,
    keepAliveTimeoutMs: config.httpKeepAliveTimeoutSeconds * 1000,
    maxConnections: config.maxConnections,
    maxConnectionsPerAddress: config.maxConnectionsPerAddress,
  };
}

/**
 * How often Node looks for requests past their header or request timeout. Its default (30 s)
 * would let a slow client keep a connection up to 30 s past the timeout; the check walks the
 * list of connections with an unfinished request, which is cheap.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** The options for `http.createServer` that enforce the timeouts in `limits` (Node answers 408 and closes). */
export function httpServerOptions(limits: HttpLimits): ServerOptions {
  return {
    // Node refuses a header timeout longer than the request timeout; the config check says so first.
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
  };
}

/** A warning about refused connections is logged at most this often. */
const REFUSAL_LOG_EVERY_MS = 60_000;

/**
 * Caps the connections `server` keeps open: in all (Node's `maxConnections`, which closes a
 * connection over the cap before any byte is read) and per client address (closed here as soon
 * as it is accepted), so one address cannot take every slot. Refusals are logged, at most once a
 * minute, with how many there were.
 */
export function capConnections(server: Server, limits: HttpLimits, log: Logger): void {
  server.maxConnections = limits.maxConnections;
  const perAddress = new Map<string, number>();
  let refused = { total: 0, perAddress: 0 };
  let lastLogAt = 0;
  const noteRefusal = (kind: 'total' | 'perAddress', address: string | undefined) => {
    refused[kind]++;
    const now = Date.now();
    if (now - lastLogAt < REFUSAL_LOG_EVERY_MS) return;
    lastLogAt = now;
    log.warn(
      { refused, lastAddress: address, maxConnections: limits.maxConnections, maxConnectionsPerAddress: limits.maxConnectionsPerAddress },
      'connections refused: connection cap reached (SALVE_MAX_CONNECTIONS, SALVE_MAX_CONNECTIONS_PER_ADDRESS)',
    );
    refused = { total: 0, perAddress: 0 };
  };

  server.on('drop', (data?: { remoteAddress?: string }) => noteRefusal('total', data?.remoteAddress));
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const open = (perAddress.get(address) ?? 0) + 1;
    if (open > limits.maxConnectionsPerAddress) {
      noteRefusal('perAddress', address);
      socket.destroy();
      return;
    }
    perAddress.set(address, open);
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
    });
  });
}
