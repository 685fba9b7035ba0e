// What both ends share: the probe packet, the kernel-side skeleton set-up,
// and the report the server sends back.
import * as fs from 'node:fs';
import { inetChecksum, NotSupportedError, LbcError } from 'lcc/lbc';
import { PingtraceSkeleton, PtHook, PtRole, type PtEvent } from '../pingtrace.skel.js';

export const MAGIC = Buffer.from('LCCP');
export const MIN_SIZE = 16; // payload: magic, session, report port, pad, 4 spare

/** ICMP echo request: header, then magic | session | report port | pad | filler. */
export function echoRequest(id: number, seq: number, session: number, reportPort: number, size: number): Buffer {
  const payload = Math.max(size, MIN_SIZE);
  const b = Buffer.alloc(8 + payload);
  b.writeUInt8(8, 0);
  b.writeUInt16BE(id & 0xffff, 4);
  b.writeUInt16BE(seq & 0xffff, 6);
  MAGIC.copy(b, 8);
  b.writeUInt32LE(session >>> 0, 12); // compared as raw bytes in the kernel
  b.writeUInt16BE(reportPort, 16);
  for (let i = 20; i < b.length; i++) b[i] = i & 0xff;
  b.writeUInt16BE(inetChecksum(b), 2);
  return b;
}

export interface EchoReply { id: number; seq: number; session: number }

/** An echo reply to one of our probes, from a raw socket's IPv4 packet. */
export function parseReply(packet: Buffer): EchoReply | null {
  if (packet.length < 20 || packet[0]! >> 4 !== 4) return null;
  const ihl = (packet[0]! & 0x0f) * 4;
  const icmp = packet.subarray(ihl);
  if (icmp.length < 16 || icmp[0] !== 0 || !icmp.subarray(8, 12).equals(MAGIC)) return null;
  return { id: icmp.readUInt16BE(4), seq: icmp.readUInt16BE(6), session: icmp.readUInt32LE(12) };
}

export function netnsInode(): number {
  return fs.statSync('/proc/self/ns/net').ino;
}

export const ipString = (n: number): string => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.');

export interface StageSet {
  name: string;
  /** why the finer set is not in use */
  note?: string;
}

const KPROBES = ['kp_ip_rcv', 'kp_icmp_rcv', 'kp_raw_deliver'] as const;

/** Load and attach the probes for one end; kprobe stages when the kernel has them. */
export function startTracing(role: number, opts: { session: number; tgid: number; spikes?: boolean }): { skel: PingtraceSkeleton; stageSet: StageSet } {
  if (!fs.existsSync('/sys/kernel/btf/vmlinux')) {
    throw new LbcError('this kernel has no BTF (/sys/kernel/btf/vmlinux)', { hint: 'pingtrace needs a kernel built with CONFIG_DEBUG_INFO_BTF' });
  }
  const skel = PingtraceSkeleton.open();
  try {
    skel.rodata.role = role;
    skel.rodata.netns_ino = netnsInode();
    skel.rodata.session = opts.session;
    skel.rodata.target_tgid = opts.tgid;
    if (role === PtRole.PT_SERVER) {
      for (const p of ['rtp_wakeup', 'rtp_switch', 'kp_raw_deliver', 'tp_sendto', 'tp_recv_enter', 'tp_recv_exit', 'tp_epoll_wait', 'tp_epoll_pwait', 'tp_epoll_wait_exit', 'tp_epoll_pwait_exit', 'tp_poll', 'tp_poll_exit', 'tp_sendto_exit'] as const) skel.progs[p].autoload = false;
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
    for (const [name, prog] of Object.entries(skel.progs)) {
      if (!prog.autoload || (KPROBES as readonly string[]).includes(name)) continue;
      try {
        prog.attach();
      } catch (e) {
        // GRO's entry point is optional: veth and loopback arrive through netif_rx
        if (name === 'tp_gro_entry') continue;
        throw e;
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
    return { skel, stageSet: kprobes ? { name: 'tracepoints+kprobes' } : { name: 'tracepoints', note } };
  } catch (e) {
    skel.destroy();
    throw e;
  }
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
