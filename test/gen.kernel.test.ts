// A generated skeleton against the kernel: compile, generate with the object
// embedded, load through the skeleton, cause events, check decoded fields.
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compile } from '../src/clang/compile.js';
import { generate } from '../src/gen/index.js';
import { writeAtomic } from '../src/fsutil.js';
import { eventually, runKernelTests } from './helpers/kernel.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(here, '.out', 'gen-kernel');

// the generated module's surface, as this test uses it
interface EvFlags { kind: number; urgent: number; delta: number }
interface Ev { pid: number; flags: EvFlags; as_u64: bigint; halves: number[]; grid: number[][]; comm: string; what: number }
interface Skel {
  rodata: { target_tgid: number };
  bss: { hits: bigint };
  progs: { on_getppid: { autoload: boolean } };
  maps: { seen: { entries(): IterableIterator<[{ pid: number; cpu: number }, EvFlags]> } };
  load(): Skel;
  attach(): unknown[];
  onEvents(h: (e: Ev, cpu: number) => void): { received: number };
  onPerfEvents(h: (e: Ev, cpu: number) => void): { received: number };
  eventsEvents(): AsyncIterableIterator<Ev>;
  destroy(): void;
}

describe.runIf(runKernelTests)('a generated skeleton on the kernel', () => {
  let mod: { EventsSkeleton: { open(): Skel }; Ev: { fields: Record<string, { offset: number }> }; EvWhat?: unknown };
  beforeAll(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    const src = path.join(OUT, 'events.bpf.c');
    fs.copyFileSync(path.join(here, 'fixtures', 'gen', 'events.bpf.c'), src);
    const obj = compile(src, { out: path.join(OUT, 'events.bpf.o') });
    const r = await generate(src, { object: obj, runtime: '@lcc-ebpf/lbc' });
    expect(r.checkedTypes).toBeGreaterThan(0); // layouts verified against the object's BTF
    writeAtomic(r.out, r.code);
    mod = await import(pathToFileURL(r.out).href);
  });

  it('decodes a bitfield, a union member, a nested array and a string from real events', async () => {
    const skel = mod.EventsSkeleton.open();
    try {
      skel.rodata.target_tgid = process.pid;
      skel.load().attach();
      const ring: Ev[] = [];
      const perf: Ev[] = [];
      skel.onEvents((e) => ring.push(e));
      skel.onPerfEvents((e) => perf.push(e));
      void process.ppid; // getppid(2) from this process: one event
      expect(await eventually(() => ring.length >= 1 && perf.length >= 1)).toBe(true);
      for (const e of [ring[0]!, perf[0]!]) {
        expect(e.pid).toBe(process.pid);
        expect(e.flags).toEqual({ kind: 5, urgent: 1, delta: -7 }); // signed bitfield
        expect(e.as_u64).toBe(0x1122334455667788n);
        expect(e.halves).toEqual([0x55667788, 0x11223344]); // the same union bytes, other member
        expect(e.grid).toEqual([[0, 1, 2], [10, 11, 12]]);
        expect(e.comm.length).toBeGreaterThan(0);
        expect(e.what).toBe(3); // EV_PING
      }
      expect(skel.bss.hits).toBeGreaterThanOrEqual(1n);
      const seen = [...skel.maps.seen.entries()];
      expect(seen.find(([k]) => k.pid === process.pid)?.[1]).toEqual({ kind: 5, urgent: 1, delta: -7 });
      expect(() => (skel.rodata.target_tgid = 1)).toThrow(/read-only after load/);
    } finally {
      skel.destroy();
    }
  });

  it('iterates events with for await, and switches programs off before load', async () => {
    const skel = mod.EventsSkeleton.open();
    try {
      skel.rodata.target_tgid = process.pid;
      skel.load().attach();
      const it = skel.eventsEvents();
      void process.ppid;
      const first = await it.next();
      expect(first.done).toBe(false);
      expect(first.value!.pid).toBe(process.pid);
      await it.return!();
    } finally {
      skel.destroy();
    }
    const off = mod.EventsSkeleton.open();
    off.progs.on_getppid.autoload = false;
    off.load();
    expect(off.attach()).toHaveLength(0);
    off.destroy();
  });
});
