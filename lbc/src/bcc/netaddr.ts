// The part of netaddr BCC's networking examples use: IPAddress (from the
// integer a map holds, or from text) and EUI (a MAC address from its integer),
// printed as netaddr prints them: dotted quads, RFC 5952's IPv6 (an
// IPv4-mapped one with its dotted tail), and EUI-48's upper-case hyphenated
// bytes.
import { Exception } from '../py/exc.js';
import type { Int } from '../py/core.js';

export class AddrFormatError extends Exception {}

const toBig = (v: unknown): bigint | null => {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  const o = v as { __int__?: () => Int } | null;
  if (o && typeof o.__int__ === 'function') return BigInt(o.__int__());
  return null;
};

function parseV4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((n, p) => (n << 8n) | BigInt(p), 0n);
}

function parseV6(s: string): bigint | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string): string[] | null => {
    if (!h) return [];
    const g = h.split(':');
    // an IPv4 tail (::ffff:1.2.3.4) is two groups
    const last = g.at(-1)!;
    if (last.includes('.')) {
      const v4 = parseV4(last);
      if (v4 === null) return null;
      g.splice(-1, 1, (v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16));
    }
    return g.every((x) => /^[0-9a-f]{1,4}$/i.test(x)) ? g : null;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return null;
  return [...head, ...new Array<string>(missing).fill('0'), ...tail].reduce((n, x) => (n << 16n) | BigInt(`0x${x}`), 0n);
}

const formatV4 = (v: bigint): string => [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');

/** RFC 5952: lower case, no leading zeros, the longest run (of two or more) of zero groups as "::" */
function formatV6(v: bigint): string {
  // an IPv4-mapped address keeps its dotted tail (::ffff:1.2.3.4)
  if (v >> 32n === 0xffffn) return `::ffff:${formatV4(v & 0xffffffffn)}`;
  const g = Array.from({ length: 8 }, (_x, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  return best.len < 2 ? hex(g) : `${hex(g.slice(0, best.at))}::${hex(g.slice(best.at + best.len))}`;
}

export class IPAddress {
  readonly value: bigint;
  readonly version: 4 | 6;
  constructor(addr: unknown, version?: unknown) {
    const n = toBig(addr);
    if (n !== null) {
      if (n < 0n || n >= 1n << 128n) throw new AddrFormatError(`bad address ${n}`);
      this.version = version === 6 || n > 0xffffffffn ? 6 : 4;
      this.value = n;
      return;
    }
    const s = String(addr instanceof IPAddress ? addr.__str__() : addr);
    const v4 = version === 6 ? null : parseV4(s);
    const v6 = v4 === null ? parseV6(s) : null;
    if (v4 === null && v6 === null) throw new AddrFormatError(`failed to detect a valid IP address from '${s}'`);
    this.version = v4 !== null ? 4 : 6;
    this.value = v4 ?? v6!;
  }
  __str__(): string {
    return this.version === 6 ? formatV6(this.value) : formatV4(this.value);
  }
  __repr__(): string {
    return `IPAddress('${this.__str__()}')`;
  }
  __int__(): Int {
    return this.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(this.value) : this.value;
  }
  __index__(): Int {
    return this.__int__();
  }
  __eq__(o: unknown): boolean {
    return o instanceof IPAddress && o.version === this.version && o.value === this.value;
  }
  __hash_key__(): string {
    return `ip${this.version}:${this.value}`;
  }
  valueOf(): number {
    return Number(this.value);
  }
}

/** A MAC address (EUI-48): from its integer or its text; printed 00-1B-77-49-54-FD as netaddr's default dialect */
export class EUI {
  readonly value: bigint;
  constructor(addr: unknown) {
    const n = toBig(addr);
    if (n !== null) {
      if (n < 0n || n >= 1n << 48n) throw new AddrFormatError(`bad EUI-48 value ${n}`);
      this.value = n;
      return;
    }
    const s = String(addr instanceof EUI ? addr.__str__() : addr);
    const hex = s.split(/[-:.]/).join('');
    if (!/^[0-9a-f]{12}$/i.test(hex)) throw new AddrFormatError(`failed to detect EUI version: '${s}'`);
    this.value = BigInt(`0x${hex}`);
  }
  __str__(): string {
    return this.value.toString(16).toUpperCase().padStart(12, '0').match(/../g)!.join('-');
  }
  __repr__(): string {
    return `EUI('${this.__str__()}')`;
  }
  __int__(): Int {
    return Number(this.value);
  }
  __eq__(o: unknown): boolean {
    return o instanceof EUI && o.value === this.value;
  }
  __hash_key__(): string {
    return `eui:${this.value}`;
  }
}

/** netaddr as a tool imports it: its classes called as Python calls them */
export const netaddr = {
  IPAddress: (addr: unknown, version?: unknown): IPAddress => new IPAddress(addr, version),
  EUI: (addr: unknown): EUI => new EUI(addr),
  AddrFormatError,
};
