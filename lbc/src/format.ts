// Python's `%` string formatting for tools ported from BCC, whose output lines
// are `print("%-16s %-6d" % (...))`: the py runtime's formatter (one owner),
// taking a JavaScript array as the tuple of values.
import { ipString } from './addr.js';
import { pyFormat as percent } from './py/format.js';

export function pyFormat(fmt: string, args: readonly unknown[] | unknown): string {
  return percent(fmt, Array.isArray(args) ? Object.freeze([...args]) : args);
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
