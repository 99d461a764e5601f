import { createHash, timingSafeEqual } from 'node:crypto';

/*
 * Here rather than in shared/ because it needs node:crypto (shared/ also runs in the browser);
 * the runtime may import nodes/, so the admin-token check and the sources' credential checks
 * share it.
 */

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether two strings are equal, in time that does not depend on where they differ. Both are
 * hashed first, so their lengths do not leak either (timingSafeEqual needs equal lengths).
 */
export function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}
