// declarations → model: kernel types completed from BTF, every type laid
// out, maps/programs/globals described. `lcc gen --model` prints toJSON().
import * as fs from 'node:fs';
import { Btf } from '../../lbc/src/pure.js';
import { parseSection, type ProgramKind } from '../../lbc/src/pure.js';
import { adoptDefinition, BtfTypes, recordName, strip, typeName, type CType, type RecordDecl } from './ctypes.js';
import { enumSigned, flatFields, layoutOf, LayoutError, recordLayout } from './layout.js';
import { mergeObjectDecls } from './btfcheck.js';
import { GenError, parseUnit, type RawGlobal, type RawMap, type Unit, type Where } from './parse.js';

export interface ModelOptions {
  /** BTF for kernel types (default: the running kernel's) */
  btf?: string;
  /**
   * The compiled object's BTF: it already holds the kernel types the source
   * uses by value, so reading vmlinux's 5 MB is needed only for the rest.
   */
  objectBtf?: Btf;
  /** the object's path, for what is taken from it */
  objectPath?: string;
  defines?: Record<string, string>;
}

/** maps with a key and a value: their types (or sizes) are needed, and a skeleton types them */
export const KEYED_MAPS = new Set(['hash', 'lru_hash', 'percpu_hash', 'lru_percpu_hash', 'array', 'percpu_array', 'stack_trace', 'lpm_trie', 'cpumap', 'devmap', 'xskmap']);

export interface Model {
  file: string;
  unit: Unit;
  types: CType[];
  maps: (RawMap & { keyName: string | null; valueName: string | null })[];
  programs: { name: string; section: string; kind: ProgramKind; target: string; where: Where }[];
  globals: (RawGlobal & { size: number })[];
}

function kernelBtf(path: string): () => BtfTypes {
  let t: BtfTypes | null = null;
  return () => {
    if (!t) {
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(path);
      } catch {
        throw new GenError(path, undefined, 'cannot read kernel BTF', 'pass --btf FILE with the BTF of the kernel the tool targets');
      }
      t = new BtfTypes(Btf.parse(bytes, path), path);
    }
    return t;
  };
}

export function buildModel(file: string, opts: ModelOptions = {}): Model {
  const kernel = kernelBtf(opts.btf ?? '/sys/kernel/btf/vmlinux');
  const kernelExists = fs.existsSync(opts.btf ?? '/sys/kernel/btf/vmlinux');
  const fromObject = opts.objectBtf ? new BtfTypes(opts.objectBtf, 'object BTF') : null;
  const lookup = (name: string): CType | undefined => {
    const t = fromObject?.lookup(name);
    if (t && !(t.kind === 'record' && !t.rec.complete)) return t;
    return kernelExists ? kernel().lookup(name) : undefined;
  };
  // kernel enum constants (NR_SOFTIRQS) size arrays and maps as #defines do
  const constants = new Map<string, bigint | undefined>();
  const constant = (name: string): bigint | undefined => {
    if (!constants.has(name)) constants.set(name, opts.objectBtf?.enumerator(name) ?? (kernelExists ? kernel().btf.enumerator(name) : undefined));
    return constants.get(name);
  };
  const unit = parseUnit(file, { defines: opts.defines, external: lookup, externalConstant: constant });
  if (fromObject) mergeObjectDecls(unit, opts.objectBtf!, fromObject, opts.objectPath ?? 'the object');

  // Records used by value but never defined in the source are kernel types: take them from BTF.
  const done = new Set<RecordDecl>();
  const complete = (t: CType | null | undefined, where: Where): void => {
    if (!t) return;
    const s = strip(t);
    if (s.kind === 'array') return complete(s.of, where);
    if (s.kind !== 'record' || done.has(s.rec)) return;
    done.add(s.rec);
    if (!s.rec.complete) {
      const k = lookup(recordName(s.rec));
      if (!k || k.kind !== 'record' || !k.rec.complete) {
        throw new GenError(where.file, where.pos, `${recordName(s.rec)} is used here but defined neither in the source nor in the kernel's BTF`, 'define it in the .bpf.c (or a local header), or pass --btf with a BTF that has it');
      }
      adoptDefinition(s.rec, k.rec);
    }
    for (const f of s.rec.fields) complete(f.type, { file: s.rec.file ?? where.file, pos: f.pos ?? s.rec.pos ?? where.pos });
  };
  // ring buffers (and BTF-style perf maps) get their event type from the programs' reserve/output calls
  for (const m of unit.maps) {
    if (m.event || (m.type !== 'ringbuf' && m.type !== 'perf_event_array')) continue;
    const seen = unit.eventTypes.get(m.name) ?? [];
    if (seen.length === 1) m.event = seen[0];
  }
  for (const d of unit.defined) complete(d.type, d.where);
  for (const m of unit.maps) for (const t of [m.key, m.value, m.event]) complete(t, m.where);
  for (const g of unit.globals) complete(g.type, g.where);

  const at = (where: Where, fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      if (e instanceof LayoutError) {
        const w = e.where && 'pos' in e.where && e.where.pos ? e.where.pos : where.pos;
        const f = e.where && 'file' in e.where && (e.where as RecordDecl).file ? (e.where as RecordDecl).file! : where.file;
        throw new GenError(f, w, e.message, 'lcc lays types out as clang -target bpf does; fix the declaration');
      }
      throw e;
    }
  };
  for (const d of unit.defined) at(d.where, () => layoutOf(d.type));

  const seenNames = new Set<string>();
  for (const m of unit.maps) {
    // a stack trace map may leave its value size to user space (skeleton.obj.setValueSize before load)
    if (KEYED_MAPS.has(m.type) && !m.value && m.valueSize === undefined && m.type !== 'stack_trace') {
      throw new GenError(m.where.file, m.where.pos, `map ${m.name} (${m.type}) has no value type`, 'add __type(value, T) (or __uint(value_size, N)) to its definition');
    }
    if (KEYED_MAPS.has(m.type) && !m.key && m.keySize === undefined) {
      throw new GenError(m.where.file, m.where.pos, `map ${m.name} (${m.type}) has no key type`, 'add __type(key, T) (or __uint(key_size, N)) to its definition');
    }
    if (m.via === 'lbc' && m.maxEntries !== null && m.maxEntries < 1n) {
      throw new GenError(m.where.file, m.where.pos, `map ${m.name} holds ${m.maxEntries} entries`, 'give it room for at least 1 (the kernel refuses to create an empty map)');
    }
    if (seenNames.has(m.name)) throw new GenError(m.where.file, m.where.pos, `map ${m.name} is declared twice`);
    seenNames.add(m.name);
    for (const t of [m.key, m.value, m.event]) if (t) at(m.where, () => layoutOf(t));
    if (m.key && m.keySize !== undefined && layoutOf(m.key).size !== m.keySize) {
      throw new GenError(m.where.file, m.where.pos, `map ${m.name}: key_size ${m.keySize} but sizeof(${typeName(m.key)}) is ${layoutOf(m.key).size}`);
    }
  }
  const globals = unit.globals.filter((g) => !g.name.startsWith('___lbc_')).map((g) => {
    let size = 0;
    at(g.where, () => (size = layoutOf(g.type).size));
    return { ...g, size };
  });
  const programs = unit.programs.map((p) => ({ ...p, ...parseSection(p.section) }));
  for (const p of programs) {
    if (p.kind === 'unknown') throw new GenError(p.where.file, p.where.pos, `unknown section SEC("${p.section}") on program ${p.name}`, 'use a libbpf section name such as "tracepoint/<category>/<event>", "kprobe/<function>", "xdp", "tc"');
  }
  return {
    file,
    unit,
    // anonymous records and enums without a typedef name are read through their parent's members
    types: unit.defined.map((d) => d.type).filter((t) => (t.kind === 'record' ? t.rec.name ?? t.rec.typedefName : t.kind === 'enum' ? t.en.name ?? t.en.typedefName : true)),
    maps: unit.maps.map((m) => ({ ...m, keyName: m.key ? typeName(m.key) : null, valueName: m.value ? typeName(m.value) : null })),
    programs,
    globals,
  };
}

/** The `--model` JSON: the generator's understanding, for tools and tests. */
export function modelJson(m: Model): unknown {
  return {
    types: m.types.map((t) => {
      const l = layoutOf(t);
      if (t.kind === 'enum') {
        return { name: typeName(t), kind: 'enum', size: l.size, align: l.align, signed: enumSigned(t), values: t.en.values.map((v) => ({ name: v.name, value: Number(v.value) === Number(v.value) && Math.abs(Number(v.value)) <= Number.MAX_SAFE_INTEGER ? Number(v.value) : v.value.toString() })) };
      }
      const rec = (t as Extract<CType, { kind: 'record' }>).rec;
      return {
        name: recordName(rec), kind: rec.tag, size: l.size, align: l.align,
        fields: flatFields(rec).map((f) => ({
          name: f.name, type: typeName(f.type), offset: Math.floor(f.bitOffset / 8), size: f.bitSize ? Math.ceil(f.bitSize / 8) : f.size,
          bitOffset: f.bitOffset, bitSize: f.bitSize,
        })),
      };
    }),
    maps: m.maps.map((x) => ({
      name: x.name, type: x.type, maxEntries: x.maxEntries === null ? null : Number(x.maxEntries), key: x.keyName, value: x.valueName,
      ...(x.event ? { event: typeName(x.event), pages: x.pages } : {}),
    })),
    programs: m.programs.map((p) => ({ name: p.name, section: p.section, kind: p.kind, target: p.target })),
    globals: m.globals.map((g) => ({ name: g.name, section: g.section, type: typeName(g.type), size: g.size })),
  };
}

export { recordLayout };
