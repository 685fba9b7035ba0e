// The one C type model: what the parser builds from source and what kernel
// BTF is converted into. Layout lives in layout.ts; names for output in emit.ts.
import { Btf, BtfKind } from '../../lbc/src/pure.js';
import type { Pos } from '../cscan.js';

export type CType =
  | { kind: 'void' }
  | { kind: 'int'; name: string; size: number; signed: boolean; bool?: boolean; char?: boolean }
  | { kind: 'float'; name: string; size: number }
  | { kind: 'ptr'; to: CType }
  | { kind: 'array'; of: CType; length: number; flexible?: boolean }
  | { kind: 'record'; rec: RecordDecl }
  | { kind: 'enum'; en: EnumDecl }
  | { kind: 'typedef'; name: string; to: CType }
  | { kind: 'func' };

export interface FieldDecl {
  /** undefined for anonymous struct/union members and unnamed bitfields */
  name?: string;
  type: CType;
  /** bitfield width; undefined for ordinary members */
  bitSize?: number;
  /** __attribute__((aligned(n))) on the member */
  align?: number;
  pos?: Pos;
}

export interface RecordDecl {
  tag: 'struct' | 'union';
  /** the tag name (`foo` of `struct foo`); undefined when anonymous */
  name?: string;
  /** a typedef that names an anonymous record */
  typedefName?: string;
  fields: FieldDecl[];
  complete: boolean;
  packed: boolean;
  align?: number;
  /** where it was defined: the user's source, or kernel BTF (fixed layout) */
  origin: 'source' | 'btf';
  pos?: Pos;
  file?: string;
  /** BTF-sourced records carry their layout: bit offsets per field, size */
  fixed?: { size: number; bitOffsets: number[] };
}

export interface EnumDecl {
  name?: string;
  typedefName?: string;
  values: { name: string; value: bigint }[];
  /** `enum x : __u64` */
  base?: CType;
  /** from BTF */
  size?: number;
  origin: 'source' | 'btf';
  pos?: Pos;
  file?: string;
}

/**
 * A record the source declared but never defined takes the definition found
 * in BTF (a kernel type), keeping the typedef name the source gave it.
 */
export function adoptDefinition(rec: RecordDecl, from: RecordDecl): void {
  Object.assign(rec, { ...from, typedefName: rec.typedefName });
}

/** The name a C programmer would write for a type. */
export function typeName(t: CType): string {
  switch (t.kind) {
    case 'void': return 'void';
    case 'int': case 'float': return t.name;
    case 'ptr': return `${typeName(t.to)} *`;
    case 'array': return `${typeName(t.of)}[${t.flexible ? '' : t.length}]`;
    case 'record': return recordName(t.rec);
    case 'enum': return t.en.typedefName ?? (t.en.name ? `enum ${t.en.name}` : 'enum (anonymous)');
    case 'typedef': return t.name;
    case 'func': return 'function';
  }
}

export function recordName(r: RecordDecl): string {
  if (r.name) return `${r.tag} ${r.name}`;
  return r.typedefName ?? `${r.tag} (anonymous)`;
}

/** Follow typedefs. */
export function strip(t: CType): CType {
  while (t.kind === 'typedef') t = t.to;
  return t;
}

const int = (name: string, size: number, signed: boolean, extra: { bool?: boolean; char?: boolean } = {}): CType => ({ kind: 'int', name, size, signed, ...extra });

/** Integer and float spellings that need no header: C's own and the kernel's fixed-width names. */
const BUILTIN: Record<string, CType> = {};
for (const [names, size, signed] of [
  [['char', 'signed char'], 1, true],
  [['unsigned char'], 1, false],
  [['short', 'short int', 'signed short', 'signed short int'], 2, true],
  [['unsigned short', 'unsigned short int'], 2, false],
  [['int', 'signed', 'signed int'], 4, true],
  [['unsigned', 'unsigned int'], 4, false],
  [['long', 'long int', 'signed long', 'signed long int', 'long long', 'long long int', 'signed long long', 'signed long long int'], 8, true],
  [['unsigned long', 'unsigned long int', 'unsigned long long', 'unsigned long long int'], 8, false],
  [['__int128', '__int128_t', 'signed __int128'], 16, true],
  [['unsigned __int128', '__uint128_t'], 16, false],
] as [string[], number, boolean][]) {
  for (const n of names) BUILTIN[n] = int(n, size, signed, n.endsWith('char') ? { char: true } : {});
}
BUILTIN._Bool = int('_Bool', 1, false, { bool: true });
BUILTIN.float = { kind: 'float', name: 'float', size: 4 };
BUILTIN.double = { kind: 'float', name: 'double', size: 8 };
BUILTIN.void = { kind: 'void' };

/** vmlinux.h typedefs so common that we skip loading BTF for them. */
const FIXED: Record<string, [number, boolean]> = {
  __u8: [1, false], __s8: [1, true], u8: [1, false], s8: [1, true], uint8_t: [1, false], int8_t: [1, true],
  __u16: [2, false], __s16: [2, true], u16: [2, false], s16: [2, true], uint16_t: [2, false], int16_t: [2, true],
  __be16: [2, false], __le16: [2, false],
  __u32: [4, false], __s32: [4, true], u32: [4, false], s32: [4, true], uint32_t: [4, false], int32_t: [4, true],
  __be32: [4, false], __le32: [4, false], __wsum: [4, false], pid_t: [4, true], uid_t: [4, false], gid_t: [4, false],
  __u64: [8, false], __s64: [8, true], u64: [8, false], s64: [8, true], uint64_t: [8, false], int64_t: [8, true],
  __be64: [8, false], __le64: [8, false], size_t: [8, false], ssize_t: [8, true], __kernel_size_t: [8, false],
};

export function builtinType(name: string): CType | undefined {
  const b = BUILTIN[name.replace(/\s+/g, ' ').trim()];
  if (b) return b;
  if (name === 'bool') return { kind: 'typedef', name: 'bool', to: BUILTIN._Bool! };
  const f = FIXED[name];
  if (f) return { kind: 'typedef', name, to: int(f[0] === 1 ? (f[1] ? 'signed char' : 'unsigned char') : f[0] === 2 ? (f[1] ? 'short' : 'unsigned short') : f[0] === 4 ? (f[1] ? 'int' : 'unsigned int') : f[1] ? 'long long' : 'unsigned long long', f[0], f[1]) };
  return undefined;
}

/**
 * Kernel types as the model sees them, converted from BTF on demand (the
 * running kernel's, or a --btf file). Records keep BTF's offsets: the kernel
 * laid them out, we only read them.
 */
export class BtfTypes {
  private readonly cache = new Map<number, CType>();
  private readonly byName = new Map<string, CType | undefined>();
  constructor(readonly btf: Btf, readonly source: string) {}

  /** `struct in6_addr`, `union x`, `enum y` or a typedef name. */
  lookup(name: string): CType | undefined {
    if (!this.byName.has(name)) this.byName.set(name, this.lookupUncached(name));
    return this.byName.get(name);
  }

  private lookupUncached(name: string): CType | undefined {
    const m = /^(struct|union|enum)\s+(\w+)$/.exec(name);
    const kinds = m
      ? m[1] === 'struct' ? [BtfKind.Struct] : m[1] === 'union' ? [BtfKind.Union] : [BtfKind.Enum, BtfKind.Enum64]
      : [BtfKind.Typedef];
    const bare = m ? m[2]! : name;
    for (const k of kinds) {
      const t = this.btf.find(bare, k).find((x) => k === BtfKind.Typedef || (x.members !== undefined || x.enumValues !== undefined) && (x.vlen > 0 || x.sizeOrType > 0));
      if (t) return this.convert(t.id);
    }
    return undefined;
  }

  convert(id: number): CType {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const t = this.btf.type(id);
    let out: CType;
    switch (t.kind) {
      case BtfKind.Unknown: out = { kind: 'void' }; break;
      case BtfKind.Int:
        out = int(t.name, t.sizeOrType, (t.intEncoding! & 1) === 1, { bool: (t.intEncoding! & 4) !== 0, char: (t.intEncoding! & 2) !== 0 || t.name.endsWith('char') });
        break;
      case BtfKind.Float: out = { kind: 'float', name: t.name, size: t.sizeOrType }; break;
      case BtfKind.Ptr: {
        const p: CType = { kind: 'ptr', to: { kind: 'void' } };
        this.cache.set(id, p); // break cycles (struct list_head *next)
        p.to = this.convert(t.sizeOrType);
        return p;
      }
      case BtfKind.Array: out = { kind: 'array', of: this.convert(t.array!.type), length: t.array!.nelems }; break;
      case BtfKind.Typedef: {
        const td: CType = { kind: 'typedef', name: t.name, to: { kind: 'void' } };
        this.cache.set(id, td);
        td.to = this.convert(t.sizeOrType);
        return td;
      }
      case BtfKind.Volatile: case BtfKind.Const: case BtfKind.Restrict: case BtfKind.TypeTag:
        out = this.convert(t.sizeOrType);
        break;
      case BtfKind.Struct: case BtfKind.Union: {
        const rec: RecordDecl = {
          tag: t.kind === BtfKind.Struct ? 'struct' : 'union',
          name: t.name || undefined,
          fields: [],
          complete: true,
          packed: false,
          origin: 'btf',
          file: this.source,
          fixed: { size: t.sizeOrType, bitOffsets: [] },
        };
        const r: CType = { kind: 'record', rec };
        this.cache.set(id, r);
        for (const m of t.members!) {
          rec.fields.push({ name: m.name || undefined, type: this.convert(m.type), bitSize: m.bitSize || undefined });
          rec.fixed!.bitOffsets.push(m.bitOffset);
        }
        return r;
      }
      case BtfKind.Enum: case BtfKind.Enum64:
        out = { kind: 'enum', en: { name: t.name || undefined, values: t.enumValues!, size: t.sizeOrType, origin: 'btf', file: this.source } };
        break;
      case BtfKind.Fwd:
        out = { kind: 'record', rec: { tag: t.kindFlag ? 'union' : 'struct', name: t.name, fields: [], complete: false, packed: false, origin: 'btf' } };
        break;
      case BtfKind.FuncProto: case BtfKind.Func: out = { kind: 'func' }; break;
      default: out = { kind: 'void' };
    }
    this.cache.set(id, out);
    return out;
  }
}
