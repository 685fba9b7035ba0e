// What both ends share: the probe packet, the kernel-side skeleton set-up,
// and the report the server sends back.
import * as fs from 'node:fs';
import { isIP } from 'node:net';
import { inetChecksum, ipString, ipv6Bytes, NotSupportedError, LbcError, sockaddrIn, type Link, type Program, type RingBufferConsumer } from '@lcc-ebpf/lbc';
import { PingtraceSkeleton, PtEvent, PtHook, PtRecord, PtRole } from '../pingtrace.skel.js';

export const MAGIC = Buffer.from('LCCP');
export const MIN_SIZE = 16; // payload: magic, session, report port, pad, 4 spare
/** TCP probes are fixed-size records in the stream: the server echoes them record by record. */
export const TAG_SIZE = 16;
/** Where `pingtrace --server` takes UDP and TCP probes (both families). */
export const DEFAULT_PORT = 7807;
export const REQUEST = 8;
export const REPLY = 0;
/** TCP: the first record on a connection, echoed unchanged; it sets where records start */
export const HELLO = 2;

export type Protocol = 'icmp' | 'udp' | 'tcp';
export interface ProbeSpec { family: 4 | 6; protocol: Protocol }

const IPPROTO: Record<string, number> = { icmp4: 1, icmp6: 58, udp: 17, tcp: 6 };
export const ipproto = (p: ProbeSpec): number => IPPROTO[p.protocol === 'icmp' ? `icmp${p.family}` : p.protocol]!;

/**
 * One probe as sent, or TCP's hello record (the first on a connection; for a
 * handshake probe it names the probe, whose SYN carried no tag). ICMP: an echo request (type 8, or 128 for ICMPv6, whose
 * checksum the kernel fills in) whose payload starts magic | session | report
 * port. UDP and TCP: the tag itself, magic | session | report port | seq | type.
 */
export function probePacket(spec: ProbeSpec, id: number, seq: number, session: number, reportPort: number, size: number, hello?: 'data' | 'handshake'): Buffer {
  if (spec.protocol !== 'icmp') {
    const b = Buffer.alloc(spec.protocol === 'tcp' ? TAG_SIZE : Math.max(size, TAG_SIZE));
    MAGIC.copy(b, 0);
    b.writeUInt32LE(session >>> 0, 4); // compared as raw bytes in the kernel
    b.writeUInt16BE(reportPort, 8);
    b.writeUInt16BE(seq & 0xffff, 10);
    b.writeUInt8(hello ? HELLO : REQUEST, 12);
    b.writeUInt8(hello === 'handshake' ? 1 : 0, 13);
    for (let i = TAG_SIZE; i < b.length; i++) b[i] = i & 0xff;
    return b;
  }
  const payload = Math.max(size, MIN_SIZE);
  const b = Buffer.alloc(8 + payload);
  b.writeUInt8(spec.family === 6 ? 128 : 8, 0);
  b.writeUInt16BE(id & 0xffff, 4);
  b.writeUInt16BE(seq & 0xffff, 6);
  probeTag(session).copy(b, 8);
  b.writeUInt16BE(reportPort, 16);
  for (let i = 20; i < b.length; i++) b[i] = i & 0xff;
  if (spec.family === 4) b.writeUInt16BE(inetChecksum(b), 2);
  return b;
}

/** How an ICMP probe's payload (and so its reply's) starts: magic | session. */
export function probeTag(session: number): Buffer {
  const b = Buffer.alloc(8);
  MAGIC.copy(b, 0);
  b.writeUInt32LE(session >>> 0, 4); // compared as raw bytes in the kernel
  return b;
}

export interface EchoReply { id: number; seq: number; session: number }

/** A reply to one of our probes, from what the probe socket received (one record for TCP). */
export function parseProbeReply(spec: ProbeSpec, packet: Buffer): EchoReply | null {
  if (spec.protocol !== 'icmp') {
    if (packet.length < TAG_SIZE || !packet.subarray(0, 4).equals(MAGIC) || packet[12] !== REPLY) return null;
    return { id: 0, seq: packet.readUInt16BE(10), session: packet.readUInt32LE(4) };
  }
  let icmp = packet;
  if (spec.family === 4) {
    if (packet.length < 20 || packet[0]! >> 4 !== 4) return null;
    icmp = packet.subarray((packet[0]! & 0x0f) * 4);
  }
  if (icmp.length < 16 || icmp[0] !== (spec.family === 6 ? 129 : 0) || !icmp.subarray(8, 12).equals(MAGIC)) return null;
  return { id: icmp.readUInt16BE(4), seq: icmp.readUInt16BE(6), session: icmp.readUInt32LE(12) };
}

export function netnsInode(): number {
  return fs.statSync('/proc/self/ns/net').ino;
}

/** tcp_conns' key: the client's end of a probe connection (the client's own side keys by port alone: null). */
export function connKey(address: string | null, port: number): { addr: number[]; port: number; _pad: number } {
  const addr = new Array<number>(16).fill(0);
  if (address) (isIP(address) === 6 ? ipv6Bytes(address) : sockaddrIn(address).subarray(4, 8)).forEach((b, i) => (addr[i] = b));
  return { addr, port, _pad: 0 };
}

/** An event's address bytes as text, by the event's family. */
export const eventAddress = (bytes: number[], family: number): string => ipString(Uint8Array.from(bytes.slice(0, family === 6 ? 16 : 4)));

export interface StageSet {
  name: string;
  /** why the finer set is not in use */
  note?: string;
}

const KPROBES = ['kp_ip_rcv', 'kp_icmp_rcv', 'kp_raw_deliver'] as const;

/**
 * The client's programs that every packet and every context switch of the
 * machine would call, attached only while one of its probes is out. A call
 * that returns at once still costs ~80 ns here (the tracepoint, the program
 * call, retpolines): attached for good, the client's eight calls per round
 * trip of a neighbour's ping added ~0.7 us to it. Attaching one takes 1-15 ms
 * (an RCU grace period, and a kernel text patch when it is the tracepoint's
 * first), so a client whose probes are closer than GATE_MIN_MS keeps them.
 * The syscall tracepoints stay: detaching one waits ~0.5 s for the kernel,
 * and they cost a neighbour's ping only its two syscalls' tracing.
 */
const GATED = ['tp_dev_queue', 'tp_start_xmit', 'tp_netif_rx', 'tp_gro_entry', 'tp_receive_skb', 'rtp_wakeup', 'rtp_switch', 'rtp_softirq_entry', 'rtp_softirq_exit'] as const;
export const GATE_MIN_MS = 200;

export class ProbeGate {
  /**
   * `links`: the programs attached now. A gate that holds them (probes too
   * close to attach around each) keeps them attached; close() does nothing.
   */
  constructor(private readonly progs: Program[], private links: Link[], private readonly keep: boolean) {}

  get isOpen(): boolean {
    return this.links.length > 0;
  }

  open(): void {
    if (this.isOpen) return;
    const links: Link[] = [];
    try {
      for (const p of this.progs) links.push(p.attach());
    } catch (e) {
      for (const l of links) l.destroy();
      throw e;
    }
    this.links = links;
  }

  close(): void {
    if (this.keep) return;
    for (const l of this.links.splice(0)) l.destroy();
  }
}

/** Load and attach the probes for one end; kprobe stages when the kernel has them. */
export function startTracing(role: number, opts: { session: number; tgid: number; spikes?: boolean; probe?: ProbeSpec; tcpPort?: number; holdProbes?: boolean }): { skel: PingtraceSkeleton; stageSet: StageSet; gate: ProbeGate } {
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) {
    throw new LbcError('this kernel has no BTF (/sys/kernel/btf/vmlinux)', { hint: 'pingtrace needs a kernel built with CONFIG_DEBUG_INFO_BTF' });
  }
  const skel = PingtraceSkeleton.open();
  try {
    skel.rodata.role = role;
    skel.rodata.netns_ino = netnsInode();
    skel.rodata.session = opts.session;
    skel.rodata.target_tgid = opts.tgid;
    // how the client's own send and receive buffers are laid out
    const spec = opts.probe ?? { family: 4, protocol: 'icmp' };
    skel.rodata.probe_proto = ipproto(spec);
    skel.rodata.probe_family = spec.family;
    skel.rodata.tcp_port = opts.tcpPort ?? 0;
    if (role === PtRole.PT_SERVER) {
      for (const p of ['rtp_wakeup', 'rtp_switch', 'kp_raw_deliver', 'tp_sendto', 'tp_connect', 'tp_connect_exit', 'tp_recv_enter', 'tp_recv_exit', 'tp_epoll_wait', 'tp_epoll_pwait', 'tp_epoll_wait_exit', 'tp_epoll_pwait_exit', 'tp_poll', 'tp_poll_exit', 'tp_sendto_exit'] as const) skel.progs[p].autoload = false;
    } else {
      skel.progs.kp_icmp_rcv.autoload = false;
    }
    // spike context: a stack with every event, softirq time per CPU (two
    // programs on every softirq of the machine): only when hunting spikes
    skel.rodata.want_stacks = opts.spikes ? 1 : 0;
    skel.progs.rtp_softirq_entry.autoload = !!opts.spikes;
    skel.progs.rtp_softirq_exit.autoload = !!opts.spikes;
    skel.rodata.rb_flags = 1n; // BPF_RB_NO_WAKEUP: see pingtrace.bpf.c
    skel.load();
    const gated: Program[] = [];
    const held: Link[] = [];
    for (const [name, prog] of Object.entries(skel.progs)) {
      if (!prog.autoload || (KPROBES as readonly string[]).includes(name)) continue;
      let link: Link;
      try {
        link = prog.attach();
      } catch (e) {
        // GRO's entry point is optional: veth and loopback arrive through netif_rx
        if (name === 'tp_gro_entry') continue;
        throw e;
      }
      // attached here all the same: what the kernel refuses, it refuses at start
      if (role === PtRole.PT_CLIENT && (GATED as readonly string[]).includes(name)) {
        gated.push(prog);
        if (opts.holdProbes) held.push(link);
        else link.destroy();
      }
    }
    let note: string | undefined;
    let kprobes = 0;
    for (const name of KPROBES) {
      const prog = skel.progs[name];
      if (!prog.autoload) continue;
      try {
        prog.attach();
        kprobes++;
      } catch (e) {
        if (!(e instanceof NotSupportedError) && !(e instanceof LbcError)) throw e;
        note = e instanceof NotSupportedError ? `kprobes unavailable (${e.feature})` : `kprobe stages unavailable: ${e.message.split('\n')[0]}`;
      }
    }
    return { skel, stageSet: kprobes ? { name: 'tracepoints+kprobes' } : { name: 'tracepoints', note }, gate: new ProbeGate(gated, held, !!opts.holdProbes) };
  } catch (e) {
    skel.destroy();
    throw e;
  }
}

/**
 * Each ring buffer record's event, and its kernel stack on demand: decoding a
 * record's 48 stack words costs five times its event (1.7 against 0.3 us),
 * and only the client keeps stacks, when hunting spikes, of the hooks where
 * stages end. `stack()` reads the ring's memory: call it within the handler.
 */
export function onRecords(skel: PingtraceSkeleton, handler: (e: PtEvent, stack: () => bigint[]) => void): RingBufferConsumer {
  const { e, frames, stack } = PtRecord.fields;
  return skel.obj.ringBuffer('events', (dv, off) => {
    handler(PtEvent.decode(dv, off + e!.offset), () => {
      const n = Math.min(dv.getUint32(off + frames!.offset, true), stack!.size / 8);
      return Array.from({ length: n }, (_, i) => dv.getBigUint64(off + stack!.offset + 8 * i, true));
    });
  });
}

/** The server's timestamps for one probe, as it sends them to the client. */
export interface Report {
  session: number;
  seq: number;
  /** the server address the probe was sent to */
  target?: string;
  rxArrive?: string;
  rxProto?: string;
  txQueue?: string;
  startXmit?: string;
}

export const reportTimes = (r: Report): { rxArrive?: bigint; rxProto?: bigint; txQueue?: bigint; startXmit?: bigint } => ({
  rxArrive: r.rxArrive ? BigInt(r.rxArrive) : undefined,
  rxProto: r.rxProto ? BigInt(r.rxProto) : undefined,
  txQueue: r.txQueue ? BigInt(r.txQueue) : undefined,
  startXmit: r.startXmit ? BigInt(r.startXmit) : undefined,
});

export { PtHook, PtRole, type PtEvent };
