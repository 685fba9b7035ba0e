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

export class Btf {
  /** index = type id; [0] is void */
  readonly types: BtfType[];
  private byName?: Map<string, number[]>;

  private constructor(types: BtfType[]) {
    this.types = types;
  }

  static parse(bytes: Uint8Array, source = 'BTF'): Btf {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < 24) throw new BtfError(`${source}: too short to be BTF`);
    let le = true;
    if (dv.getUint16(0, true) !== 0xeb9f) {
      if (dv.getUint16(0, false) !== 0xeb9f) throw new BtfError(`${source}: bad magic, not BTF`);
      le = false;
    }
    const hdrLen = dv.getUint32(4, le);
    const typeOff = hdrLen + dv.getUint32(8, le);
    const typeLen = dv.getUint32(12, le);
    const strOff = hdrLen + dv.getUint32(16, le);
    const strLen = dv.getUint32(20, le);
    if (typeOff + typeLen > bytes.byteLength || strOff + strLen > bytes.byteLength) {
      throw new BtfError(`${source}: truncated (sections run past ${bytes.byteLength} bytes)`);
    }
    const decoder = new TextDecoder();
    const strCache = new Map<number, string>();
    const str = (off: number): string => {
      if (off === 0) return '';
      let s = strCache.get(off);
      if (s !== undefined) return s;
      let end = strOff + off;
      while (end < strOff + strLen && bytes[end] !== 0) end++;
      s = decoder.decode(bytes.subarray(strOff + off, end));
      strCache.set(off, s);
      return s;
    };
    const u32 = (o: number): number => dv.getUint32(o, le);

    const types: BtfType[] = [{ id: 0, kind: Kind.Unknown, name: 'void', sizeOrType: 0, kindFlag: false, vlen: 0 }];
    let p = typeOff;
    const end = typeOff + typeLen;
    while (p < end) {
      const info = u32(p + 4);
      const t: BtfType = {
        id: types.length,
        name: str(u32(p)),
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
          p += 4;
          break;
        }
        case Kind.Array:
          t.array = { type: u32(p), indexType: u32(p + 4), nelems: u32(p + 8) };
          p += 12;
          break;
        case Kind.Struct:
        case Kind.Union:
          t.members = [];
          for (let i = 0; i < t.vlen; i++, p += 12) {
            const off = u32(p + 8);
            t.members.push({
              name: str(u32(p)),
              type: u32(p + 4),
              bitOffset: t.kindFlag ? off & 0xffffff : off,
              bitSize: t.kindFlag ? off >>> 24 : 0,
            });
          }
          break;
        case Kind.Enum:
          t.enumValues = [];
          for (let i = 0; i < t.vlen; i++, p += 8) {
            const v = t.kindFlag ? BigInt(u32(p + 4)) : BigInt(dv.getInt32(p + 4, le));
            t.enumValues.push({ name: str(u32(p)), value: v });
          }
          break;
        case Kind.Enum64:
          t.enumValues = [];
          for (let i = 0; i < t.vlen; i++, p += 12) {
            let v = (BigInt(u32(p + 8)) << 32n) | BigInt(u32(p + 4));
            if (!t.kindFlag) v = BigInt.asIntN(64, v);
            t.enumValues.push({ name: str(u32(p)), value: v });
          }
          break;
        case Kind.FuncProto:
          t.params = [];
          for (let i = 0; i < t.vlen; i++, p += 8) t.params.push({ name: str(u32(p)), type: u32(p + 4) });
          break;
        case Kind.Var:
          t.linkage = u32(p);
          p += 4;
          break;
        case Kind.Datasec:
          t.secinfos = [];
          for (let i = 0; i < t.vlen; i++, p += 12) t.secinfos.push({ type: u32(p), offset: u32(p + 4), size: u32(p + 8) });
          break;
        case Kind.DeclTag:
          p += 4;
          break;
        case Kind.Ptr: case Kind.Fwd: case Kind.Typedef: case Kind.Volatile: case Kind.Const:
        case Kind.Restrict: case Kind.Func: case Kind.Float: case Kind.TypeTag:
          break;
        default:
          throw new BtfError(`${source}: unknown BTF kind ${t.kind} at type ${t.id}`);
      }
      types.push(t);
    }
    return new Btf(types);
  }

  type(id: number): BtfType {
    const t = this.types[id];
    if (!t) throw new BtfError(`no BTF type with id ${id}`);
    return t;
  }

  /** Ids of named types, optionally of one kind. */
  find(name: string, kind?: Kind): BtfType[] {
    if (!this.byName) {
      this.byName = new Map();
      for (const t of this.types) {
        if (!t.name) continue;
        const ids = this.byName.get(t.name);
        if (ids) ids.push(t.id);
        else this.byName.set(t.name, [t.id]);
      }
    }
    return (this.byName.get(name) ?? []).map((id) => this.types[id]!).filter((t) => kind === undefined || t.kind === kind);
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
