// A raw packet socket on one device with a socket filter program attached:
// what BCC's attach_raw_socket() makes for a SOCKET_FILTER program, whose
// kept packets the tool then reads from the socket.
import { c, errno } from './ffi.js';
import { LbcError } from './errors.js';
import { whenReadable } from './poller.js';

const AF_PACKET = 17;
const SOCK_RAW = 3;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const ETH_P_ALL = 0x0003;
const SOL_SOCKET = 1;
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
