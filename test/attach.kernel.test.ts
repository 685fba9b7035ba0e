// Every attach kind that this kernel has, each proven by real events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { BpfObject, codec, type BpfMap } from '../lbc/src/index.js';
import { eventually, fixtureObject, runKernelTests } from './helpers/kernel.js';

const HIT = { UPROBE: 0, URETPROBE: 1, RAW_TP: 2, TP_BTF: 3, PERF_EVENT: 4, XDP: 5, TC: 6, CGROUP_SKB: 7 } as const;
const PORT = 31337;

function libc(): string {
  const m = /\s(\/\S*libc\.so\.6)\n/.exec(fs.readFileSync('/proc/self/maps', 'utf8'));
  return m![1]!;
}

const sendUdp = (n: number): void =>
  void execFileSync('python3', ['-c', `import socket\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor _ in range(${n}): s.sendto(b"x", ("127.0.0.1", ${PORT}))`]);

describe.runIf(runKernelTests)('attach kinds', () => {
  let obj: BpfObject;
  let hits: BpfMap<number, bigint>;
  // the uprobe targets a python child: its tgid is what the programs filter on
  let child: ReturnType<typeof spawnSync> | null = null;
  void child;

  beforeAll(() => {
    obj = BpfObject.open(fixtureObject('attach'));
    obj.setGlobal('target_tgid', process.pid).setGlobal('udp_port', PORT).load();
    hits = obj.map('hits', { key: codec.u32, value: codec.u64 });
  });
  afterAll(() => obj?.destroy());

  const count = (k: number): bigint => hits.get(k) ?? 0n;

  it('uprobe and uretprobe on a libc function, by symbol', async () => {
    obj.program('on_getpid').attach({ uprobe: { binary: libc(), symbol: 'getpid', pid: process.pid } });
    obj.program('on_getpid_ret').attach({ uretprobe: { binary: libc(), symbol: 'getpid', pid: process.pid } });
    // node caches its pid; koffi calls libc's getpid for real
    const { default: koffi } = await import('koffi');
    const getpid = koffi.load('libc.so.6').func('int getpid(void)');
    // other code in this worker may call getpid too: count at least ours
    for (let i = 0; i < 50; i++) getpid();
    expect(count(HIT.UPROBE)).toBeGreaterThanOrEqual(50n);
    expect(count(HIT.URETPROBE)).toBeGreaterThanOrEqual(50n); // counted only when it returned our pid
  });

  it('raw tracepoint', async () => {
    obj.program('on_sys_enter').attach();
    fs.statSync('/');
    expect(await eventually(() => count(HIT.RAW_TP) > 0n)).toBe(true);
  });

  it('tp_btf', async () => {
    obj.program('on_fork').attach();
    spawnSync('/bin/true');
    expect(await eventually(() => count(HIT.TP_BTF) > 0n)).toBe(true);
  });

  it('perf_event on every CPU', async () => {
    const link = obj.program('on_tick').attach({ perfEvent: { type: 1 /* software */, config: 0 /* cpu-clock */, frequency: 1000 } });
    expect(link.description).toMatch(/on \d+ CPUs/);
    const end = Date.now() + 100;
    while (Date.now() < end); // burn CPU so the clock ticks here
    expect(await eventually(() => count(HIT.PERF_EVENT) > 0n)).toBe(true);
  });

  it('xdp, tc and cgroup_skb see real packets on loopback', async () => {
    obj.program('on_xdp').attach({ xdp: 'lo' });
    obj.program('on_tc').attach({ tc: { interface: 'lo', direction: 'ingress' } });
    obj.program('on_egress').attach({ cgroup: '/sys/fs/cgroup/unified' });
    sendUdp(3);
    expect(await eventually(() => count(HIT.XDP) >= 3n && count(HIT.TC) >= 3n && count(HIT.CGROUP_SKB) >= 3n)).toBe(true);
    expect([count(HIT.XDP), count(HIT.TC), count(HIT.CGROUP_SKB)]).toEqual([3n, 3n, 3n]);
  });

  it('detaches xdp and tc from the interface on destroy', () => {
    obj.destroy();
    const link = execFileSync('ip', ['link', 'show', 'lo'], { encoding: 'utf8' });
    expect(link).not.toMatch(/xdp/);
    const filters = execFileSync('tc', ['filter', 'show', 'dev', 'lo', 'ingress'], { encoding: 'utf8' });
    expect(filters).not.toMatch(/on_tc/);
  });
});

describe.runIf(runKernelTests)('USDT', () => {
  it("attaches to python3's USDT probes by provider and name (libbpf sets their semaphores) and reads their arguments with bpf_usdt_arg: a register, and memory at %rsp + 112", async () => {
    const { spawn } = await import('node:child_process');
    const py = spawn('/usr/bin/python3', ['-c', 'import sys, gc\nfor l in sys.stdin:\n    for _ in range(int(l)): sys.audit("lcc.usdt"); gc.collect(2)\n    print("done", flush=True)'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const obj = BpfObject.open(fixtureObject('usdt'));
    try {
      obj.setGlobal('target_tgid', py.pid!).load();
      const audit = obj.program('on_audit').attach({ usdt: { binary: '/usr/bin/python3', provider: 'python', name: 'audit', pid: py.pid } });
      obj.program('on_gc').attach({ usdt: { binary: '/usr/bin/python3', provider: 'python', name: 'gc__start', pid: py.pid } });
      expect(audit.description).toBe('usdt /usr/bin/python3:python:audit');
      py.stdin!.write('25\n');
      await new Promise((r) => py.stdout!.once('data', r));
      const counts = obj.map('counts', { key: codec.u32, value: codec.u64 });
      expect(counts.get(100)).toBe(25n); // "lcc.usdt", read through the event name's pointer
      expect(counts.get(2)! >= 25n).toBe(true); // generation 2, and any collection python made of its own
      expect(() => obj.program('on_gc').attach({ usdt: { binary: '/usr/bin/python3', provider: 'python', name: 'no__such', pid: py.pid } })).toThrow(/usdt \/usr\/bin\/python3:python:no__such/);
    } finally {
      py.kill();
      obj.destroy();
    }
  });
});
