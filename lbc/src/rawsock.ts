// Probe sockets Node has no API for, or none a latency tool can use: raw
// ICMP and ICMPv6, and UDP and TCP sockets driven by plain sendto/recvfrom
// (libuv's sendmsg/recvmsg, and its hand-off to the event loop, are not
// where a tool's BPF hooks expect the user's ends to be). Readiness comes
// from the runtime's epoll poller, so receiving costs nothing while idle.
// And the raw packet socket BCC's attach_raw_socket() opens for a socket filter.
import { c, errno, SockFprog, structSize } from './ffi.js';
import { echoReplyFilter, encodeFilter } from './sockfilter.js';
import { AF_INET, AF_INET6, ipString, sockaddr } from './addr.js';
import { LbcError } from './errors.js';
import { poller, whenReadable } from './poller.js';

const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_RAW = 3;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_TCP = 6;
const TCP_NODELAY = 1;
const SOL_SOCKET = 1;
const SO_ERROR = 4;
const SOL_RAW = 255;
const ICMP_FILTER = 1;
const ICMP6_FILTER = 1;
const SO_ATTACH_FILTER = 26;
const MSG_DONTWAIT = 0x40;
const EAGAIN = 11;
const EINPROGRESS = 115;
const POLLIN = 1;
const POLLOUT = 4;

export interface IcmpMessage {
  /**
   * What recvfrom returned: a raw IPv4 socket's packet with its IP header;
   * ICMPv6 without one; a UDP datagram's payload; a TCP socket's bytes.
   */
  packet: Buffer;
  from: string;
  /** CLOCK_MONOTONIC ns when recvfrom returned it: the moment user space had it */
  receivedNs: bigint;
}

export type ProbeProtocol = 'icmp' | 'udp' | 'tcp';
export interface ProbeKind { family: 4 | 6; protocol: ProbeProtocol }

export class ProbeSocket {
  private fd: number;
  private pollId = -1;
  private readonly buf = Buffer.alloc(65536);
  private readonly addr = Buffer.alloc(28);
  private drainNow: (() => void) | null = null;
  /** messages recvfrom returned to this process: what it woke up for */
  received = 0;

  private constructor(fd: number, readonly kind: ProbeKind) {
    this.fd = fd;
  }

  /** ICMP (raw), UDP or TCP, over IPv4 or IPv6; non-blocking. */
  static open(kind: ProbeKind = { family: 4, protocol: 'icmp' }): ProbeSocket {
    const domain = kind.family === 6 ? AF_INET6 : AF_INET;
    const [type, proto] = kind.protocol === 'icmp' ? [SOCK_RAW, kind.family === 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP] : [kind.protocol === 'udp' ? SOCK_DGRAM : SOCK_STREAM, 0];
    const fd = c.socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto) as number;
    if (fd < 0) {
      const e = errno();
      throw new LbcError(`cannot open ${kind.protocol === 'icmp' ? 'a raw ICMP' : `a ${kind.protocol.toUpperCase()}`} socket (IPv${kind.family})`, {
        errno: e, hint: e === 1 || e === 13 ? 'run as root (or with CAP_NET_RAW)' : undefined,
      });
    }
    if (kind.protocol === 'tcp') {
      // every probe its own segment, now: Nagle would hold one back for the previous one's ACK
      const one = Buffer.alloc(4);
      one.writeInt32LE(1);
      c.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, one, 4);
    }
    return new ProbeSocket(fd, kind);
  }

  /** Deliver only these ICMP types (the kernel drops the rest before we see them). */
  acceptOnly(types: number[]): void {
    if (this.kind.protocol !== 'icmp') throw new LbcError('acceptOnly: ICMP sockets only');
    if (this.kind.family === 4) {
      let blocked = 0xffffffff;
      for (const t of types) blocked &= ~(1 << t) >>> 0;
      const v = Buffer.alloc(4);
      v.writeUInt32LE(blocked >>> 0);
      if ((c.setsockopt(this.fd, SOL_RAW, ICMP_FILTER, v, 4) as number) < 0) throw new LbcError('setsockopt(ICMP_FILTER)', { errno: errno() });
      return;
    }
    // ICMP6_FILTER: 256 bits, a set bit blocks that type
    const v = Buffer.alloc(32, 0xff);
    for (const t of types) v[t >> 3]! &= ~(1 << (t & 7));
    if ((c.setsockopt(this.fd, IPPROTO_ICMPV6, ICMP6_FILTER, v, 32) as number) < 0) throw new LbcError('setsockopt(ICMP6_FILTER)', { errno: errno() });
  }

  /**
   * Deliver only echo replies with this identifier whose payload starts with
   * `payload`: a classic BPF filter, so other replies in the namespace (which
   * the kernel hands to every raw ICMP socket) never wake us. What was queued
   * before the filter was attached is discarded.
   */
  acceptEchoReplies(id: number, payload?: Uint8Array): void {
    if (this.kind.protocol !== 'icmp') throw new LbcError('acceptEchoReplies: ICMP sockets only');
    const filter = encodeFilter(echoReplyFilter({ family: this.kind.family, id, payload }));
    if ((c.setsockopt_fprog(this.fd, SOL_SOCKET, SO_ATTACH_FILTER, { len: filter.length / 8, filter }, structSize(SockFprog)) as number) < 0) {
      throw new LbcError('setsockopt(SO_ATTACH_FILTER)', { errno: errno() });
    }
    const alen = [this.addr.length];
    while (Number(c.recvfrom(this.fd, this.buf, this.buf.length, MSG_DONTWAIT, this.addr, alen)) >= 0) alen[0] = this.addr.length;
  }

  /** Bind to any local address and a free port (to know the port before connecting). */
  bind(): void {
    const any = sockaddr(this.kind.family === 6 ? '::' : '0.0.0.0', 0);
    if ((c.bind(this.fd, any, any.length) as number) < 0) throw new LbcError('bind', { errno: errno() });
  }

  /** TCP: connect, waiting up to `timeoutMs`; the kernel's reason on failure. */
  connect(to: Buffer, timeoutMs = 3000): void {
    if ((c.connect(this.fd, to, to.length) as number) === 0) return;
    let e = errno();
    if (e !== EINPROGRESS) throw new LbcError('connect', { errno: e });
    const pfd = Buffer.alloc(8);
    pfd.writeInt32LE(this.fd, 0);
    pfd.writeInt16LE(POLLOUT, 4);
    if ((c.poll(pfd, 1, timeoutMs) as number) <= 0) throw new LbcError(`connect: no answer within ${timeoutMs} ms`);
    const v = Buffer.alloc(4);
    const len = [4];
    c.getsockopt(this.fd, SOL_SOCKET, SO_ERROR, v, len);
    e = v.readInt32LE(0);
    if (e) throw new LbcError('connect', { errno: e });
  }

  /** This end's address and port (after connect, or a send that bound it). */
  localAddress(): { address: string; port: number } {
    const a = Buffer.alloc(28);
    const len = [a.length];
    if ((c.getsockname(this.fd, a, len) as number) < 0) throw new LbcError('getsockname', { errno: errno() });
    const family = a.readUInt16LE(0);
    return { address: family === AF_INET6 ? ipString(a.subarray(8, 24)) : ipString(a.subarray(4, 8)), port: a.readUInt16BE(2) };
  }

  /** Send (to an address for ICMP/UDP; `null` on a connected socket). */
  send(to: Buffer | string | null, data: Uint8Array): void {
    const addr = typeof to === 'string' ? sockaddr(to) : to;
    const n = Number(c.sendto(this.fd, data, data.length, 0, addr, addr ? addr.length : 0));
    if (n < 0) throw new LbcError(`sendto${typeof to === 'string' ? ` ${to}` : ''}`, { errno: errno() });
  }

  /** Call `cb` for every message as it arrives; drained in batches, woken by epoll. */
  onMessage(cb: (m: IcmpMessage) => void): void {
    if (this.pollId >= 0) throw new LbcError('onMessage: already listening');
    const source = {
      drain: (budget: number): number => {
        let n = 0;
        for (; n < budget; n++) {
          const alen = [this.addr.length];
          const got = Number(c.recvfrom(this.fd, this.buf, this.buf.length, MSG_DONTWAIT, this.addr, alen));
          const receivedNs = process.hrtime.bigint();
          if (got < 0) {
            const e = errno();
            if (e === EAGAIN) break;
            throw new LbcError('recvfrom', { errno: e });
          }
          this.received++;
          if (got === 0 && this.kind.protocol === 'tcp') {
            cb({ packet: Buffer.alloc(0), from: '', receivedNs }); // the peer closed
            break;
          }
          cb({ packet: Buffer.from(this.buf.subarray(0, got)), from: this.fromAddress(alen[0]!), receivedNs });
        }
        return n;
      },
    };
    this.drainNow = () => source.drain(1 << 30);
    this.pollId = poller.add(this.fd, source);
  }

  private fromAddress(len: number): string {
    const family = this.addr.readUInt16LE(0);
    if (len >= 8 && family === AF_INET) return ipString(this.addr.subarray(4, 8));
    if (len >= 24 && family === AF_INET6) return ipString(this.addr.subarray(8, 24));
    return '';
  }

  /**
   * Send, then wait up to `waitMs` on this thread for the reply, as a
   * single-threaded C tool (ping) does: the reply then wakes the thread that
   * sent, on the CPU it sent from, instead of the poller thread on another
   * CPU and a hand-off to the event loop, which a latency tool would measure
   * as the network's. The event loop is held for at most `waitMs`; a later
   * reply (a real link) arrives through onMessage as usual.
   */
  sendAndReceive(to: Buffer | null, data: Uint8Array, waitMs = 5): void {
    const paused = this.pollId >= 0;
    if (paused) poller.pause(this.pollId, true);
    try {
      const n = Number(c.sendto(this.fd, data, data.length, 0, to, to ? to.length : 0));
      if (n < 0) throw new LbcError('sendto', { errno: errno() });
      const pfd = Buffer.alloc(8);
      pfd.writeInt32LE(this.fd, 0);
      pfd.writeInt16LE(POLLIN, 4);
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

/** The IPv4 ICMP probe socket: `IcmpSocket.open()`. */
export const IcmpSocket = ProbeSocket;

// A raw packet socket on one device with a socket filter program attached: what BCC's
// attach_raw_socket() makes for a SOCKET_FILTER program, whose kept packets the tool then reads.
const AF_PACKET = 17;
const ETH_P_ALL = 0x0003;
const SO_ATTACH_BPF = 50;

/** Every packet on `device`, as the program `progFd` keeps them; non-blocking, as BCC opens it. */
export function openPacketSocket(device: string, progFd: number): number {
  const proto = ((ETH_P_ALL & 0xff) << 8) | (ETH_P_ALL >> 8);
  const fd = c.socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto) as number;
  if (fd < 0) {
    const e = errno();
    throw new LbcError('cannot open a raw packet socket', { errno: e, hint: e === 1 || e === 13 ? 'run as root (or with CAP_NET_RAW)' : undefined });
  }
  const fail = (what: string, hint?: string): never => {
    const e = errno();
    c.close(fd);
    throw new LbcError(what, { errno: e, hint });
  };
  const ifindex = c.if_nametoindex(device) as number;
  if (!ifindex) fail(`no network device ${device}`, 'ip link lists the devices');
  // struct sockaddr_ll: family, protocol (network order), ifindex; the rest zero
  const sll = Buffer.alloc(20);
  sll.writeUInt16LE(AF_PACKET, 0);
  sll.writeUInt16LE(proto, 2);
  sll.writeInt32LE(ifindex, 4);
  if ((c.bind(fd, sll, sll.length) as number) < 0) fail(`cannot bind a packet socket to ${device}`);
  const prog = Buffer.alloc(4);
  prog.writeInt32LE(progFd);
  if ((c.setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, prog, 4) as number) < 0) fail(`cannot attach the socket filter to the packet socket on ${device}`);
  return fd;
}

const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;

/** The fd calls Python's os and socket need for such a socket, which Node has not */
export const kernelFds = {
  whenReadable,
  dup(fd: number): number {
    const d = c.dup(fd) as number;
    if (d < 0) throw new LbcError(`dup(${fd})`, { errno: errno() });
    return d;
  },
  setBlocking(fd: number, blocking: boolean): void {
    const fl = c.fcntl(fd, F_GETFL, 'int', 0) as number;
    if (fl < 0 || (c.fcntl(fd, F_SETFL, 'int', blocking ? fl & ~O_NONBLOCK : fl | O_NONBLOCK) as number) < 0) throw new LbcError(`fcntl(${fd})`, { errno: errno() });
  },
};
