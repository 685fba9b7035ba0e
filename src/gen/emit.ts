// model → TypeScript. Every name, type string and decode/encode expression is
// computed here; templates/skel/skel.ts.hbs only lays them out.
import { PRINT_WIDTH } from '../prettier.js';
import * as path from 'node:path';
import { builtinType, recordName, strip, typeName, type CType, type RecordDecl } from './ctypes.js';
import { enumSigned, layoutOf, recordLayout, flatFields } from './layout.js';
import { KEYED_MAPS, type Model } from './model.js';
import { render } from '../template/render.js';
import { pascal } from '../names.js';

export interface EmitOptions {
  /** module the skeleton imports the runtime from */
  runtime?: string;
  /** object bytes to embed (default), or null to reference `objectPath` */
  objectBytes?: Uint8Array | null;
  /** path of the object relative to the skeleton, when not embedded */
  objectPath?: string;
}

const PERCPU = new Set(['percpu_hash', 'percpu_array', 'lru_percpu_hash']);
const RESERVED = new Set(['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with']);
const prop = (name: string): string => (RESERVED.has(name) ? `'${name}'` : name);
const access = (obj: string, name: string): string => (RESERVED.has(name) ? `${obj}['${name}']` : `${obj}.${name}`);

interface RecordVM {
  /** codec constants this record's fields use, emitted just before it */
  consts: { name: string; expr: string }[];
  tsName: string;
  cName: string;
  size: number;
  isUnion: boolean;
  /**
   * inUnion: encode the member only when given (a union's value sets one).
   * A flag per field rather than `../isUnion` in the template: one parent
   * lookup makes handlebars copy its context stack in every block it runs.
   */
  fields: { name: string; tsType: string; decode: string; encode: string; info: string; doc: string; inUnion?: boolean }[];
}
interface EnumVM { tsName: string; cName: string; valueType: string; members: { name: string; value: string }[] }

class Emitter {
  private readonly recordNames = new Map<RecordDecl, string>();
  private readonly enumNames = new Map<object, string>();
  private readonly used = new Set<string>();
  readonly records: RecordVM[] = [];
  readonly enums: EnumVM[] = [];
  private readonly codecConsts: { name: string; expr: string }[] = [];
  /** how many of codecConsts a record has already claimed */
  private claimed = 0;
  private readonly codecByExpr = new Map<string, string>();
  private readonly done = new Set<object>();

  private unique(base: string): string {
    let n = base || 'Anon';
    for (let i = 2; this.used.has(n); i++) n = `${base}${i}`;
    this.used.add(n);
    return n;
  }

  nameRecord(rec: RecordDecl, hint?: string): string {
    let n = this.recordNames.get(rec);
    if (!n) {
      n = this.unique(pascal(rec.name ?? rec.typedefName ?? hint ?? `${rec.tag}`));
      this.recordNames.set(rec, n);
    }
    return n;
  }

  /** A module-level codec constant for a non-scalar type, shared by every use. */
  private codecConst(expr: string): string {
    let name = this.codecByExpr.get(expr);
    if (!name) {
      name = `$c${this.codecConsts.length}`;
      this.codecConsts.push({ name, expr });
      this.codecByExpr.set(expr, name);
    }
    return name;
  }

  /** Codec constants made since the last claim (records nested in this one claimed theirs first). */
  private claim(): { name: string; expr: string }[] {
    const out = this.codecConsts.slice(this.claimed);
    this.claimed = this.codecConsts.length;
    return out;
  }

  /** Constants not used by any record: those of maps, streams and globals. */
  get tailConstants(): { name: string; expr: string }[] {
    return this.claim();
  }

  /** A map's key or value: its C name, TypeScript type and codec. */
  sideOf(t: CType): { c: string; ts: string; codec: string } {
    return { c: typeName(t), ts: this.tsType(t), codec: this.codecRef(t) };
  }

  /** A side given only by `__uint(key_size, N)`: an unsigned integer when it is one's size, bytes otherwise. */
  sideOfSize(size: number): { c: string; ts: string; codec: string } {
    const int = builtinType({ 1: '__u8', 2: '__u16', 4: '__u32', 8: '__u64' }[size] ?? '');
    if (int) return this.sideOf(int);
    return { c: `${size} bytes`, ts: 'Uint8Array', codec: this.codecConst(`codec.bytes(${size})`) };
  }

  /**
   * A stack trace map's value: an array of addresses. When the C leaves its
   * size to user space, the codec reads it from the loaded map.
   */
  stackValue(name: string, size?: number): { c: string; ts: string; codec: string } {
    if (size) return { c: `__u64[${size / 8}]`, ts: 'bigint[]', codec: this.codecConst(`codec.array(codec.u64, ${size / 8})`) };
    return { c: '__u64[value_size / 8] (set before load: obj.setValueSize)', ts: 'bigint[]', codec: `codec.array(codec.u64, this.obj.mapInfo('${name}').valueSize / 8)` };
  }

  /** A codec object for any type (for arrays, maps, streams). */
  codecRef(t: CType, hint = ''): string {
    const s = strip(t);
    switch (s.kind) {
      case 'int':
        if (s.bool) return 'codec.bool';
        if (s.size === 16) return s.signed ? 'codec.i128' : 'codec.u128';
        return `codec.${s.signed ? 'i' : 'u'}${s.size * 8}`;
      case 'float': return s.size === 4 ? 'codec.f32' : 'codec.f64';
      case 'ptr': return 'codec.u64';
      case 'enum': {
        this.visitEnum(s);
        const l = layoutOf(s);
        return `codec.${enumSigned(s) ? 'i' : 'u'}${l.size * 8}`;
      }
      case 'record': return this.visitRecord(s.rec, hint);
      case 'array': {
        const e = strip(s.of);
        if (e.kind === 'int' && e.char && e.size === 1) return this.codecConst(`codec.cstring(${s.length})`);
        return this.codecConst(`codec.array(${this.codecRef(s.of, hint)}, ${s.length})`);
      }
      default:
        return this.codecConst(`codec.bytes(${layoutOf(t).size})`);
    }
  }

  tsType(t: CType, hint = ''): string {
    const s = strip(t);
    switch (s.kind) {
      case 'int': return s.bool ? 'boolean' : s.size >= 8 ? 'bigint' : 'number';
      case 'float': return 'number';
      case 'ptr': return 'bigint';
      case 'enum': return this.visitEnum(s);
      case 'record': return this.visitRecord(s.rec, hint);
      case 'array': {
        const e = strip(s.of);
        if (e.kind === 'int' && e.char && e.size === 1) return 'string';
        const inner = this.tsType(s.of, hint);
        return `${inner.includes(' ') ? `(${inner})` : inner}[]`;
      }
      default: return 'Uint8Array';
    }
  }

  /** Inline DataView read for scalars; a codec call otherwise. */
  decode(t: CType, off: string, hint = ''): string {
    const s = strip(t);
    if (s.kind === 'enum') {
      this.visitEnum(s);
      const size = layoutOf(s).size;
      return `dv.${dvMethod('get', size, enumSigned(s))}(${off}${size > 1 ? ', true' : ''})`;
    }
    if (s.kind === 'int' && !s.bool && s.size <= 8) return `dv.${dvMethod('get', s.size, s.signed)}(${off}${s.size > 1 ? ', true' : ''})`;
    if (s.kind === 'int' && s.bool) return `dv.getUint8(${off}) !== 0`;
    if (s.kind === 'float') return `dv.getFloat${s.size * 8}(${off}, true)`;
    if (s.kind === 'ptr') return `dv.getBigUint64(${off}, true)`;
    return `${this.codecRef(t, hint)}.decode(dv, ${off})`;
  }

  encode(t: CType, v: string, off: string, hint = ''): string {
    const s = strip(t);
    if (s.kind === 'enum') {
      const size = layoutOf(s).size;
      return `dv.${dvMethod('set', size, enumSigned(s))}(${off}, ${size === 8 ? `BigInt(${v})` : v}${size > 1 ? ', true' : ''})`;
    }
    if (s.kind === 'int' && !s.bool && s.size <= 8) return `dv.${dvMethod('set', s.size, s.signed)}(${off}, ${s.size === 8 ? `BigInt(${v})` : v}${s.size > 1 ? ', true' : ''})`;
    if (s.kind === 'int' && s.bool) return `dv.setUint8(${off}, ${v} ? 1 : 0)`;
    if (s.kind === 'float') return `dv.setFloat${s.size * 8}(${off}, ${v}, true)`;
    if (s.kind === 'ptr') return `dv.setBigUint64(${off}, BigInt(${v}), true)`;
    return `${this.codecRef(t, hint)}.encode(${v}, dv, ${off})`;
  }

  visitEnum(t: Extract<CType, { kind: 'enum' }>): string {
    const key = t.en;
    const hit = this.enumNames.get(key);
    if (hit) return hit;
    const name = this.unique(pascal(t.en.name ?? t.en.typedefName ?? 'Enum'));
    this.enumNames.set(key, name);
    const big = layoutOf(t).size > 4;
    this.enums.push({
      tsName: name,
      cName: typeName(t),
      valueType: big ? 'bigint' : 'number',
      members: t.en.values.map((v) => ({ name: prop(v.name), value: big ? `${v.value}n` : String(v.value) })),
    });
    return name;
  }

  visitRecord(rec: RecordDecl, hint = ''): string {
    const name = this.nameRecord(rec, hint);
    if (this.done.has(rec)) return name;
    this.done.add(rec);
    const layout = recordLayout(rec);
    const vm: RecordVM = { consts: [], tsName: name, cName: recordName(rec), size: layout.size, isUnion: rec.tag === 'union', fields: [] };
    for (const f of flatFields(rec)) {
      const t = strip(f.type);
      const off = f.bitOffset / 8;
      const info = `{ offset: ${Math.floor(off)}, size: ${f.bitSize ? Math.ceil(((f.bitOffset % 8) + f.bitSize) / 8) : f.size}, bitOffset: ${f.bitOffset}, bitSize: ${f.bitSize} }`;
      const v = access('v', f.name);
      const memberHint = `${name}_${f.name}`;
      if (t.kind === 'array' && t.flexible) {
        vm.fields.push({ name: prop(f.name), tsType: '', decode: '', encode: '', info, doc: `flexible array member: read it with codec.rawField(dv, o, ${name}.fields.${f.name}) and the record's size` });
        continue;
      }
      if (f.bitSize) {
        const signed = (t.kind === 'int' && t.signed) || (t.kind === 'enum' && enumSigned(t));
        const ts = f.bitSize > 32 ? 'bigint' : t.kind === 'int' && t.bool ? 'boolean' : 'number';
        const get = `codec.getBits(dv, o, ${f.bitOffset}, ${f.bitSize}, ${signed})`;
        vm.fields.push({
          name: prop(f.name), tsType: ts, info,
          decode: ts === 'boolean' ? `${get} !== 0` : `${get} as ${ts}`,
          encode: `codec.setBits(dv, o, ${f.bitOffset}, ${f.bitSize}, ${v})`,
          doc: `${typeName(f.type)} : ${f.bitSize}`,
        });
        continue;
      }
      const offExpr = off ? `o + ${off}` : 'o';
      vm.fields.push({
        name: prop(f.name), tsType: this.tsType(f.type, memberHint), info,
        decode: this.decode(f.type, offExpr, memberHint),
        encode: this.encode(f.type, v, offExpr, memberHint),
        doc: typeName(f.type),
      });
    }
    if (vm.isUnion) for (const f of vm.fields) f.inUnion = true;
    vm.consts = this.claim();
    this.records.push(vm);
    return name;
  }
}

function dvMethod(kind: 'get' | 'set', size: number, signed: boolean): string {
  const bits = size * 8;
  if (size === 8) return `${kind}Big${signed ? 'Int' : 'Uint'}64`;
  return `${kind}${signed ? 'Int' : 'Uint'}${bits}`;
}

const SECTION_PROPS: Record<string, string> = { '.rodata': 'rodata', '.bss': 'bss', '.data': 'data' };

/** prettier's width, which the template's layout keeps to (the golden tests hold it to prettier's output) */
const OBJECT_MARK = '\u0000lcc-object\u0000';

/**
 * The skeleton, and whether a line is wider than PRINT_WIDTH (long names):
 * then only prettier can lay it out. The embedded object's lines fit by
 * construction and are put in after the search, which is then half as long.
 */
export function emitSkeleton(model: Model, opts: EmitOptions = {}): { code: string; tooWide: boolean } {
  const ctx = skeletonContext(model, opts);
  const text = render('skel', { ...ctx, objectBase64: OBJECT_MARK });
  return { code: text.replace(OBJECT_MARK, () => ctx.objectBase64 as string), tooWide: tooWide(text) };
}

/** split: native, where a loop over the lines runs interpreted in a one-shot process */
function tooWide(text: string): boolean {
  for (const line of text.split('\n')) if (line.length > PRINT_WIDTH) return true;
  return false;
}

/** What the skeleton template is given. */
export function skeletonContext(model: Model, opts: EmitOptions = {}): Record<string, unknown> {
  const e = new Emitter();
  const base = path.basename(model.file).replace(/\.bpf\.c$|\.c$/, '');
  const className = pascal(base);

  // every type the source defines gets an interface and codec, in source order
  for (const t of model.types) {
    if (t.kind === 'record') e.visitRecord(t.rec);
    else if (t.kind === 'enum') e.visitEnum(t);
  }

  const maps = model.maps.flatMap((m) => {
    const key = m.key ? e.sideOf(m.key) : m.keySize && KEYED_MAPS.has(m.type) ? e.sideOfSize(m.keySize) : null;
    const value = m.value ? e.sideOf(m.value)
      : m.type === 'stack_trace' ? e.stackValue(m.name, m.valueSize)
        : m.valueSize && KEYED_MAPS.has(m.type) ? e.sideOfSize(m.valueSize) : null;
    if (!key || !value) return [];
    const percpu = PERCPU.has(m.type);
    const tsValue = percpu ? `${value.ts.includes(' ') ? `(${value.ts})` : value.ts}[]` : value.ts;
    // prettier breaks the codecs object onto lines of their own when the call does not fit
    const line = `      ${prop(m.name)}: this.obj.map<${key.ts}, ${tsValue}>('${m.name}', { key: ${key.codec}, value: ${value.codec} }),`;
    return [{
      name: m.name, prop: prop(m.name), mapType: m.type, cKey: key.c, cValue: value.c,
      tsKey: key.ts, tsValue, keyCodec: key.codec, valueCodec: value.codec, percpu,
      hist: m.hist ?? null, wrap: line.length > PRINT_WIDTH,
    }];
  });
  const streams = model.maps.filter((m) => m.event && (m.type === 'ringbuf' || m.type === 'perf_event_array')).map((m) => ({
    name: m.name, prop: prop(m.name), tsType: e.tsType(m.event!), codec: e.codecRef(m.event!), cType: typeName(m.event!),
    ring: m.type === 'ringbuf', pages: m.pages ?? 64,
    onMethod: `on${pascal(m.name)}`,
    iterMethod: `${pascal(m.name).replace(/^./, (c) => c.toLowerCase())}Events`,
  }));
  const rawStreams = model.maps.filter((m) => !m.event && (m.type === 'ringbuf' || m.type === 'perf_event_array')).map((m) => m.name);

  const bySection = new Map<string, typeof model.globals>();
  for (const g of model.globals) bySection.set(g.section, [...(bySection.get(g.section) ?? []), g]);
  const sections = [...bySection.entries()].map(([section, vars]) => ({
    section,
    prop: SECTION_PROPS[section] ?? pascal(section.replace(/^\./, '')).replace(/^./, (c) => c.toLowerCase()),
    className: `${className}${pascal(section.replace(/^\./, ''))}`,
    readonlyAfterLoad: section.startsWith('.rodata'),
    vars: vars.map((g) => {
      // offsets come from the object's own DATASEC when the skeleton opens it: clang places globals
      const off = access('this.$o', g.name);
      return {
        name: prop(g.name), cName: g.name, tsType: e.tsType(g.type), cType: typeName(g.type),
        get: e.decode(g.type, off).replace(/\bdv\b/g, 'this.$s.view'),
        set: e.encode(g.type, 'v', off).replace(/\bdv\b/g, 'this.$s.view'),
      };
    }),
  }));

  const programs = model.programs.map((p) => ({ name: p.name, prop: prop(p.name), section: p.section, kind: p.kind }));
  const objectBytes = opts.objectBytes ?? null;

  return {
    source: path.basename(model.file),
    className,
    runtime: opts.runtime ?? '@lcc-ebpf/lbc',
    embedded: objectBytes !== null,
    // one string, not a list for the template to loop over: ~2,000 lines for a big object
    objectBase64: objectBytes ? chunk(Buffer.from(objectBytes).toString('base64'), 100).map((l) => `    '${l}',`).join('\n') : '',
    objectPath: opts.objectPath ?? `./${base}.bpf.o`,
    objectName: base,
    codecs: e.tailConstants,
    enums: e.enums,
    records: e.records,
    maps,
    streams,
    rawStreams,
    sections,
    programs,
    hasMaps: maps.length > 0,
    hasStreams: streams.length > 0,
  };
}

const chunk = (s: string, n: number): string[] => {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += n) out.push(s.slice(i, i + n));
  return out;
};
