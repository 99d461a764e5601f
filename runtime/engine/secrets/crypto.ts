import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Envelope encryption of stored secrets: each value is encrypted with its own random data key
 * (AES-256-GCM), and the data key is encrypted ("wrapped") with the master key (AES-256-GCM
 * too). The database holds only ciphertexts and the wrapped key, plus the id of the master key
 * that wrapped it, so rotating the master key re-wraps data keys without touching the values.
 * Both encryptions are bound to the secret's name (additional authenticated data): a row copied
 * under another name does not decrypt.
 */

/** Bytes of an AES-256 key (the master key and every data key). */
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

/** A stored secret cannot be decrypted: tampered with, or wrapped by another master key. */
export class SecretDecryptError extends Error {}

/** The encrypted form of one secret, as stored (base64 fields). */
export interface SealedSecret {
  ciphertext: string;
  iv: string;
  tag: string;
  /** IV, encrypted data key and tag, base64: the data key wrapped by the master key `keyId`. */
  wrappedKey: string;
  keyId: string;
}

/** A master key and its id (the id is a hash: it names the key without revealing it). */
export interface MasterKey {
  id: string;
  key: Buffer;
}

/** The id stored beside every data key the master key `key` wrapped. */
export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update('salve master key id\0').update(key).digest('hex').slice(0, 16);
}

export function masterKeyOf(key: Buffer): MasterKey {
  if (key.length !== KEY_BYTES) throw new Error(`a master key has ${KEY_BYTES} bytes, not ${key.length}`);
  return { id: masterKeyId(key), key };
}

const valueAad = (name: string) => Buffer.from(`salve secret value\0${name}`);
const wrapAad = (name: string) => Buffer.from(`salve secret data key\0${name}`);

function gcmEncrypt(key: Buffer, plain: Buffer, aad: Buffer): { iv: Buffer; ciphertext: Buffer; tag: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Decrypts or returns undefined when the tag does not verify (wrong key or changed bytes). */
function gcmDecrypt(key: Buffer, iv: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer | undefined {
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** Wraps `dataKey` with `master`: IV ‖ encrypted key ‖ tag, base64. */
function wrapKey(master: MasterKey, name: string, dataKey: Buffer): string {
  const { iv, ciphertext, tag } = gcmEncrypt(master.key, dataKey, wrapAad(name));
  return Buffer.concat([iv, ciphertext, tag]).toString('base64');
}

function unwrapKey(master: MasterKey, name: string, wrapped: string): Buffer {
  const bytes = Buffer.from(wrapped, 'base64');
  const dataKey =
    bytes.length === IV_BYTES + KEY_BYTES + TAG_BYTES
      ? gcmDecrypt(master.key, bytes.subarray(0, IV_BYTES), bytes.subarray(IV_BYTES, -TAG_BYTES), bytes.subarray(-TAG_BYTES), wrapAad(name))
      : undefined;
  if (!dataKey) {
    throw new SecretDecryptError(`secret ${name}: its data key does not decrypt with master key ${master.id} (the stored key was changed, or this is not the master key that wrapped it)`);
  }
  return dataKey;
}

/** Encrypts `value` under a new random data key wrapped by `master`. */
export function sealSecret(master: MasterKey, name: string, value: string): SealedSecret {
  const dataKey = randomBytes(KEY_BYTES);
  try {
    const { iv, ciphertext, tag } = gcmEncrypt(dataKey, Buffer.from(value, 'utf8'), valueAad(name));
    return {
      ciphertext: ciphertext.toString('base64'),
      iv: iv.toString('base64'),
      tag: tag.toString('base64'),
      wrappedKey: wrapKey(master, name, dataKey),
      keyId: master.id,
    };
  } finally {
    dataKey.fill(0);
  }
}

/** Decrypts a sealed secret with `master` (which must be the key `sealed.keyId` names). */
export function openSecret(master: MasterKey, name: string, sealed: SealedSecret): string {
  if (sealed.keyId !== master.id) {
    throw new SecretDecryptError(`secret ${name} is wrapped by master key ${sealed.keyId}, not by ${master.id}`);
  }
  const dataKey = unwrapKey(master, name, sealed.wrappedKey);
  try {
    const plain = gcmDecrypt(
      dataKey,
      Buffer.from(sealed.iv, 'base64'),
      Buffer.from(sealed.ciphertext, 'base64'),
      Buffer.from(sealed.tag, 'base64'),
      valueAad(name),
    );
    if (!plain) throw new SecretDecryptError(`secret ${name}: its stored value was changed outside Salve (authentication failed)`);
    return plain.toString('utf8');
  } finally {
    dataKey.fill(0);
  }
}

/** The same sealed secret with its data key wrapped by `to` instead of `from` (the value is untouched). */
export function rewrapSecret(from: MasterKey, to: MasterKey, name: string, sealed: SealedSecret): SealedSecret {
  if (sealed.keyId !== from.id) throw new SecretDecryptError(`secret ${name} is wrapped by master key ${sealed.keyId}, not by ${from.id}`);
  const dataKey = unwrapKey(from, name, sealed.wrappedKey);
  try {
    return { ...sealed, wrappedKey: wrapKey(to, name, dataKey), keyId: to.id };
  } finally {
    dataKey.fill(0);
  }
}
