// BCC's static helpers in lcc's bcc module, by BCC's own rules. BCC 0.26's
// get_kprobe_functions cannot run here (it reads debugfs' kprobes/blacklist,
// which a kernel without kprobes does not have), so its rules are restated:
// the whole name matches, the function is one ftrace can trace (where tracefs
// lets root read available_filter_functions; on this VM it does not, EPERM).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import * as py from '../lbc/src/py/index.js';
import { BPF, pyroute2 } from '../lbc/src/bcc/index.js';
import { PyDict } from '../lbc/src/py/dict.js';
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

describe.runIf(runKernelTests)("pyroute2's IPDB as BCC's tunnel examples use it (through iproute2's ip)", () => {
  const names = ['lccvx0', 'lccbr0', 'lccva', 'lccvb'];
  const ip = (...args: string[]): string => {
    const r = spawnSync('ip', args, { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : '';
  };
  afterEach(() => names.forEach((n) => ip('link', 'del', 'dev', n)));

  it('links made at commit or at the end of a with: a flow-based vxlan, a bridge with a veth for a port and an address, a route; each one\'s index', () => {
    const ipdb = pyroute2.IPDB({ nl: pyroute2.IPRoute() });
    const lo = ipdb.interfaces.lo!;
    expect(lo.index).toBe(1);
    const vx = ipdb.create({ ifname: 'lccvx0', kind: 'vxlan', vxlan_id: 0, vxlan_link: lo, vxlan_port: 4789, vxlan_collect_metadata: true, vxlan_learning: false });
    // nothing happens before the commit, as in pyroute2's transactions
    expect(ip('link', 'show', 'dev', 'lccvx0')).toBe('');
    py.exitContext(py.enter(vx.up()));
    const shown = JSON.parse(ip('-d', '-j', 'link', 'show', 'dev', 'lccvx0'))[0];
    expect(shown.linkinfo.info_kind).toBe('vxlan');
    expect(shown.linkinfo.info_data).toMatchObject({ port: 4789, learning: false, external: true });
    expect(shown.flags).toContain('UP');
    expect(vx.index).toBe(shown.ifindex);
    const veth = ipdb.create({ ifname: 'lccva', kind: 'veth', peer: 'lccvb' }).commit();
    expect(veth.peer).toBe('lccvb');
    const br = ipdb.create({ ifname: 'lccbr0', kind: 'bridge' });
    br.add_port(veth).add_ip('99.1.0.1/24').up().commit();
    expect(JSON.parse(ip('-j', 'link', 'show', 'dev', 'lccva'))[0].master).toBe('lccbr0');
    expect(ip('-4', 'addr', 'show', 'dev', 'lccbr0')).toContain('inet 99.1.0.1/24');
    ipdb.routes.add(new PyDict([['dst', '99.2.0.0/24'], ['oif', br.index]])).commit();
    expect(ip('route', 'show', '99.2.0.0/24')).toContain('dev lccbr0');
    expect(py.contains(ipdb.interfaces, 'lccbr0')).toBe(true);
    expect(py.contains(ipdb.interfaces, 'lcc-no-such')).toBe(false);
    // an attribute it does not know is refused, not dropped
    expect(() => ipdb.create({ ifname: 'lccvx1', kind: 'vxlan', vxlan_ttl: 3 }).commit()).toThrow(/vxlan_ttl/);
    ipdb.release();
  });
});
