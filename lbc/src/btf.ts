// A reader for raw BTF (kernel's /sys/kernel/btf/vmlinux, or an object's .BTF
// as libbpf hands it over). Pure: bytes in, types out; no kernel needed.

export enum Kind {
  Unknown = 0, Int, Ptr, Array, Struct, Union, Enum, Fwd, Typedef, Volatile, Const, Restrict,
  Func, FuncProto, Var, Datasec, Float, DeclTag, TypeTag, Enum64,
}

export interface BtfMember { name: string; type: number; bitOffset: number; bitSize: number }
export interface BtfEnumValue { name: string; value: bigint }
export interface BtfSecinfo { type: number; offset: number; size: number }

export interface BtfType {
  id: number;
  kind: Kind;
  name: string;
  /** size for int/struct/union/enum/float/datasec; referenced type id otherwise */
  sizeOrType: number;
  kindFlag: boolean;
  vlen: number;
  /** INT: encoding bits (1 signed, 2 char, 4 bool) and width */
  intEncoding?: number;
  intBits?: number;
  intOffset?: number;
  array?: { type: number; indexType: number; nelems: number };
  members?: BtfMember[];
  enumValues?: BtfEnumValue[];
  params?: { name: string; type: number }[];
  linkage?: number;
  secinfos?: BtfSecinfo[];
}

export class BtfError extends Error {
  override name = 'BtfError';
}

/** Bytes of kind-specific data after the 12-byte btf_type header. */
function extraBytes(kind: number, vlen: number): number {
  switch (kind) {
    case Kind.Int: case Kind.Var: case Kind.DeclTag: return 4;
    case Kind.Array: return 12;
    case Kind.Struct: case Kind.Union: case Kind.Datasec: case Kind.Enum64: return 12 * vlen;
    case Kind.Enum: case Kind.FuncProto: return 8 * vlen;
    default: return 0;
  }
}

/**
 * Lazy: construction only indexes where each type starts and its name offset
 * (vmlinux has ~130k types; materializing them all costs half a second), and
 * types are decoded when asked for.
 */
export class Btf {
  private readonly bytes: Uint8Array;
  private readonly dv: DataView;
  private readonly le: boolean;
  private readonly strOff: number;
  private readonly strLen: number;
  /** byte offset of type id i (index 0 unused: void) */
  private readonly starts: Uint32Array;
  private readonly nameOffs: Uint32Array;
  private readonly cache = new Map<number, BtfType>();
  private readonly source: string;
  private readonly decoder = new TextDecoder();
  readonly count: number;

  private constructor(bytes: Uint8Array, source: string) {
    this.bytes = bytes;
    this.source = source;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.dv = dv;
    if (bytes.byteLength < 24) throw new BtfError(`${source}: too short to be BTF`);
    let le = true;
    if (dv.getUint16(0, true) !== 0xeb9f) {
      if (dv.getUint16(0, false) !== 0xeb9f) throw new BtfError(`${source}: bad magic, not BTF`);
      le = false;
    }
    this.le = le;
    const hdrLen = dv.getUint32(4, le);
    const typeOff = hdrLen + dv.getUint32(8, le);
    const typeLen = dv.getUint32(12, le);
    this.strOff = hdrLen + dv.getUint32(16, le);
    this.strLen = dv.getUint32(20, le);
    if (typeOff + typeLen > bytes.byteLength || this.strOff + this.strLen > bytes.byteLength) {
      throw new BtfError(`${source}: truncated (sections run past ${bytes.byteLength} bytes)`);
    }
    // one pass: where each type starts, and its name
    let cap = 1024;
    let starts = new Uint32Array(cap);
    let names = new Uint32Array(cap);
    let n = 1;
    const end = typeOff + typeLen;
    for (let p = typeOff; p < end; ) {
      if (n === cap) {
        cap *= 2;
        const s2 = new Uint32Array(cap);
        s2.set(starts);
        starts = s2;
        const n2 = new Uint32Array(cap);
        n2.set(names);
        names = n2;
      }
      const info = dv.getUint32(p + 4, le);
      const kind = (info >>> 24) & 0x1f;
      if (kind > Kind.Enum64) throw new BtfError(`${source}: unknown BTF kind ${kind} at type ${n}`);
      starts[n] = p;
      names[n] = dv.getUint32(p, le);
      n++;
      p += 12 + extraBytes(kind, info & 0xffff);
    }
    this.starts = starts.subarray(0, n);
    this.nameOffs = names.subarray(0, n);
    this.count = n;
  }

  static parse(bytes: Uint8Array, source = 'BTF'): Btf {
    return new Btf(bytes, source);
  }

  /** A string of the string table (names, and .BTF.ext's section names and access paths). */
  strAt(off: number): string {
    return this.str(off);
  }

  private str(off: number): string {
    if (off === 0) return '';
    let end = this.strOff + off;
    const limit = this.strOff + this.strLen;
    while (end < limit && this.bytes[end] !== 0) end++;
    return this.decoder.decode(this.bytes.subarray(this.strOff + off, end));
  }

  /** Every type, materialized (slow on vmlinux; for tools and tests). */
  get types(): BtfType[] {
    return Array.from({ length: this.count }, (_, i) => this.type(i));
  }

  private decode(id: number): BtfType {
    if (id === 0) return { id: 0, kind: Kind.Unknown, name: 'void', sizeOrType: 0, kindFlag: false, vlen: 0 };
    const dv = this.dv;
    const le = this.le;
    const u32 = (o: number): number => dv.getUint32(o, le);
    let p = this.starts[id]!;
    const info = u32(p + 4);
    const t: BtfType = {
      id,
      name: this.str(u32(p)),
      kind: (info >>> 24) & 0x1f,
      kindFlag: (info >>> 31) === 1,
      vlen: info & 0xffff,
      sizeOrType: u32(p + 8),
    };
    p += 12;
    switch (t.kind) {
      case Kind.Int: {
        const enc = u32(p);
        t.intEncoding = (enc >>> 24) & 0x0f;
        t.intOffset = (enc >>> 16) & 0xff;
        t.intBits = enc & 0xff;
        break;
      }
      case Kind.Array:
        t.array = { type: u32(p), indexType: u32(p + 4), nelems: u32(p + 8) };
        break;
      case Kind.Struct:
      case Kind.Union:
        t.members = [];
        for (let i = 0; i < t.vlen; i++, p += 12) {
          const off = u32(p + 8);
          t.members.push({
            name: this.str(u32(p)),
            type: u32(p + 4),
            bitOffset: t.kindFlag ? off & 0xffffff : off,
            bitSize: t.kindFlag ? off >>> 24 : 0,
          });
        }
        break;
      case Kind.Enum:
        t.enumValues = [];
        for (let i = 0; i < t.vlen; i++, p += 8) {
          // kind_flag set: the enum is signed
          const v = t.kindFlag ? BigInt(dv.getInt32(p + 4, le)) : BigInt(u32(p + 4));
          t.enumValues.push({ name: this.str(u32(p)), value: v });
        }
        break;
      case Kind.Enum64:
        t.enumValues = [];
        for (let i = 0; i < t.vlen; i++, p += 12) {
          let v = (BigInt(u32(p + 8)) << 32n) | BigInt(u32(p + 4));
          if (t.kindFlag) v = BigInt.asIntN(64, v);
          t.enumValues.push({ name: this.str(u32(p)), value: v });
        }
        break;
      case Kind.FuncProto:
        t.params = [];
        for (let i = 0; i < t.vlen; i++, p += 8) t.params.push({ name: this.str(u32(p)), type: u32(p + 4) });
        break;
      case Kind.Var:
        t.linkage = u32(p);
        break;
      case Kind.Datasec:
        t.secinfos = [];
        for (let i = 0; i < t.vlen; i++, p += 12) t.secinfos.push({ type: u32(p), offset: u32(p + 4), size: u32(p + 8) });
        break;
      default:
        break;
    }
    return t;
  }

  type(id: number): BtfType {
    if (id < 0 || id >= this.count) throw new BtfError(`${this.source}: no BTF type with id ${id}`);
    let t = this.cache.get(id);
    if (!t) {
      t = this.decode(id);
      this.cache.set(id, t);
    }
    return t;
  }

  /** Where `name` stands in the string table, searched in its bytes. */
  private nameOffsets(name: string): Set<number> {
    const needle = new TextEncoder().encode(`\0${name}\0`);
    const strs = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.strOff, this.strLen);
    const offs = new Set<number>();
    // the table starts with a NUL, so every name is preceded by one
    for (let i = strs.indexOf(needle); i >= 0; i = strs.indexOf(needle, i + 1)) offs.add(i + 1);
    return offs;
  }

  /** Named types, optionally of one kind: the name is searched in the string table's bytes. */
  find(name: string, kind?: Kind): BtfType[] {
    if (!name) return [];
    const offs = this.nameOffsets(name);
    // the ids naming it, by the typed array's own search (lcc gen checks a
    // hundred types this way: a loop over every id ran interpreted)
    const ids: number[] = [];
    for (const off of offs) {
      for (let id = this.nameOffs.indexOf(off, 1); id >= 0; id = this.nameOffs.indexOf(off, id + 1)) ids.push(id);
    }
    const out: BtfType[] = [];
    for (const id of ids.sort((a, b) => a - b)) {
      const t = this.type(id);
      if (kind === undefined || t.kind === kind) out.push(t);
    }
    return out;
  }

  /**
   * The value of an enumerator (`NR_SOFTIRQS`, `BPF_MAP_TYPE_HASH`): C sizes
   * use the kernel's enum constants, which only its BTF holds. Enumerators
   * are not types, so `find` cannot see them: the name's string offsets are
   * matched against every enum's values, read raw.
   */
  enumerator(name: string): bigint | undefined {
    if (!name) return undefined;
    const offs = this.nameOffsets(name);
    if (!offs.size) return undefined;
    const dv = this.dv;
    const le = this.le;
    for (let id = 1; id < this.count; id++) {
      const p = this.starts[id]!;
      const info = dv.getUint32(p + 4, le);
      const kind = (info >>> 24) & 0x1f;
      if (kind !== Kind.Enum && kind !== Kind.Enum64) continue;
      const step = kind === Kind.Enum ? 8 : 12;
      for (let i = 0, q = p + 12; i < (info & 0xffff); i++, q += step) {
        if (!offs.has(dv.getUint32(q, le))) continue;
        return this.type(id).enumValues![i]!.value;
      }
    }
    return undefined;
  }

  /** Skip typedefs and qualifiers. */
  resolve(id: number): BtfType {
    let t = this.type(id);
    for (let guard = 0; guard < 64; guard++) {
      if (t.kind === Kind.Typedef || t.kind === Kind.Volatile || t.kind === Kind.Const ||
          t.kind === Kind.Restrict || t.kind === Kind.TypeTag) t = this.type(t.sizeOrType);
      else return t;
    }
    throw new BtfError(`type ${id}: typedef chain too deep`);
  }

  /** Byte size of a type, following typedefs, arrays and pointers (8 bytes on BPF targets). */
  sizeof(id: number): number {
    const t = this.resolve(id);
    switch (t.kind) {
      case Kind.Int: case Kind.Struct: case Kind.Union: case Kind.Enum: case Kind.Enum64:
      case Kind.Float: case Kind.Datasec:
        return t.sizeOrType;
      case Kind.Ptr:
        return 8;
      case Kind.Array:
        return t.array!.nelems * this.sizeof(t.array!.type);
      case Kind.Var:
        return this.sizeof(t.sizeOrType);
      default:
        throw new BtfError(`type ${id} (${t.name || 'anonymous'}) has no size`);
    }
  }

  /** The variables of a data section (.bss, .data, .rodata, .data.foo, ...). */
  datasecVars(section: string): { name: string; type: number; offset: number; size: number }[] {
    const sec = this.find(section, Kind.Datasec)[0];
    if (!sec) return [];
    return sec.secinfos!.map((si) => {
      const v = this.type(si.type);
      return { name: v.name, type: v.sizeOrType, offset: si.offset, size: si.size };
    });
  }
}
export { Kind as BtfKind };
