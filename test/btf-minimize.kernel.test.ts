// lcc btf minimize: byte-identical to bpftool gen min_core_btf on objects
// that ask every family of CO-RE question, and a program loaded with the
// minimized BTF as its only target BTF decodes correct values from the kernel.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BpfObject, Btf, BtfKind } from '../lbc/src/index.js';
import { minimizeBtf } from '../src/btf/minimize.js';
import { eventually, fixtureObject, runKernelTests } from './helpers/kernel.js';
import { ROOT } from '../src/paths.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-btf-'));

describe.runIf(runKernelTests)('lcc btf minimize', () => {
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  const execsnoop = path.join(ROOT, 'dist', 'examples', 'execsnoop', 'execsnoop.bpf.o');

  it('writes what bpftool gen min_core_btf writes, byte for byte', () => {
    const sets = [[fixtureObject('core')], [execsnoop], [fixtureObject('core'), fixtureObject('runtime'), execsnoop]];
    for (const objects of sets) {
      const ours = minimizeBtf(objects, VMLINUX);
      const theirs = path.join(work, 'bpftool.btf');
      execFileSync('bpftool', ['gen', 'min_core_btf', VMLINUX, theirs, ...objects]);
      expect(Buffer.from(ours.bytes).equals(fs.readFileSync(theirs)), objects.join(' ')).toBe(true);
      expect(ours.unmatched).toEqual([]);
    }
  });

  it('keeps only the members the object reads, at the kernel\'s offsets', () => {
    const r = minimizeBtf([fixtureObject('core')], VMLINUX);
    const min = Btf.parse(r.bytes, 'minimized');
    const kernel = Btf.parse(fs.readFileSync(VMLINUX), VMLINUX);
    const task = min.find('task_struct', BtfKind.Struct)[0]!;
    const ktask = kernel.find('task_struct', BtfKind.Struct)[0]!;
    expect(task.sizeOrType).toBe(ktask.sizeOrType);
    expect(task.members!.map((m) => m.name).sort()).toEqual(['__state', 'comm', 'in_execve', 'mm', 'real_parent', 'tgid']);
    for (const m of task.members!) {
      const km = ktask.members!.find((x) => x.name === m.name)!;
      expect([m.bitOffset, m.bitSize], m.name).toEqual([km.bitOffset, km.bitSize]);
    }
    expect(min.find('sk_buff', BtfKind.Struct)[0]!.members).toEqual([]); // a type-exists question keeps the type, not its members
    expect(min.find('pid_type', BtfKind.Enum)[0]!.enumValues!.find((v) => v.name === 'PIDTYPE_TGID')!.value).toBe(1n);
    expect(r.bytes.length).toBeLessThan(2048);
  });

  it('the CLI writes the file and names what the target cannot answer', () => {
    const out = path.join(work, 'core.btf');
    const lcc = (...a: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin', 'lcc.js'), ...a], { encoding: 'utf8' });
    const r = lcc('btf', 'minimize', fixtureObject('core'), '--btf', VMLINUX, '-o', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/core\.btf: 14 types, \d+ bytes for 18 CO-RE relocations/);
    expect(fs.readFileSync(out).readUInt16LE(0)).toBe(0xeb9f);
    // the minimized BTF of one object as the target of another: the offsets it needs are missing
    const other = lcc('btf', 'minimize', fixtureObject('core'), '--btf', out.replace('core', 'exec'), '-o', path.join(work, 'x.btf'));
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/^lcc: btf minimize: cannot read .*exec\.btf/);
    fs.writeFileSync(path.join(work, 'exec.btf'), minimizeBtf([execsnoop], VMLINUX).bytes);
    const partial = lcc('btf', 'minimize', fixtureObject('core'), '--btf', path.join(work, 'exec.btf'), '-o', path.join(work, 'x.btf'));
    expect(partial.stderr).toMatch(/warning: .*FieldByteOffset of task_struct \(access 0:\d+:0\) has no match .*the program will fail to load there/);
  });

  it('a program loads with the minimized BTF as its target and reads the right values', async () => {
    const btfPath = path.join(work, 'core.min.btf');
    fs.writeFileSync(btfPath, minimizeBtf([fixtureObject('core')], VMLINUX).bytes);
    const kernel = Btf.parse(fs.readFileSync(VMLINUX), VMLINUX);
    const obj = BpfObject.open(fixtureObject('core'), { btfPath });
    try {
      obj.load();
      obj.attach();
      const got: { pid: number; ppid: number; hasOld: number; hasNew: number; size: bigint; totalVm: bigint; tgidValue: number; hasTgid: number; hasSkb: number; comm0: number }[] = [];
      const rb = obj.ringBuffer('core_events', (dv, o) => got.push({
        pid: dv.getUint32(o, true), ppid: dv.getUint32(o + 4, true), hasOld: dv.getUint32(o + 8, true), hasNew: dv.getUint32(o + 12, true),
        size: dv.getBigUint64(o + 16, true), totalVm: dv.getBigUint64(o + 24, true), tgidValue: dv.getUint32(o + 32, true),
        hasTgid: dv.getUint32(o + 36, true), hasSkb: dv.getUint32(o + 44, true), comm0: dv.getUint8(o + 48),
      }));
      const child = spawnSync('/bin/true');
      expect(child.status).toBe(0);
      expect(await eventually(() => (rb.poll(), got.some((e) => e.ppid === process.pid)))).toBe(true);
      const e = got.find((x) => x.ppid === process.pid)!;
      expect(e).toMatchObject({ hasOld: 0, hasNew: 1, tgidValue: 1, hasTgid: 1, hasSkb: 1, comm0: 't'.charCodeAt(0) });
      expect(e.size).toBe(BigInt(kernel.find('task_struct', BtfKind.Struct)[0]!.sizeOrType));
      expect(e.totalVm).toBeGreaterThan(0n);
    } finally {
      obj.destroy();
    }
  });

  it('the minimized BTF is what the loader used: one made for another object fails the load, naming the relocation', () => {
    const btfPath = path.join(work, 'exec-only.btf');
    fs.writeFileSync(btfPath, minimizeBtf([execsnoop], VMLINUX).bytes);
    const obj = BpfObject.open(fixtureObject('core'), { btfPath });
    try {
      expect(() => obj.load()).toThrow(/relo|CO-RE|core/i);
    } finally {
      obj.destroy();
    }
  });

  it('LCC_BTF supplies the BTF when the code passes none', () => {
    const btfPath = path.join(work, 'exec-only.btf');
    process.env.LCC_BTF = btfPath;
    try {
      const obj = BpfObject.open(fixtureObject('core'));
      try {
        expect(() => obj.load()).toThrow(/relo|CO-RE|core/i);
      } finally {
        obj.destroy();
      }
      process.env.LCC_BTF = path.join(work, 'missing.btf');
      expect(() => BpfObject.open(fixtureObject('core'))).toThrow(/missing\.btf does not exist \(from LCC_BTF\)/);
    } finally {
      delete process.env.LCC_BTF;
    }
  });

  it('refuses what is not an object or not BTF, clearly', () => {
    const notBtf = path.join(work, 'not.btf');
    fs.writeFileSync(notBtf, 'hello');
    expect(() => minimizeBtf([fixtureObject('core')], notBtf)).toThrow(/not\.btf: too short to be BTF|bad magic/);
    expect(() => minimizeBtf([notBtf], VMLINUX)).toThrow(/not an ELF file/);
  });
});
