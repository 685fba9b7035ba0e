// lcc btf minimize: the smallest BTF that answers every CO-RE question an
// object asks (what bpftool gen min_core_btf writes). For older kernels
// without /sys/kernel/btf/vmlinux: ship this file with the tool and load with
// it as the target BTF.
//
// object .BTF + .BTF.ext relocations → local access spec → candidate kernel
// types by name → target spec (members matched by name, through anonymous
// members) → marks → a new BTF with only the marked types and members.
import * as fs from 'node:fs';
import { Btf, BtfError, BtfKind as Kind, elfSection, type BtfType } from '../../lbc/src/pure.js';
import { coreRelocations, CoreReloKind, type CoreRelo } from './ext.js';
import { BtfWriter } from './write.js';

export class MinimizeError extends Error {
  override name = 'MinimizeError';
}

function isMod(k: Kind): boolean {
  return k === Kind.Typedef || k === Kind.Volatile || k === Kind.Const || k === Kind.Restrict || k === Kind.TypeTag;
}

function skipMods(btf: Btf, id: number): [BtfType, number] {
  let t = btf.type(id);
  for (let guard = 0; guard < 64 && isMod(t.kind); guard++) {
    id = t.sizeOrType;
    t = btf.type(id);
  }
  return [t, id];
}

const composite = (k: Kind): boolean => k === Kind.Struct || k === Kind.Union;

/** libbpf's bpf_core_essential_name_len: "task_struct___old" → "task_struct". */
export function essentialName(name: string): string {
  // the last X___Y with X and Y not underscores
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name.startsWith('___', i + 1) && name[i + 4] !== '_') return name.slice(0, i + 1);
  }
  return name;
}

function kindsCompatible(a: Kind, b: Kind): boolean {
  const enumish = (k: Kind): boolean => k === Kind.Enum || k === Kind.Enum64;
  return a === b || (enumish(a) && enumish(b));
}

/** bpf_core_fields_are_compat, loosely: the same class of type. */
function fieldsCompatible(local: Btf, lid: number, targ: Btf, tid: number): boolean {
  const [l, , ] = skipMods(local, lid);
  const [t] = skipMods(targ, tid);
  const cls = (k: Kind): string => (k === Kind.Int || k === Kind.Enum || k === Kind.Enum64 ? 'int' : composite(k) || k === Kind.Fwd ? 'rec' : Kind[k]);
  if (cls(l.kind) !== cls(t.kind)) return false;
  if (l.kind === Kind.Array) return fieldsCompatible(local, l.array!.type, targ, t.array!.type);
  return true;
}

interface Access { idx: number; name?: string; localType?: number }

class Marker {
  readonly marked = new Set<number>();
  private readonly followed = new Set<number>();
  readonly members = new Map<number, Set<number>>();

  constructor(private readonly btf: Btf) {}

  member(typeId: number, idx: number): void {
    let s = this.members.get(typeId);
    if (!s) this.members.set(typeId, (s = new Set()));
    s.add(idx);
  }

  /** btfgen_mark_type: a struct keeps only members marked one by one; pointers are followed for type relocations. */
  type(id: number, followPointers: boolean): void {
    if (id === 0) return;
    if (this.marked.has(id) && (!followPointers || this.followed.has(id))) return;
    this.marked.add(id);
    if (followPointers) this.followed.add(id);
    const t = this.btf.type(id);
    switch (t.kind) {
      case Kind.Int: case Kind.Float: case Kind.Enum: case Kind.Enum64: case Kind.Struct: case Kind.Union: case Kind.Fwd:
        return;
      case Kind.Ptr:
        if (followPointers) this.type(t.sizeOrType, true);
        return;
      case Kind.Const: case Kind.Restrict: case Kind.Volatile: case Kind.Typedef: case Kind.TypeTag:
        this.type(t.sizeOrType, followPointers);
        return;
      case Kind.Array:
        this.type(t.array!.type, followPointers);
        this.type(t.array!.indexType, followPointers);
        return;
      case Kind.FuncProto:
        this.type(t.sizeOrType, followPointers);
        for (const p of t.params!) this.type(p.type, followPointers);
        return;
      default:
        throw new MinimizeError(`type ${id} (${t.name}): BTF kind ${Kind[t.kind]} cannot appear in a CO-RE relocation`);
    }
  }

  /** btfgen_mark_type_match: whole structs, but not behind pointers. */
  typeMatch(id: number, behindPtr: boolean): void {
    if (id === 0) return;
    this.marked.add(id);
    const t = this.btf.type(id);
    switch (t.kind) {
      case Kind.Struct: case Kind.Union:
        if (behindPtr) return;
        t.members!.forEach((m, i) => {
          this.member(id, i);
          this.typeMatch(m.type, false);
        });
        return;
      case Kind.Const: case Kind.Fwd: case Kind.Restrict: case Kind.Typedef: case Kind.Volatile:
        this.typeMatch(t.sizeOrType, behindPtr);
        return;
      case Kind.Ptr:
        this.typeMatch(t.sizeOrType, true);
        return;
      case Kind.Array:
        this.typeMatch(t.array!.type, false);
        this.typeMatch(t.array!.indexType, false);
        return;
      case Kind.FuncProto:
        this.typeMatch(t.sizeOrType, false);
        for (const p of t.params!) this.typeMatch(p.type, false);
        return;
      default:
        return;
    }
  }
}

function readBtfFile(file: string): Btf {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new MinimizeError(`cannot read ${file}: ${(e as Error).message}`);
  }
  // raw BTF (/sys/kernel/btf/vmlinux, a .btf file) or an ELF with a .BTF section (a vmlinux image)
  if (bytes[0] === 0x7f && bytes[1] === 0x45) {
    const sec = elfSection(bytes, '.BTF', file);
    if (!sec) throw new MinimizeError(`${file}: an ELF file without a .BTF section`);
    bytes = sec;
  }
  try {
    return Btf.parse(bytes, file);
  } catch (e) {
    throw new MinimizeError((e as BtfError).message);
  }
}

export interface MinimizeResult { bytes: Uint8Array; types: number; relocations: number; unmatched: string[] }

export function minimizeBtf(objects: string[], targetPath: string): MinimizeResult {
  const target = readBtfFile(targetPath);
  const marker = new Marker(target);
  const byName = new Map<string, BtfType[]>();
  const candidates = (name: string): BtfType[] => {
    let c = byName.get(name);
    if (!c) byName.set(name, (c = target.find(name)));
    return c;
  };
  let relocations = 0;
  const unmatched: string[] = [];
  for (const objPath of objects) {
    let elf: Uint8Array;
    try {
      elf = fs.readFileSync(objPath);
    } catch (e) {
      throw new MinimizeError(`cannot read ${objPath}: ${(e as Error).message}`);
    }
    const btfSec = elfSection(elf, '.BTF', objPath);
    if (!btfSec) throw new MinimizeError(`${objPath}: no .BTF section (compile with clang -g)`);
    const local = Btf.parse(btfSec, `${objPath} .BTF`);
    const extSec = elfSection(elf, '.BTF.ext', objPath);
    const relos = extSec ? coreRelocations(extSec, (o) => local.strAt(o), `${objPath} .BTF.ext`) : [];
    for (const r of relos) {
      if (r.kind === CoreReloKind.TypeIdLocal) continue;
      relocations++;
      const lt = local.type(r.typeId);
      const name = essentialName(lt.name);
      const cands = candidates(name).filter((c) => kindsCompatible(c.kind, lt.kind));
      let matched = 0;
      for (const c of cands) if (record(local, target, marker, r, c.id)) matched++;
      // an existence question without a match just answers 0; anything else fails the program where it runs
      const asksExistence = r.kind === CoreReloKind.FieldExists || r.kind === CoreReloKind.TypeExists || r.kind === CoreReloKind.EnumvalExists || r.kind === CoreReloKind.TypeMatches;
      if (!matched && !asksExistence) unmatched.push(`${objPath}: ${r.section}: ${CoreReloKind[r.kind]} of ${lt.name || `type ${r.typeId}`} (access ${r.access}) has no match in ${targetPath}; the program will fail to load there`);
    }
  }
  // new ids in the target's order, as bpftool's two passes assign them
  const ids = [...marker.marked].sort((a, b) => a - b);
  const newId = new Map<number, number>(ids.map((id, i) => [id, i + 1]));
  const w = new BtfWriter();
  for (const id of ids) {
    const t = target.type(id);
    const keep = composite(t.kind) ? [...(marker.members.get(id) ?? [])].sort((a, b) => a - b).map((i) => t.members![i]!) : undefined;
    w.add(t, (old) => newId.get(old) ?? 0, keep);
  }
  return { bytes: w.bytes(), types: ids.length, relocations, unmatched };
}

/** Match one relocation against one candidate and mark what it needs; false when it does not match. */
function record(local: Btf, target: Btf, marker: Marker, r: CoreRelo, cand: number): boolean {
  const access = r.access.split(':').map(Number);
  switch (r.kind) {
    case CoreReloKind.TypeIdTarget: case CoreReloKind.TypeExists: case CoreReloKind.TypeSize:
      marker.type(cand, true);
      return true;
    case CoreReloKind.TypeMatches:
      marker.typeMatch(cand, false);
      return true;
    case CoreReloKind.EnumvalExists: case CoreReloKind.EnumvalValue: {
      const [lt] = skipMods(local, r.typeId);
      const value = lt.enumValues?.[access[0]!];
      const [tt] = skipMods(target, cand);
      if (!value || !tt.enumValues?.some((v) => essentialName(v.name) === essentialName(value.name))) return false;
      marker.type(cand, false);
      return true;
    }
    default: {
      const raw = fieldSpec(local, target, r.typeId, access, cand);
      if (!raw) return false;
      marker.type(cand, false);
      let id = cand;
      for (let i = 1; i < raw.length; i++) {
        const [t, tid] = skipMods(target, id);
        if (composite(t.kind)) {
          const m = t.members![raw[i]!]!;
          marker.member(tid, raw[i]!);
          marker.type(m.type, false);
          id = m.type;
        } else if (t.kind === Kind.Array) id = t.array!.type;
        else throw new MinimizeError(`${r.section}: access ${r.access} walks into ${Kind[t.kind]}`);
      }
      return true;
    }
  }
}

/** The target's raw access path for a local field access, or null when the candidate lacks the field. */
function fieldSpec(local: Btf, target: Btf, rootId: number, access: number[], cand: number): number[] | null {
  // local spec: the named members and array indexes along the path (anonymous members are found by name in the target)
  const points: Access[] = [{ idx: access[0]! }];
  let id = rootId;
  for (let i = 1; i < access.length; i++) {
    const [t] = skipMods(local, id);
    if (composite(t.kind)) {
      const m = t.members![access[i]!];
      if (!m) return null;
      if (m.name) points.push({ idx: access[i]!, name: m.name, localType: m.type });
      id = m.type;
    } else if (t.kind === Kind.Array) {
      points.push({ idx: access[i]! });
      id = t.array!.type;
    } else return null;
  }
  const raw: number[] = [];
  let targ = cand;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (p.name) {
      const found = matchMember(local, p, target, targ, raw);
      if (found === null) return null;
      targ = found;
    } else {
      if (i > 0) {
        const [t] = skipMods(target, targ);
        if (t.kind !== Kind.Array) return null;
        if (t.array!.nelems !== 0 && p.idx >= t.array!.nelems) return null;
        targ = t.array!.type;
      }
      raw.push(p.idx);
    }
  }
  return raw;
}

/** bpf_core_match_member: find a member by name, descending into anonymous members; pushes the raw path. */
function matchMember(local: Btf, p: Access, target: Btf, targId: number, raw: number[]): number | null {
  const [t] = skipMods(target, targId);
  if (!composite(t.kind)) return null;
  for (let i = 0; i < t.members!.length; i++) {
    const m = t.members![i]!;
    raw.push(i);
    if (!m.name) {
      const found = matchMember(local, p, target, m.type, raw);
      if (found !== null) return found;
    } else if (m.name === p.name) {
      if (fieldsCompatible(local, p.localType!, target, m.type)) return m.type;
      raw.pop();
      return null;
    }
    raw.pop();
  }
  return null;
}
