// USDT notes read from ELF bytes (lbc/usdt.ts), and BCC's USDT class printing
// them as BCC does (tplist's -v and -vv lines). The file is built here, byte by
// byte, so every operand form is there; tplist against BCC on a real binary is
// in convert-bcc.kernel.test.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseUsdtArg, usdtNotes } from '../lbc/src/usdt.js';
import { USDT, USDTException } from '../lbc/src/bcc/usdt.js';
import { str } from '../lbc/src/py/core.js';

/** An ELF64 file with the given sections (name, address, bytes) after the null one and .shstrtab */
function elf(sections: { name: string; addr: number; type: number; data: Buffer }[]): Buffer {
  const all = [{ name: '.shstrtab', addr: 0, type: 3, data: Buffer.alloc(0) }, ...sections];
  const names = Buffer.concat([Buffer.from([0]), ...all.map((s) => Buffer.from(`${s.name}\0`))]);
  all[0]!.data = names;
  let off = 64;
  const placed = all.map((s) => {
    const at = off;
    off += s.data.length;
    return at;
  });
  const shoff = (off + 7) & ~7;
  const out = Buffer.alloc(shoff + 64 * (all.length + 1));
  out.writeUInt32BE(0x7f454c46, 0);
  out[4] = 2;
  out[5] = 1;
  out.writeBigUInt64LE(BigInt(shoff), 0x28);
  out.writeUInt16LE(64, 0x3a);
  out.writeUInt16LE(all.length + 1, 0x3c);
  out.writeUInt16LE(1, 0x3e);
  let nameOff = 1;
  all.forEach((s, i) => {
    s.data.copy(out, placed[i]!);
    const h = shoff + 64 * (i + 1);
    out.writeUInt32LE(nameOff, h);
    nameOff += s.name.length + 1;
    out.writeUInt32LE(s.type, h + 4);
    out.writeBigUInt64LE(BigInt(s.addr), h + 16);
    out.writeBigUInt64LE(BigInt(placed[i]!), h + 24);
    out.writeBigUInt64LE(BigInt(s.data.length), h + 32);
  });
  return out;
}

/** One NT_STAPSDT note: pc, base, semaphore, provider, name, arguments */
function note(pc: number, base: number, sema: number, provider: string, name: string, args: string): Buffer {
  const desc = Buffer.concat([Buffer.alloc(24), Buffer.from(`${provider}\0${name}\0${args}\0`)]);
  desc.writeBigUInt64LE(BigInt(pc), 0);
  desc.writeBigUInt64LE(BigInt(base), 8);
  desc.writeBigUInt64LE(BigInt(sema), 16);
  const pad = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  const head = Buffer.alloc(12);
  head.writeUInt32LE(8, 0);
  head.writeUInt32LE(desc.length, 4);
  head.writeUInt32LE(3, 8);
  return Buffer.concat([head, pad(Buffer.from('stapsdt\0')), pad(desc)]);
}

const ARGS = '-4@%eax 8@-80(%rbx) 8@112(%rsp) 4@$5 8@sym+8(%rip) 8@8(%rbx,%rcx,4) -2@%r12w 1@-0x10(%rbp)';
const FILE = elf([
  {
    name: '.note.stapsdt', addr: 0, type: 7,
    data: Buffer.concat([note(0x1100, 0x1000, 0x3000, 'app', 'start', ARGS), note(0x1200, 0x1000, 0x3000, 'app', 'start', ARGS), note(0x1300, 0x1000, 0, 'app', 'stop', '')]),
  },
  // the base moved by 0x10 (prelink): every probe moves with it
  { name: '.stapsdt.base', addr: 0x1010, type: 1, data: Buffer.from([0]) },
]);

describe('USDT notes', () => {
  it('reads each note: provider, name, address moved with .stapsdt.base, semaphore, arguments', () => {
    const notes = usdtNotes(FILE);
    expect(notes.map((n) => [n.provider, n.name, n.pc, n.semaphore, n.args.length])).toEqual([
      ['app', 'start', 0x1110, 0x3000, 8], ['app', 'start', 0x1210, 0x3000, 8], ['app', 'stop', 0x1310, 0, 0],
    ]);
  });

  it('reads every x86-64 operand form, registers by BCC names', () => {
    expect(ARGS.split(' ').map(parseUsdtArg)).toEqual([
      { size: -4, base: 'ax' },
      { size: 8, base: 'bx', offset: -80 },
      { size: 8, base: 'sp', offset: 112 },
      { size: 4, constant: 5 },
      { size: 8, base: 'ip', offset: 8, ident: 'sym' },
      { size: 8, base: 'bx', index: 'cx', scale: 4, offset: 8 },
      { size: -2, base: 'r12' },
      { size: 1, base: 'bp', offset: -16 },
    ]);
  });

  it('a file with no notes has no probes; bytes that are not ELF are refused', () => {
    expect(usdtNotes(elf([]))).toEqual([]);
    expect(() => usdtNotes(Buffer.from('#!/bin/sh\n'.padEnd(80)), 'script')).toThrow(/script: not an ELF file/);
  });

  it("BCC's USDT class lists them as BCC prints them", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-usdt-'));
    try {
      const f = path.join(dir, 'app');
      fs.writeFileSync(f, FILE);
      const probes = USDT({ path: f }).enumerate_probes();
      expect(probes.map((p) => [str(p), p.short_name(), p.num_locations, p.num_arguments])).toEqual([
        ['app:start [sema 0x3000]', 'app:start', 2, 8], ['app:stop [sema 0x0]', 'app:stop', 1, 0],
      ]);
      const loc = probes[0]!.get_location(1);
      expect(str(loc)).toBe(`${f} 0x1210`);
      expect(Array.from({ length: loc.num_arguments }, (_, i) => str(loc.get_argument(i)))).toEqual([
        '4 signed   bytes @ ax', '8 unsigned bytes @ *(bx - 80)', '8 unsigned bytes @ *(sp + 112)', '4 unsigned bytes @ 5',
        '8 unsigned bytes @ *(&sym + 8)', '8 unsigned bytes @ *(bx + 8 + cx * 4)', '2 signed   bytes @ r12', '1 unsigned bytes @ *(bp - 16)',
      ]);
      expect(() => USDT({ path: path.join(dir, 'missing') })).toThrow(USDTException);
      expect(() => USDT({})).toThrow(/either a pid or a binary path must be specified/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
