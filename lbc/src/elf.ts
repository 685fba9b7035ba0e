// Sections of an ELF64 object by name: what lcc gen, btf minimize and the
// runtime's checks read out of a compiled BPF object, without libbpf.
import { LbcError } from './errors.js';

/** The bytes of an ELF64 section by name, or null. */
export function elfSection(elf: Uint8Array, name: string, source = 'object'): Uint8Array | null {
  const dv = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (elf.byteLength < 64 || dv.getUint32(0, false) !== 0x7f454c46) throw new LbcError(`${source}: not an ELF file`);
  if (elf[4] !== 2 || elf[5] !== 1) throw new LbcError(`${source}: not a 64-bit little-endian ELF (a BPF object from clang -target bpf is)`);
  const shoff = Number(dv.getBigUint64(0x28, true));
  const shentsize = dv.getUint16(0x3a, true);
  const shnum = dv.getUint16(0x3c, true);
  const shstrndx = dv.getUint16(0x3e, true);
  const sh = (i: number): { name: number; offset: number; size: number } => {
    const o = shoff + i * shentsize;
    return { name: dv.getUint32(o, true), offset: Number(dv.getBigUint64(o + 24, true)), size: Number(dv.getBigUint64(o + 32, true)) };
  };
  const strtab = sh(shstrndx);
  const dec = new TextDecoder();
  for (let i = 0; i < shnum; i++) {
    const s = sh(i);
    let end = strtab.offset + s.name;
    while (elf[end] !== 0) end++;
    if (dec.decode(elf.subarray(strtab.offset + s.name, end)) === name) return elf.subarray(s.offset, s.offset + s.size);
  }
  return null;
}
