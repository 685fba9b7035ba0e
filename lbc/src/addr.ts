// Socket addresses and Internet checksums as bytes: what a raw socket sends
// and receives, and how tools print addresses. Pure: no kernel, no libbpf.
import { isIP } from 'node:net';
import { LbcError } from './errors.js';

export const AF_INET = 2;
export const AF_INET6 = 10;

/** A sockaddr_in or sockaddr_in6 for an address string. */
export function sockaddr(ip: string, port = 0): Buffer {
  if (isIP(ip) === 6) {
    const b = Buffer.alloc(28);
    b.writeUInt16LE(AF_INET6, 0);
    b.writeUInt16BE(port, 2);
    ipv6Bytes(ip).copy(b, 8);
    return b;
  }
  return sockaddrIn(ip, port);
}

export function sockaddrIn(ip: string, port = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new LbcError(`not an IPv4 address: ${ip}`);
  parts.forEach((p, i) => b.writeUInt8(p, 4 + i));
  return b;
}

/** The 16 bytes of an IPv6 address string (with `::`, or an embedded IPv4 tail). */
export function ipv6Bytes(ip: string): Buffer {
  if (isIP(ip) !== 6) throw new LbcError(`not an IPv6 address: ${ip}`);
  let text = ip.replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = sockaddrIn(v4[1]!).subarray(4, 8);
    text = text.slice(0, -v4[1]!.length) + `${b.readUInt16BE(0).toString(16)}:${b.readUInt16BE(2).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** An address as text: dotted IPv4 for 4 bytes, RFC 5952 IPv6 for 16. */
export function ipString(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const g = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // the longest run of two or more zero groups becomes ::
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = g.map((x) => x.toString(16));
  // IPv4-mapped and IPv4-compatible addresses end in dotted form, as glibc's inet_ntop prints them
  if (best === 0 && (bestLen === 6 || (bestLen === 5 && g[5] === 0xffff))) return `::${bestLen === 5 ? 'ffff:' : ''}${[...bytes.subarray(12)].join('.')}`;
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The RFC 1071 Internet checksum. */
export function inetChecksum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (data.length & 1) sum += data[data.length - 1]! << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}
