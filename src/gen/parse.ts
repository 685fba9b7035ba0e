// source → declarations: walk tree-sitter's tree of the masked source (see
// cscan.ts) and its local `#include "..."` headers, building C types in the
// model of ctypes.ts and raw map/program/global declarations for model.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { adoptDefinition, builtinType, typeName, type CType, type EnumDecl, type FieldDecl, type RecordDecl } from './ctypes.js';
import { evaluate, ExprError, type ExprEnv } from './cexpr.js';
import { codeOnly, matchParen, scan, ScanError, splitArgs, type MacroCall, type Pos } from '../cscan.js';
import { lazyPositions } from '../textpos.js';
import { layoutOf, LayoutError } from './layout.js';
import { parse, TooDeepError, type SyntaxNode } from '../treesitter.js';

export class GenError extends Error {
  override name = 'GenError';
  constructor(readonly file: string, readonly pos: Pos | undefined, readonly detail: string, readonly hint?: string) {
    super(`${file}${pos ? `:${pos.line}:${pos.column}` : ''}: error: ${detail}${hint ? `\n  hint: ${hint}` : ''}`);
  }
}

export interface Where { file: string; pos: Pos }

export interface RawMap {
  name: string;
  where: Where;
  /** libbpf map type name without prefix, lower case */
  type: string;
  maxEntries: bigint | null;
  key: CType | null;
  value: CType | null;
  keySize?: number;
  valueSize?: number;
  /** LBC_PERF_OUTPUT: the event type and the consumer's page count */
  event?: CType;
  pages?: number;
  via: 'lbc' | 'btf' | 'legacy';
  /** LBC_HIST2 / LBC_HIST10 */
  hist?: 'log2' | 'log10';
  inner?: string;
}

export interface RawProgram { name: string; section: string; where: Where }
export interface RawGlobal { name: string; type: CType; section: string; where: Where; isStatic: boolean }

export interface Unit {
  file: string;
  records: Map<string, RecordDecl>;
  enums: Map<string, EnumDecl>;
  typedefs: Map<string, CType>;
  /** every struct/union/enum defined in the source and its local headers, in order */
  defined: { type: CType; where: Where }[];
  maps: RawMap[];
  programs: RawProgram[];
  globals: RawGlobal[];
  constants: Map<string, bigint>;
  defines: Map<string, string>;
  /** event types seen in reserve/output calls, per ring buffer or perf map */
  eventTypes: Map<string, CType[]>;
}

export interface ParseOptions {
  /** resolve a type name that the source does not define (kernel BTF) */
  external?: (name: string) => CType | undefined;
  /** the value of a name the source does not define: a kernel enum constant (`NR_SOFTIRQS`) */
  externalConstant?: (name: string) => bigint | undefined;
  /** extra -D defines */
  defines?: Record<string, string>;
}

const PROGRAM_MACROS = new Set(['BPF_KPROBE', 'BPF_KRETPROBE', 'BPF_PROG', 'BPF_PROG2', 'BPF_KSYSCALL', 'BPF_KPROBE_SYSCALL', 'BPF_UPROBE', 'BPF_URETPROBE', 'BPF_USDT']);

const LBC_MACROS: Record<string, { args: string[]; make(a: string[], p: Parser, w: Where, call: MacroCall): RawMap }> = {};
for (const [macro, type] of [
  ['LBC_HASH', 'hash'], ['LBC_LRU_HASH', 'lru_hash'], ['LBC_PERCPU_HASH', 'percpu_hash'],
  ['LBC_LRU_PERCPU_HASH', 'lru_percpu_hash'], ['LBC_ARRAY', 'array'], ['LBC_PERCPU_ARRAY', 'percpu_array'], ['LBC_LPM_TRIE', 'lpm_trie'],
] as const) {
  LBC_MACROS[macro] = {
    args: ['name', 'key type', 'value type', 'max entries'],
    make: (a, p, w, call) => ({
      name: a[0]!, where: w, type, via: 'lbc',
      key: p.typeFromText(a[1]!, call.argPos[1]!), value: p.typeFromText(a[2]!, call.argPos[2]!),
      maxEntries: p.constant(a[3]!, call.argPos[3]!),
    }),
  };
}
// index → 4 bytes: XDP's redirect maps (a CPU's queue size, an ifindex, an AF_XDP socket), programs for
// tail calls, sockets for redirects and cgroups (fds user space stores)
for (const [macro, type] of [['LBC_CPUMAP', 'cpumap'], ['LBC_DEVMAP', 'devmap'], ['LBC_XSKMAP', 'xskmap'], ['LBC_PROG_ARRAY', 'prog_array'], ['LBC_SOCKMAP', 'sockmap'], ['LBC_CGROUP_ARRAY', 'cgroup_array']] as const) {
  LBC_MACROS[macro] = {
    args: ['name', 'max entries'],
    make: (a, p, w, call) => ({
      name: a[0]!, where: w, type, via: 'lbc',
      key: builtinType('__u32')!, value: builtinType('__u32')!,
      maxEntries: p.constant(a[1]!, call.argPos[1]!),
    }),
  };
}
// sockets by the tool's key, for sockops/sk_msg/sk_skb redirects (the value a socket's fd)
LBC_MACROS.LBC_SOCKHASH = {
  args: ['name', 'key type', 'max entries'],
  make: (a, p, w, call) => ({
    name: a[0]!, where: w, type: 'sockhash', via: 'lbc',
    key: p.typeFromText(a[1]!, call.argPos[1]!), value: builtinType('__u32')!,
    maxEntries: p.constant(a[2]!, call.argPos[2]!),
  }),
};
LBC_MACROS.LBC_PERF_OUTPUT = {
  args: ['name', 'event type', 'pages'],
  make: (a, p, w, call) => ({
    name: a[0]!, where: w, type: 'perf_event_array', via: 'lbc', key: null, value: null, keySize: 4, valueSize: 4,
    maxEntries: null, event: p.typeFromText(a[1]!, call.argPos[1]!), pages: Number(p.constant(a[2]!, call.argPos[2]!)),
  }),
};
LBC_MACROS.LBC_RINGBUF = {
  args: ['name', 'bytes'],
  make: (a, p, w, call) => ({ name: a[0]!, where: w, type: 'ringbuf', via: 'lbc', key: null, value: null, maxEntries: p.constant(a[1]!, call.argPos[1]!) }),
};
LBC_MACROS.LBC_STACK = {
  args: ['name', 'entries'],
  make: (a, p, w, call) => ({
    name: a[0]!, where: w, type: 'stack_trace', via: 'lbc', key: p.typeFromText('__u32', call.argPos[0]!),
    value: { kind: 'typedef', name: 'lbc_stack_t', to: { kind: 'array', of: builtinType('__u64')!, length: Number(p.lookup('LBC_STACK_DEPTH') ?? 127n) } },
    maxEntries: p.constant(a[1]!, call.argPos[1]!),
  }),
};
// a stack of build IDs and file offsets (BPF_F_STACK_BUILD_ID): struct bpf_stack_build_id, the kernel's
LBC_MACROS.LBC_STACK_BUILDID = {
  args: ['name', 'entries'],
  make: (a, p, w, call) => ({
    name: a[0]!, where: w, type: 'stack_trace', via: 'lbc', key: p.typeFromText('__u32', call.argPos[0]!),
    value: { kind: 'typedef', name: 'lbc_stack_build_id_t', to: { kind: 'array', of: p.typeFromText('struct bpf_stack_build_id', call.argPos[0]!), length: Number(p.lookup('LBC_STACK_DEPTH') ?? 127n) } },
    maxEntries: p.constant(a[1]!, call.argPos[1]!),
  }),
};
// a value per kernel object (task, inode, socket, cgroup): the kernel keys it by the object, an int's size
for (const [macro, type] of [['LBC_TASK_STORAGE', 'task_storage'], ['LBC_INODE_STORAGE', 'inode_storage'], ['LBC_SK_STORAGE', 'sk_storage'], ['LBC_CGRP_STORAGE', 'cgrp_storage']] as const) {
  LBC_MACROS[macro] = {
    args: ['name', 'value type'],
    make: (a, p, w, call) => ({ name: a[0]!, where: w, type, via: 'lbc', key: builtinType('int')!, value: p.typeFromText(a[1]!, call.argPos[1]!), maxEntries: null }),
  };
}
for (const [macro, type] of [['LBC_CGROUP_STORAGE', 'cgroup_storage'], ['LBC_PERCPU_CGROUP_STORAGE', 'percpu_cgroup_storage']] as const) {
  LBC_MACROS[macro] = {
    args: ['name', 'value type'],
    make: (a, p, w, call) => ({ name: a[0]!, where: w, type, via: 'lbc', key: p.typeFromText('struct bpf_cgroup_storage_key', call.argPos[0]!), value: p.typeFromText(a[1]!, call.argPos[1]!), maxEntries: null }),
  };
}
// values without keys, pushed and popped
for (const [macro, type] of [['LBC_QUEUE', 'queue'], ['LBC_LIFO', 'stack']] as const) {
  LBC_MACROS[macro] = {
    args: ['name', 'value type', 'max entries'],
    make: (a, p, w, call) => ({ name: a[0]!, where: w, type, via: 'lbc', key: null, keySize: 0, value: p.typeFromText(a[1]!, call.argPos[1]!), maxEntries: p.constant(a[2]!, call.argPos[2]!) }),
  };
}
// perf event counters by CPU: their fds, which user space stores
LBC_MACROS.LBC_PERF_ARRAY = {
  args: ['name', 'max entries'],
  make: (a, p, w, call) => ({ name: a[0]!, where: w, type: 'perf_event_array', via: 'lbc', key: builtinType('__u32')!, value: builtinType('__u32')!, maxEntries: p.constant(a[1]!, call.argPos[1]!) }),
};
// maps of maps: the values are maps (their fds, from user space) shaped like a map declared before
LBC_MACROS.LBC_ARRAY_OF_MAPS = {
  args: ['name', 'inner map', 'max entries'],
  make: (a, p, w, call) => ({ name: a[0]!, where: w, type: 'array_of_maps', via: 'lbc', key: builtinType('__u32')!, value: builtinType('__u32')!, inner: a[1]!, maxEntries: p.constant(a[2]!, call.argPos[2]!) }),
};
LBC_MACROS.LBC_HASH_OF_MAPS = {
  args: ['name', 'key type', 'inner map', 'max entries'],
  make: (a, p, w, call) => ({ name: a[0]!, where: w, type: 'hash_of_maps', via: 'lbc', key: p.typeFromText(a[1]!, call.argPos[1]!), value: builtinType('__u32')!, inner: a[2]!, maxEntries: p.constant(a[3]!, call.argPos[3]!) }),
};
for (const [macro, hist, slots] of [['LBC_HIST2', 'log2', 65], ['LBC_HIST10', 'log10', 21]] as const) {
  LBC_MACROS[macro] = {
    args: ['name'],
    make: (a, p, w) => ({ name: a[0]!, where: w, type: 'array', via: 'lbc', hist, key: builtinType('__u32')!, value: builtinType('__u64')!, maxEntries: BigInt(slots) }),
  };
}

/** calls that write an event, and where their map and size arguments are */
const EVENT_ARGS: Record<string, [number, number]> = {
  bpf_ringbuf_reserve: [0, 1], lbc_ringbuf_reserve: [0, 1], bpf_ringbuf_output: [0, 2], lbc_ringbuf_output: [0, 2],
  bpf_perf_event_output: [1, 4], lbc_perf_submit: [1, 3],
};
const EVENT_CALL = new RegExp(`\\b(${Object.keys(EVENT_ARGS).join('|')})\\s*\\(`, 'g');

export const KNOWN_LBC_MACROS = Object.keys(LBC_MACROS);

/** the position of text that is not in the file as such (a sizeof's type, a local's): its errors are caught, or reported at the expression holding it */
const NOWHERE: Pos = { line: 0, column: 0 };

class Parser implements ExprEnv {
  readonly unit: Unit;
  private file = '';
  /** the current file's text as written (function bodies are blank in the tree's) */
  private source = '';
  private at?: (offset: number) => Pos;
  private readonly seen = new Set<string>();

  constructor(file: string, private readonly opts: ParseOptions) {
    this.unit = {
      file, records: new Map(), enums: new Map(), typedefs: new Map(), defined: [], maps: [], programs: [], globals: [],
      constants: new Map(), defines: new Map(Object.entries(opts.defines ?? {})), eventTypes: new Map(),
    };
    // what clang -target bpf and lbc.h predefine, for #if and sizes
    for (const [k, v] of Object.entries({ __bpf__: '1', __BPF__: '1', __x86_64__: '1', LBC_STACK_DEPTH: '127', TASK_COMM_LEN: '16' })) {
      if (!this.unit.defines.has(k)) this.unit.defines.set(k, v);
    }
  }

  fail(detail: string, pos?: Pos, hint?: string): never {
    throw new GenError(this.file, pos, detail, hint);
  }

  // ---------- ExprEnv ----------
  private expanding = new Set<string>();
  private inDirective = false;
  lookup(name: string): bigint | undefined {
    const c = this.unit.constants.get(name);
    if (c !== undefined) return c;
    const d = this.unit.defines.get(name);
    // the preprocessor sees no enum constants: in #if they are 0, as any unknown name
    if (d === undefined) return !this.inDirective && /^[A-Za-z_]\w*$/.test(name) ? this.opts.externalConstant?.(name) : undefined;
    if (this.expanding.has(name)) return undefined;
    this.expanding.add(name);
    try {
      return evaluate(d, this);
    } catch {
      return undefined;
    } finally {
      this.expanding.delete(name);
    }
  }
  sizeof(type: string): bigint {
    const t = this.typeFromText(type, NOWHERE);
    // sizeof(struct in6_addr): a kernel record is completed from BTF here, as
    // model.ts does later for every record the source uses by value
    for (let tries = 0; ; tries++) {
      try {
        return BigInt(layoutOf(t).size);
      } catch (e) {
        const rec = e instanceof LayoutError && e.where && 'tag' in e.where && !e.where.complete ? e.where : undefined;
        const ext = rec?.name && tries < 256 ? this.opts.external?.(`${rec.tag} ${rec.name}`) : undefined;
        if (!rec || !ext || ext.kind !== 'record' || !ext.rec.complete) throw e;
        adoptDefinition(rec, ext.rec);
      }
    }
  }
  castType(type: string): { bits: number; signed: boolean } | undefined {
    try {
      let t = this.typeFromText(type, NOWHERE, true);
      while (t.kind === 'typedef') t = t.to;
      return t.kind === 'int' ? { bits: t.size * 8, signed: t.signed } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Array sizes and map sizes repeat (`char comm[TASK_COMM_LEN]` in every
   * event): values by text, forgotten whenever a #define or enum changes.
   */
  private readonly constants = new Map<string, bigint>();

  constant(text: string, pos: Pos): bigint {
    const known = this.constants.get(text);
    if (known !== undefined) return known;
    try {
      const v = evaluate(text, this);
      // sizeof() depends on types, which may still be completed below
      if (!text.includes('sizeof')) this.constants.set(text, v);
      return v;
    } catch (e) {
      if (e instanceof ExprError || e instanceof GenError || e instanceof LayoutError) this.fail(`cannot evaluate "${text}": ${e instanceof GenError ? e.detail : e.message}`, pos, 'use an integer constant expression (numbers, #defines, enum constants, sizeof)');
      throw e;
    }
  }

  /** An array's length, as clang allows it: not negative, and small enough to lay out. */
  private arrayLength(text: string, pos: Pos): number {
    const n = this.constant(text, pos);
    if (n < 0n) this.fail(`array size ${text === String(n) ? n : `"${text}" (${n})`} is negative`, pos, 'an array has zero or more elements');
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`array size ${n} is too large`, pos);
    return Number(n);
  }

  // ---------- files ----------
  parseFile(file: string, from?: Where): void {
    const abs = path.resolve(file);
    if (this.seen.has(abs)) return;
    this.seen.add(abs);
    let source: string;
    try {
      source = fs.readFileSync(abs, 'utf8');
    } catch (e) {
      if (from) throw new GenError(from.file, from.pos, `cannot read included file ${file}`);
      throw new GenError(file, undefined, `cannot read: ${(e as Error).message}`);
    }
    const outer = { file: this.file, source: this.source, at: this.at };
    this.file = file;
    this.source = source;
    this.at = undefined;
    try {
      let scanned;
      try {
        scanned = scan(source);
      } catch (e) {
        if (e instanceof ScanError) this.fail(e.message, e.pos);
        throw e;
      }
      // lcc reads named nodes only (the one token it needs, #ifndef, is in the text)
      let root;
      try {
        root = parse('c', scanned.text, { namedOnly: true });
      } catch (e) {
        if (e instanceof TooDeepError) this.fail(e.message, this.posAt(e.index), 'write it with fewer levels (a #define, or split the expression)');
        throw e;
      }
      if (root.hasError) this.syntaxErrors(root);
      this.walkTop(root.children, scanned.macros, scanned.sections, path.dirname(abs));
    } finally {
      ({ file: this.file, source: this.source, at: this.at } = outer);
    }
  }

  /**
   * tree-sitter recovers from errors by inventing or skipping tokens. Inside
   * function bodies we let it (we read no statements), anywhere else a
   * recovered error would silently change a type, so it is the user's error.
   */
  private syntaxErrors(n: SyntaxNode): void {
    if (n.type === 'compound_statement') return;
    // BTF map bodies (__uint(type, ...); __type(key, ...)) are read by btfMap(), not by tree-sitter
    if (n.type === 'field_declaration_list' && /\b__(uint|type|array|ulong)\s*\(/.test(n.text)) return;
    // `enum x : __u64 {` (C23 underlying type) is an ERROR ": type" that typeFromSpecifier reads
    if (n.type === 'ERROR' && n.parent?.type === 'enum_specifier' && n.text.trim().startsWith(':')) return;
    // an unnamed bitfield (`unsigned int : 0;`) is a MISSING field_identifier before its bitfield_clause
    if (n.isMissing && n.type === 'field_identifier' && n.parent?.children.some((c) => c.type === 'bitfield_clause')) return;
    if (n.isMissing) this.fail(`syntax error: expected "${n.type}" here`, this.pos(n), 'fix the C syntax (a missing ";"?)');
    if (n.type === 'ERROR') {
      this.fail(`cannot parse this C: "${n.text.trim().split('\n')[0]!.slice(0, 60)}"`, this.pos(n), 'check the syntax here (lcc reads declarations at file scope: types, maps, globals, SEC() functions)');
    }
    for (const c of n.children) this.syntaxErrors(c);
  }

  private pos(n: SyntaxNode): Pos {
    return this.posAt(n.startIndex);
  }

  private where(n: SyntaxNode | Pos): Where {
    return { file: this.file, pos: 'type' in n ? this.pos(n as SyntaxNode) : (n as Pos) };
  }

  private walkTop(nodes: SyntaxNode[], macros: MacroCall[], sections: MacroCall[], dir: string): void {
    // each node accessor is a native call through tree-sitter's wrapper: read the spans once
    const inactive: [number, number][] = [];
    const flat = this.flattenTop(nodes, inactive).map((node) => ({ node, start: node.startIndex, end: node.endIndex, type: node.type }));
    // SEC() and LBC_* calls are found lexically: those in a branch the preprocessor drops are not there
    const live = (m: MacroCall): boolean => !inactive.some(([a, b]) => a <= m.start && m.start < b);
    sections = sections.filter(live);
    macros = macros.filter(live);
    // a SEC() belongs to the declaration that contains it, or else to the next one
    const secOf = new Map<SyntaxNode, MacroCall>();
    for (const s of sections) {
      const host = flat.find((n) => n.start <= s.start && s.start < n.end) ?? flat.find((n) => n.start >= s.end && n.type !== 'comment');
      if (host) secOf.set(host.node, s);
    }
    // interleave LBC macros with declarations in source order (a macro may use a type defined above it)
    const items: ({ macro: MacroCall; start: number } | { node: SyntaxNode; type: string; start: number })[] = [
      ...flat,
      ...macros.map((macro) => ({ macro, start: macro.start })),
    ].sort((a, b) => a.start - b.start);
    for (const it of items) {
      if ('macro' in it) this.lbcMacro(it.macro);
      else this.topNode(it.node, it.type, secOf.get(it.node), dir);
    }
  }

  /** Top-level nodes, with the active branch of #if/#ifdef blocks spliced in; `inactive` gets the spans left out. */
  private flattenTop(nodes: SyntaxNode[], inactive: [number, number][] = []): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (const n of nodes) {
      if (n.type === 'preproc_ifdef' || n.type === 'preproc_if' || n.type === 'preproc_elif' || n.type === 'preproc_elifdef') {
        const body = n.children.filter((c, i) => !['name', 'condition', 'alternative'].includes(n.fieldNameForChild(i) ?? '') && !c.type.startsWith('#'));
        const alt = n.childForFieldName('alternative');
        const altNodes = alt ? (alt.type === 'preproc_else' ? alt.children.filter((c) => !c.type.startsWith('#')) : [alt]) : [];
        if (this.condition(n)) {
          out.push(...this.flattenTop(body, inactive));
          if (alt) inactive.push([alt.startIndex, alt.endIndex]);
        } else {
          // from the directive to the #else/#elif (or #endif): a SEC() blanked out of the text sits before its node
          inactive.push([n.startIndex, alt ? alt.startIndex : n.endIndex]);
          out.push(...this.flattenTop(altNodes, inactive));
        }
      } else out.push(n);
    }
    return out;
  }

  private condition(n: SyntaxNode): boolean {
    if (n.type === 'preproc_ifdef' || n.type === 'preproc_elifdef') {
      const name = n.childForFieldName('name')?.text ?? '';
      const defined = this.unit.defines.has(name);
      return /^#\s*(el)?ifndef\b/.test(n.text) ? !defined : defined;
    }
    const cond = (n.childForFieldName('condition')?.text ?? '0').replace(/defined\s*\(?\s*(\w+)\s*\)?/g, (_, id: string) => (this.unit.defines.has(id) ? '1' : '0'));
    this.inDirective = true;
    try {
      return evaluate(cond, { lookup: (x) => this.lookup(x) ?? 0n, sizeof: (t) => this.sizeof(t) }) !== 0n;
    } catch {
      return true; // a condition we cannot evaluate: read the branch rather than lose declarations
    } finally {
      this.inDirective = false;
    }
  }

  private topNode(n: SyntaxNode, type: string, sec: MacroCall | undefined, dir: string): void {
    switch (type) {
      case 'preproc_include': {
        const p = n.childForFieldName('path');
        if (p?.type === 'string_literal') {
          const rel = p.text.slice(1, -1);
          // kernel types come from BTF: a vmlinux.h kept beside the source (as libbpf-bootstrap
          // and libbpf-tools do) is 100,000 lines of what BTF already says, and not ours to parse
          if (/^vmlinux(_\w+)?\.h$/.test(path.basename(rel))) return;
          const local = path.join(dir, rel);
          if (fs.existsSync(local)) this.parseFile(path.relative(process.cwd(), local) || local, this.where(n));
        }
        return;
      }
      case 'preproc_def': {
        const name = n.childForFieldName('name')!.text;
        const value = n.childForFieldName('value')?.text.trim() ?? '1';
        this.unit.defines.set(name, value.replace(/\\\n/g, ' '));
        this.constants.clear();
        return;
      }
      case 'preproc_call': {
        if (/^#\s*undef$/.test(n.childForFieldName('directive')?.text ?? '')) {
          this.unit.defines.delete((n.childForFieldName('argument')?.text ?? '').trim());
          this.constants.clear();
        }
        return;
      }
      case 'type_definition':
        this.typedef(n);
        return;
      case 'struct_specifier': case 'union_specifier': case 'enum_specifier':
        this.typeFromSpecifier(n);
        return;
      case 'declaration':
        this.declaration(n, sec);
        return;
      case 'function_definition':
        if (sec) this.program(n, sec);
        else {
          // helpers (static emit(struct event *e) { bpf_ringbuf_output(...) }) write events too
          const body = n.childForFieldName('body');
          if (body) this.inferEvents(body, this.findFunctionDeclarator(n.childForFieldName('declarator')));
        }
        return;
      default:
        return; // comments, expression statements of stray ';', preprocessor lines we don't need
    }
  }

  private lbcMacro(call: MacroCall): void {
    if (call.name === 'SEC') return;
    const spec = LBC_MACROS[call.name];
    const where = { file: this.file, pos: call.pos };
    if (!spec) {
      this.fail(`unknown macro ${call.name}`, call.pos, `lbc.h defines ${KNOWN_LBC_MACROS.join(', ')}`);
    }
    if (call.args.length !== spec.args.length || call.args.some((a) => a === '')) {
      this.fail(`${call.name} takes ${spec.args.length} arguments (${spec.args.join(', ')}), got ${call.args.filter(Boolean).length}`, call.pos);
    }
    this.unit.maps.push(spec.make(call.args, this, where, call));
  }

  // ---------- types ----------

  /** A type written as text (macro arguments, sizeof, casts). */
  typeFromText(text: string, pos: Pos, quiet = false): CType {
    const t = text.replace(/\b(const|volatile|restrict)\b/g, ' ').replace(/\s+/g, ' ').trim();
    const m = /^(.*?)\s*((?:\*\s*)*)((?:\[[^\]]*\]\s*)*)$/.exec(t)!;
    const base = m[1]!.trim();
    let out: CType;
    const rec = /^(struct|union|enum)\s+(\w+)$/.exec(base);
    if (rec) out = rec[1] === 'enum' ? this.enumRef(rec[2]!, pos) : { kind: 'record', rec: this.recordRef(rec[1] as 'struct' | 'union', rec[2]!, pos) };
    else out = this.namedType(base, pos, quiet);
    for (let i = 0; i < (m[2]!.match(/\*/g)?.length ?? 0); i++) out = { kind: 'ptr', to: out };
    const dims = [...m[3]!.matchAll(/\[([^\]]*)\]/g)].map((d) => d[1]!.trim());
    for (const d of dims.reverse()) out = d === '' ? { kind: 'array', of: out, length: 0, flexible: true } : { kind: 'array', of: out, length: this.arrayLength(d, pos) };
    return out;
  }

  private namedType(name: string, pos: Pos, quiet = false): CType {
    const td = this.unit.typedefs.get(name);
    if (td) return td;
    const b = builtinType(name);
    if (b) return b;
    const ext = this.opts.external?.(name);
    if (ext) return ext;
    if (quiet) throw new ExprError(`not a type: ${name}`);
    this.fail(`unknown type ${name}`, pos, 'define it (or include the header that does) before this line; kernel types come from BTF (--btf FILE if the running kernel has none)');
  }

  recordRef(tag: 'struct' | 'union', name: string, pos?: Pos): RecordDecl {
    const key = `${tag} ${name}`;
    let r = this.unit.records.get(key);
    if (!r) {
      r = { tag, name, fields: [], complete: false, packed: false, origin: 'source', pos, file: this.file };
      this.unit.records.set(key, r);
    }
    return r;
  }

  private enumRef(name: string, pos: Pos): CType {
    const e = this.unit.enums.get(name);
    if (e) return { kind: 'enum', en: e };
    const ext = this.opts.external?.(`enum ${name}`);
    if (ext) return ext;
    this.fail(`unknown type enum ${name}`, pos, 'define the enum before this line');
  }

  private attributes(nodes: SyntaxNode[]): { packed: boolean; align?: number } {
    let packed = false;
    let align: number | undefined;
    for (const n of nodes) {
      if (n.type !== 'attribute_specifier' && n.type !== 'attribute_declaration') continue;
      if (/\b(__)?packed(__)?\b/.test(n.text)) packed = true;
      const m = /\b(?:__)?aligned(?:__)?\s*(?:\(\s*([^)]*)\))?/.exec(n.text);
      if (m) align = m[1] ? Number(this.constant(m[1], this.pos(n))) : 16;
    }
    return { packed, align };
  }

  /** struct/union/enum specifier, defining it when it has a body. */
  private typeFromSpecifier(n: SyntaxNode, typedefName?: string): CType {
    const name = n.childForFieldName('name')?.text;
    const body = n.childForFieldName('body');
    if (n.type === 'enum_specifier') {
      if (!body) return name ? this.enumRef(name, this.pos(n)) : this.fail('enum without a name or body', this.pos(n));
      // `enum x : __u64 { ... }` (C23) reaches us as an ERROR child ": type"
      const baseErr = n.children.find((c) => c.type === 'ERROR' && c.text.trim().startsWith(':'));
      const base = baseErr ? this.typeFromText(baseErr.text.trim().slice(1), this.pos(baseErr)) : undefined;
      const en: EnumDecl = { name, typedefName, values: [], base, origin: 'source', pos: this.pos(n), file: this.file };
      let next = 0n;
      for (const e of body.namedChildren.filter((c) => c.type === 'enumerator')) {
        const vname = e.childForFieldName('name')!.text;
        const vnode = e.childForFieldName('value');
        const value = vnode ? this.constant(vnode.text, this.pos(vnode)) : next;
        en.values.push({ name: vname, value });
        this.unit.constants.set(vname, value);
        this.constants.clear();
        next = value + 1n;
      }
      if (name) this.unit.enums.set(name, en);
      const t: CType = { kind: 'enum', en };
      this.unit.defined.push({ type: t, where: this.where(n) });
      return t;
    }
    const tag = n.type === 'struct_specifier' ? 'struct' : 'union';
    if (!body) {
      if (!name) this.fail(`${tag} without a name or body`, this.pos(n));
      return { kind: 'record', rec: this.recordRef(tag, name) };
    }
    const rec: RecordDecl = name ? this.recordRef(tag, name, this.pos(n)) : { tag, fields: [], complete: false, packed: false, origin: 'source', pos: this.pos(n), file: this.file };
    if (rec.complete) this.fail(`${tag} ${name} is defined twice`, this.pos(n), `the first definition is at ${rec.file}:${rec.pos?.line}`);
    rec.typedefName = rec.typedefName ?? (name ? undefined : typedefName);
    rec.pos = this.pos(n);
    rec.file = this.file;
    const attrs = this.attributes(n.children);
    rec.packed = attrs.packed;
    rec.align = attrs.align;
    for (const f of body.namedChildren) {
      if (f.type !== 'field_declaration') continue;
      rec.fields.push(...this.fieldDeclaration(f));
    }
    rec.complete = true;
    const t: CType = { kind: 'record', rec };
    this.unit.defined.push({ type: t, where: this.where(n) });
    return t;
  }

  private baseType(typeNode: SyntaxNode | null, at: SyntaxNode, typedefName?: string): CType {
    if (!typeNode) this.fail('declaration without a type', this.pos(at));
    switch (typeNode.type) {
      case 'primitive_type': return this.namedType(typeNode.text, this.pos(typeNode));
      case 'sized_type_specifier': {
        const words = typeNode.text.replace(/\s+/g, ' ').trim();
        const b = builtinType(words) ?? builtinType(words.replace(/ int$/, ''));
        if (!b) this.fail(`unknown type ${words}`, this.pos(typeNode));
        return b;
      }
      case 'type_identifier': return this.namedType(typeNode.text, this.pos(typeNode));
      case 'struct_specifier': case 'union_specifier': case 'enum_specifier':
        return this.typeFromSpecifier(typeNode, typedefName);
      case 'macro_type_specifier':
        this.fail(`cannot read the type ${typeNode.text}`, this.pos(typeNode), 'write the type directly; macros in type position are not expanded');
      // falls through
      default:
        this.fail(`cannot read the type ${typeNode.text}`, this.pos(typeNode));
    }
  }

  /**
   * Apply a declarator to a base type, by C's rules: the declarator nearest
   * the name is applied last (`int *a[3]`: an array of pointers; `int (*fp)(int)`:
   * a pointer to a function). `isConst` is whether the declared object itself
   * is const: `void *const p` is, `const void *p` is not, an array is when its
   * elements are. That decides .rodata.
   */
  private declarator(d: SyntaxNode | null, base: CType, baseConst = false): { name?: string; type: CType; node?: SyntaxNode; isConst: boolean } {
    if (!d) return { type: base, isConst: baseConst };
    switch (d.type) {
      case 'identifier': case 'field_identifier': case 'type_identifier':
        return { name: d.text || undefined, type: base, node: d, isConst: baseConst };
      case 'pointer_declarator': {
        const constPtr = d.namedChildren.some((c) => c.type === 'type_qualifier' && c.text === 'const');
        return this.declarator(d.childForFieldName('declarator'), { kind: 'ptr', to: base }, constPtr);
      }
      case 'array_declarator': {
        const size = d.childForFieldName('size');
        const arr: CType = size ? { kind: 'array', of: base, length: this.arrayLength(size.text, this.pos(size)) } : { kind: 'array', of: base, length: 0, flexible: true };
        // int a[2][3]: the inner declarator holds the outer dimension
        return this.declarator(d.childForFieldName('declarator'), arr, baseConst);
      }
      case 'init_declarator':
        return this.declarator(d.childForFieldName('declarator'), base, baseConst);
      case 'parenthesized_declarator': case 'attributed_declarator':
        return this.declarator(d.namedChildren.find((c) => c.type !== 'attribute_specifier' && c.type !== 'attribute_declaration') ?? null, base, baseConst);
      case 'function_declarator': {
        // `int f(void)` declares a function; `int (*fp)(void)` a pointer to one
        const inner = this.declarator(d.childForFieldName('declarator'), { kind: 'func' }, false);
        return { ...inner, node: inner.type.kind === 'func' ? d : inner.node };
      }
      default:
        this.fail(`cannot read the declarator ${d.text}`, this.pos(d));
    }
  }

  private fieldDeclaration(f: SyntaxNode): FieldDecl[] {
    const base = this.baseType(f.childForFieldName('type'), f);
    const out: FieldDecl[] = [];
    const decls = f.children.map((c, i) => ({ c, field: f.fieldNameForChild(i) }));
    const attrs = this.attributes(f.children);
    let current: FieldDecl | null = null;
    for (const { c, field } of decls) {
      if (field === 'declarator') {
        const d = this.declarator(c, base);
        current = { name: d.name, type: d.type, pos: this.pos(c), align: attrs.align };
        out.push(current);
      } else if (c.type === 'bitfield_clause') {
        const expr = c.namedChildren[0]!;
        const width = Number(this.constant(expr.text, this.pos(expr)));
        if (current) current.bitSize = width;
        else out.push({ type: base, bitSize: width, pos: this.pos(c) });
        current = null;
      }
    }
    if (out.length === 0) out.push({ type: base, pos: this.pos(f), align: attrs.align }); // anonymous struct/union member
    return out;
  }

  private typedef(n: SyntaxNode): void {
    const declarators = n.childrenForFieldName('declarator');
    const firstName = declarators[0] ? this.declarator(declarators[0], { kind: 'void' }).name : undefined;
    const base = this.baseType(n.childForFieldName('type'), n, firstName);
    const attrs = this.attributes(n.children);
    if (base.kind === 'record' && attrs.align) base.rec.align = Math.max(base.rec.align ?? 0, attrs.align);
    for (const d of declarators) {
      const { name, type } = this.declarator(d, base);
      if (!name) continue;
      if (type.kind === 'enum' && !type.en.name && !type.en.typedefName) type.en.typedefName = name;
      if (type.kind === 'record' && !type.rec.name && !type.rec.typedefName) type.rec.typedefName = name;
      this.unit.typedefs.set(name, { kind: 'typedef', name, to: type });
    }
  }

  // ---------- declarations ----------

  private declaration(n: SyntaxNode, sec: MacroCall | undefined): void {
    const mods = n.children.filter((c) => c.type === 'storage_class_specifier' || c.type === 'type_qualifier').map((c) => c.text);
    if (mods.includes('extern')) return; // __kconfig / __ksym externs: not our globals
    const typeNode = n.childForFieldName('type');
    const section = sec?.args[0]?.replace(/^"|"$/g, '');
    if (section === '.maps') {
      for (const d of n.childrenForFieldName('declarator')) this.btfMap(typeNode!, d, sec!);
      return;
    }
    if (section === 'maps' || (typeNode?.type === 'struct_specifier' && typeNode.childForFieldName('name')?.text === 'bpf_map_def')) {
      for (const d of n.childrenForFieldName('declarator')) this.legacyMap(d);
      return;
    }
    const base = this.baseType(typeNode, n);
    for (const d of n.childrenForFieldName('declarator')) {
      const { name, type, isConst } = this.declarator(d, base, mods.includes('const'));
      if (!name || type.kind === 'func') continue;
      if (section === 'license' || section === 'version') continue;
      const init = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
      const zero = !init || /^(0|\{\s*\}|\{\s*0\s*\}|NULL|false|0[xX]0+)$/.test(init.text.trim());
      const gsec = section ?? (isConst ? '.rodata' : zero ? '.bss' : '.data');
      this.unit.globals.push({ name, type, section: gsec, where: this.where(d), isStatic: mods.includes('static') });
    }
  }

  /** `struct { __uint(type, ...); __type(key, ...); ... } name SEC(".maps");` */
  private btfMap(typeNode: SyntaxNode, d: SyntaxNode, sec: MacroCall): void {
    const { name } = this.declarator(d, { kind: 'void' });
    const where = this.where(d);
    if (!name) this.fail('map declaration without a name', where.pos);
    const body = typeNode.childForFieldName('body');
    if (!body) this.fail(`map ${name}: SEC(".maps") needs a struct { __uint(type, ...); ... } definition`, where.pos);
    const map: RawMap = { name, where, type: '', maxEntries: null, key: null, value: null, via: 'btf' };
    const text = body.text.slice(1, -1);
    const base = body.startIndex + 1;
    for (const m of text.matchAll(/(__uint|__type|__array|__ulong)\s*\(/g)) {
      const open = m.index! + m[0].length - 1;
      const matched = matchParen(text, open);
      const inner = text.slice(open + 1, matched < 0 ? text.length : matched);
      const comma = inner.indexOf(',');
      const field = inner.slice(0, comma).trim();
      const arg = inner.slice(comma + 1).trim();
      const pos = this.posAt(base + m.index!);
      if (m[1] === '__type') {
        if (field === 'key') map.key = this.typeFromText(arg, pos);
        else if (field === 'value') map.value = this.typeFromText(arg, pos);
        else this.fail(`map ${name}: unknown __type(${field}, ...)`, pos, 'use __type(key, T) or __type(value, T)');
      } else if (m[1] === '__array') {
        map.inner = arg.replace(/\s+/g, ' ');
      } else if (field === 'type') {
        map.type = mapTypeName(arg, () => this.fail(`map ${name}: unknown map type ${arg}`, pos, 'use a BPF_MAP_TYPE_* constant'));
      } else if (field === 'max_entries') map.maxEntries = this.constant(arg, pos);
      else if (field === 'key_size') map.keySize = Number(this.constant(arg, pos));
      else if (field === 'value_size') map.valueSize = Number(this.constant(arg, pos));
    }
    if (!map.type) this.fail(`map ${name} has no __uint(type, ...)`, where.pos, 'add __uint(type, BPF_MAP_TYPE_...) to its definition');
    this.unit.maps.push(map);
  }

  /** line:column of an offset into the current file */
  private posAt(index: number): Pos {
    this.at ??= lazyPositions(this.source);
    return this.at(index);
  }

  /** `struct bpf_map_def SEC("maps") name = { .type = ..., .key_size = sizeof(T), ... };` */
  private legacyMap(d: SyntaxNode): void {
    const { name } = this.declarator(d, { kind: 'void' });
    const where = this.where(d);
    if (!name) this.fail('map declaration without a name', where.pos);
    const init = d.type === 'init_declarator' ? d.childForFieldName('value') : null;
    if (!init) this.fail(`legacy map ${name} has no initializer`, where.pos, 'write = { .type = BPF_MAP_TYPE_..., .key_size = ..., .value_size = ..., .max_entries = ... }');
    const map: RawMap = { name, where, type: '', maxEntries: null, key: null, value: null, via: 'legacy' };
    for (const pair of init.namedChildren.filter((c) => c.type === 'initializer_pair')) {
      const field = pair.childForFieldName('designator')?.text.replace(/^\./, '') ?? pair.namedChildren[0]!.text.replace(/^\./, '');
      const valueNode = pair.childForFieldName('value')!;
      const value = valueNode.text.trim();
      const pos = this.pos(valueNode);
      const sizeofType = /^sizeof\s*\((.*)\)$/s.exec(value)?.[1];
      switch (field) {
        case 'type': map.type = mapTypeName(value, () => this.fail(`map ${name}: unknown map type ${value}`, pos)); break;
        case 'key_size': map.keySize = Number(this.constant(value, pos)); if (sizeofType) map.key = this.typeFromText(sizeofType, pos); break;
        case 'value_size': map.valueSize = Number(this.constant(value, pos)); if (sizeofType) map.value = this.typeFromText(sizeofType, pos); break;
        case 'max_entries': map.maxEntries = this.constant(value, pos); break;
        default: break;
      }
    }
    if (!map.type) this.fail(`legacy map ${name} has no .type`, where.pos);
    this.unit.maps.push(map);
  }

  private program(n: SyntaxNode, sec: MacroCall): void {
    const section = (sec.args[0] ?? '').replace(/^"|"$/g, '');
    const decl = this.findFunctionDeclarator(n.childForFieldName('declarator'));
    if (!decl) this.fail('cannot find the name of this SEC() function', this.pos(n));
    let name = decl.childForFieldName('declarator')?.text ?? '';
    if (PROGRAM_MACROS.has(name)) {
      // int BPF_KPROBE(real_name, args...): the program is the first "parameter"
      const params = decl.childForFieldName('parameters')!;
      name = params.namedChildren[0]?.text.trim() ?? '';
    }
    if (!/^\w+$/.test(name)) this.fail(`cannot read the program name "${name}"`, this.pos(decl));
    this.unit.programs.push({ name, section, where: this.where(decl) });
    const body = n.childForFieldName('body');
    if (body) this.inferEvents(body, decl);
  }

  /**
   * What a program writes into each ring buffer / perf map, read from the
   * sizeof() of its reserve and output calls: sizeof(*e), sizeof(e) or
   * sizeof(struct x), with locals' types from their declarations. The body
   * was blanked before tree-sitter (cscan.ts): its calls are found in the
   * original text.
   */
  private inferEvents(body: SyntaxNode, decl: SyntaxNode | null): void {
    const text = codeOnly(this.source.slice(body.startIndex, body.endIndex));
    for (const m of text.matchAll(EVENT_CALL)) {
      const open = m.index! + m[0].length - 1;
      const close = matchParen(text, open);
      if (close < 0) continue;
      const args = splitArgs(text.slice(open + 1, close)).map((a) => a.arg);
      this.eventCall(m[1]!, args, body.startIndex + m.index!, (name) => this.local(name, text, decl));
    }
  }

  /** The type of a parameter or local variable, for sizeof(*e) and sizeof(e). */
  private local(name: string, body: string, decl: SyntaxNode | null): CType | undefined {
    let found: CType | undefined;
    const declares = (n: SyntaxNode): void => {
      try {
        const base = this.baseType(n.childForFieldName('type'), n);
        for (const d of n.childrenForFieldName('declarator')) {
          const { name: declared, type } = this.declarator(d, base);
          if (declared === name) found = type;
        }
      } catch {
        // a local of a type we cannot read is simply not a candidate
      }
    };
    for (const p of decl?.childForFieldName('parameters')?.namedChildren ?? []) if (p.type === 'parameter_declaration') declares(p);
    // Where the name could be declared: after a type or `*`, before `;`, `=`,
    // `,` or `[` (not `e->x`, not `x = e`); the last declaration wins, an
    // inner scope's usually.
    for (const m of body.matchAll(new RegExp(`(?<=[\\w*]\\s*)\\b${name}\\s*[;=,[]`, 'g'))) {
      const start = Math.max(body.lastIndexOf(';', m.index!), body.lastIndexOf('{', m.index!), body.lastIndexOf('}', m.index!)) + 1;
      const before = body.slice(start, m.index!).replace(/\b(static|register|auto)\b/g, ' ');
      if (!/[,({=]/.test(before)) {
        // one declarator (`struct event *e = ...`): its type is the text around the name
        const dims = /^\s*((?:\[[^\]]*\]\s*)*)/.exec(body.slice(m.index! + name.length))![1]!;
        try {
          found = this.typeFromText(before + dims, NOWHERE, true);
        } catch {
          // not a type (`return e;`), or one we cannot read: not a candidate
        }
        continue;
      }
      // anything else (`int n, *e;`, an inline struct) is parsed alone
      const end = statementEnd(body, m.index!);
      if (end < 0) continue;
      let stmt;
      try {
        stmt = parse('c', body.slice(start, end + 1)).children[0];
      } catch (e) {
        if (e instanceof TooDeepError) continue; // a statement that deep declares nothing we read
        throw e;
      }
      if (stmt?.type === 'declaration' && !stmt.hasError) declares(stmt);
    }
    return found;
  }

  private eventCall(fn: string, args: string[], at: number, local: (name: string) => CType | undefined): void {
    const idx = EVENT_ARGS[fn];
    if (!idx) return;
    const mapName = args[idx[0]]?.replace(/^&\s*/, '');
    const size = /^sizeof\s*\((.*)\)$/s.exec(args[idx[1]] ?? '')?.[1]?.trim();
    if (!mapName || !/^\w+$/.test(mapName) || !size) return;
    let t: CType | undefined;
    const deref = /^\*\s*(\w+)$/.exec(size);
    if (deref) {
      const p = local(deref[1]!);
      if (p?.kind === 'ptr') t = p.to;
    } else if (/^\w+$/.test(size) && local(size)) t = local(size);
    else {
      try {
        t = this.typeFromText(size, this.posAt(at), true);
      } catch {
        t = undefined;
      }
    }
    if (!t) return;
    const list = this.unit.eventTypes.get(mapName) ?? [];
    if (!list.some((x) => typeName(x) === typeName(t!))) list.push(t);
    this.unit.eventTypes.set(mapName, list);
  }

  private findFunctionDeclarator(d: SyntaxNode | null): SyntaxNode | null {
    while (d && d.type !== 'function_declarator') d = d.childForFieldName('declarator');
    return d;
  }
}

/** The `;` ending the statement that holds `from` (not one inside parentheses, brackets or braces), or -1. */
function statementEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (--depth < 0) return -1;
    } else if (ch === ';' && depth === 0) return i;
  }
  return -1;
}

export function mapTypeName(text: string, fail: () => never): string {
  const m = /^BPF_MAP_TYPE_([A-Z0-9_]+)$/.exec(text.trim());
  if (!m) return fail();
  return m[1]!.toLowerCase();
}

export function parseUnit(file: string, opts: ParseOptions = {}): Unit {
  const p = new Parser(file, opts);
  p.parseFile(file);
  return p.unit;
}

