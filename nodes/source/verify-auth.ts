import { safeEqual } from '../safe-equal.js';
import type { AuthResult, IngestRequest, SecretResolver } from '../source-adapter.js';
import type { AuthConfig } from './auth.js';

/** The credentials part of `Authorization: <scheme> <credentials>`, when the scheme matches. */
function credentialsFor(header: string | undefined, scheme: string): string | undefined {
  if (header === undefined) return undefined;
  const match = /^([A-Za-z]+) +(.*)$/.exec(header.trim());
  if (!match || match[1]!.toLowerCase() !== scheme) return undefined;
  return match[2]!.trim();
}

/**
 * Checks a delivery's credentials against `auth`, in constant time. Fails closed when the
 * secret is not set. Reasons name what is wrong, never a secret value.
 */
export function verifyAuth(auth: AuthConfig, request: IngestRequest, secrets: SecretResolver): AuthResult {
  if (auth.type === 'none') return { ok: true };
  const secretName = auth.type === 'bearer' ? auth.token.secret : auth.type === 'basic' ? auth.password.secret : auth.value.secret;
  const secret = secrets(secretName);
  // An empty secret would accept an empty credential: treat it as unset.
  if (secret === undefined || secret === '') return { ok: false, reason: `secret ${secretName} is not set` };

  const authorization = request.headers.authorization;
  switch (auth.type) {
    case 'bearer': {
      if (authorization === undefined) return { ok: false, reason: 'missing Authorization header' };
      const token = credentialsFor(authorization, 'bearer');
      if (token === undefined) return { ok: false, reason: 'Authorization header is not a Bearer token' };
      return safeEqual(token, secret) ? { ok: true } : { ok: false, reason: 'wrong bearer token' };
    }
    case 'basic': {
      if (authorization === undefined) return { ok: false, reason: 'missing Authorization header' };
      const encoded = credentialsFor(authorization, 'basic');
      if (encoded === undefined) return { ok: false, reason: 'Authorization header is not Basic credentials' };
      const given = Buffer.from(encoded, 'base64').toString('utf8');
      // One comparison over `user:password`, so which half was wrong does not show in timing.
      return safeEqual(given, `${auth.username}:${secret}`) ? { ok: true } : { ok: false, reason: 'wrong basic-auth username or password' };
    }
    case 'header': {
      const value = request.headers[auth.name.toLowerCase()];
      if (value === undefined) return { ok: false, reason: `missing ${auth.name} header` };
      return safeEqual(value, secret) ? { ok: true } : { ok: false, reason: `wrong value in ${auth.name} header` };
    }
  }
}
