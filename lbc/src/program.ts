// A program of an object: its SEC() kind, autoload switch, and every way to
// attach it. Attach failures carry libbpf's reason and, where the kernel lacks
// the feature, say which feature and what to use instead.
import { bpf, c, decodeString, errno, isNull, KsyscallOpts, PerfEventAttr, perfEventOpen, structSize, TcHook, TcOpts, UprobeOpts, UsdtOpts, type Ptr } from './ffi.js';
import { LbcError, NotSupportedError, UsageError } from './errors.js';
import { libbpfReason, withLibbpfLog } from './log.js';
import { FEATURE_OF, parseSection, type ProgramKind } from './section.js';
import { LibbpfLink, MultiLink, TcLink, type Link } from './link.js';
import { ensureTracefs, TRACEFS } from './sysfs.js';
import { onlineCpus } from './ring.js';

export type AttachTarget =
  | { kprobe: string; offset?: number }
  | { kretprobe: string }
  | { ksyscall: string }
  | { kretsyscall: string }
  | { uprobe: { binary: string; symbol?: string; offset?: number; pid?: number } }
  | { uretprobe: { binary: string; symbol?: string; offset?: number; pid?: number } }
  | { usdt: { binary: string; provider: string; name: string; pid?: number; cookie?: bigint } }
  | { tracepoint: string }
  | { rawTracepoint: string }
  | { trace: true }
  | { perfEvent: { type: number; config: number; samplePeriod?: number; frequency?: number; cpus?: number[] } }
  | { xdp: string | number; flags?: number }
  | { tc: { interface: string | number; direction: 'ingress' | 'egress'; priority?: number; handle?: number } }
  | { cgroup: string };

interface Owner {
  readonly name: string;
  readonly state: 'opened' | 'loaded' | 'destroyed';
}

const O_RDONLY = 0;
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;

export { kprobesAvailable, uprobesAvailable } from './features.js';
import { kprobesAvailable, uprobesAvailable } from './features.js';

export class Program {
  readonly name: string;
  readonly section: string;
  readonly kind: ProgramKind;
  /** the attach target written in the SEC() name, '' when there is none */
  readonly target: string;

  constructor(
    private readonly owner: Owner,
    private readonly handle: Ptr,
    private readonly onLink: (l: Link) => void,
  ) {
    this.name = decodeString(bpf.prog_name(handle));
    this.section = decodeString(bpf.prog_section(handle));
    const info = parseSection(this.section);
    this.kind = info.kind;
    this.target = info.target;
  }

  get autoload(): boolean {
    return bpf.prog_autoload(this.handle) as boolean;
  }

  /** Switch a program off (or on) before load: it is then neither loaded nor attached. */
  set autoload(on: boolean) {
    if (this.owner.state !== 'opened') throw new UsageError(`program ${this.name}: autoload can change only before load()`);
    bpf.prog_set_autoload(this.handle, on);
  }

  private logBuffer?: Buffer;

  /**
   * Keep the verifier's log of this program's load, success or not (level 1:
   * the instructions; 2: also every state; 4: statistics only, as veristat
   * asks), to read with `verifierLog` after load().
   */
  keepVerifierLog(level = 4, bytes = 1 << 20): void {
    if (this.owner.state !== 'opened') throw new UsageError(`program ${this.name}: the verifier log is asked for before load()`);
    this.logBuffer = Buffer.alloc(bytes);
    bpf.prog_set_log_buf(this.handle, this.logBuffer, bytes);
    bpf.prog_set_log_level(this.handle, level);
  }

  /** What the verifier wrote while loading this program (keepVerifierLog first). */
  get verifierLog(): string {
    if (!this.logBuffer) return '';
    const end = this.logBuffer.indexOf(0);
    return this.logBuffer.toString('utf8', 0, end < 0 ? this.logBuffer.length : end);
  }

  get fd(): number {
    if (this.owner.state !== 'loaded') throw new UsageError(`program ${this.name}: no fd before load()`);
    const fd = bpf.prog_fd(this.handle) as number;
    if (fd < 0) throw new UsageError(`program ${this.name} was not loaded (autoload off?)`);
    return fd;
  }

  /** Can `attach()` with no target work from the SEC() name alone? */
  get autoAttachable(): boolean {
    if (['xdp', 'tc', 'socket', 'perf_event', 'syscall', 'unknown', 'struct_ops', 'sk_skb', 'sk_msg', 'sockops', 'flow_dissector', 'lwt'].includes(this.kind)) return false;
    if (this.kind.startsWith('cgroup')) return false;
    if ((this.kind === 'uprobe' || this.kind === 'uretprobe' || this.kind === 'usdt' || this.kind === 'kprobe' || this.kind === 'kretprobe') && !this.target) return false;
    return true;
  }

  /**
   * Attach by the SEC() name, or to an explicit target. Returns the link,
   * which the object also owns (destroy() detaches it).
   */
  attach(target?: AttachTarget): Link {
    if (this.owner.state !== 'loaded') throw new UsageError(`program ${this.name}: attach() works only after load()`);
    const fd = this.fd;
    const link = this.doAttach(fd, target);
    this.onLink(link);
    return link;
  }

  private libbpf(what: string, kind: ProgramKind, call: () => Ptr): LibbpfLink {
    if (['tracepoint', 'kprobe', 'kretprobe', 'uprobe', 'uretprobe', 'ksyscall', 'kretsyscall'].includes(kind)) ensureTracefs();
    const { result: link, log } = withLibbpfLog(call);
    if (isNull(link)) {
      const err = errno();
      throw this.attachError(what, kind, err, log);
    }
    return new LibbpfLink(link, this.name, what);
  }

  private attachError(what: string, kind: ProgramKind, err: number, log: string): LbcError {
    const feature = FEATURE_OF[kind];
    const reason = libbpfReason(log);
    const full = `attach ${this.name} to ${what}${reason ? ` (kernel/libbpf said: ${reason})` : ''}`;
    if (feature) {
      const missing =
        ((kind === 'kprobe' || kind === 'kretprobe' || kind === 'ksyscall' || kind === 'kretsyscall') && !kprobesAvailable()) ||
        ((kind === 'uprobe' || kind === 'uretprobe' || kind === 'usdt') && !uprobesAvailable()) ||
        ((kind === 'fentry' || kind === 'fexit') && (err === 524 || err === 95));
      if (missing) return new NotSupportedError(full, feature.feature, feature.alternative, err);
    }
    if (kind === 'usdt' && err === 2) {
      return new LbcError(full, { errno: err, hint: "no such USDT probe in that binary (or no such binary): the SDT notes list them, as BCC's tplist -l BINARY prints them" });
    }
    if (kind === 'tracepoint' && err === 2) {
      return new LbcError(full, { errno: err, hint: `no such tracepoint: list them under ${TRACEFS}/events/` });
    }
    if ((kind === 'kprobe' || kind === 'kretprobe') && err === 2) {
      return new LbcError(full, { errno: err, hint: 'no such kernel function (inlined or not traceable?): see /proc/kallsyms and available_filter_functions' });
    }
    return new LbcError(full, { errno: err });
  }

  private doAttach(fd: number, t?: AttachTarget): Link {
    const h = this.handle;
    const cs = (s: string): Buffer => Buffer.from(`${s}\0`);
    if (!t) {
      if (!this.autoAttachable) {
        throw new UsageError(`program ${this.name} (SEC("${this.section}")) needs an explicit target: program('${this.name}').attach({ ... })`);
      }
      return this.libbpf(`${this.section}`, this.kind, () => bpf.attach(h));
    }
    if ('kprobe' in t) {
      return this.libbpf(`kprobe ${t.kprobe}`, 'kprobe', () => bpf.attach_kprobe(h, false, cs(t.kprobe)));
    }
    if ('kretprobe' in t) {
      return this.libbpf(`kretprobe ${t.kretprobe}`, 'kretprobe', () => bpf.attach_kprobe(h, true, cs(t.kretprobe)));
    }
    if ('ksyscall' in t || 'kretsyscall' in t) {
      const ret = 'kretsyscall' in t;
      const name = 'ksyscall' in t ? t.ksyscall : t.kretsyscall;
      const opts = { sz: structSize(KsyscallOpts), bpf_cookie: 0n, retprobe: ret };
      return this.libbpf(`${ret ? 'kretsyscall' : 'ksyscall'} ${name}`, ret ? 'kretsyscall' : 'ksyscall', () => bpf.attach_ksyscall(h, cs(name), opts));
    }
    if ('uprobe' in t || 'uretprobe' in t) {
      const ret = 'uretprobe' in t;
      const u = 'uprobe' in t ? t.uprobe : t.uretprobe;
      const opts = { sz: structSize(UprobeOpts), ref_ctr_offset: 0, bpf_cookie: 0n, retprobe: ret, func_name: u.symbol ? cs(u.symbol) : null };
      const what = `${ret ? 'uretprobe' : 'uprobe'} ${u.binary}:${u.symbol ?? ''}${u.offset ? `+${u.offset}` : ''}`;
      return this.libbpf(what, ret ? 'uretprobe' : 'uprobe', () => bpf.attach_uprobe_opts(h, u.pid ?? -1, cs(u.binary), u.offset ?? 0, opts));
    }
    if ('usdt' in t) {
      const u = t.usdt;
      const opts = { sz: structSize(UsdtOpts), usdt_cookie: u.cookie ?? 0n };
      return this.libbpf(`usdt ${u.binary}:${u.provider}:${u.name}`, 'usdt', () => bpf.attach_usdt(h, u.pid ?? -1, cs(u.binary), cs(u.provider), cs(u.name), opts));
    }
    if ('tracepoint' in t) {
      const [cat, name] = t.tracepoint.split('/');
      if (!cat || !name) throw new UsageError(`tracepoint "${t.tracepoint}": write it as "category/name"`);
      return this.libbpf(`tracepoint ${t.tracepoint}`, 'tracepoint', () => bpf.attach_tracepoint(h, cs(cat), cs(name)));
    }
    if ('rawTracepoint' in t) {
      return this.libbpf(`raw tracepoint ${t.rawTracepoint}`, 'raw_tracepoint', () => bpf.attach_raw_tracepoint(h, cs(t.rawTracepoint)));
    }
    if ('trace' in t) {
      return this.libbpf(`${this.section}`, this.kind, () => bpf.attach_trace(h));
    }
    if ('perfEvent' in t) return this.attachPerfEvent(t.perfEvent);
    if ('xdp' in t) {
      const ifindex = ifIndex(t.xdp);
      return this.libbpf(`xdp on ${t.xdp}`, 'xdp', () => bpf.attach_xdp(h, ifindex));
    }
    if ('tc' in t) return this.attachTc(fd, t.tc);
    if ('cgroup' in t) {
      const cg = c.open(cs(t.cgroup), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) as number;
      if (cg < 0) throw new LbcError(`open cgroup ${t.cgroup}`, { errno: errno() });
      try {
        return this.libbpf(`cgroup ${t.cgroup}`, this.kind, () => bpf.attach_cgroup(h, cg));
      } finally {
        c.close(cg); // the link holds its own reference
      }
    }
    throw new UsageError(`program ${this.name}: unknown attach target ${JSON.stringify(t)}`);
  }

  private attachPerfEvent(pe: { type: number; config: number; samplePeriod?: number; frequency?: number; cpus?: number[] }): Link {
    const freq = pe.frequency !== undefined;
    const attr = perfEventAttr(pe.type, pe.config, BigInt(freq ? pe.frequency! : (pe.samplePeriod ?? 1)), freq);
    const links: Link[] = [];
    const fds: number[] = [];
    try {
      for (const cpu of pe.cpus ?? onlineCpus()) {
        const pfd = perfEventOpen(attr, -1, cpu);
        if (pfd < 0) throw new LbcError(`perf_event_open(type ${pe.type}, config ${pe.config}) on CPU ${cpu}`, { errno: errno() });
        fds.push(pfd);
        links.push(this.libbpf(`perf event on CPU ${cpu}`, 'perf_event', () => bpf.attach_perf_event(this.handle, pfd)));
      }
    } catch (e) {
      new MultiLink(links, fds, this.name, '').destroy();
      throw e;
    }
    return new MultiLink(links, fds, this.name, `perf event type ${pe.type} config ${pe.config} on ${fds.length} CPUs`);
  }

  private attachTc(fd: number, tc: { interface: string | number; direction: 'ingress' | 'egress'; priority?: number; handle?: number }): Link {
    const ifindex = ifIndex(tc.interface);
    const hook = { sz: structSize(TcHook), ifindex, attach_point: tc.direction === 'ingress' ? 1 : 2, parent: 0 };
    const rc = bpf.tc_hook_create(hook) as number;
    if (rc < 0 && rc !== -17) throw new LbcError(`tc: create clsact qdisc on ${tc.interface}`, { errno: -rc });
    const opts = { sz: structSize(TcOpts), prog_fd: fd, flags: 0, prog_id: 0, handle: tc.handle ?? 1, priority: tc.priority ?? 1 };
    const { result: arc, log } = withLibbpfLog(() => bpf.tc_attach(hook, opts) as number);
    if (arc < 0) throw new LbcError(`attach ${this.name} to tc ${tc.direction} of ${tc.interface}${log ? ` (${libbpfReason(log)})` : ''}`, { errno: -arc });
    return new TcLink(hook, { sz: opts.sz, handle: opts.handle, priority: opts.priority }, rc === 0, this.name, `tc ${tc.direction} on ${tc.interface}`);
  }
}

export function ifIndex(name: string | number): number {
  if (typeof name === 'number') return name;
  const i = c.if_nametoindex(Buffer.from(`${name}\0`)) as number;
  if (!i) throw new UsageError(`no network interface named ${name} (see "ip link")`);
  return i;
}

/** A perf_event_attr: counting `config` of `type`, sampling every `period` events (or `period` times a second with `freq`) */
function perfEventAttr(type: number, config: number | bigint, period: bigint, freq = false): Record<string, unknown> {
  return {
    type, size: structSize(PerfEventAttr), config: BigInt(config),
    sample_period: period, sample_type: 0n, read_format: 0n,
    flags: freq ? 1n << 10n : 0n, // bit 10: freq
    wakeup_events: 0, bp_type: 0, config1: 0n, config2: 0n, branch_sample_type: 0n, sample_regs_user: 0n,
    sample_stack_user: 0, clockid: 0, sample_regs_intr: 0n, aux_watermark: 0, sample_max_stack: 0, _reserved_2: 0,
    aux_sample_size: 0, _reserved_3: 0, sig_data: 0n, config3: 0n,
  };
}

/**
 * A counter of `config` of `type` on one CPU (of process `pid`, or of every one: -1), enabled, that never
 * samples: its fd, which a perf event array holds for programs' bpf_perf_event_read(). The caller closes it.
 */
export function openPerfCounter(type: number, config: number | bigint, pid: number, cpu: number): number {
  // (a period no count reaches, as BCC's bpf_open_perf_event sets: a counter, no overflow interrupts)
  const fd = perfEventOpen(perfEventAttr(type, config, 0x7fffffffffffffffn), pid, cpu);
  if (fd < 0) throw new LbcError(`perf_event_open(type ${type}, config ${config}) on CPU ${cpu}`, { errno: errno() });
  return fd;
}
