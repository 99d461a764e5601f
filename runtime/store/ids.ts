import { randomBytes } from 'node:crypto';

// Random bytes drawn from a pool: one randomBytes() call per 256 ids instead of one each.
let pool = Buffer.alloc(0);
let poolOffset = 0;
function nextRandomByte(): number {
  if (poolOffset >= pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  return pool[poolOffset++]!;
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower-case

/**
 * Time-ordered ids (`<prefix>_<10 time chars><16 random chars>`): they sort by creation time,
 * so lists page by id, and they carry no information beyond that.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[nextRandomByte() % 32];
  return `${prefix}_${time}${rand}`;
}
