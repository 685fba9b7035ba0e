// The classic BPF echo-reply filter, run here by a small interpreter of the
// instructions it uses (the kernel test in pingtrace.test.ts proves the
// kernel agrees: a neighbour's flood is never read).
import { describe, expect, it } from 'vitest';
import { echoReplyFilter, encodeFilter, type SockFilterInsn } from '../lbc/src/sockfilter.js';

/** What the kernel's classic BPF interpreter returns for this packet (0: dropped). */
function run(prog: SockFilterInsn[], pkt: Uint8Array): number {
  let a = 0;
  let x = 0;
  const load = (bytes: number, at: number): number | null => {
    if (at < 0 || at + bytes > pkt.length) return null;
    let v = 0;
    for (let j = 0; j < bytes; j++) v = v * 256 + pkt[at + j]!;
    return v;
  };
  for (let pc = 0; pc < prog.length; pc++) {
    const { code, jt, jf, k } = prog[pc]!;
    const size = { 0x00: 4, 0x08: 2, 0x10: 1 }[code & 0x18]!;
    switch (code) {
      case 0x06: // ret #k
        return k;
      case 0xb1: // ldxb 4*([k]&0xf)
        x = ((load(1, k) ?? -1) & 0xf) * 4;
        if (x < 0) return 0;
        break;
      case 0x01: // ldx #k
        x = k;
        break;
      case 0x40: case 0x48: case 0x50: { // ld{,h,b} [x+k]
        const v = load(size, x + k);
        if (v === null) return 0; // out of the packet: the kernel drops it
        a = v;
        break;
      }
      case 0x15: // jeq #k
        pc += a === k ? jt : jf;
        break;
      default:
        throw new Error(`instruction ${code.toString(16)} not modelled`);
    }
  }
  throw new Error('fell off the end');
}

const tag = Buffer.from('LCCP\x78\x56\x34\x12', 'latin1');
function icmp(type: number, id: number, payload: Buffer): Buffer {
  const b = Buffer.alloc(8 + payload.length);
  b[0] = type;
  b.writeUInt16BE(id, 4);
  payload.copy(b, 8);
  return b;
}
function ipv4(body: Buffer, ihl = 5): Buffer {
  const h = Buffer.alloc(ihl * 4);
  h[0] = 0x40 | ihl;
  h[9] = 1;
  return Buffer.concat([h, body]);
}

describe('echoReplyFilter', () => {
  const v4 = echoReplyFilter({ family: 4, id: 0x1234, payload: tag });
  const v6 = echoReplyFilter({ family: 6, id: 0x1234, payload: tag });
  const own = Buffer.concat([tag, Buffer.alloc(48, 7)]);

  it('accepts our own echo replies whole, IPv4 (after its IP header, options or not) and ICMPv6', () => {
    expect(run(v4, ipv4(icmp(0, 0x1234, own)))).toBe(0xffffffff);
    expect(run(v4, ipv4(icmp(0, 0x1234, own), 7))).toBe(0xffffffff);
    expect(run(v6, icmp(129, 0x1234, own))).toBe(0xffffffff);
  });

  it("drops a neighbour's replies, requests, another session's, and packets too short to tell", () => {
    const otherSession = Buffer.from(own);
    otherSession[7] = otherSession[7]! ^ 1;
    for (const [prog, wrap, reply, request] of [[v4, ipv4, 0, 8], [v6, (b: Buffer) => b, 129, 128]] as const) {
      expect(run(prog, wrap(icmp(reply, 0x1235, own)))).toBe(0);
      expect(run(prog, wrap(icmp(request, 0x1234, own)))).toBe(0);
      expect(run(prog, wrap(icmp(reply, 0x1234, otherSession)))).toBe(0);
      expect(run(prog, wrap(icmp(reply, 0x1234, Buffer.alloc(56))))).toBe(0); // ping's payload
      expect(run(prog, wrap(icmp(reply, 0x1234, tag.subarray(0, 5))))).toBe(0);
    }
  });

  it('checks an odd-length prefix byte by byte, and refuses what it cannot express', () => {
    const odd = echoReplyFilter({ family: 6, id: 1, payload: Buffer.from('abcdef') });
    expect(run(odd, icmp(129, 1, Buffer.from('abcdefgh')))).toBe(0xffffffff);
    expect(run(odd, icmp(129, 1, Buffer.from('abcdeX')))).toBe(0);
    expect(() => echoReplyFilter({ family: 4, id: 70000 })).toThrow(/16 bits/);
    expect(() => echoReplyFilter({ family: 4, id: 1, payload: Buffer.alloc(17) })).toThrow(/16 at most/);
  });

  it('encodes struct sock_filter as the kernel reads it', () => {
    const b = encodeFilter([{ code: 0x15, jt: 1, jf: 2, k: 0xdeadbeef }]);
    expect([...b]).toEqual([0x15, 0x00, 1, 2, 0xef, 0xbe, 0xad, 0xde]);
  });
});
