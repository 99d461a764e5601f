import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import type { Context } from 'hono';

/**
 * The peer address of the connection. Forwarded headers (X-Forwarded-For, Forwarded) are not
 * trusted: anyone can send them. Behind a proxy every client shares the proxy's address, so the
 * limits keyed by address then apply to all of them together.
 */
export function clientAddress(c: Context): string {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/**
 * The key failed-authentication limits count under for `address`: an IPv4 address as is (also
 * when written IPv4-mapped, `::ffff:192.0.2.1`), an IPv6 address by its /64 network, because one
 * host usually holds a whole /64 and could otherwise guess from 2^64 "different" addresses.
 */
export function limitKeyOf(address: string): string {
  const unzoned = address.split('%')[0]!;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(unzoned);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (!isIPv6(unzoned) || unzoned === '::1') return unzoned;
  const groups = expandIPv6(unzoned);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, lower-case hex without leading zeros. */
function expandIPv6(address: string): string[] {
  let text = address.toLowerCase();
  // A dotted IPv4 tail (`64:ff9b::192.0.2.1`) stands for the last two groups.
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const zeros = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16).toString(16));
}
