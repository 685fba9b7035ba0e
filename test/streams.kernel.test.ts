// Streams under load, objects from bytes, custom BTF, `using`, and `lcc doctor`.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BpfObject, kprobesAvailable } from '../lbc/src/index.js';
import { bpf, structSize, TestRunOpts } from '../lbc/src/ffi.js';
import { compile } from '../src/clang/compile.js';
import { fixtureObject, runKernelTests } from './helpers/kernel.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');

function floodObject(): string {
  const out = path.join(here, '.out', 'flood.bpf.o');
  if (!fs.existsSync(out)) compile(path.join(ROOT, 'bench', 'bpf', 'flood.bpf.c'), { out });
  return out;
}

function testRun(fd: number): void {
  const opts = {
    sz: structSize(TestRunOpts), data_in: null, data_out: null, data_size_in: 0, data_size_out: 0, ctx_in: null,
    ctx_out: null, ctx_size_in: 0, ctx_size_out: 0, retval: 0, repeat: 0, duration: 0, flags: 0, cpu: 0, batch_size: 0,
  };
  expect(bpf.prog_test_run(fd, opts)).toBe(0);
}

describe.runIf(runKernelTests)('streams and objects', () => {
  it('drains a flood in slices: timers still run while 40k queued events are handled', async () => {
    using obj = BpfObject.open(floodObject()).load();
    for (let i = 0; i < 10; i++) testRun(obj.program('flood_rb').fd); // 40,960 events queued
    let handled = 0;
    let ticksDuringDrain = 0;
    const rb = obj.ringBuffer('rb', () => {
      handled++;
      const end = performance.now() + 0.002; // a slow consumer: ~2 µs per event
      while (performance.now() < end);
    });
    const tick = setInterval(() => {
      if (handled > 0 && handled < 40960) ticksDuringDrain++;
    }, 1);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (handled === 40960) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    clearInterval(tick);
    expect(rb.received).toBe(40960);
    expect(rb.lost).toBe(0);
    expect(ticksDuringDrain).toBeGreaterThan(0); // the loop was not held for the whole drain
  });

  it('opens an object from its bytes, with a custom BTF path for CO-RE', () => {
    const bytes = fs.readFileSync(fixtureObject('runtime'));
    using obj = BpfObject.open(new Uint8Array(bytes), { name: 'from_bytes', btfPath: '/sys/kernel/btf/vmlinux' });
    expect(obj.name).toBe('from_bytes');
    obj.load(); // its CO-RE relocations resolved against the given BTF
    expect(obj.attach()).toHaveLength(2);
    expect(() => BpfObject.open(new Uint8Array(bytes), { btfPath: '/nonexistent/vmlinux' })).toThrow(/BTF file \/nonexistent\/vmlinux does not exist/);
  });

  it('destroys at the end of a `using` block', () => {
    let state = '';
    let escaped: BpfObject;
    {
      using obj = BpfObject.open(fixtureObject('runtime')).load();
      escaped = obj;
      state = obj.state;
    }
    expect(state).toBe('loaded');
    expect(escaped.state).toBe('destroyed');
  });

  it('lcc doctor reports what works, probed for real', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'helpers', 'lcc.ts'), 'doctor', '--json'], { encoding: 'utf8', cwd: ROOT });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { checks: { name: string; ok: boolean }[]; programs: { kind: string; loads: boolean; attaches: boolean | null; detail: string }[] };
    expect(report.checks.find((c) => c.name === 'kernel BTF')!.ok).toBe(true);
    const prog = Object.fromEntries(report.programs.map((p) => [p.kind, p]));
    for (const kind of ['tracepoint', 'raw_tracepoint', 'uprobe', 'perf_event', 'xdp', 'tc']) {
      expect(prog[kind], kind).toMatchObject({ loads: true, attaches: true });
    }
    expect(prog.socket).toMatchObject({ loads: true });
    // kprobes: whatever this kernel has, doctor must agree with it and say why not
    expect(prog.kprobe!.attaches).toBe(kprobesAvailable());
    if (!prog.kprobe!.attaches) expect(prog.kprobe!.detail).toMatch(/CONFIG_KPROBES/);
    if (!prog.fentry!.loads) expect(prog.fentry!.detail).toMatch(/fentry\/fexit BPF trampolines/);

    const text = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'helpers', 'lcc.ts'), 'doctor'], { encoding: 'utf8', cwd: ROOT });
    expect(text.stdout).toMatch(/^check\s+status\s+detail/m);
    expect(text.stdout).toMatch(/prog tracepoint\s+works/);
  });

  it('lcc answers bad usage with a message, not a stack', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, 'helpers', 'lcc.ts'), 'frobnicate'], { encoding: 'utf8', cwd: ROOT });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^lcc: unknown command 'frobnicate' \(lcc --help lists the commands\)\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
