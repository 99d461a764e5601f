import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseHostKeyPins } from './host-key-pins.js';
import { describeOffered, hostFieldMatches, keyIsPinned } from './host-key.js';

/** An ed25519 public key blob, as a server sends it (the key bytes are arbitrary here). */
function blob(seed: number): Buffer {
  const name = Buffer.from('ssh-ed25519');
  const key = Buffer.alloc(32, seed);
  const len = (n: number) => Buffer.from([0, 0, 0, n]);
  return Buffer.concat([len(name.length), name, len(key.length), key]);
}

describe('host key pins', () => {
  const key = blob(7);
  const { fingerprint, keyType } = describeOffered(key);

  it('describes an offered key the way ssh-keygen -l does', () => {
    expect(keyType).toBe('ssh-ed25519');
    expect(fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('matches a fingerprint, or a known_hosts line for this host and port', () => {
    const line = `db1.example.internal ssh-ed25519 ${key.toString('base64')}`;
    const { pins, problems } = parseHostKeyPins(`# db1\n${fingerprint}\n\n${line}\n`);
    expect(problems).toEqual([]);
    expect(pins).toHaveLength(2);
    expect(keyIsPinned(parseHostKeyPins(fingerprint).pins, key, 'anything', 22)).toBe(true);
    expect(keyIsPinned(parseHostKeyPins(line).pins, key, 'db1.example.internal', 22)).toBe(true);
    expect(keyIsPinned(parseHostKeyPins(line).pins, key, 'db2.example.internal', 22)).toBe(false);
    expect(keyIsPinned(parseHostKeyPins(line).pins, key, 'db1.example.internal', 2222)).toBe(false);
    expect(keyIsPinned(parseHostKeyPins(fingerprint).pins, blob(8), 'anything', 22)).toBe(false);
  });

  it('reads known_hosts host fields: lists, [host]:port, globs, negation and hashed names', () => {
    expect(hostFieldMatches('db1,10.0.0.5', '10.0.0.5', 22)).toBe(true);
    expect(hostFieldMatches('[db1]:2222', 'db1', 2222)).toBe(true);
    expect(hostFieldMatches('[db1]:2222', 'db1', 22)).toBe(false);
    expect(hostFieldMatches('*.example.internal,!db9.example.internal', 'DB1.example.internal', 22)).toBe(true);
    expect(hostFieldMatches('*.example.internal,!db9.example.internal', 'db9.example.internal', 22)).toBe(false);
    const salt = randomBytes(20);
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('db1').digest('base64')}`;
    expect(hostFieldMatches(hashed, 'db1', 22)).toBe(true);
    expect(hostFieldMatches(hashed, 'db2', 22)).toBe(false);
  });

  it('says what is wrong with a setting that pins nothing usable', () => {
    expect(parseHostKeyPins('').problems).toEqual(["pin the server's host key: a SHA256:… fingerprint or a known_hosts line"]);
    expect(parseHostKeyPins('SHA256:short').problems[0]).toContain('is not a SHA256 fingerprint');
    expect(parseHostKeyPins('MD5:12:34').problems[0]).toContain('MD5 fingerprints are not accepted');
    expect(parseHostKeyPins(`@cert-authority *.example ssh-ed25519 ${key.toString('base64')}`).problems[0]).toContain('@cert-authority lines are not supported');
    expect(parseHostKeyPins(`db1 ssh-rsa ${key.toString('base64')}`).problems[0]).toBe('the key in the known_hosts line for db1 is not a ssh-rsa key');
    expect(parseHostKeyPins('accept-any').problems[0]).toContain('is neither a SHA256:… fingerprint nor a known_hosts line');
  });
});
