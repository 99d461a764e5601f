import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthResult, IngestRequest, SecretResolver } from '../source-adapter.js';
import type { AuthConfig } from './auth.js';

/** Constant-time string comparison (digests first, so the length does not leak). */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * Checks a delivery against a source's auth config. Fails closed: a referenced secret that is
 * not set rejects every delivery. Reasons are for the server log and never contain secrets.
 */
export function verifyAuth(auth: AuthConfig, request: IngestRequest, secrets: SecretResolver): AuthResult {
  if (auth.type === 'none') return { ok: true };
  const ref = auth.type === 'bearer' ? auth.token : auth.type === 'basic' ? auth.password : auth.value;
  const secret = secrets(ref.secret);
  if (secret === undefined) return { ok: false, reason: `secret ${ref.secret} is not set` };
  if (auth.type === 'header') {
    const got = request.headers[auth.name.toLowerCase()];
    if (got === undefined) return { ok: false, reason: `header ${auth.name} missing` };
    return constantTimeEqual(got, secret) ? { ok: true } : { ok: false, reason: `header ${auth.name} does not match` };
  }
  const header = request.headers.authorization ?? '';
  if (auth.type === 'bearer') {
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) return { ok: false, reason: 'no bearer token' };
    return constantTimeEqual(m[1]!.trim(), secret) ? { ok: true } : { ok: false, reason: 'bearer token does not match' };
  }
  const m = /^Basic\s+(.+)$/i.exec(header);
  if (!m) return { ok: false, reason: 'no basic credentials' };
  const decoded = Buffer.from(m[1]!.trim(), 'base64').toString('utf8');
  return constantTimeEqual(decoded, `${auth.username}:${secret}`) ? { ok: true } : { ok: false, reason: 'basic credentials do not match' };
}
