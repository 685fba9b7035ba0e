// libbpf C that no one here wrote, run from TypeScript: libbpf-bootstrap's
// bootstrap through its generated skeleton, next to its own C user space on
// the same events; and a stack trace map sized by user space before load.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { compile, findClang } from '../src/clang/compile.js';
import { generate } from '../src/gen/index.js';
import { writeAtomic } from '../src/fsutil.js';
import { ksym } from '../lbc/src/pure.js';
import { runKernelTests } from './helpers/kernel.js';
import { watch } from './helpers/ready.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const OUT = path.join(here, '.out', 'libbpf-kernel');
const BOOT = path.join(ROOT, 'examples', 'bootstrap');

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe.runIf(runKernelTests)('libbpf programs from TypeScript', () => {
  it('libbpf-bootstrap\'s bootstrap prints, through its skeleton, the lines its C user space prints', async () => {
    fs.mkdirSync(OUT, { recursive: true });
    // its C user space, built as libbpf-bootstrap's Makefile does: bpftool's skeleton of the same object
    const obj = path.join(ROOT, 'dist', 'examples', 'bootstrap', 'bootstrap.bpf.o');
    fs.writeFileSync(path.join(OUT, 'bootstrap.skel.h'), execFileSync('bpftool', ['gen', 'skeleton', obj, 'name', 'bootstrap_bpf'], { maxBuffer: 1 << 26 }));
    const cBin = path.join(OUT, 'bootstrap');
    execFileSync(findClang(), ['-O2', '-g', '-I', OUT, '-I', BOOT, path.join(BOOT, 'bootstrap.c'), '-lbpf', '-o', cBin]);

    // a process of our own: a copy of sh with a name of its own, exiting with a code of its own
    const probe = path.join(OUT, 'lccbootprobe');
    fs.copyFileSync('/bin/sh', probe);
    fs.chmodSync(probe, 0o755);

    // stdbuf: printf to a pipe would hold the C tool's lines until it exits
    const c = spawn('stdbuf', ['-oL', cBin]);
    const ts = spawn(process.execPath, [path.join(ROOT, 'dist', 'examples', 'bootstrap', 'main.js')]);
    children.push(c, ts);
    const [wc, wts] = [watch(c), watch(ts)];
    const header = /^TIME {5}EVENT COMM {13}PID {5}PPID {4}FILENAME\/EXIT CODE$/m;
    await Promise.all([wc.until(header), wts.until(header)]);

    spawnSync(probe, ['-c', 'exit 7']);
    const mine = (out: string): string[] => out.split('\n').filter((l) => / lccbootprobe /.test(l));
    const both = (out: string): boolean => mine(out).some((l) => / EXEC /.test(l)) && mine(out).some((l) => / EXIT /.test(l));
    await Promise.all([wc.until(both), wts.until(both)]);
    // past the clock; each tool measures the duration with its own programs' timestamps
    const fields = (out: string): string[] => mine(out).map((l) => l.slice(9).replace(/ \(\d+ms\)$/, ''));
    expect(fields(wts.stdout)).toEqual(fields(wc.stdout));
    expect(fields(wts.stdout)).toEqual([
      expect.stringMatching(new RegExp(`^EXEC  lccbootprobe {5}\\d+ +${process.pid} +${probe.replace(/[.]/g, '\\.')}$`)),
      expect.stringMatching(new RegExp(`^EXIT  lccbootprobe {5}\\d+ +${process.pid} +\\[7\\]$`)),
    ]);
    c.kill('SIGINT');
    ts.kill('SIGINT');
    expect(await wts.closed).toBe(0);
    expect(await wc.closed).toBe(0);
  }, 120_000);

  it('a stack trace map whose value size is set before load holds the kernel stacks it was given', async () => {
    fs.mkdirSync(OUT, { recursive: true });
    const src = path.join(here, 'fixtures', 'libbpf', 'stackmap.bpf.c');
    const obj = compile(src, { out: path.join(OUT, 'stackmap.bpf.o') });
    const r = await generate(src, { object: obj, out: path.join(OUT, 'stackmap.skel.ts'), runtime: '@lcc-ebpf/lbc' });
    writeAtomic(r.out, r.code);
    type Skel = {
      obj: { setValueSize(name: string, bytes: number): unknown };
      load(): Skel;
      attach(): unknown[];
      maps: { stack_of: { get(k: number): number | undefined }; stackmap: { get(k: number): bigint[] | undefined } };
      destroy(): void;
    };
    const { StackmapSkeleton } = (await import(pathToFileURL(r.out).href)) as { StackmapSkeleton: { open(): Skel } };

    // no value size: the kernel's own refusal, named for the map
    const unsized = StackmapSkeleton.open();
    try {
      expect(() => unsized.load()).toThrow(/stackmap/);
    } finally {
      unsized.destroy();
    }

    const depth = 32;
    const skel = StackmapSkeleton.open();
    try {
      skel.obj.setValueSize('stackmap', depth * 8);
      skel.load().attach();
      const sleeper = spawnSync('sleep', ['0.01']);
      expect(sleeper.status).toBe(0);
      const id = skel.maps.stack_of.get(sleeper.pid!);
      expect(id, 'the program saw sleep(1) call clock_nanosleep').toBeTypeOf('number');
      const stack = skel.maps.stackmap.get(id!)!;
      expect(stack).toHaveLength(depth);
      const frames = stack.filter((a) => a !== 0n).map((a) => ksym(a)?.name ?? '?');
      expect(frames.length).toBeGreaterThan(1);
      expect(frames).toContain('do_syscall_64');
    } finally {
      skel.destroy();
    }
  }, 60_000);
});
