import { describe, expect, it } from 'vitest';
import { masterKeyOf, openSecret, rewrapSecret, sealSecret, SecretDecryptError } from './crypto.js';

const master = masterKeyOf(Buffer.alloc(32, 1));
const other = masterKeyOf(Buffer.alloc(32, 2));

/** `text` (base64) with its first byte changed. */
const flip = (text: string) => {
  const bytes = Buffer.from(text, 'base64');
  bytes[0] = bytes[0]! ^ 1;
  return bytes.toString('base64');
};

describe('secret encryption', () => {
  it('round-trips a value, with a new data key and IV each time, and no trace of the value', () => {
    const value = 'pagerduty-key-ünïcødé-0123456789';
    const a = sealSecret(master, 'PD_KEY', value);
    const b = sealSecret(master, 'PD_KEY', value);
    expect(openSecret(master, 'PD_KEY', a)).toBe(value);
    expect(a.keyId).toBe(master.id);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.wrappedKey).not.toBe(b.wrappedKey);
    expect(JSON.stringify(a)).not.toContain(value);
    expect(JSON.stringify(a)).not.toContain(Buffer.from(value).toString('base64'));
  });

  it('refuses a changed ciphertext, tag, IV or wrapped key, and a row copied under another name', () => {
    const sealed = sealSecret(master, 'TOKEN', 'the-value-1234');
    for (const field of ['ciphertext', 'tag', 'iv', 'wrappedKey'] as const) {
      expect(() => openSecret(master, 'TOKEN', { ...sealed, [field]: flip(sealed[field]) }), field).toThrow(SecretDecryptError);
    }
    expect(() => openSecret(master, 'OTHER', sealed)).toThrow(SecretDecryptError);
    expect(() => openSecret(master, 'TOKEN', { ...sealed, tag: flip(sealed.tag) })).toThrow('secret TOKEN: its stored value was changed outside Salve');
  });

  it('says so clearly when the master key is not the one that wrapped the data key', () => {
    const sealed = sealSecret(master, 'TOKEN', 'the-value-1234');
    expect(() => openSecret(other, 'TOKEN', sealed)).toThrow(`secret TOKEN is wrapped by master key ${master.id}, not by ${other.id}`);
    // Same id claimed, other bytes: the wrapped key does not decrypt.
    expect(() => openSecret({ id: master.id, key: other.key }, 'TOKEN', sealed)).toThrow(/its data key does not decrypt with master key/);
  });

  it('re-wraps the data key for another master key without changing the encrypted value', () => {
    const sealed = sealSecret(master, 'TOKEN', 'the-value-1234');
    const moved = rewrapSecret(master, other, 'TOKEN', sealed);
    expect(moved.keyId).toBe(other.id);
    expect(moved.ciphertext).toBe(sealed.ciphertext);
    expect(openSecret(other, 'TOKEN', moved)).toBe('the-value-1234');
    expect(() => openSecret(master, 'TOKEN', moved)).toThrow(SecretDecryptError);
  });

  it('names master keys by an id that does not reveal them', () => {
    expect(master.id).toMatch(/^[0-9a-f]{16}$/);
    expect(master.id).not.toBe(other.id);
    expect(master.key.toString('hex')).not.toContain(master.id);
    expect(() => masterKeyOf(Buffer.alloc(16))).toThrow('a master key has 32 bytes, not 16');
  });
});
