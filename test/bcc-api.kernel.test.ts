// BCC's static helpers in lcc's bcc module, by BCC's own rules. BCC 0.26's
// get_kprobe_functions cannot run here (it reads debugfs' kprobes/blacklist,
// which a kernel without kprobes does not have), so its rules are restated:
// the whole name matches, the function is one ftrace can trace (where tracefs
// lets root read available_filter_functions; on this VM it does not, EPERM).
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as py from '../lbc/src/py/index.js';
import { BPF } from '../lbc/src/bcc/index.js';
import { runKernelTests } from './helpers/kernel.js';

describe.runIf(runKernelTests)('BCC helpers', () => {
  it('get_kprobe_functions: whole names only, among what ftrace can trace, .isra copies included', () => {
    const names = (re: string): string[] => BPF.get_kprobe_functions(re).map(String).sort();
    // a search would also take vfs_readv, vfs_readlink, ...; BCC's fullmatch takes vfs_read alone
    expect(names('vfs_read')).toEqual(['vfs_read']);
    const some = names('vfs_read.*');
    expect(some).toEqual(expect.arrayContaining(['vfs_read', 'vfs_readv']));
    expect(some.every((f) => /^vfs_read/.test(f) && !/\.cold(\.\d+)?$/.test(f))).toBe(true);
    // tcp_drop went in 5.19: tcpdrop then takes its tracepoint, which a search on tcp_drop_reason would not
    expect(names('tcp_drop')).toEqual([]);
    expect(names('^nothing_is_called_this$')).toEqual([]);
    // finish_task_switch is a static function gcc may copy as .isra.N: offcputime's regex takes either
    expect(names('^finish_task_switch$|^finish_task_switch\\.isra\\.\\d$')).toHaveLength(1);
  });
});

describe.runIf(runKernelTests)('a compile check of members, as lcc convert translates one (runqlen\'s check_runnable_weight_field)', () => {
  it('passes where the kernel\'s types have every member, and fails as BCC\'s compile fails where one is missing', () => {
    expect(BPF.member_check([['task_struct', 'pid'], ['sched_entity', 'vruntime']])).toBeInstanceOf(BPF);
    // task_struct's state is __state since 5.14: this kernel is newer
    expect(() => BPF.member_check([['task_struct', 'pid'], ['task_struct', 'state']])).toThrow(/Failed to compile BPF module <text>: no member named 'state' in 'struct task_struct'/);
  });

  it('os.dup, which the check\'s stderr juggling uses, gives a new fd to the same file', () => {
    const d = py.os.dup(1);
    expect(d).toBeGreaterThan(2);
    expect(fs.readlinkSync(`/proc/self/fd/${d}`)).toBe(fs.readlinkSync('/proc/self/fd/1'));
    py.os.close(d);
  });
});
