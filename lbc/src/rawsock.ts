// Raw IPv4 ICMP sockets, which Node has no API for: the probe socket of
// pingtrace and of any tool that sends its own packets. Readiness comes from
// the runtime's epoll poller, so receiving costs nothing while idle.
import { c, errno } from './ffi.js';
import { LbcError } from './errors.js';
import { poller } from './poller.js';

const AF_INET = 2;
const SOCK_RAW = 3;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const IPPROTO_ICMP = 1;
const SOL_RAW = 255;
const ICMP_FILTER = 1;
const MSG_DONTWAIT = 0x40;
const EAGAIN = 11;

export function sockaddrIn(ip: string, port = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(AF_INET, 0);
  b.writeUInt16BE(port, 2);
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !(p >= 0 && p <= 255))) throw new LbcError(`not an IPv4 address: ${ip}`);
  parts.forEach((p, i) => b.writeUInt8(p, 4 + i));
  return b;
}

/** The RFC 1071 Internet checksum. */
export function inetChecksum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data[i]! << 8) | data[i + 1]!;
  if (data.length & 1) sum += data[data.length - 1]! << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

export interface IcmpMessage {
  /** the IPv4 packet, header included (as raw sockets deliver it) */
  packet: Buffer;
  from: string;
  /** CLOCK_MONOTONIC ns when recvfrom returned it: the moment user space had it */
  receivedNs: bigint;
}

export class IcmpSocket {
  private fd: number;
  private pollId = -1;
  private readonly buf = Buffer.alloc(65536);
  private readonly addr = Buffer.alloc(16);
  private drainNow: (() => void) | null = null;

  private constructor(fd: number) {
    this.fd = fd;
  }

  static open(): IcmpSocket {
    const fd = c.socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP) as number;
    if (fd < 0) {
      const e = errno();
      throw new LbcError('cannot open a raw ICMP socket', { errno: e, hint: e === 1 || e === 13 ? 'run as root (or with CAP_NET_RAW)' : undefined });
    }
    return new IcmpSocket(fd);
  }

  /** Deliver only these ICMP types (the kernel drops the rest before we see them). */
  acceptOnly(types: number[]): void {
    let blocked = 0xffffffff;
    for (const t of types) blocked &= ~(1 << t) >>> 0;
    const v = Buffer.alloc(4);
    v.writeUInt32LE(blocked >>> 0);
    if ((c.setsockopt(this.fd, SOL_RAW, ICMP_FILTER, v, 4) as number) < 0) throw new LbcError('setsockopt(ICMP_FILTER)', { errno: errno() });
  }

  /** Send an ICMP message (header and payload; the kernel adds the IP header). */
  send(to: string, icmp: Uint8Array): void {
    const n = Number(c.sendto(this.fd, icmp, icmp.length, 0, sockaddrIn(to), 16));
    if (n < 0) throw new LbcError(`sendto ${to}`, { errno: errno() });
  }

  /** Call `cb` for every message as it arrives; drained in batches, woken by epoll. */
  onMessage(cb: (m: IcmpMessage) => void): void {
    if (this.pollId >= 0) throw new LbcError('onMessage: already listening');
    const source = {
      drain: (budget: number): number => {
        let n = 0;
        for (; n < budget; n++) {
          const alen = [16];
          const got = Number(c.recvfrom(this.fd, this.buf, this.buf.length, MSG_DONTWAIT, this.addr, alen));
          const receivedNs = process.hrtime.bigint();
          if (got < 0) {
            const e = errno();
            if (e === EAGAIN) break;
            throw new LbcError('recvfrom', { errno: e });
          }
          const from = `${this.addr[4]}.${this.addr[5]}.${this.addr[6]}.${this.addr[7]}`;
          cb({ packet: Buffer.from(this.buf.subarray(0, got)), from, receivedNs });
        }
        return n;
      },
    };
    this.drainNow = () => source.drain(1 << 30);
    this.pollId = poller.add(this.fd, source);
  }

  /**
   * Send, then wait up to `waitMs` on this thread for the reply, as a
   * single-threaded C tool (ping) does: the reply then wakes the thread that
   * sent, on the CPU it sent from, instead of the poller thread on another
   * CPU and a hand-off to the event loop, which a latency tool would measure
   * as the network's. The event loop is held for at most `waitMs`; a later
   * reply (a real link) arrives through onMessage as usual.
   */
  sendAndReceive(to: Buffer, icmp: Uint8Array, waitMs = 5): void {
    const paused = this.pollId >= 0;
    if (paused) poller.pause(this.pollId, true);
    try {
      const n = Number(c.sendto(this.fd, icmp, icmp.length, 0, to, 16));
      if (n < 0) throw new LbcError('sendto', { errno: errno() });
      const pfd = Buffer.alloc(8);
      pfd.writeInt32LE(this.fd, 0);
      pfd.writeInt16LE(1, 4); // POLLIN
      if ((c.poll(pfd, 1, waitMs) as number) > 0) this.drainNow?.();
    } finally {
      if (paused) poller.pause(this.pollId, false);
    }
  }

  close(): void {
    if (this.pollId >= 0) poller.remove(this.pollId);
    this.pollId = -1;
    if (this.fd >= 0) c.close(this.fd);
    this.fd = -1;
  }
}
