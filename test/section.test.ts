import { describe, expect, it } from 'vitest';
import { parseSection } from '../lbc/src/pure.js';

const CASES: [string, string, string][] = [
  ['tracepoint/sched/sched_process_exec', 'tracepoint', 'sched/sched_process_exec'],
  ['tp/syscalls/sys_enter_openat', 'tracepoint', 'syscalls/sys_enter_openat'],
  ['raw_tp/sched_switch', 'raw_tracepoint', 'sched_switch'],
  ['raw_tracepoint/sys_enter', 'raw_tracepoint', 'sys_enter'],
  ['tp_btf/sched_wakeup', 'tp_btf', 'sched_wakeup'],
  ['kprobe/__dev_queue_xmit', 'kprobe', '__dev_queue_xmit'],
  ['kretprobe/tcp_v4_connect', 'kretprobe', 'tcp_v4_connect'],
  ['uprobe//usr/lib/libc.so.6:malloc', 'uprobe', '/usr/lib/libc.so.6:malloc'],
  ['uretprobe/bash:readline', 'uretprobe', 'bash:readline'],
  ['uprobe', 'uprobe', ''],
  ['fentry/do_nanosleep', 'fentry', 'do_nanosleep'],
  ['fexit/tcp_sendmsg', 'fexit', 'tcp_sendmsg'],
  ['fentry.s/do_sys_open', 'fentry', 'do_sys_open'],
  ['perf_event', 'perf_event', ''],
  ['xdp', 'xdp', ''],
  ['xdp.frags', 'xdp', ''],
  ['tc', 'tc', ''],
  ['classifier', 'tc', ''],
  ['socket', 'socket', ''],
  ['cgroup_skb/egress', 'cgroup_skb', 'egress'],
  ['cgroup/connect4', 'cgroup_sock_addr', 'connect4'],
  ['ksyscall/execve', 'ksyscall', 'execve'],
  ['usdt/libc.so.6:libc:setjmp', 'usdt', 'libc.so.6:libc:setjmp'],
  ['lsm/file_open', 'lsm', 'file_open'],
  ['license', 'unknown', ''],
];

describe('SEC() names', () => {
  for (const [section, kind, target] of CASES) {
    it(section, () => expect(parseSection(section)).toMatchObject({ kind, target }));
  }
});
