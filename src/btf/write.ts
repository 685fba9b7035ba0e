// Raw BTF out: types appended in order (ids from 1), strings interned in
// first-use order, as libbpf's btf__add_*() lay them out, so a file we write
// and one bpftool writes from the same types are byte-for-byte comparable.
import { BtfKind as Kind, type BtfMember, type BtfType } from '../../lbc/src/pure.js';

export class BtfWriter {
  private readonly types: Uint8Array[] = [];
  private readonly strings = new Map<string, number>([['', 0]]);
  private strBytes: number[] = [0];
  private readonly enc = new TextEncoder();

  /** Number of types so far; the next added type gets this id. */
  get nextId(): number {
    return this.types.length + 1;
  }

  private str(s: string): number {
    let off = this.strings.get(s);
    if (off === undefined) {
      off = this.strBytes.length;
      this.strings.set(s, off);
      for (const b of this.enc.encode(s)) this.strBytes.push(b);
      this.strBytes.push(0);
    }
    return off;
  }

  /**
   * Append a type as decoded by the reader, with its type references mapped
   * by `id` and, for structs and unions, only the given members.
   */
  add(t: BtfType, id: (old: number) => number, members?: BtfMember[]): number {
    const words: number[] = [];
    const nameOff = this.str(t.name === 'void' && t.id === 0 ? '' : t.name);
    const ms = members ?? t.members ?? [];
    // member/enum/param names are interned in order after the type's own name, as libbpf does
    let vlen = t.vlen;
    let kindFlag = t.kindFlag;
    const tail: number[] = [];
    switch (t.kind) {
      case Kind.Int:
        tail.push(((t.intEncoding ?? 0) << 24) | ((t.intOffset ?? 0) << 16) | (t.intBits ?? 0));
        break;
      case Kind.Array:
        tail.push(id(t.array!.type), id(t.array!.indexType), t.array!.nelems);
        break;
      case Kind.Struct: case Kind.Union:
        // libbpf's btf__add_field: kind_flag once any member is a bitfield; offsets always (size << 24 | bit offset)
        vlen = ms.length;
        kindFlag = ms.some((m) => m.bitSize !== 0 || m.bitOffset % 8 !== 0);
        for (const m of ms) tail.push(this.str(m.name), id(m.type), ((m.bitSize << 24) | m.bitOffset) >>> 0);
        break;
      case Kind.Enum:
        for (const v of t.enumValues!) tail.push(this.str(v.name), Number(BigInt.asUintN(32, v.value)));
        break;
      case Kind.Enum64:
        for (const v of t.enumValues!) {
          const u = BigInt.asUintN(64, v.value);
          tail.push(this.str(v.name), Number(u & 0xffffffffn), Number(u >> 32n));
        }
        break;
      case Kind.FuncProto:
        for (const p of t.params!) tail.push(this.str(p.name), id(p.type));
        break;
      case Kind.Var:
        tail.push(t.linkage ?? 0);
        break;
      case Kind.DeclTag: case Kind.Datasec:
        throw new Error(`BtfWriter: kind ${Kind[t.kind]} is not supported`);
      default:
        break;
    }
    const refersToType = [Kind.Ptr, Kind.Typedef, Kind.Volatile, Kind.Const, Kind.Restrict, Kind.Func, Kind.FuncProto, Kind.Var, Kind.TypeTag, Kind.DeclTag].includes(t.kind);
    words.push(nameOff, ((kindFlag ? 1 : 0) << 31 | (t.kind << 24) | (vlen & 0xffff)) >>> 0, refersToType ? id(t.sizeOrType) : t.sizeOrType);
    const buf = new Uint8Array((words.length + tail.length) * 4);
    const dv = new DataView(buf.buffer);
    [...words, ...tail].forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
    this.types.push(buf);
    return this.types.length;
  }

  bytes(): Uint8Array {
    const typeLen = this.types.reduce((n, b) => n + b.length, 0);
    const strLen = this.strBytes.length;
    const out = new Uint8Array(24 + typeLen + strLen);
    const dv = new DataView(out.buffer);
    dv.setUint16(0, 0xeb9f, true);
    out[2] = 1; // version
    out[3] = 0; // flags
    dv.setUint32(4, 24, true);
    dv.setUint32(8, 0, true);
    dv.setUint32(12, typeLen, true);
    dv.setUint32(16, typeLen, true);
    dv.setUint32(20, strLen, true);
    let p = 24;
    for (const b of this.types) {
      out.set(b, p);
      p += b.length;
    }
    out.set(this.strBytes, p);
    return out;
  }
}
