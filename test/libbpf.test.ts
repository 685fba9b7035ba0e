// lcc build and lcc gen on libbpf C as libbpf-tools and libbpf-bootstrap
// write it (test/fixtures/libbpf: one program per thing that stopped them),
// every model compared with the BTF clang wrote into the object. Running
// those programs is libbpf.kernel.test.ts.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileDetailed, vmlinuxDir } from '../src/clang/compile.js';
import { checkAgainstBtf, objectBtf } from '../src/gen/btfcheck.js';
import { generate, model } from '../src/gen/index.js';
import { buildModel } from '../src/gen/model.js';
import { Btf } from '../lbc/src/pure.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const FIX = path.join(here, 'fixtures', 'libbpf');
const INCLUDE = path.join(FIX, 'include');
const OUT = path.join(here, '.out', 'libbpf');
const rel = (f: string): string => path.relative(ROOT, f);
const src = (name: string): string => rel(path.join(FIX, `${name}.bpf.c`));
const fixtures = fs.readdirSync(FIX).filter((f) => f.endsWith('.bpf.c')).map((f) => f.replace(/\.bpf\.c$/, ''));

type ModelJson = {
  types: { name: string; size: number; fields: { name: string; offset: number; size: number }[] }[];
  maps: { name: string; type: string; maxEntries: number | null; key: string | null; value: string | null }[];
  globals: { name: string; section: string; type: string; size: number }[];
};

const objects = new Map<string, string>();
const skeletons = new Map<string, string>();

beforeAll(async () => {
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  for (const name of fixtures) {
    // what lcc build runs: the source's directory, -I, lbc.h, vmlinux.h, then the host's own headers
    const obj = compileDetailed(src(name), { out: path.join(OUT, `${name}.bpf.o`), includeDirs: [INCLUDE] }).out;
    objects.set(name, obj);
    const r = await generate(src(name), { object: obj, out: path.join(OUT, `${name}.skel.ts`), runtime: '@lcc-ebpf/lbc' });
    fs.writeFileSync(r.out, r.code);
    skeletons.set(name, r.code);
  }
}, 120_000);

describe('libbpf C as people write it: lcc build and lcc gen', () => {
  it('compile UAPI includes that reach the host\'s <asm/types.h> (libbpf-bootstrap\'s minimal_legacy, sockfilter)', () => {
    // beforeAll compiled it: clang's own search list follows every -I as -idirafter
    expect(objects.get('sysinc')).toBeTruthy();
    expect(skeletons.get('sysinc')).toMatch(/ip_packets: this\.obj\.map<number, bigint>\('ip_packets', \{ key: codec\.u32, value: codec\.u64 \}\)/);
  });

  it('lcc build takes -I for headers kept elsewhere, as the tools\' Makefiles pass them', () => {
    const lcc = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'helpers', 'lcc.ts'), ...args], { encoding: 'utf8', cwd: ROOT });
    const out = path.join(OUT, 'cli-usdt.bpf.o');
    const without = lcc('build', src('usdt'), '-o', out, '--no-gen', '--force');
    expect(without.status).toBe(1);
    expect(without.stderr).toMatch(/usdt\.bpf\.c:\d+:\d+: fatal error: 'shared\/counters\.bpf\.h' file not found/);
    const r = lcc('build', src('usdt'), '-I', rel(INCLUDE), '-o', out, '--no-gen', '--force');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const remote = lcc('build', src('usdt'), '-I', rel(INCLUDE), '--remote', 'http://127.0.0.1:9', '--no-gen');
    expect(remote.stderr).toMatch(/-I with --remote: .*move the headers next to the source/);
    expect(remote.status).toBe(1);
  }, 60_000);

  it('type a stack trace map whose value size user space sets before load', () => {
    const m = model(src('stackmap')) as ModelJson;
    expect(m.maps.find((x) => x.name === 'stackmap')).toMatchObject({ type: 'stack_trace', key: null, value: null, maxEntries: 64 });
    const skel = skeletons.get('stackmap')!;
    expect(skel).toContain('/** stack_trace: __u32 → __u64[value_size / 8] (set before load: obj.setValueSize) */');
    expect(skel).toContain("stackmap: this.obj.map<number, bigint[]>('stackmap', {\n        key: codec.u32,\n        value: codec.array(codec.u64, this.obj.mapInfo('stackmap').valueSize / 8),\n      }),");
  });

  it('size arrays and maps with the kernel\'s enum constants and types, from its BTF', () => {
    const kernel = Btf.parse(fs.readFileSync('/sys/kernel/btf/vmlinux'));
    const nr = Number(kernel.enumerator('NR_SOFTIRQS'));
    expect(nr).toBeGreaterThan(0);
    const m = model(src('kenum')) as ModelJson;
    expect(m.globals.find((g) => g.name === 'counts')).toMatchObject({ type: `__u64[${nr}]`, size: nr * 8 });
    expect(m.globals.find((g) => g.name === 'last_addr')).toMatchObject({ size: 16 });
    expect(m.maps.find((x) => x.name === 'hists')).toMatchObject({ maxEntries: nr, value: 'struct hist' });
    expect(m.types.find((t) => t.name === 'struct hist')!.size).toBe(nr * 2 * 4 + 4 + 1 + 3);
    expect(m.globals.map((g) => g.name)).toContain('preprocessor_sees_no_enums');
    expect(m.globals.map((g) => g.name)).not.toContain('enum_seen_by_preprocessor');
  });

  it('read declarators by C\'s rules: a const pointer is .rodata, a pointer to const is not; function pointers are pointers', () => {
    const m = model(src('qualifiers')) as ModelJson;
    const g = Object.fromEntries(m.globals.map((x) => [x.name, [x.section, x.size]]));
    expect(g).toEqual({
      targ_lock: ['.rodata', 8], last_seen: ['.bss', 8], slots: ['.rodata', 24], names: ['.bss', 16],
      hook: ['.bss', 8], handlers: ['.bss', 16], ops_in_use: ['.bss', 56], ops_template: ['.rodata', 8],
    });
    expect(m.types[0]!.fields.map((f) => [f.name, f.offset, f.size])).toEqual([['open', 0, 8], ['labels', 8, 24], ['row', 32, 8], ['fallback', 40, 8], ['tag', 48, 1]]);
  });

  it('offer the maps and globals of headers outside the project, from the object', () => {
    const fromSource = model(src('usdt')) as ModelJson;
    expect(fromSource.maps.map((x) => x.name)).toEqual([]);
    const skel = skeletons.get('usdt')!;
    for (const name of ['__bpf_usdt_specs', '__bpf_usdt_ip_to_spec_id', 'shared_recs']) expect(skel).toMatch(new RegExp(`readonly ${name}: BpfMap<`));
    expect(skel).toContain('readonly shared_recs: BpfMap<number, SharedRec>;');
    expect(skel).toContain("obj.globalOffsets('.data.shared'");
    expect(skel).toMatch(/get shared_hits\(\): bigint/);
    expect(skel).toMatch(/get seen\(\): bigint/);
  });

  it('do not parse a vmlinux.h kept beside the source (kernel types come from BTF)', () => {
    const dir = path.join(OUT, 'beside');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(vmlinuxDir(), 'vmlinux.h'), path.join(dir, 'vmlinux.h'));
    fs.writeFileSync(path.join(dir, 'beside.bpf.c'), [
      '#include "vmlinux.h"', '#include <bpf/bpf_helpers.h>',
      'struct event { struct in6_addr addr; pid_t pid; };',
      'struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");',
      'SEC("tp/sched/sched_process_exec") int on_exec(void *ctx) { struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0); if (e) bpf_ringbuf_submit(e, 0); return 0; }',
      'char LICENSE[] SEC("license") = "GPL";', '',
    ].join('\n'));
    const m = model(rel(path.join(dir, 'beside.bpf.c'))) as ModelJson;
    expect(m.types.map((t) => [t.name, t.size])).toEqual([['struct event', 20]]);
    expect(m.maps).toMatchObject([{ name: 'events', type: 'ringbuf' }]);
  });

  describe('every type, map and global of the source equals clang\'s BTF', () => {
    for (const name of fixtures) {
      it(name, () => {
        // the model from the source alone (no object to lean on), checked against the object
        const m = buildModel(src(name));
        const obj = objects.get(name)!;
        expect(() => checkAgainstBtf(m, obj, objectBtf(obj))).not.toThrow();
        expect(m.maps.length + m.globals.length + m.types.length).toBeGreaterThan(0);
      });
    }
  });

  it('the skeletons type-check', () => {
    fs.writeFileSync(path.join(OUT, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')] },
      include: ['*.skel.ts'],
    }));
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', OUT], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);
});
