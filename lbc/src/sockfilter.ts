// Classic BPF socket filters (SO_ATTACH_FILTER), as bytes: the kernel runs
// them on a packet before queueing it to the socket, so a raw socket that
// every echo reply in its namespace reaches (the kernel hands each to every
// raw ICMP socket) wakes only for its own. iputils ping does the same.

/** One `struct sock_filter` (code, jt, jf, k). */
export interface SockFilterInsn { code: number; jt: number; jf: number; k: number }

// linux/bpf_common.h and linux/filter.h
const LD = 0x00;
const LDX = 0x01;
const JMP = 0x05;
const RET = 0x06;
const W = 0x00;
const H = 0x08;
const B = 0x10;
const IMM = 0x00;
const IND = 0x40;
const MSH = 0xa0;
const JEQ = 0x10;
const K = 0x00;

const stmt = (code: number, k: number): SockFilterInsn => ({ code, jt: 0, jf: 0, k: k >>> 0 });
const jeq = (k: number, jt: number, jf: number): SockFilterInsn => ({ code: JMP | JEQ | K, jt, jf, k: k >>> 0 });

export interface EchoReplyMatch {
  /** 4: the socket sees the IPv4 header first; 6: ICMPv6 sockets see the ICMPv6 header */
  family: 4 | 6;
  /** the echo identifier (host order) */
  id: number;
  /** bytes the reply's payload must start with (at most 16: our tag) */
  payload?: Uint8Array;
}

/**
 * A filter that accepts an echo reply (ICMP type 0, ICMPv6 129) carrying
 * `id` whose payload starts with `payload`, and drops everything else.
 * Offsets are from the ICMP header: for IPv4 the X register holds the IP
 * header's length (BPF_MSH) and loads are indexed; ICMPv6 raw sockets get
 * the packet from the ICMPv6 header on, so X stays 0.
 */
export function echoReplyFilter(m: EchoReplyMatch): SockFilterInsn[] {
  const payload = m.payload ?? new Uint8Array(0);
  if (payload.length > 16) throw new RangeError(`echoReplyFilter: a payload prefix of ${payload.length} bytes (16 at most)`);
  if (!Number.isInteger(m.id) || m.id < 0 || m.id > 0xffff) throw new RangeError(`echoReplyFilter: id ${m.id} is not 16 bits`);
  // compares, each jumping to "drop" (the last instruction) on a mismatch
  const checks: { size: number; off: number; value: number }[] = [
    { size: B, off: 0, value: m.family === 6 ? 129 : 0 },
    { size: H, off: 4, value: m.id },
  ];
  // the payload in 4-byte words (loads read network order: big-endian), then the rest by byte
  let i = 0;
  for (; i + 4 <= payload.length; i += 4) checks.push({ size: W, off: 8 + i, value: new DataView(payload.buffer, payload.byteOffset + i, 4).getUint32(0, false) });
  for (; i < payload.length; i++) checks.push({ size: B, off: 8 + i, value: payload[i]! });

  const prog: SockFilterInsn[] = [m.family === 6 ? stmt(LDX | W | IMM, 0) : stmt(LDX | B | MSH, 0)];
  const drop = 2 * checks.length + 2; // index of "ret 0"
  for (const ch of checks) {
    prog.push(stmt(LD | ch.size | IND, ch.off));
    // a jump's offsets count from the instruction after it
    prog.push(jeq(ch.value, 0, drop - prog.length - 1));
  }
  prog.push(stmt(RET | K, 0xffffffff)); // accept the whole packet
  prog.push(stmt(RET | K, 0)); // drop
  return prog;
}

/** The instructions as the kernel's `struct sock_filter` array (8 bytes each, host order). */
export function encodeFilter(prog: SockFilterInsn[]): Buffer {
  const b = Buffer.alloc(prog.length * 8);
  prog.forEach((p, i) => {
    b.writeUInt16LE(p.code, i * 8);
    b.writeUInt8(p.jt, i * 8 + 2);
    b.writeUInt8(p.jf, i * 8 + 3);
    b.writeUInt32LE(p.k, i * 8 + 4);
  });
  return b;
}
