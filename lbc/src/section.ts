// What a SEC("...") name means: the program kind and its attach target, as
// libbpf's section table reads it. Shared by the runtime (attach, errors) and
// `lcc gen` (the model), so both agree on every name.

export type ProgramKind =
  | 'kprobe' | 'kretprobe' | 'ksyscall' | 'kretsyscall' | 'uprobe' | 'uretprobe' | 'usdt'
  | 'tracepoint' | 'raw_tracepoint' | 'raw_tracepoint_writable' | 'tp_btf'
  | 'fentry' | 'fexit' | 'fmod_ret' | 'lsm' | 'iter'
  | 'perf_event' | 'xdp' | 'tc' | 'socket' | 'sk_skb' | 'sk_msg' | 'sk_lookup' | 'sockops' | 'flow_dissector'
  | 'cgroup_skb' | 'cgroup_sock' | 'cgroup_sock_addr' | 'cgroup_sockopt' | 'cgroup_sysctl' | 'cgroup_device'
  | 'lwt' | 'struct_ops' | 'syscall' | 'unknown';

export interface SectionInfo {
  kind: ProgramKind;
  /** what the program attaches to, as written after the prefix; '' when it has none */
  target: string;
  /** sleepable variant (".s" suffix) */
  sleepable: boolean;
}

const PREFIXES: [string, ProgramKind][] = [
  ['kprobe.multi', 'kprobe'], ['kretprobe.multi', 'kretprobe'], ['kprobe', 'kprobe'], ['kretprobe', 'kretprobe'],
  ['ksyscall', 'ksyscall'], ['kretsyscall', 'kretsyscall'],
  ['uprobe.multi', 'uprobe'], ['uretprobe.multi', 'uretprobe'], ['uprobe', 'uprobe'], ['uretprobe', 'uretprobe'], ['usdt', 'usdt'],
  ['tracepoint', 'tracepoint'], ['tp', 'tracepoint'],
  ['raw_tracepoint.w', 'raw_tracepoint_writable'], ['raw_tp.w', 'raw_tracepoint_writable'],
  ['raw_tracepoint', 'raw_tracepoint'], ['raw_tp', 'raw_tracepoint'], ['tp_btf', 'tp_btf'],
  ['fentry', 'fentry'], ['fexit', 'fexit'], ['fmod_ret', 'fmod_ret'], ['lsm', 'lsm'], ['iter', 'iter'],
  ['perf_event', 'perf_event'], ['xdp.frags', 'xdp'], ['xdp', 'xdp'],
  ['tc', 'tc'], ['classifier', 'tc'], ['action', 'tc'], ['tcx', 'tc'],
  ['socket', 'socket'], ['sk_skb', 'sk_skb'], ['sk_msg', 'sk_msg'], ['sk_lookup', 'sk_lookup'], ['sockops', 'sockops'],
  ['flow_dissector', 'flow_dissector'],
  ['cgroup_skb', 'cgroup_skb'], ['cgroup/skb', 'cgroup_skb'], ['cgroup/sock_create', 'cgroup_sock'],
  ['cgroup/sock_release', 'cgroup_sock'], ['cgroup/post_bind', 'cgroup_sock'], ['cgroup/sock', 'cgroup_sock'],
  ['cgroup/bind', 'cgroup_sock_addr'], ['cgroup/connect', 'cgroup_sock_addr'], ['cgroup/sendmsg', 'cgroup_sock_addr'],
  ['cgroup/recvmsg', 'cgroup_sock_addr'], ['cgroup/getpeername', 'cgroup_sock_addr'], ['cgroup/getsockname', 'cgroup_sock_addr'],
  ['cgroup/getsockopt', 'cgroup_sockopt'], ['cgroup/setsockopt', 'cgroup_sockopt'], ['cgroup/sysctl', 'cgroup_sysctl'],
  ['cgroup/dev', 'cgroup_device'], ['lwt_in', 'lwt'], ['lwt_out', 'lwt'], ['lwt_xmit', 'lwt'], ['lwt_seg6local', 'lwt'],
  ['struct_ops', 'struct_ops'], ['syscall', 'syscall'],
];

export function parseSection(section: string): SectionInfo {
  // cgroup hooks name the attach type in the prefix itself (cgroup/connect4, cgroup_skb/egress)
  if (section.startsWith('cgroup')) {
    for (const [prefix, kind] of PREFIXES) {
      if (prefix.startsWith('cgroup') && section.startsWith(prefix)) {
        return { kind, target: section.replace(/^cgroup[_/]/, '').replace(/^skb\//, ''), sleepable: false };
      }
    }
  }
  for (const [prefix, kind] of PREFIXES) {
    for (const p of [prefix, `${prefix}.s`]) {
      if (section === p || section.startsWith(`${p}/`)) {
        return { kind, target: section.slice(p.length).replace(/^\//, ''), sleepable: p.endsWith('.s') };
      }
    }
  }
  return { kind: 'unknown', target: '', sleepable: false };
}

/** The kernel feature a program kind needs, for "not supported" messages and `lcc doctor`. */
export const FEATURE_OF: Partial<Record<ProgramKind, { feature: string; alternative: string }>> = {
  kprobe: { feature: 'kprobes (CONFIG_KPROBES, perf kprobe PMU or tracefs kprobe_events)', alternative: 'use a tracepoint ("tracepoint/<category>/<event>") or a tp_btf program on a nearby kernel event' },
  kretprobe: { feature: 'kretprobes (CONFIG_KPROBES, perf kprobe PMU or tracefs kprobe_events)', alternative: 'use a tracepoint or tp_btf program on an event at the function\'s exit' },
  ksyscall: { feature: 'kprobes (CONFIG_KPROBES)', alternative: 'use the "tracepoint/syscalls/sys_enter_<name>" tracepoint' },
  kretsyscall: { feature: 'kprobes (CONFIG_KPROBES)', alternative: 'use the "tracepoint/syscalls/sys_exit_<name>" tracepoint' },
  fentry: { feature: 'fentry/fexit BPF trampolines (CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS)', alternative: 'use a kprobe, or a tp_btf/raw tracepoint on a nearby kernel event' },
  fexit: { feature: 'fentry/fexit BPF trampolines (CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS)', alternative: 'use a kretprobe, or a tp_btf/raw tracepoint on a nearby kernel event' },
  fmod_ret: { feature: 'BPF trampolines with fmod_ret', alternative: 'none without trampolines' },
  uprobe: { feature: 'uprobes (CONFIG_UPROBES)', alternative: 'use a USDT probe or instrument the program itself' },
  uretprobe: { feature: 'uprobes (CONFIG_UPROBES)', alternative: 'use a USDT probe or instrument the program itself' },
  usdt: { feature: 'uprobes (CONFIG_UPROBES), on which USDT probes attach', alternative: 'instrument the program itself' },
  tracepoint: { feature: 'tracepoints (CONFIG_TRACEPOINTS, tracefs)', alternative: 'mount tracefs at /sys/kernel/tracing (the runtime tries) or use raw_tp' },
  lsm: { feature: 'BPF LSM (CONFIG_BPF_LSM and "bpf" in lsm=)', alternative: 'use a kprobe or tracepoint' },
};
