// Python's `%` string formatting, for tools ported from BCC: their output
// lines are `print("%-16s %-6d %6.2f" % (...))`, and a port should print the
// same columns. Supports flags (-, 0, +, space), width, precision and the
// conversions s r d i u f F e g x X o c %.
import { ipString } from './addr.js';

export function pyFormat(fmt: string, args: readonly unknown[] | unknown): string {
  const list = Array.isArray(args) ? args : [args];
  let i = 0;
  return fmt.replace(/%([-0+ #]*)(\*|\d+)?(?:\.(\*|\d+))?([sdiufFeEgGxXocr%])/g, (_m, flags: string, w?: string, p?: string, conv?: string) => {
    if (conv === '%') return '%';
    const width = w === '*' ? Number(list[i++]) : w ? Number(w) : 0;
    const prec = p === '*' ? Number(list[i++]) : p !== undefined ? Number(p) : undefined;
    const v = list[i++];
    let s: string;
    const num = (): number => (typeof v === 'bigint' ? Number(v) : Number(v));
    switch (conv) {
      case 's': case 'r': s = typeof v === 'string' ? v : String(v); if (prec !== undefined) s = s.slice(0, prec); break;
      case 'd': case 'i': case 'u': s = typeof v === 'bigint' ? v.toString() : Math.trunc(num()).toString(); break;
      case 'f': case 'F': s = num().toFixed(prec ?? 6); break;
      case 'e': case 'E': s = num().toExponential(prec ?? 6).replace(/e([+-])(\d)$/, 'e$10$2'); if (conv === 'E') s = s.toUpperCase(); break;
      case 'g': case 'G': s = general(num(), prec === undefined ? 6 : prec || 1, flags.includes('#')); if (conv === 'G') s = s.toUpperCase(); break;
      case 'x': case 'X': s = (typeof v === 'bigint' ? v : BigInt(Math.trunc(num()))).toString(16); if (flags.includes('#')) s = `0x${s}`; if (conv === 'X') s = s.toUpperCase(); break;
      case 'o': s = (typeof v === 'bigint' ? v : BigInt(Math.trunc(num()))).toString(8); break;
      case 'c': s = typeof v === 'string' ? v : String.fromCharCode(num()); break;
      default: s = String(v);
    }
    if (/[dfFeEgGiu]/.test(conv!) && !s.startsWith('-')) {
      if (flags.includes('+')) s = `+${s}`;
      else if (flags.includes(' ')) s = ` ${s}`;
    }
    if (s.length >= width) return s;
    if (flags.includes('-')) return s.padEnd(width);
    if (flags.includes('0') && /[dfFeEgGiuxXo]/.test(conv!)) {
      const sign = /^[-+ ]/.test(s) ? s[0]! : '';
      return sign + s.slice(sign.length).padStart(width - sign.length, '0');
    }
    return s.padStart(width);
  });
}

/** C's %g: exponential form when the exponent is below -4 or at least the precision; trailing zeros go. */
function general(v: number, p: number, keepZeros: boolean): string {
  if (!Number.isFinite(v)) return String(v).toLowerCase().replace('infinity', 'inf');
  const exp = v === 0 ? 0 : Number(v.toExponential(p - 1).split('e')[1]);
  let s = exp < -4 || exp >= p ? v.toExponential(p - 1).replace(/e([+-])(\d)$/, 'e$10$2') : v.toFixed(p - 1 - exp);
  if (!keepZeros) s = s.replace(/\.?0+(?=e|$)/, (m) => (m.startsWith('.') || s.includes('.') ? '' : m));
  return s;
}

/**
 * socket.inet_ntop for tools ported from BCC: an address as their events
 * carry it, decoded by the skeleton. IPv4: a u32 in memory order (what
 * `inet_ntop(AF_INET, pack("I", addr))` reads); IPv6: an unsigned __int128
 * (bigint, memory order), u8[16], u32[4] or u64[2] (host-order words) or bytes.
 */
export function inetNtop(family: 4 | 6, addr: bigint | number | ArrayLike<number | bigint>): string {
  const size = family === 4 ? 4 : 16;
  const bytes = new Uint8Array(size);
  if (typeof addr === 'bigint' || typeof addr === 'number') {
    let v = BigInt.asUintN(size * 8, BigInt(addr));
    for (let i = 0; i < size; i++, v >>= 8n) bytes[i] = Number(v & 0xffn);
  } else {
    const width = size / addr.length;
    if (!Number.isInteger(width) || ![1, 4, 8].includes(width)) throw new RangeError(`inetNtop: an IPv${family} address of ${addr.length} elements`);
    for (let i = 0; i < addr.length; i++) {
      let v = BigInt(addr[i]!);
      for (let j = 0; j < width; j++, v >>= 8n) bytes[i * width + j] = Number(v & 0xffn);
    }
  }
  return ipString(bytes);
}
