// The helpers converted BCC tools print with, against Python itself: the
// same format strings and addresses through python3's % and socket.inet_ntop.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { inetNtop, pyFormat } from '../lbc/src/pure.js';

const python = (code: string): string[] => JSON.parse(execFileSync('python3', ['-c', code], { encoding: 'utf8' })) as string[];

describe('pyFormat prints what Python prints', () => {
  const rows: [string, (number | string)[]][] = [
    ['%-16s %-6d %6.2f', ['bash', 1234, 3.14159]],
    ['%08.3f|%+d|% d|%x|%#x|%X|%o', [-3.5, 7, 7, 255, 255, 255, 8]],
    ['%5s|%-5s|%.2s|%c|%%|%i|%u', ['ab', 'ab', 'abcdef', 'z', -4, 9]],
    ['%e|%E|%g|%g', [12345.678, 0.000123, 0.0001, 123456789]],
    ['%g|%g|%.3g|%G|%g|%#g', [100, 1.5, 100, 0.00001234, 0, 2.5]],
    ['%-7d %-12.12s %-2d', [42, 'a-very-long-command', 4]],
  ];
  const expected = python(`import json; print(json.dumps([f % tuple(a) for f, a in ${JSON.stringify(rows)}]))`);
  it.each(rows.map((r, i) => [r[0], r[1], expected[i]!] as const))('%s', (fmt, args, want) => {
    expect(pyFormat(fmt, args)).toBe(want);
  });
});

describe('inetNtop decodes addresses as the skeleton hands them, as socket.inet_ntop does', () => {
  // address bytes in memory (network order), and what the skeleton decodes from them
  const v4 = ['10.231.7.1', '127.0.0.1', '255.255.255.0'];
  const v6 = ['fd00:231:7::2', '::1', '::', 'fe80::1:2:3:4', '::ffff:10.1.2.3', '2001:db8:0:0:1:0:0:1', '1:0:0:2:0:0:0:3', '::10.1.2.3'];
  const want = python(`import json, socket
print(json.dumps([socket.inet_ntop(socket.AF_INET, socket.inet_pton(socket.AF_INET, a)) for a in ${JSON.stringify(v4)}] +
                 [socket.inet_ntop(socket.AF_INET6, socket.inet_pton(socket.AF_INET6, a)) for a in ${JSON.stringify(v6)}]))`);
  const bytesOf = (a: string): number[] => python(`import json, socket; print(json.dumps(list(socket.inet_pton(${a.includes(':') ? 'socket.AF_INET6' : 'socket.AF_INET'}, "${a}"))))`) as unknown as number[];
  const le = (b: number[]): bigint => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);

  it.each(v4.map((a, i) => [a, want[i]!] as const))('IPv4 %s: a u32 (number or bigint) in memory order', (a, w) => {
    const b = bytesOf(a);
    expect(inetNtop(4, Number(le(b)))).toBe(w);
    expect(inetNtop(4, le(b))).toBe(w);
    expect(inetNtop(4, b)).toBe(w);
  });
  it.each(v6.map((a, i) => [a, want[v4.length + i]!] as const))('IPv6 %s: __int128, u8[16], u32[4], u64[2]', (a, w) => {
    const b = bytesOf(a);
    expect(inetNtop(6, le(b))).toBe(w);
    expect(inetNtop(6, b)).toBe(w);
    expect(inetNtop(6, [0, 4, 8, 12].map((o) => Number(le(b.slice(o, o + 4)))))).toBe(w);
    expect(inetNtop(6, [0, 8].map((o) => le(b.slice(o, o + 8))))).toBe(w);
  });
  it('refuses an array that is no address', () => {
    expect(() => inetNtop(6, [1, 2, 3])).toThrow(/IPv6 address of 3 elements/);
  });
});
