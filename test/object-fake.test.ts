// BpfObject's own logic over faked libbpf calls: its stages (open → load →
// destroy) and what each refuses, and how a failed open or load becomes an
// error that keeps the kernel's reason. No libbpf, no kernel, no root.
import { afterEach, describe, expect, it } from 'vitest';
import { useFakeBindings, type FakeBindings } from '../lbc/src/ffi.js';
import { printed } from '../lbc/src/log.js';
import { BpfObject } from '../lbc/src/object.js';
import { LbcError, NotSupportedError, UsageError, VerifierError } from '../lbc/src/errors.js';

interface FakeProg { name: string; section: string; autoload: boolean }

interface FakeMap { name: string; type: number; key: number; value: number; entries: number }

/** A libbpf object as the calls see it: programs and maps; load answers with `load()`. */
function fakeLibbpf(progs: { name: string; section: string }[], load: () => { rc: number; log?: string } = () => ({ rc: 0 }), maps: FakeMap[] = []): { fake: FakeBindings; closed: () => boolean } {
  const obj = { name: 'tool' };
  const list: FakeProg[] = progs.map((p) => ({ ...p, autoload: true }));
  let closed = false;
  const fake: FakeBindings = {
    bpf: {
      set_print: () => null,
      open_mem: () => obj,
      object_name: () => obj.name,
      next_program: (_o: unknown, prev: FakeProg | null) => list[prev ? list.indexOf(prev) + 1 : 0] ?? null,
      prog_name: (p: FakeProg) => p.name,
      prog_section: (p: FakeProg) => p.section,
      prog_autoload: (p: FakeProg) => p.autoload,
      prog_set_autoload: (p: FakeProg, on: boolean) => ((p.autoload = on), 0),
      next_map: (_o: unknown, prev: FakeMap | null) => maps[prev ? maps.indexOf(prev) + 1 : 0] ?? null,
      map_name: (m: FakeMap) => m.name,
      map_is_internal: () => false,
      map_type: (m: FakeMap) => m.type,
      map_key_size: (m: FakeMap) => m.key,
      map_value_size: (m: FakeMap) => m.value,
      map_max_entries: (m: FakeMap) => m.entries,
      map_flags: () => 0,
      object_load: () => {
        const { rc, log } = load();
        if (log) printed(0, log);
        return rc;
      },
      object_close: () => void (closed = true),
    },
    c: { pthread_sigmask: () => 0, getpagesize: () => 4096, malloc_trim: () => 1 },
  };
  return { fake, closed: () => closed };
}

const PROGS = [
  { name: 'on_exec', section: 'tracepoint/sched/sched_process_exec' },
  { name: 'on_open', section: 'fentry/do_sys_openat2' },
];
const open = (): BpfObject => BpfObject.open(new Uint8Array(64), { name: 'tool' });
const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
};

describe('BpfObject over faked libbpf calls', () => {
  afterEach(() => useFakeBindings(null));

  it('opens, lists its programs with their kinds, loads once, and is done after destroy', () => {
    const f = fakeLibbpf(PROGS);
    useFakeBindings(f.fake);
    const obj = open();
    expect(obj.state).toBe('opened');
    expect([...obj.programs.values()].map((p) => [p.name, p.kind])).toEqual([['on_exec', 'tracepoint'], ['on_open', 'fentry']]);
    obj.program('on_open').autoload = false;
    expect(obj.program('on_open').autoload).toBe(false);
    obj.load();
    expect(obj.state).toBe('loaded');
    expect(() => obj.load()).toThrow(UsageError);
    expect(() => obj.load()).toThrow(/object tool: load\(\) works only before load\(\) \(the object is loaded\)/);
    expect(() => obj.program('nope')).toThrow(/object tool has no program nope \(it has: on_exec, on_open\)/);
    obj.destroy();
    expect(obj.state).toBe('destroyed');
    expect(f.closed()).toBe(true);
    expect(() => obj.attach()).toThrow(UsageError);
  });

  it('a file that is not a BPF object: libbpf\'s reason, and what to check', () => {
    useFakeBindings({ bpf: { set_print: () => null, open_mem: () => (printed(0, 'libbpf: elf: failed to open object: not an ELF\n'), null) }, errno: () => 22 });
    expect(() => open()).toThrow(LbcError);
    expect(() => open()).toThrow(/cannot open BPF object tool \(elf: failed to open object: not an ELF\): EINVAL.*\n  hint: is it a BPF ELF object built with clang -target bpf -g\?/);
  });

  it('a verifier rejection carries the program and the verifier\'s own log', () => {
    const log = "libbpf: prog 'on_exec': BPF program load failed: Permission denied\nlibbpf: prog 'on_exec': failed to load: -13\n-- BEGIN PROG LOAD LOG --\n0: (b7) r0 = 0\n1: (79) r1 = *(u64 *)(r0 +0)\nR0 invalid mem access 'scalar'\nprocessed 2 insns\n-- END PROG LOAD LOG --\n";
    useFakeBindings(fakeLibbpf(PROGS, () => ({ rc: -13, log })).fake);
    const obj = open();
    const err = thrown(() => obj.load());
    expect(err).toBeInstanceOf(VerifierError);
    const v = err as VerifierError;
    expect(v.program).toBe('on_exec');
    expect(v.errno).toBe(13);
    expect(v.log).toContain("R0 invalid mem access 'scalar'");
    expect(v.message).toMatch(/object tool: the verifier rejected program on_exec/);
    expect(obj.state).toBe('opened');
  });

  it('an fentry program the kernel refuses without a verifier log: the feature named, and what instead', () => {
    useFakeBindings(fakeLibbpf(PROGS, () => ({ rc: -1, log: "libbpf: prog 'on_open': failed to load: -1\n" })).fake);
    const err = thrown(() => open().load());
    expect(err).toBeInstanceOf(NotSupportedError);
    expect((err as Error).message).toMatch(/load program on_open \(fentry\/do_sys_openat2\): this kernel does not support/);
    expect((err as Error).message).toMatch(/program\('on_open'\)\.autoload = false/);
  });

  it('a map the kernel refuses to create: its reason, its sizes, and the size user space forgot to set', () => {
    const refuse = (name: string) => () => ({ rc: -22, log: `libbpf: map '${name}': failed to create: Invalid argument(-22)\nlibbpf: failed to load object 'tool'\n` });
    const maps = [
      { name: 'm0', type: 1, key: 4, value: 8, entries: 0 },
      { name: 'stackmap', type: 7, key: 4, value: 0, entries: 64 },
    ];
    useFakeBindings(fakeLibbpf(PROGS, refuse('m0'), maps).fake);
    expect(() => open().load()).toThrow(/object tool: the kernel refused to create map m0 \(hash, key 4 B, value 8 B, 0 entries\): Invalid argument\(-22\)[\s\S]*hint: its max_entries is 0: give it a size in its definition, or call setMaxEntries\('m0', n\) before load\(\)/);
    useFakeBindings(fakeLibbpf(PROGS, refuse('stackmap'), maps).fake);
    expect(() => open().load()).toThrow(/refused to create map stackmap \(stack_trace, key 4 B, value 0 B, 64 entries\)[\s\S]*hint: its value size is 0: call setValueSize\('stackmap', bytes\) before load\(\) \(a stack trace map: depth \* 8\)/);
  });

  it('an interrupted load says so and that trying again is the answer', () => {
    useFakeBindings(fakeLibbpf(PROGS, () => ({ rc: -11 })).fake);
    expect(() => open().load()).toThrow(/loading a program was interrupted \(EAGAIN\)[\s\S]*hint: a signal arrived while the verifier ran/);
  });
});
