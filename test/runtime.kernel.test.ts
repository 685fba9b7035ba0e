// The runtime against the real kernel: load, attach, cause real events, and
// check what comes back field by field.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  BpfObject, codec, formatKsym, formatLog2Hist, LbcError, loadedPrograms, NotSupportedError,
  stackAddresses, sum, UsageError, VerifierError, type Codec,
} from '../lbc/src/index.js';
import { eventually, fixtureObject, runKernelTests } from './helpers/kernel.js';

interface ExecEvent { pid: number; ppid: number; stackId: number; seq: number; comm: string; filename: string }
interface SendEvent { pid: number; fd: number; len: bigint; dport: number; family: number }

// Hand-written decoders with the layout of test/fixtures/bpf/runtime.h (lcc gen emits these).
const comm = codec.cstring(16);
const filename = codec.cstring(64);
const execEvent: Codec<ExecEvent> = {
  size: 96,
  decode: (dv, o) => ({
    pid: dv.getUint32(o, true), ppid: dv.getUint32(o + 4, true), stackId: dv.getInt32(o + 8, true),
    seq: dv.getUint32(o + 12, true), comm: comm.decode(dv, o + 16), filename: filename.decode(dv, o + 32),
  }),
  encode: () => { throw new Error('events are read-only'); },
};
const sendEvent: Codec<SendEvent> = {
  size: 24,
  decode: (dv, o) => ({
    pid: dv.getUint32(o, true), fd: dv.getUint32(o + 4, true), len: dv.getBigUint64(o + 8, true),
    dport: dv.getUint16(o + 16, true), family: dv.getUint16(o + 18, true),
  }),
  encode: () => { throw new Error('events are read-only'); },
};
const pair: Codec<{ a: number; b: number }> = {
  size: 8,
  decode: (dv, o) => ({ a: dv.getUint32(o, true), b: dv.getUint32(o + 4, true) }),
  encode: (v, dv, o) => { dv.setUint32(o, v.a, true); dv.setUint32(o + 4, v.b, true); },
};

const UDP_SEND = 'import socket,sys\ns=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor n in sys.argv[1:]: s.sendto(b"x"*int(n), ("127.0.0.1", 9999))';
const sendUdp = (...sizes: number[]): void => void execFileSync('python3', ['-c', UDP_SEND, ...sizes.map(String)]);
const exec = (n: number): number[] => Array.from({ length: n }, () => spawnSync('/bin/true').pid!);
const tick = (ms = 50): Promise<void> => new Promise((r) => setTimeout(r, ms));

let objPath = '';
const open: BpfObject[] = [];
function openRuntime(): BpfObject {
  const o = BpfObject.open(objPath);
  open.push(o);
  return o;
}

describe.runIf(runKernelTests)('lbc runtime on the kernel', () => {
  beforeAll(() => {
    objPath = fixtureObject('runtime');
  });
  afterEach(() => {
    for (const o of open.splice(0)) o.destroy();
  });

  it('lists programs, maps and globals of an opened object', () => {
    const obj = openRuntime();
    expect([...obj.programs.values()].map((p) => [p.name, p.kind, p.target])).toEqual([
      ['on_exec', 'tracepoint', 'sched/sched_process_exec'],
      ['on_sendto', 'tracepoint', 'syscalls/sys_enter_sendto'],
    ]);
    expect(obj.mapNames.sort()).toEqual(['arr', 'exec_events', 'lru', 'lru_pc_hash', 'pc_arr', 'pc_hash', 'send_count', 'send_events', 'send_sizes', 'send_sizes10', 'stacks'].sort());
    expect(obj.mapInfo('exec_events')).toMatchObject({ type: 'ringbuf', maxEntries: 256 * 1024 });
    expect(obj.mapInfo('send_count')).toMatchObject({ type: 'hash', keySize: 4, valueSize: 8, maxEntries: 1024 });
    const globals = Object.fromEntries(obj.globals.map((g) => [g.name, g.section]));
    expect(globals).toMatchObject({ filter_ppid: '.rodata', target_tgid: '.bss', data_var: '.data' });
    expect(obj.getGlobal('data_var')).toBe(7);
  });

  it('streams exec events through a ring buffer with CO-RE-read fields', async () => {
    const obj = openRuntime();
    obj.setGlobal('filter_ppid', process.pid); // .rodata, before load
    obj.load();
    obj.attach();
    const got: ExecEvent[] = [];
    const rb = obj.ringBuffer('exec_events', (dv, off) => got.push(execEvent.decode(dv, off)));
    const pids = exec(3);
    expect(await eventually(() => got.length >= 3)).toBe(true);
    expect(got.map((e) => e.pid)).toEqual(pids);
    for (const e of got) {
      expect(e.ppid).toBe(process.pid);
      expect(e.comm).toBe('true');
      expect(e.filename).toBe('/bin/true');
    }
    expect(rb.received).toBe(3);
    expect(rb.lost).toBe(0);
    expect(obj.getGlobal('execs_seen')).toBe(3n);
    // the kernel stack of the exec, symbolized from /proc/kallsyms
    const stack = obj.map<number, Uint8Array>('stacks', { key: codec.u32, value: codec.bytes(127 * 8) }).get(got[0]!.stackId);
    const frames = stackAddresses(stack!).map(formatKsym);
    expect(frames.length).toBeGreaterThan(2);
    expect(frames.join(' ')).toMatch(/exec/);
  });

  it('streams UDP sends through a perf buffer, and counts in maps', async () => {
    const obj = openRuntime();
    obj.load();
    obj.setGlobal('target_tgid', process.pid); // .bss, after load: reaches the kernel's copy
    obj.attach();
    const got: (SendEvent & { cpu: number })[] = [];
    const pb = obj.perfBuffer('send_events', (dv, off, size, cpu) => {
      expect(size).toBeGreaterThanOrEqual(24); // 24-byte event + perf padding
      got.push({ ...sendEvent.decode(dv, off), cpu });
    }, { pages: 8 });
    sendUdp(100, 300);
    expect(await eventually(() => got.length >= 2)).toBe(true);
    expect(got.map((e) => [e.len, e.dport, e.family])).toEqual([[100n, 9999, 2], [300n, 9999, 2]]);
    expect(got[0]!.pid).not.toBe(process.pid); // the python child, matched by its parent
    expect(got[0]!.cpu).toBeGreaterThanOrEqual(0);
    expect(pb.lost).toBe(0);

    const counts = obj.map<number, bigint>('send_count', { key: codec.u32, value: codec.u64 });
    expect(counts.get(got[0]!.pid)).toBe(2n);
    const perCpu = obj.map<number, bigint[]>('pc_arr');
    expect(perCpu.percpu).toBe(true);
    expect(sum(perCpu.get(0)!)).toBe(2n);
    // log2 histogram of sizes as BCC prints it: 100 in 64..127, 300 in 256..511
    const slots = [...obj.map<number, bigint>('send_sizes').values()];
    const text = formatLog2Hist(slots, 'bytes');
    expect(text).toMatch(/64 -> 127\s+: 1 /);
    expect(text).toMatch(/256 -> 511\s+: 1 /);
  });

  it('yields decoded events to for-await', async () => {
    const obj = openRuntime();
    obj.setGlobal('filter_ppid', process.pid);
    obj.load();
    obj.attach();
    const events = obj.events('exec_events', execEvent);
    const pids = exec(2);
    const seen: number[] = [];
    for await (const e of events) {
      seen.push(e.pid);
      if (seen.length === 2) break; // return() closes the consumer
    }
    expect(seen).toEqual(pids);
    expect(events.consumer.received).toBe(2);
  });

  it('counts ring buffer drops when the consumer falls behind', async () => {
    const obj = openRuntime();
    obj.setMaxEntries('exec_events', 4096); // 4 KiB ring: 37 records of 104 bytes
    obj.setGlobal('filter_ppid', process.pid);
    obj.load();
    obj.attach();
    exec(60); // nobody consumes yet: the ring fills and reservations fail
    const rb = obj.ringBuffer('exec_events', () => {});
    expect(await eventually(() => rb.received > 0)).toBe(true);
    await tick();
    expect(rb.received).toBeLessThan(60);
    expect(rb.received + rb.lost).toBe(60);
  });

  it('does every map operation on every map kind', () => {
    const obj = openRuntime();
    obj.load();
    const hash = obj.map('send_count', { key: codec.u32, value: codec.u64 });
    hash.set(1, 10n).set(2, 20n).set(3, 30n);
    expect(hash.get(2)).toBe(20n);
    expect(hash.has(4)).toBe(false);
    expect(() => hash.set(1, 11n, 1 /* NOEXIST */)).toThrow(/EEXIST/);
    expect(new Map(hash.entries())).toEqual(new Map([[1, 10n], [2, 20n], [3, 30n]]));
    expect([...hash.keys()].sort()).toEqual([1, 2, 3]);
    expect(hash.lookupAndDelete(3)).toBe(30n);
    expect(hash.delete(2)).toBe(true);
    expect(hash.delete(2)).toBe(false);
    hash.setBatch([[5, 50n], [6, 60n]]);
    expect(hash.lookupBatch()!.sort()).toEqual([[1, 10n], [5, 50n], [6, 60n]]);
    hash.clear();
    expect([...hash.keys()]).toEqual([]);

    const lru = obj.map('lru', { key: codec.u32, value: pair });
    lru.set(7, { a: 1, b: 2 });
    expect(lru.get(7)).toEqual({ a: 1, b: 2 });

    for (const name of ['pc_hash', 'lru_pc_hash']) {
      const m = obj.map<number, bigint[]>(name);
      const cpus = m.getPerCpu === undefined ? 0 : (m as unknown as { cpus: number }).cpus;
      void cpus;
      m.set(9, [1n, 2n]);
      expect(m.get(9)).toEqual([1n, 2n]);
      m.set(9, 5n as unknown as bigint[]); // one value for every CPU
      expect(sum(m.get(9)!)).toBe(10n);
      expect(m.delete(9)).toBe(true);
    }

    const arr = obj.map('arr', { key: codec.u32, value: pair });
    arr.set(3, { a: 30, b: 31 });
    expect(arr.get(3)).toEqual({ a: 30, b: 31 });
    expect([...arr.keys()]).toHaveLength(16);
    expect(() => arr.delete(3)).toThrow(LbcError); // arrays cannot delete
    arr.clear();
    expect(arr.get(3)).toEqual({ a: 0, b: 0 });
    expect([...arr.entries()]).toHaveLength(16);

    const pcArr = obj.map<number, bigint[]>('pc_arr');
    pcArr.set(1, [4n, 5n]);
    expect(pcArr.getPerCpu(1)).toEqual([4n, 5n]);
    expect(pcArr.lookupBatch()!.find(([k]) => k === 1)![1]).toEqual([4n, 5n]);

    expect(obj.map('stacks').get(0)).toBeUndefined();
    expect(() => obj.map('send_count', { key: codec.u16 })).toThrow(/key codec is 2 bytes but the map's key is 4 bytes/);
  });

  it('reads and writes globals before and after load', () => {
    const obj = openRuntime();
    expect(obj.getGlobal('filter_ppid')).toBe(0);
    obj.setGlobal('filter_ppid', 1234).setGlobal('data_var', 9);
    obj.load();
    expect(obj.getGlobal('filter_ppid')).toBe(1234);
    expect(obj.getGlobal('data_var')).toBe(9);
    expect(() => obj.setGlobal('filter_ppid', 1)).toThrow(/read-only after load/);
    obj.setGlobal('execs_seen', 41n);
    expect(obj.getGlobal('execs_seen')).toBe(41n);
    expect(() => obj.getGlobal('nope')).toThrow(UsageError);
  });

  it('switches programs off before load', () => {
    const obj = openRuntime();
    obj.program('on_sendto').autoload = false;
    obj.load();
    expect(obj.attach().map((l) => l.program)).toEqual(['on_exec']);
    expect(() => obj.program('on_sendto').fd).toThrow(/not loaded/);
    expect(() => (obj.program('on_exec').autoload = false)).toThrow(/before load/);
  });

  it('leaves no program behind after destroy()', async () => {
    const obj = openRuntime();
    obj.load();
    obj.attach();
    const ids = new Set([obj.program('on_exec').fd, obj.program('on_sendto').fd].length ? loadedPrograms().filter((p) => p.name === 'on_exec' || p.name === 'on_sendto').map((p) => p.id) : []);
    expect(ids.size).toBe(2);
    obj.destroy();
    expect(await eventually(() => !loadedPrograms().some((p) => ids.has(p.id)))).toBe(true);
    expect(() => obj.map('send_count')).toThrow(/destroyed/);
  });

  it('forgets a link its user destroyed: attaching around each event holds no more than is attached', () => {
    const obj = openRuntime();
    obj.load();
    const held = (): number => (obj as unknown as { links: Set<unknown> }).links.size;
    for (let i = 0; i < 3; i++) {
      // a perf tracepoint takes one attachment of a program: the next attach fails unless this one is gone
      const link = obj.program('on_exec').attach();
      expect(held()).toBe(1);
      link.destroy();
      expect(held()).toBe(0);
    }
    obj.program('on_exec').attach();
    obj.destroy();
    expect(held()).toBe(0);
  });

  it('shows the verifier log when the verifier rejects a program', () => {
    const obj = BpfObject.open(fixtureObject('bad'));
    open.push(obj);
    let err: unknown;
    try {
      obj.load();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VerifierError);
    const v = err as VerifierError;
    expect(v.program).toBe('out_of_bounds');
    expect(v.log).toMatch(/invalid access to map value/);
    expect(v.message).toMatch(/invalid access to map value/); // the reason is in the message itself
    expect(v.errno).toBe(13); // EACCES
  });

  it('names the missing kernel feature when a kprobe cannot attach', () => {
    const obj = BpfObject.open(fixtureObject('kprobe'));
    open.push(obj);
    obj.load(); // kprobe programs load; only attaching needs CONFIG_KPROBES
    let err: unknown;
    try {
      obj.program('on_nanosleep').attach();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NotSupportedError);
    expect((err as Error).message).toMatch(/kprobe\/do_nanosleep/);
    expect((err as Error).message).toMatch(/does not support kprobes \(CONFIG_KPROBES/);
    expect((err as Error).message).toMatch(/hint: use a tracepoint/);
    // a syscall by name, as BCC's get_syscall_fnname() is converted, names the same feature
    for (const target of [{ ksyscall: 'nanosleep' }, { kretsyscall: 'nanosleep' }]) {
      expect(() => obj.program('on_nanosleep_sys').attach(target)).toThrow(/attach on_nanosleep_sys to k(ret)?syscall nanosleep.*does not support kprobes \(CONFIG_KPROBES/s);
    }
    // the tracepoint alternative in the same object works
    expect(obj.program('on_nanosleep_tp').attach().description).toBe('tracepoint/syscalls/sys_enter_nanosleep');
  });

  it('refuses a bad object file with a clear error', () => {
    expect(() => BpfObject.open('/nonexistent.bpf.o')).toThrow(/cannot read BPF object \/nonexistent.bpf.o/);
    expect(() => BpfObject.open(new Uint8Array([1, 2, 3]), { name: 'junk' })).toThrow(/cannot open BPF object junk/);
  });
});
