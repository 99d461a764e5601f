import net from 'node:net';
import { rootCertificates } from 'node:tls';
import type { CheckedDestination } from '../../network.js';

/** Connecting (and, in nodemailer, the greeting and the TLS handshake) may take this long. */
export const CONNECT_TIMEOUT_MS = 15_000;

/**
 * The certificates to trust for a server: the system's, plus those of `ca` when given (Node's
 * `ca` option replaces the system's list, so both are passed). Each PEM block is rewrapped, so a
 * certificate pasted into a one-line field (line breaks lost) still reads.
 */
export function trustedCertificates(ca: string | undefined): string[] | undefined {
  if (ca === undefined) return undefined;
  const own = [...ca.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/g)].map((m) => {
    const base64 = m[1]!.replace(/\s+/g, '');
    return `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  });
  return [...rootCertificates, ...own];
}

/** A connection that did not open: refused, unreachable, or too slow. */
export class ConnectFailed extends Error {
  override name = 'ConnectFailed';
}

/**
 * Opens a TCP connection to `host`:`port` through the destination's own `lookup`, so it goes only
 * to the addresses the policy checked (every checked address is tried, as Node does). Resolves
 * with the open socket; rejects after CONNECT_TIMEOUT_MS, on an error, or when `signal` aborts.
 */
export function connectChecked(host: string, port: number, dest: CheckedDestination, signal: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, lookup: dest.lookup });
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.off('connect', onConnect);
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve(socket);
    };
    const onConnect = () => settle();
    const onAbort = () => settle(signal.reason instanceof Error ? signal.reason : new ConnectFailed('cancelled'));
    const timer = setTimeout(() => settle(new ConnectFailed(`could not connect within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
    socket.once('connect', onConnect);
    // Kept after connecting: nodemailer adds its own handler when it takes the socket, and a late
    // error must never be unhandled.
    socket.on('error', (error) => settle(new ConnectFailed((error as NodeJS.ErrnoException).code ?? error.message)));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
