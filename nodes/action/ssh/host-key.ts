import { createHash, createHmac } from 'node:crypto';
import type { HostKeyPin } from './host-key-pins.js';

/** The key a server offered, as an operator would pin it. */
export interface OfferedKey {
  keyType: string;
  /** `SHA256:<base64 without padding>`, like `ssh-keygen -lf`. */
  fingerprint: string;
}

/** The SHA256 fingerprint of a public key blob (the SSH wire form), as OpenSSH writes it. */
function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a public key blob (its first SSH string), or `unknown`. */
function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return 'unknown';
  return blob.subarray(4, 4 + length).toString('latin1');
}

export function describeOffered(blob: Buffer): OfferedKey {
  return { keyType: keyTypeOf(blob), fingerprint: fingerprintOf(blob) };
}

/** A known_hosts glob (`*`, `?`) as a regular expression. */
function globRegex(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** Whether one host pattern (plain, glob, or hashed `|1|salt|hash`) names `entry`. */
function patternMatches(pattern: string, entry: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [salt, hash] = pattern.slice(3).split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(entry).digest('base64') === hash;
  }
  return globRegex(pattern).test(entry);
}

/**
 * Whether a known_hosts host field names `host` on `port` (written `[host]:port` when the port
 * is not 22), as OpenSSH reads it: comma-separated patterns, and `!pattern` excludes.
 */
export function hostFieldMatches(hosts: string, host: string, port: number): boolean {
  const name = host.toLowerCase();
  const entry = port === 22 ? name : `[${name}]:${port}`;
  let matched = false;
  for (const pattern of hosts.split(',')) {
    if (pattern.startsWith('!')) {
      if (patternMatches(pattern.slice(1), entry)) return false;
    } else if (patternMatches(pattern, entry)) {
      matched = true;
    }
  }
  return matched;
}

/** Whether the key `blob` offered by `host` on `port` matches one of the pins. */
export function keyIsPinned(pins: readonly HostKeyPin[], blob: Buffer, host: string, port: number): boolean {
  const fingerprint = fingerprintOf(blob);
  return pins.some((pin) =>
    pin.kind === 'fingerprint'
      ? pin.fingerprint === fingerprint
      : Buffer.from(pin.key, 'base64').equals(blob) && hostFieldMatches(pin.hosts, host, port),
  );
}
