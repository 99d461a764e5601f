import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes: scrypt (N=2^15, r=8, p=1, 32-byte key, 16-byte salt), stored as
 * `scrypt$<N>$<r>$<p>$<salt b64>$<key b64>` so the cost can be raised later and old hashes
 * still check. About 60–100 ms per hash on one core: cheap for a sign-in, slow for guessing a
 * stolen database. Passwords are never logged or stored anywhere else.
 */
const N = 1 << 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
/** scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is exactly that, so give room. */
const MAXMEM = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N: n, r, p, maxmem: MAXMEM }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** A hash of a random password: checked against when the username is unknown, so timing does not tell. */
let decoy: Promise<string> | undefined;

/**
 * Whether `password` matches `stored`. With `stored` undefined (no such user, or a user without
 * a password) the same work is done against a decoy and the answer is false.
 */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  if (!stored) {
    decoy ??= hashPassword(randomBytes(24).toString('base64'));
    await verifyPassword(password, await decoy);
    return false;
  }
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (!Number.isInteger(n) || n < 2 || n > 1 << 20 || expected.length !== KEY_BYTES) return false;
  const key = await derive(password, salt, n, r, p);
  return timingSafeEqual(key, expected);
}
