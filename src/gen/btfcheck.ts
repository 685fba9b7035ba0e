// Trust, but verify: compare every layout we computed with the BTF clang
// wrote into the compiled object. A mismatch means our decoders would read
// the wrong bytes, so the generator refuses to emit.
import * as fs from 'node:fs';
import { Btf, BtfKind, elfSection, MAP_TYPES } from '../../lbc/src/pure.js';
import { recordName, typeName, type BtfTypes, type CType } from './ctypes.js';
import { recordLayout, layoutOf } from './layout.js';
import { GenError, type RawGlobal, type RawMap, type Unit, type Where } from './parse.js';
import type { Model } from './model.js';

/** Data sections that hold no variables a skeleton reads. */
const NOT_GLOBALS = new Set(['.maps', 'license', 'version', '.kconfig', '.ksyms']);

/**
 * A BTF-defined map as clang described it: `__uint(type, N)` is `int (*type)[N]`,
 * `__type(key, T)` is `T *key`. Key and value types are converted when `types` is given.
 */
function btfMap(btf: Btf, types: BtfTypes | null, name: string, typeId: number, where: Where): RawMap {
  const map: RawMap = { name, where, type: 'unspec', maxEntries: null, key: null, value: null, via: 'btf' };
  const def = btf.resolve(typeId);
  for (const m of def.members ?? []) {
    const ptr = btf.resolve(m.type);
    if (ptr.kind !== BtfKind.Ptr) continue;
    const target = btf.resolve(ptr.sizeOrType);
    const n = target.kind === BtfKind.Array ? target.array!.nelems : undefined;
    switch (m.name) {
      case 'type': map.type = MAP_TYPES[n ?? 0] ?? `type ${n}`; break;
      case 'max_entries': map.maxEntries = BigInt(n ?? 0); break;
      case 'key_size': map.keySize = n; break;
      case 'value_size': map.valueSize = n; break;
      case 'key': if (types) map.key = types.convert(ptr.sizeOrType); break;
      case 'value': if (types) map.value = types.convert(ptr.sizeOrType); break;
      case 'values': if (types) map.inner = typeName(types.convert(ptr.sizeOrType)); break;
      default: break;
    }
  }
  return map;
}

function datasecs(btf: Btf): { section: string; vars: { name: string; type: number; size: number }[] }[] {
  const out = [];
  for (let id = 1; id < btf.count; id++) {
    const t = btf.type(id);
    if (t.kind === BtfKind.Datasec) out.push({ section: t.name, vars: btf.datasecVars(t.name) });
  }
  return out;
}

/**
 * What the object has, the skeleton has: maps and globals the source's model
 * did not see (declared in a header outside the project, such as
 * <bpf/usdt.bpf.h>'s __bpf_usdt_specs) are taken from the object's BTF, a
 * global's section is the one clang chose (the runtime finds globals by it),
 * and a global clang did not emit (unused, or in a branch the model misread)
 * is not offered.
 */
export function mergeObjectDecls(unit: Unit, btf: Btf, types: BtfTypes, objectPath: string): void {
  const where: Where = { file: objectPath, pos: { line: 0, column: 0 } };
  const secs = datasecs(btf);
  const maps = secs.find((s) => s.section === '.maps')?.vars ?? [];
  const known = new Set(unit.maps.map((m) => m.name));
  for (const v of maps) if (!known.has(v.name)) unit.maps.push(btfMap(btf, types, v.name, v.type, where));

  const inObject = new Map<string, { section: string; type: number }>();
  for (const s of secs) {
    if (NOT_GLOBALS.has(s.section)) continue;
    for (const v of s.vars) inObject.set(v.name, { section: s.section, type: v.type });
  }
  const kept: RawGlobal[] = [];
  for (const g of unit.globals) {
    const o = inObject.get(g.name);
    if (!o) continue;
    kept.push({ ...g, section: o.section });
    inObject.delete(g.name);
  }
  // a name with a dot is a function's static local (func.var): not a property a skeleton can offer
  for (const [name, o] of inObject) {
    if (/^\w+$/.test(name)) kept.push({ name, type: types.convert(o.type), section: o.section, where, isStatic: false });
  }
  unit.globals = kept;
}

export function objectBtf(objectPath: string): Btf {
  const elf = fs.readFileSync(objectPath);
  const sec = elfSection(elf, '.BTF', objectPath);
  if (!sec) throw new GenError(objectPath, undefined, 'the object has no .BTF section', 'compile with clang -g');
  return Btf.parse(sec, `${objectPath} .BTF`);
}

/**
 * Every source-defined struct/union clang kept in BTF must match our layout
 * exactly, and every map and global the object's. Returns how many types were compared.
 */
export function checkAgainstBtf(model: Model, objectPath: string, parsed?: Btf): number {
  const btf = parsed ?? objectBtf(objectPath);
  let checked = 0;
  for (const t of model.types) {
    if (t.kind === 'enum') {
      const b = t.en.name ? btf.find(t.en.name).find((x) => x.kind === BtfKind.Enum || x.kind === BtfKind.Enum64) : undefined;
      if (b && b.sizeOrType !== layoutOf(t).size) fail(model, t, `enum size ${layoutOf(t).size} but clang made it ${b.sizeOrType}`, objectPath);
      if (b) checked++;
      continue;
    }
    if (t.kind !== 'record') continue;
    const rec = t.rec;
    const kind = rec.tag === 'struct' ? BtfKind.Struct : BtfKind.Union;
    let b = rec.name ? btf.find(rec.name, kind)[0] : undefined;
    if (!b && rec.typedefName) {
      const td = btf.find(rec.typedefName, BtfKind.Typedef)[0];
      if (td) {
        const r = btf.resolve(td.id);
        if (r.kind === kind) b = r;
      }
    }
    if (!b) continue; // unused types do not reach BTF
    const ours = recordLayout(rec);
    if (b.sizeOrType !== ours.size) fail(model, t, `size ${ours.size} but clang made it ${b.sizeOrType}`, objectPath);
    const members = b.members!;
    if (members.length !== ours.fields.length) fail(model, t, `${ours.fields.length} members but clang's BTF has ${members.length}`, objectPath);
    members.forEach((m, i) => {
      const f = ours.fields[i]!;
      const label = f.field.name ?? `member #${i + 1}`;
      if (m.bitOffset !== f.bitOffset || (m.bitSize || 0) !== f.bitSize) {
        fail(model, t, `${label} at bit ${f.bitOffset} (${f.bitSize || 'not a'} bitfield) but clang put it at bit ${m.bitOffset}${m.bitSize ? ` (${m.bitSize}-bit bitfield)` : ''}`, objectPath);
      }
    });
    checked++;
  }
  checkMapsAndGlobals(model, btf, objectPath);
  return checked;
}

/** Every map and global of the model is in the object, with clang's sizes, types and section. */
function checkMapsAndGlobals(model: Model, btf: Btf, objectPath: string): void {
  const secs = datasecs(btf);
  const maps = new Map((secs.find((s) => s.section === '.maps')?.vars ?? []).map((v) => [v.name, v]));
  for (const m of model.maps) {
    if (m.via === 'legacy') continue; // SEC("maps") definitions have no BTF
    const v = maps.get(m.name);
    const where = m.where;
    const bad = (detail: string): never => {
      throw new GenError(where.file, where.pos, `map ${m.name} disagrees with ${objectPath}: ${detail}`, 'the object may be stale (rebuild it), or this is an lcc bug: please report it with the map definition');
    };
    if (!v) bad('the object has no such map');
    const o = btfMap(btf, null, m.name, v!.type, where);
    if (o.type !== m.type) bad(`type ${m.type} but clang made it ${o.type}`);
    if (o.maxEntries !== null && m.maxEntries !== null && o.maxEntries !== m.maxEntries) bad(`max_entries ${m.maxEntries} but clang made it ${o.maxEntries}`);
    const def = btf.resolve(v!.type);
    const sizeOf = (field: 'key' | 'value'): number | undefined => {
      const mem = def.members?.find((x) => x.name === field);
      if (mem) return btf.sizeof(btf.resolve(mem.type).sizeOrType);
      return field === 'key' ? o.keySize : o.valueSize;
    };
    for (const field of ['key', 'value'] as const) {
      const t = m[field];
      const ours = t ? layoutOf(t).size : field === 'key' ? m.keySize : m.valueSize;
      const theirs = sizeOf(field);
      if (ours !== undefined && theirs !== undefined && ours !== theirs) bad(`${field} is ${ours} bytes but clang made it ${theirs}`);
    }
  }
  const vars = new Map<string, { section: string; size: number }>();
  for (const s of secs) if (!NOT_GLOBALS.has(s.section)) for (const v of s.vars) vars.set(v.name, { section: s.section, size: v.size });
  for (const g of model.globals) {
    const v = vars.get(g.name);
    const bad = (detail: string): never => {
      throw new GenError(g.where.file, g.where.pos, `global ${g.name} disagrees with ${objectPath}: ${detail}`, 'the object may be stale (rebuild it), or this is an lcc bug: please report it with the declaration');
    };
    if (!v) bad('the object has no such global');
    if (v!.size !== g.size) bad(`${g.size} bytes but clang made it ${v!.size}`);
    // clang 14 lists some zero-initialised globals (an aligned struct) under .data in BTF while their
    // symbols are .bss: the C rule says .bss, and merged with the object the model takes BTF's word
    const clang14 = g.section === '.bss' && v!.section === '.data';
    if (v!.section !== g.section && !clang14) bad(`in ${g.section} but clang put it in ${v!.section}`);
  }
}

function fail(model: Model, t: CType, detail: string, objectPath: string): never {
  const where = model.unit.defined.find((d) => d.type === t)?.where;
  const name = t.kind === 'record' ? recordName(t.rec) : t.kind === 'enum' ? `enum ${t.en.name}` : '?';
  throw new GenError(where?.file ?? model.file, where?.pos, `layout of ${name} disagrees with ${objectPath}: ${detail}`, 'the object may be stale (rebuild it), or this is an lcc layout bug: please report it with the type');
}
