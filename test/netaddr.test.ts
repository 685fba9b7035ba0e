// netaddr's IPAddress and EUI as BCC's networking examples print what a map
// holds; each expected text is what Python's netaddr prints for the same value.
import { describe, expect, it } from 'vitest';
import { netaddr } from '../lbc/src/bcc/netaddr.js';
import { str, repr } from '../lbc/src/py/core.js';
import { int_ as int } from '../lbc/src/py/builtins.js';

describe('netaddr', () => {
  it('IPAddress from the integer a map holds: IPv4 up to 2^32 - 1, IPv6 past it, RFC 5952 text', () => {
    const cases: [bigint | number, string][] = [
      [0, '0.0.0.0'], [0x7f000001, '127.0.0.1'], [0xffffffff, '255.255.255.255'], [2n ** 32n, '::1:0:0'],
      [0x20010db8000000000000000000000001n, '2001:db8::1'], [0x20010db8000100000000000100000001n, '2001:db8:1::1:0:1'],
      [0xfe800000000000000000000000000000n, 'fe80::'], [0xffff01020304n, '::ffff:1.2.3.4'],
    ];
    for (const [v, text] of cases) {
      expect(str(netaddr.IPAddress(v))).toBe(text);
      expect(repr(netaddr.IPAddress(v))).toBe(`IPAddress('${text}')`);
    }
  });

  it('IPAddress from text: the same address, its integer and version', () => {
    const cases: [string, string, bigint, number][] = [
      ['10.1.2.3', '10.1.2.3', 167838211n, 4], ['::1', '::1', 1n, 6],
      ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329', 42540766411282592856904265327123268393n, 6],
      ['::ffff:1.2.3.4', '::ffff:1.2.3.4', 281470698652420n, 6],
    ];
    for (const [text, printed, n, version] of cases) {
      const a = netaddr.IPAddress(text);
      expect([str(a), BigInt(int(a)), a.version]).toEqual([printed, n, version]);
    }
    expect(() => netaddr.IPAddress('1.2.3')).toThrow(/failed to detect a valid IP address from '1.2.3'/);
    expect(() => netaddr.IPAddress('1::2::3')).toThrow(netaddr.AddrFormatError);
  });

  it('EUI: upper-case bytes joined by hyphens, from an integer or any of the usual texts', () => {
    expect(str(netaddr.EUI(0))).toBe('00-00-00-00-00-00');
    expect(str(netaddr.EUI(0x001b774954fd))).toBe('00-1B-77-49-54-FD');
    expect(str(netaddr.EUI(0xffffffffffff))).toBe('FF-FF-FF-FF-FF-FF');
    expect(str(netaddr.EUI('00:1b:77:49:54:fd'))).toBe('00-1B-77-49-54-FD');
    expect(() => netaddr.EUI(2 ** 48)).toThrow(netaddr.AddrFormatError);
  });
});
