import { chmodSync, chownSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSecretsFile, readSecretsFile, SecretsFileError } from './secrets-file.js';

describe('parseSecretsFile', () => {
  it('reads NAME=value lines literally, skipping blanks and comments', () => {
    const text = '# secrets\n\nSALVE_SECRET_API_TOKEN=tok=en with "quotes" \nSALVE_SECRET_API_TOKEN_HOSTS=api.example.com\r\nSALVE_ADMIN_TOKEN=admin-token-0123456789\n';
    expect(parseSecretsFile(text, 'f')).toEqual({
      SALVE_SECRET_API_TOKEN: 'tok=en with "quotes" ',
      SALVE_SECRET_API_TOKEN_HOSTS: 'api.example.com',
      SALVE_ADMIN_TOKEN: 'admin-token-0123456789',
    });
  });

  it('refuses other settings, lines without "=" and repeats, naming the line', () => {
    expect(() => parseSecretsFile('PATH=/bin\n', 'f')).toThrow(/f line 1: "PATH" is not a secret setting/);
    expect(() => parseSecretsFile('\nSALVE_SECRET_A\n', 'f')).toThrow(/f line 2: expected NAME=value/);
    expect(() => parseSecretsFile('SALVE_SECRET_A=1234\nSALVE_SECRET_A=5678\n', 'f')).toThrow(/line 2: SALVE_SECRET_A is set twice/);
  });
});

describe('readSecretsFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'salve-secrets-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, mode: number, text = 'SALVE_SECRET_A=value-a\n') => {
    const path = join(dir, name);
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };

  it('reads a 0600 or 0400 file owned by this user, also through a symbolic link', () => {
    expect(readSecretsFile(file('ok600', 0o600))).toEqual({ SALVE_SECRET_A: 'value-a' });
    expect(readSecretsFile(file('ok400', 0o400))).toEqual({ SALVE_SECRET_A: 'value-a' });
    symlinkSync(join(dir, 'ok600'), join(dir, 'link'));
    expect(readSecretsFile(join(dir, 'link'))).toEqual({ SALVE_SECRET_A: 'value-a' });
  });

  it('refuses a file others can read or write, saying how to fix it', () => {
    const path = file('open', 0o644);
    expect(() => readSecretsFile(path)).toThrow(SecretsFileError);
    expect(() => readSecretsFile(path)).toThrow(`mode 0644; it must be 0600 or 0400 (readable by its owner only): chmod 600 ${path}`);
    expect(() => readSecretsFile(file('group', 0o640))).toThrow(/mode 0640/);
  });

  it('refuses a file owned by another user', () => {
    const path = file('theirs', 0o600);
    if (process.getuid?.() === 0) {
      chownSync(path, 65534, 65534);
      expect(() => readSecretsFile(path)).toThrow(/owned by uid 65534, not by the user Salve runs as \(uid 0\)/);
    } else {
      // Not root: cannot give the file away, so claim to be someone else.
      expect(() => readSecretsFile(path, (process.getuid?.() ?? 0) + 1)).toThrow(/not by the user Salve runs as/);
    }
  });

  it('refuses what is not a regular file, and a missing file', () => {
    expect(() => readSecretsFile(dir)).toThrow(/not a regular file/);
    expect(() => readSecretsFile(join(dir, 'missing'))).toThrow(/cannot open it \(ENOENT\)/);
  });
});
