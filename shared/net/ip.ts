/**
 * IP addresses as bytes, parsed without Node so flow validation (browser and server) and the
 * destination policy read addresses the same way. Only canonical text forms are read here:
 * dotted-decimal IPv4 (no octal or hex parts) and RFC 4291 IPv6 text.
 */

/** 4 bytes for IPv4, 16 for IPv6. */
export interface IpAddress {
  family: 4 | 6;
  bytes: number[];
}

const OCTET = /^(?:0|[1-9]\d{0,2})$/;

/** Dotted-decimal IPv4 (`10.0.0.1`); undefined for anything else, octal or hex parts included. */
export function parseIpv4(text: string): IpAddress | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((b) => b <= 255) ? { family: 4, bytes } : undefined;
}

/** IPv6 text (`fd00::1`, `::ffff:10.0.0.1`), without brackets or zone; undefined otherwise. */
export function parseIpv6(text: string): IpAddress | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string): number[] | undefined => {
    if (half === '') return [];
    const out: number[] = [];
    const pieces = half.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (!v4) return undefined;
        out.push((v4.bytes[0]! << 8) | v4.bytes[1]!, (v4.bytes[2]! << 8) | v4.bytes[3]!);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !tail) return undefined;
  // An embedded IPv4 part may only end the address.
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return { family: 6, bytes: groups.flatMap((g) => [g >> 8, g & 0xff]) };
}

/** Either family; IPv6 may be written in brackets (`[::1]`), a zone (`%eth0`) is dropped. */
export function parseIp(text: string): IpAddress | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return parseIpv4(bare) ?? parseIpv6(bare.replace(/%[^%]*$/, ''));
}

/** `a.b.c.d` for 4 bytes. */
export function formatIpv4(bytes: readonly number[]): string {
  return bytes.slice(0, 4).join('.');
}

/** Whether the first `prefix` bits of `ip` equal those of `network` (same family only). */
export function inPrefix(ip: IpAddress, network: IpAddress, prefix: number): boolean {
  if (ip.family !== network.family) return false;
  for (let bit = 0; bit < prefix; bit += 8) {
    const take = Math.min(8, prefix - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    const i = bit / 8;
    if ((ip.bytes[i]! & mask) !== (network.bytes[i]! & mask)) return false;
  }
  return true;
}

/** The IPv4 address an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) carries; the address itself otherwise. */
export function unmapIpv4(ip: IpAddress): IpAddress {
  if (ip.family === 6 && ip.bytes.slice(0, 10).every((b) => b === 0) && ip.bytes[10] === 0xff && ip.bytes[11] === 0xff) {
    return { family: 4, bytes: ip.bytes.slice(12) };
  }
  return ip;
}
