// Sections of an ELF64 object by name: what lcc gen, btf minimize and the
// runtime's checks read out of a compiled BPF object, without libbpf.
import { LbcError } from './errors.js';

export interface ElfSectionHeader { name: string; type: number; addr: number; offset: number; size: number; link: number; entsize: number }

/** The section headers of a 64-bit little-endian ELF file, with their names. */
export function elfSections(elf: Uint8Array, source = 'object'): ElfSectionHeader[] {
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (elf.byteLength < 64 || dv.getUint32(0, false) !== 0x7f454c46) throw new LbcError(`${source}: not an ELF file`);
  if (elf[4] !== 2 || elf[5] !== 1) throw new LbcError(`${source}: not a 64-bit little-endian ELF (a BPF object from clang -target bpf is)`);
  const shoff = Number(dv.getBigUint64(0x28, true));
  const shentsize = dv.getUint16(0x3a, true);
  const shnum = dv.getUint16(0x3c, true);
  const shstrndx = dv.getUint16(0x3e, true);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + i * shentsize;
    return { nameOff: dv.getUint32(o, true), type: dv.getUint32(o + 4, true), addr: Number(dv.getBigUint64(o + 16, true)), offset: Number(dv.getBigUint64(o + 24, true)), size: Number(dv.getBigUint64(o + 32, true)), link: dv.getUint32(o + 40, true), entsize: Number(dv.getBigUint64(o + 56, true)) };
  });
  const strtab = raw[shstrndx];
  const dec = new TextDecoder();
  return raw.map(({ nameOff, ...h }) => {
    let end = (strtab?.offset ?? 0) + nameOff;
    while (elf[end] !== 0 && end < elf.length) end++;
    return { name: strtab ? dec.decode(elf.subarray(strtab.offset + nameOff, end)) : '', ...h };
  });
}

/** The bytes of an ELF64 section by name, or null. */
export function elfSection(elf: Uint8Array, name: string, source = 'object'): Uint8Array | null {
  const s = elfSections(elf, source).find((x) => x.name === name);
  return s ? elf.subarray(s.offset, s.offset + s.size) : null;
}
