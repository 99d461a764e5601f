import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { safeEqual } from '../../../nodes/safe-equal.js';

/**
 * Approval link tokens: an HMAC-signed, expiring pointer to the approval step of a run. A link
 * is usually made before its approval exists (a notification sent before, or beside, the
 * approval step), so it names the run, the approval node and the loop item (`scope`) rather
 * than an approval id; the server finds the approval when the link is used.
 *
 * Format: `<base64url(JSON payload)>.<base64url(HMAC-SHA256(key, "salve approval link v1." + payload part))>`.
 * The payload is readable (the editor reads the run and node from it to show the page) but
 * cannot be changed without the key. Single use is not in the token: the server records the
 * link's id (`linkIdOf`) when it is used (approval_links).
 */

/** What a link names, and until when it may be used. */
export interface LinkClaims {
  /** The execution. */
  executionId: string;
  /** The approval.request node. */
  nodeId: string;
  /** The loop item (StepRow.scope) the approval runs for; null outside a loop. */
  scope: string | null;
  /** Unix milliseconds after which the link is refused. */
  expiresAt: number;
}

/** Why a token was refused. */
export type LinkRefusal = 'malformed' | 'bad-signature' | 'expired';

const CONTEXT = 'salve approval link v1.';

/**
 * The key approval links are signed with, derived from the secret store's master key (HKDF-SHA256,
 * its own `info`), so it is never stored, never equals the master key, and a copy of the data
 * directory cannot forge links. Rotating the master key makes outstanding links invalid.
 */
export function deriveLinkKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'salve approval links v1', 32));
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function mac(key: Buffer, payloadPart: string): string {
  return createHmac('sha256', key).update(CONTEXT).update(payloadPart).digest('base64url');
}

/** A signed token for `claims`. */
export function signLink(key: Buffer, claims: LinkClaims): string {
  const payload = { e: claims.executionId, n: claims.nodeId, ...(claims.scope !== null ? { s: claims.scope } : {}), x: Math.floor(claims.expiresAt / 1000) };
  const part = b64(JSON.stringify(payload));
  return `${part}.${mac(key, part)}`;
}

/** The claims of a token, unverified (what the editor shows before asking the server). */
export function readLink(token: string): LinkClaims | undefined {
  const [part] = token.split('.');
  if (!part || token.length > 2048) return undefined;
  try {
    const raw = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof raw.e !== 'string' || typeof raw.n !== 'string' || typeof raw.x !== 'number' || !Number.isInteger(raw.x)) return undefined;
    if (raw.s !== undefined && typeof raw.s !== 'string') return undefined;
    return { executionId: raw.e, nodeId: raw.n, scope: raw.s ?? null, expiresAt: raw.x * 1000 };
  } catch {
    return undefined;
  }
}

/** The claims of a token whose signature is right and that has not expired at `now`, or why not. */
export function verifyLink(key: Buffer, token: string, now: number): { ok: true; claims: LinkClaims } | { ok: false; reason: LinkRefusal; claims?: LinkClaims } {
  const parts = token.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { ok: false, reason: 'malformed' };
  if (!safeEqual(parts[1], mac(key, parts[0]))) return { ok: false, reason: 'bad-signature' };
  const claims = readLink(token);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (now > claims.expiresAt) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

/**
 * The id a link's use is recorded under: one per (run, approval node, loop item), so a link sent
 * twice (a step retried, two notifications of the same approval) is still used once.
 */
export function linkIdOf(claims: Pick<LinkClaims, 'executionId' | 'nodeId' | 'scope'>): string {
  return createHash('sha256').update(`${claims.executionId}\0${claims.nodeId}\0${claims.scope ?? ''}`).digest('hex').slice(0, 32);
}
