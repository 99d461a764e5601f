/**
 * The `hostKey` setting of `action.ssh`, read (browser-safe: the schema checks it in the editor
 * too). It holds one or more pins, one a line: an OpenSSH fingerprint (`SHA256:…`, as
 * `ssh-keygen -lf` prints it) or a known_hosts line (`db1.example.internal ssh-ed25519 AAAA…`,
 * as `ssh-keyscan` prints it). host-key.ts matches an offered key against them.
 */

/** One pin from the `hostKey` setting. */
export type HostKeyPin =
  | { kind: 'fingerprint'; fingerprint: string }
  /** `hosts` is the known_hosts host field (patterns, comma-separated, maybe hashed); `key` is base64. */
  | { kind: 'known_hosts'; hosts: string; keyType: string; key: string };

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;
const KEY_TYPE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The key type a base64 public key blob names first (an SSH string: 4-byte length, then the name). */
function blobKeyType(encoded: string): string | undefined {
  let bytes: string;
  try {
    // The first 116 characters (a whole number of base64 quads) hold the name.
    bytes = atob(encoded.slice(0, 116));
  } catch {
    return undefined;
  }
  if (bytes.length < 4) return undefined;
  const length = ((bytes.charCodeAt(0) << 24) | (bytes.charCodeAt(1) << 16) | (bytes.charCodeAt(2) << 8) | bytes.charCodeAt(3)) >>> 0;
  if (length === 0 || length > 64 || bytes.length < 4 + length) return undefined;
  return bytes.slice(4, 4 + length);
}

/** One line of the setting as a pin, or why it is not one. */
function parsePin(line: string): HostKeyPin | string {
  if (line.startsWith('SHA256:')) {
    return FINGERPRINT.test(line)
      ? { kind: 'fingerprint', fingerprint: line.replace(/=$/, '') }
      : `"${line}" is not a SHA256 fingerprint (SHA256: and 43 base64 characters, as ssh-keygen -lf prints it)`;
  }
  if (/^MD5:|^([0-9a-f]{2}:){15}[0-9a-f]{2}$/i.test(line)) return 'MD5 fingerprints are not accepted: pin the SHA256 one (ssh-keygen -lf <key>)';
  const fields = line.split(/\s+/);
  if (fields[0]!.startsWith('@')) return `${fields[0]} lines are not supported: pin the host's own key`;
  if (fields.length < 3) return `"${line.slice(0, 60)}" is neither a SHA256:… fingerprint nor a known_hosts line ("host key-type base64-key")`;
  const [hosts, keyType, key] = fields as [string, string, string];
  if (!KEY_TYPE.test(keyType)) {
    return `"${line.slice(0, 60)}" is neither a SHA256:… fingerprint nor a known_hosts line ("host key-type base64-key"; "${keyType.slice(0, 40)}" is not an SSH key type such as ssh-ed25519)`;
  }
  if (!BASE64.test(key) || key.length % 4 !== 0) return `the key in the known_hosts line for ${hosts} is not base64`;
  if (blobKeyType(key) !== keyType) return `the key in the known_hosts line for ${hosts} is not a ${keyType} key`;
  return { kind: 'known_hosts', hosts, keyType, key };
}

/** Every pin in the setting (one a line; blank lines and `#` comments skipped), and the problems. */
export function parseHostKeyPins(text: string): { pins: HostKeyPin[]; problems: string[] } {
  const pins: HostKeyPin[] = [];
  const problems: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const pin = parsePin(line);
    if (typeof pin === 'string') problems.push(pin);
    else pins.push(pin);
  }
  if (pins.length === 0 && problems.length === 0) problems.push("pin the server's host key: a SHA256:… fingerprint or a known_hosts line");
  return { pins, problems };
}
