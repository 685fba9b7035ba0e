// The one layout engine: sizes, alignments, offsets and bitfield placement of
// the BPF target's C ABI (clang -target bpf, the same for x86_64 and arm64
// hosts: LP64, 8-byte pointers, __int128 aligned to 16, SysV bitfields).
import { recordName, strip, typeName, type CType, type FieldDecl, type RecordDecl } from './ctypes.js';

export class LayoutError extends Error {
  constructor(message: string, readonly where?: FieldDecl | RecordDecl) {
    super(message);
  }
}

export interface Layout {
  size: number;
  align: number;
}

export interface FieldLayout {
  field: FieldDecl;
  /** bits from the start of the record */
  bitOffset: number;
  /** 0 unless a bitfield */
  bitSize: number;
  /** byte size of the member's type (the storage unit, for bitfields) */
  size: number;
}

export interface RecordLayout extends Layout {
  fields: FieldLayout[];
}

const recordCache = new WeakMap<RecordDecl, RecordLayout>();
const inProgress = new WeakSet<RecordDecl>();

export function layoutOf(t: CType): Layout {
  switch (t.kind) {
    case 'void': return { size: 1, align: 1 }; // GNU C: sizeof(void) == 1
    case 'int': return { size: t.size, align: t.size };
    case 'float': return { size: t.size, align: t.size };
    case 'ptr': return { size: 8, align: 8 };
    case 'func': return { size: 1, align: 1 };
    case 'typedef': return layoutOf(t.to);
    case 'array': {
      const e = layoutOf(t.of);
      return { size: t.flexible ? 0 : e.size * t.length, align: e.align };
    }
    case 'enum': {
      if (t.en.base) return layoutOf(t.en.base);
      if (t.en.size) return { size: t.en.size, align: t.en.size };
      // clang: int, unless a value needs 64 bits
      const fits32 = t.en.values.every((v) => v.value >= -(2n ** 31n) && v.value < 2n ** 32n);
      return fits32 ? { size: 4, align: 4 } : { size: 8, align: 8 };
    }
    case 'record': {
      const r = recordLayout(t.rec);
      return { size: r.size, align: r.align };
    }
  }
}

/** Is an enum's underlying type signed (for decoding)? */
export function enumSigned(t: Extract<CType, { kind: 'enum' }>): boolean {
  if (t.en.base) {
    const b = strip(t.en.base);
    return b.kind === 'int' && b.signed;
  }
  return t.en.values.some((v) => v.value < 0n);
}

const roundUp = (n: number, a: number): number => Math.ceil(n / a) * a;

export function recordLayout(rec: RecordDecl): RecordLayout {
  const hit = recordCache.get(rec);
  if (hit) return hit;
  if (!rec.complete) {
    throw new LayoutError(`${recordName(rec)} is declared but never defined: define it, or pass --btf with a BTF that has it`, rec);
  }
  if (inProgress.has(rec)) throw new LayoutError(`${recordName(rec)} contains itself`, rec);
  inProgress.add(rec);
  try {
    const out = rec.fixed ? fixedLayout(rec) : rec.tag === 'struct' ? structLayout(rec) : unionLayout(rec);
    recordCache.set(rec, out);
    return out;
  } finally {
    inProgress.delete(rec);
  }
}

/** Kernel (BTF) records: offsets are given; alignment is inferred from the members. */
function fixedLayout(rec: RecordDecl): RecordLayout {
  let align = 1;
  const fields = rec.fields.map((f, i) => {
    const l = layoutOf(f.type);
    if (!f.bitSize) align = Math.max(align, l.align);
    return { field: f, bitOffset: rec.fixed!.bitOffsets[i]!, bitSize: f.bitSize ?? 0, size: l.size };
  });
  // a size that is not a multiple of the members' alignment means the kernel packed it
  if (rec.fixed!.size % align !== 0) align = 1;
  for (const f of fields) if (!f.bitSize && f.bitOffset % (8 * Math.min(align, layoutOf(f.field.type).align)) !== 0) align = 1;
  return { size: rec.fixed!.size, align, fields };
}

function memberAlign(rec: RecordDecl, f: FieldDecl, natural: number): number {
  if (f.align) return Math.max(f.align, rec.packed ? 1 : natural);
  return rec.packed ? 1 : natural;
}

function structLayout(rec: RecordDecl): RecordLayout {
  let bit = 0;
  let align = 1;
  const fields: FieldLayout[] = [];
  rec.fields.forEach((f, i) => {
    const t = strip(f.type);
    const l = layoutOf(f.type);
    if (t.kind === 'array' && t.flexible && i !== rec.fields.length - 1) {
      throw new LayoutError(`flexible array member ${f.name} must be the last member of ${recordName(rec)}`, f);
    }
    if (f.bitSize !== undefined) {
      if (t.kind !== 'int' && t.kind !== 'enum') throw new LayoutError(`bitfield ${f.name ?? '(unnamed)'} has type ${typeName(f.type)}: only integer and enum types can be bitfields`, f);
      if (f.bitSize > l.size * 8) throw new LayoutError(`bitfield ${f.name ?? '(unnamed)'} is ${f.bitSize} bits wide but its type ${typeName(f.type)} has ${l.size * 8}`, f);
      const unit = l.size * 8;
      if (f.bitSize === 0) {
        // an unnamed zero-width bitfield closes the current storage unit
        bit = roundUp(bit, rec.packed ? 8 : unit);
        return;
      }
      if (!rec.packed && Math.floor(bit / unit) !== Math.floor((bit + f.bitSize - 1) / unit)) bit = roundUp(bit, unit);
      if (f.align) bit = roundUp(bit, f.align * 8);
      if (f.name !== undefined && !rec.packed) align = Math.max(align, l.align);
      if (f.align) align = Math.max(align, f.align);
      fields.push({ field: f, bitOffset: bit, bitSize: f.bitSize, size: l.size });
      bit += f.bitSize;
      return;
    }
    const a = memberAlign(rec, f, l.align);
    bit = roundUp(bit, a * 8);
    align = Math.max(align, a);
    fields.push({ field: f, bitOffset: bit, bitSize: 0, size: l.size });
    bit += l.size * 8;
  });
  if (rec.align) align = Math.max(align, rec.align);
  return { size: roundUp(Math.ceil(bit / 8), align), align, fields };
}

function unionLayout(rec: RecordDecl): RecordLayout {
  let size = 0;
  let align = 1;
  const fields: FieldLayout[] = [];
  for (const f of rec.fields) {
    const l = layoutOf(f.type);
    if (f.bitSize !== undefined) {
      if (f.bitSize === 0) continue;
      size = Math.max(size, Math.ceil(f.bitSize / 8));
      if (f.name !== undefined && !rec.packed) align = Math.max(align, l.align);
      fields.push({ field: f, bitOffset: 0, bitSize: f.bitSize, size: l.size });
      continue;
    }
    size = Math.max(size, l.size);
    align = Math.max(align, memberAlign(rec, f, l.align));
    fields.push({ field: f, bitOffset: 0, bitSize: 0, size: l.size });
  }
  if (rec.align) align = Math.max(align, rec.align);
  return { size: roundUp(size, align), align, fields };
}

export interface FlatField {
  /** dotted path through anonymous members is flattened: the name as C code reaches it */
  name: string;
  type: CType;
  bitOffset: number;
  bitSize: number;
  size: number;
}

/**
 * Members as C code reaches them: those of anonymous struct/union members are
 * lifted into the parent, offsets from the parent's start.
 */
export function flatFields(rec: RecordDecl, base = 0): FlatField[] {
  const out: FlatField[] = [];
  for (const fl of recordLayout(rec).fields) {
    const t = strip(fl.field.type);
    if (fl.field.name === undefined && t.kind === 'record' && !fl.bitSize) {
      out.push(...flatFields(t.rec, base + fl.bitOffset));
    } else if (fl.field.name !== undefined) {
      out.push({ name: fl.field.name, type: fl.field.type, bitOffset: base + fl.bitOffset, bitSize: fl.bitSize, size: fl.size });
    }
  }
  return out;
}
