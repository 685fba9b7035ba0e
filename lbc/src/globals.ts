// Global variables: libbpf keeps each data section (.bss, .data, .rodata, ...)
// in an mmap'ed buffer that becomes the kernel map's memory after load. We
// view that memory directly and find variables by the object's BTF DATASEC.
import { Btf, Kind } from './btf.js';
import { UsageError } from './errors.js';

export type GlobalValue = number | bigint | boolean | Uint8Array;

export interface GlobalVar {
  name: string;
  section: string;
  offset: number;
  size: number;
  /** BTF type id in the object's BTF */
  type: number;
}

export class GlobalSection {
  constructor(
    readonly section: string,
    /** the section's live bytes (libbpf's copy before load, the kernel map's after) */
    private readonly memory: () => DataView,
    /** false for .rodata once the object is loaded (the kernel froze it) */
    private readonly writable: () => boolean,
  ) {}

  get view(): DataView {
    return this.memory();
  }

  assertWritable(what: string): void {
    if (!this.writable()) {
      throw new UsageError(`${what}: ${this.section} is read-only after load; set it between open() and load()`);
    }
  }
}

/** Decode or encode a scalar by its BTF type; anything else is bytes. */
export function readGlobal(btf: Btf, v: GlobalVar, dv: DataView): GlobalValue {
  const t = btf.resolve(v.type);
  const o = v.offset;
  if (t.kind === Kind.Int || t.kind === Kind.Enum || t.kind === Kind.Enum64) {
    const signed = t.kind === Kind.Int ? (t.intEncoding! & 1) === 1 : !t.kindFlag;
    if (t.kind === Kind.Int && t.intEncoding! & 4) return dv.getUint8(o) !== 0;
    switch (v.size) {
      case 1: return signed ? dv.getInt8(o) : dv.getUint8(o);
      case 2: return signed ? dv.getInt16(o, true) : dv.getUint16(o, true);
      case 4: return signed ? dv.getInt32(o, true) : dv.getUint32(o, true);
      case 8: return signed ? dv.getBigInt64(o, true) : dv.getBigUint64(o, true);
    }
  }
  if (t.kind === Kind.Ptr) return dv.getBigUint64(o, true);
  return new Uint8Array(dv.buffer.slice(dv.byteOffset + o, dv.byteOffset + o + v.size));
}

export function writeGlobal(btf: Btf, v: GlobalVar, dv: DataView, value: GlobalValue): void {
  const o = v.offset;
  if (value instanceof Uint8Array) {
    if (value.length > v.size) throw new UsageError(`global ${v.name}: ${value.length} bytes do not fit in ${v.size}`);
    const dst = new Uint8Array(dv.buffer, dv.byteOffset + o, v.size);
    dst.fill(0);
    dst.set(value);
    return;
  }
  const t = btf.resolve(v.type);
  if (![Kind.Int, Kind.Enum, Kind.Enum64, Kind.Ptr].includes(t.kind)) {
    throw new UsageError(`global ${v.name} is not a scalar: pass a Uint8Array of ${v.size} bytes`);
  }
  const n = typeof value === 'boolean' ? Number(value) : value;
  switch (v.size) {
    case 1: dv.setUint8(o, Number(n) & 0xff); return;
    case 2: dv.setUint16(o, Number(n) & 0xffff, true); return;
    case 4: dv.setUint32(o, Number(BigInt.asUintN(32, BigInt(n))), true); return;
    case 8: dv.setBigUint64(o, BigInt.asUintN(64, BigInt(n)), true); return;
    default: throw new UsageError(`global ${v.name}: cannot store a number in ${v.size} bytes`);
  }
}
