// Memory reads in BCC's C as CO-RE reads them: kernel pointer chains (a->b->c) as BPF_CORE_READ, a
// member this kernel renamed read by either name, *p and p[i] on kernel memory as probe reads, a tool's
// struct laid over kernel memory read at the tool's offsets. corePointerChains is pure (the C text and the
// kernel's BTF in, edits out); rewriteMemoryAccess applies the family to a conversion.
import { parse, type SyntaxNode } from '../../treesitter.js';
import { BtfKind, type Btf, type BtfMember, type BtfType } from '../../../lbc/src/pure.js';
import type { Conversion } from './conversion.js';
import { vmlinuxBtf } from './kernel.js';
import { packetCursor } from './packet.js';
import { callArgs } from '../../cscan.js';
import { keepLines, sectionAt } from './text.js';

/** A C type that is a plain number (a scalar a pointer may point at) */
export const scalar = (t: string): boolean => /^(unsigned\s+|signed\s+)?(int|long|long long|short|char|u8|u16|u32|u64|s8|s16|s32|s64|__u\d+|__s\d+|pid_t|size_t)$/.test(t.trim());

/** A struct of the tool one per choice: `names[k]` chosen where `conds[k]` holds (C), the last otherwise */
export interface StructChoice { conds: string[]; names: string[] }

/**
 * Kernel pointers read through a->b->c (BCC rewrites those into probe reads)
 * as BPF_CORE_READ(a, b, c): a kprobe may not dereference kernel memory, and
 * CO-RE relocates every step. `btf` (the kernel's) tells what the chain ends
 * in: an array there is an address (it decays), so only the pointers before it
 * are read: BPF_CORE_READ(a, b)->arr.
 */
export function corePointerChains(text: string, localStructs: Set<string>, btf: Btf | null = null, localDefs = '', views = new Map<string, StructChoice>()): { edits: { start: number; end: number; text: string }[]; skipped: number[]; flavors: string[] } {
  const flavors: string[] = [];
  // the kernel's address-space marks (const char __user *buf) read as blanks, as their macros make them:
  // tree-sitter would read `__user *buf` as a product (blanks of the same length keep every offset)
  const root = parse('c', text.replace(/\b__(?:user|kernel|force)\b/g, (m) => ' '.repeat(m.length)));
  const kernel = (sname: string): boolean => !!sname && !localStructs.has(sname) && !sname.startsWith('tp_') && !sname.startsWith('trace_event_raw_');
  // the tool's own structs' members that hold kernel pointers (a map value's struct file *fp)
  const localMembers = new Map<string, Map<string, string>>();
  for (const st of localDefs ? parse('c', localDefs).descendantsOfType('struct_specifier') : []) {
    const body = st.childForFieldName('body');
    const sname = st.childForFieldName('name')?.text;
    if (!body || !sname) continue;
    const members = new Map<string, string>();
    for (const f of body.namedChildren.filter((c) => c.type === 'field_declaration')) {
      const t = f.childForFieldName('type');
      const ks = t?.type === 'struct_specifier' ? t.childForFieldName('name')?.text ?? '' : '';
      if (!kernel(ks)) continue;
      for (const d of f.namedChildren.filter((c) => c.type === 'pointer_declarator')) {
        const id = d.childForFieldName('declarator');
        if (id?.type === 'field_identifier') members.set(id.text, ks);
      }
    }
    localMembers.set(sname, members);
  }
  const kernelPtrs = new Map<string, string>();
  const localVars = new Map<string, string>();
  for (const d of root.descendantsOfType(['declaration', 'parameter_declaration'])) {
    const t = d.childForFieldName('type');
    if (t?.type !== 'struct_specifier') continue;
    const sname = t.childForFieldName('name')?.text ?? '';
    for (const decl of d.namedChildren) {
      let n: SyntaxNode | null = decl.type === 'init_declarator' ? decl.childForFieldName('declarator') : decl;
      // struct val_t *valp, struct val_t val: chains through their kernel pointer members
      if (localMembers.has(sname)) {
        const id = n?.type === 'pointer_declarator' ? n.childForFieldName('declarator') : n;
        if (id?.type === 'identifier') localVars.set(id.text, sname);
        continue;
      }
      // a tracepoint's record is the program's context: read directly, as the verifier wants
      if (!kernel(sname) || n?.type !== 'pointer_declarator') continue;
      n = n.childForFieldName('declarator');
      if (n?.type === 'identifier') kernelPtrs.set(n.text, sname);
    }
  }
  const edits: { start: number; end: number; text: string }[] = [];
  const skipped: number[] = [];
  // a pointer to the tool's own struct that the C sets from kernel memory (runqlen's `my_q = (struct
  // cfs_rq_partial *)task->se.cfs_rq`): its members are kernel memory at the tool's own offsets, read as
  // BCC reads them (a probe read, no relocation); a struct one per choice, at the chosen one's offset
  const fromKernel = (e: SyntaxNode | null): boolean => {
    while (e && (e.type === 'cast_expression' || e.type === 'parenthesized_expression')) e = e.type === 'cast_expression' ? e.childForFieldName('value') : e.namedChildren[0] ?? null;
    if (!e) return false;
    let base: SyntaxNode = e;
    while (base.type === 'field_expression') base = base.childForFieldName('argument')!;
    return (base.type === 'identifier' && kernelPtrs.has(base.text) && (e.type === 'field_expression' || e === base)) || (e.type === 'call_expression' && /^BPF_CORE_READ$/.test(e.childForFieldName('function')?.text ?? ''));
  };
  const viewVars = new Map<string, string>();
  for (const a of root.descendantsOfType(['assignment_expression', 'init_declarator'])) {
    const left = a.type === 'init_declarator' ? a.childForFieldName('declarator') : a.childForFieldName('left');
    const right = a.type === 'init_declarator' ? a.childForFieldName('value') : a.childForFieldName('right');
    const cast = /^\(\s*struct\s+(\w+)\s*\*\s*\)/.exec(right?.text ?? '');
    const v = left?.type === 'pointer_declarator' ? left.childForFieldName('declarator')?.text : left?.text;
    if (cast && v && localStructs.has(cast[1]!) && fromKernel(right)) viewVars.set(v, cast[1]!);
  }
  for (const fe of root.descendantsOfType('field_expression')) {
    const obj = fe.childForFieldName('argument');
    const sname = obj?.type === 'identifier' ? viewVars.get(obj.text) : undefined;
    if (!sname || !fe.children.some((c) => c.type === '->')) continue;
    const up = fe.parent;
    if ((up?.type === 'assignment_expression' && up.childForFieldName('left')?.startIndex === fe.startIndex) || up?.type === 'update_expression') {
      skipped.push(fe.startIndex);
      continue;
    }
    if (up?.type === 'sizeof_expression' || up?.type === 'field_expression' || up?.type === 'subscript_expression' || (up?.type === 'pointer_expression' && up.text.startsWith('&'))) continue;
    const field = fe.childForFieldName('field')!.text;
    const choice = views.get(sname);
    const at = choice
      ? `(void *)((char *)${obj!.text} + (${choice.conds.map((c, k) => `(${c}) ? __builtin_offsetof(struct ${choice.names[k]}, ${field}) : `).join('')}__builtin_offsetof(struct ${choice.names.at(-1)}, ${field})))`
      : `&(${fe.text})`;
    edits.push({ start: fe.startIndex, end: fe.endIndex, text: `({ __typeof__(${fe.text}) __lcc_v; bpf_probe_read_kernel(&__lcc_v, sizeof(__lcc_v), ${at}); __lcc_v; })` });
  }
  for (const fe of root.descendantsOfType('field_expression')) {
    if (fe.parent?.type === 'field_expression') continue; // only the outermost of a chain
    // flatten, innermost first: each "->" starts a segment, each "." extends the current one
    const steps: { arrow: boolean; field: string }[] = [];
    let n: SyntaxNode = fe;
    while (n.type === 'field_expression') {
      steps.unshift({ arrow: n.children.some((c) => c.type === '->'), field: n.childForFieldName('field')!.text });
      n = n.childForFieldName('argument')!;
    }
    if (n.type !== 'identifier') continue;
    // where the kernel memory starts: a kernel pointer variable, or a kernel pointer member of the tool's struct
    let base = n.text;
    let kstruct = kernelPtrs.get(n.text);
    if (kstruct === undefined) {
      kstruct = localMembers.get(localVars.get(n.text) ?? '')?.get(steps[0]?.field ?? '');
      if (kstruct === undefined || !steps[1]?.arrow) continue;
      base = `${n.text}${steps[0]!.arrow ? '->' : '.'}${steps[0]!.field}`;
      steps.shift();
    } else if (!steps[0]?.arrow) continue;
    const accessors: string[] = [];
    for (const st of steps) {
      if (st.arrow) accessors.push(st.field);
      else accessors[accessors.length - 1] += `.${st.field}`;
    }
    let node = fe;
    const p = fe.parent;
    if (p?.type === 'subscript_expression' && p.childForFieldName('argument') === null) continue;
    let indexed = false;
    if (p?.type === 'subscript_expression' && p.namedChildren[0]?.startIndex === fe.startIndex) {
      accessors[accessors.length - 1] += `[${p.childForFieldName('index')?.text ?? p.namedChildren[1]?.text}]`;
      node = p;
      indexed = true;
    }
    const up = node.parent;
    const call = up?.type === 'argument_list' ? up.parent : null;
    if (call && /^(bpf_core_field_exists|bpf_core_field_size|bpf_core_field_offset|BPF_CORE_READ\w*|bpf_core_read\w*|sizeof)$/.test(call.childForFieldName('function')?.text ?? '')) continue;
    if (up?.type === 'sizeof_expression') continue;
    const assigned = up?.type === 'assignment_expression' && up.childForFieldName('left')?.startIndex === node.startIndex;
    // &x->f is an address computation: vmlinux.h's preserve_access_index makes clang relocate it, and
    // the tool passes it to a probe read; only writes through a kernel pointer need a person
    if (up?.type === 'pointer_expression' && up.text.startsWith('&')) continue;
    if (assigned || up?.type === 'update_expression') {
      skipped.push(node.startIndex);
      continue;
    }
    // a chain ending in an array is its address: read the pointers up to it, then take the member
    // a member of the tool's own struct is read as C reads it, outside the macro: CO-RE relocates only
    // what the kernel's BTF knows
    const read = (acc: string[]): string => (base === n.text ? `BPF_CORE_READ(${base}, ${acc.join(', ')})` : `({ __typeof__(${base}) __lcc_p = ${base}; BPF_CORE_READ(__lcc_p, ${acc.join(', ')}); })`);
    // a member this kernel renamed with underscores (iov_iter's iov, __iov since 6.4): read by the name the
    // kernel it runs on has, a flavor struct naming the older one
    const renamed = btf && !indexed && base === n.text ? renamedMember(btf, kstruct, steps) : null;
    if (renamed) {
      const { at, sname, decl } = renamed;
      const written = (from: number, to: number): string => steps.slice(from, to).map((st, k) => `${k || from ? (st.arrow ? '->' : '.') : ''}${st.field}`).join('');
      // a pointer to the struct that has the member: the pointer read so far, or the address of the embedded one
      const obj = steps[at]!.arrow ? (at === 0 ? base : read(groups(steps.slice(0, at)))) : `&(${base}->${written(0, at)})`;
      const rest = groups(steps.slice(at).map((st, k) => (k === 0 ? { arrow: true, field: st.field } : st)));
      const flavor = `${sname}___lcc_renamed`;
      if (!flavors.some((f) => f.startsWith(`struct ${flavor} `))) flavors.push(`struct ${flavor} {\n\t${decl};\n} __attribute__((preserve_access_index));`);
      const older = `BPF_CORE_READ((struct ${flavor} *)${obj}, ${rest.join(', ')})`;
      const now = `BPF_CORE_READ((struct ${sname} *)${obj}, ${[`__${rest[0]}`, ...rest.slice(1)].join(', ')})`;
      edits.push({ start: node.startIndex, end: node.endIndex, text: `(bpf_core_field_exists(((struct ${flavor} *)${obj})->${steps[at]!.field}) ? ${older} : ${now})` });
      continue;
    }
    if (!indexed && btf && endsInArray(btf, kstruct, steps)) {
      if (accessors.length === 1) continue;
      const last = accessors.pop()!;
      edits.push({ start: node.startIndex, end: node.endIndex, text: `${read(accessors)}->${last}` });
      continue;
    }
    edits.push({ start: node.startIndex, end: node.endIndex, text: read(accessors) });
  }
  // *p and p[i] on kernel memory, read as BCC reads them (zfsslower's *ppos, tcpdrop's ((u8 *)tcp)[13],
  // tcpaccept's *(u8 *)((u64)&newsk->sk_wmem_queued - 3)): a probe read of the value
  const scalarParams = new Set<string>();
  // the tool's own typedefs of structs (funclatency's func_stack_t): a pointer to one is no scalar's
  const structTypedefs = new Set(root.descendantsOfType('type_definition').filter((t) => t.childForFieldName('type')?.type === 'struct_specifier').flatMap((t) => t.childrenForFieldName('declarator').map((x) => x.text)));
  for (const d of root.descendantsOfType('parameter_declaration')) {
    const t = d.childForFieldName('type');
    const decl = d.childForFieldName('declarator');
    if (t?.type === 'type_identifier' && structTypedefs.has(t.text)) continue;
    // (or a pointer to pointers to a kernel struct: virtiostat's `struct scatterlist **sgs`, read by index)
    const inner = decl?.type === 'pointer_declarator' ? decl.childForFieldName('declarator') : null;
    const ptrToPtr = t?.type === 'struct_specifier' && inner?.type === 'pointer_declarator' && kernel(t.childForFieldName('name')?.text ?? '');
    const id = ptrToPtr ? inner!.childForFieldName('declarator') : inner;
    if (id?.type !== 'identifier' || !(ptrToPtr || t?.type === 'primitive_type' || t?.type === 'type_identifier' || t?.type === 'sized_type_specifier')) continue;
    // a uprobe's pointer arguments are the process's memory, not the kernel's
    let fn: SyntaxNode | null = d;
    while (fn && fn.type !== 'function_definition') fn = fn.parent;
    const head = text.slice(Math.max(0, (fn?.startIndex ?? d.startIndex) - 200), d.startIndex);
    const section = [...head.matchAll(/SEC\("([^"]*)"\)/g)].pop()?.[1] ?? '';
    if (/^(?:u(?:ret)?probe|usdt)/.test(section) || /BPF_U(?:RET)?PROBE\(/.test(head)) continue;
    scalarParams.add(id.text);
  }
  const kernelMemory = (e: SyntaxNode): boolean => [e, ...e.descendantsOfType('identifier')].some((x) => x.type === 'identifier' && (kernelPtrs.has(x.text) || scalarParams.has(x.text)));
  for (const e of root.descendantsOfType(['pointer_expression', 'subscript_expression'])) {
    if (e.type === 'pointer_expression' && !e.text.startsWith('*')) continue;
    const operand = e.childForFieldName('argument');
    if (!operand || !kernelMemory(operand)) continue;
    let up = e.parent;
    // (the address of a parenthesised one, TCP_SKB_CB's &((skb)->cb[0]), is an address too)
    while (up?.type === 'parenthesized_expression') up = up.parent;
    // a write, an address, or an operand already read by the chains above or a read of its own
    if ((up?.type === 'assignment_expression' && up.childForFieldName('left')?.startIndex === e.startIndex) || up?.type === 'update_expression') continue;
    if ((up?.type === 'pointer_expression' && up.text.startsWith('&')) || up?.type === 'sizeof_expression') continue;
    if (up?.type === 'argument_list' && /^(bpf_probe_read\w*|BPF_CORE_READ\w*|bpf_core_\w+)$/.test(up.parent?.childForFieldName('function')?.text ?? '')) continue;
    if (edits.some((x) => x.start < e.endIndex && e.startIndex < x.end)) continue;
    edits.push({ start: e.startIndex, end: e.endIndex, text: `({ __typeof__(${e.text}) __lcc_v; bpf_probe_read_kernel(&__lcc_v, sizeof(__lcc_v), &(${e.text})); __lcc_v; })` });
  }
  // `(u8) *(&sockp->rcv_tos - 2)` (bindsnoop): tree-sitter-c, not knowing u8 for a type, reads a product;
  // a cast to a scalar type and a dereference of kernel memory is what the C says
  for (const e of root.descendantsOfType('binary_expression')) {
    const [left, op, right] = [e.childForFieldName('left'), e.childForFieldName('operator'), e.childForFieldName('right')];
    if (op?.type !== '*' || left?.type !== 'parenthesized_expression' || !right || !kernelMemory(right)) continue;
    if (!scalar(left.text.slice(1, -1)) || edits.some((x) => x.start < e.endIndex && e.startIndex < x.end)) continue;
    const deref = `*${right.text}`;
    edits.push({ start: op.startIndex, end: right.endIndex, text: `({ __typeof__(${deref}) __lcc_v; bpf_probe_read_kernel(&__lcc_v, sizeof(__lcc_v), &(${deref})); __lcc_v; })` });
  }
  return { edits, skipped, flavors };
}

/** Whether root->step->... (root a struct sname *) ends in an array member, by the kernel's BTF. */
function endsInArray(btf: Btf, sname: string, steps: { arrow: boolean; field: string }[]): boolean {
  let type = btf.find(sname, BtfKind.Struct)[0] ?? btf.find(sname, BtfKind.Union)[0];
  if (!type) return false;
  for (let i = 0; i < steps.length; i++) {
    const member = findMember(btf, type, steps[i]!.field);
    if (!member) return false;
    const t = btf.resolve(member.type);
    if (i === steps.length - 1) return t.kind === BtfKind.Array;
    // the next step: "->" through a pointer to a struct, "." into an embedded one
    type = steps[i + 1]!.arrow ? (t.kind === BtfKind.Ptr ? btf.resolve(t.sizeOrType) : undefined) : t;
    if (!type || (type.kind !== BtfKind.Struct && type.kind !== BtfKind.Union)) return false;
  }
  return false;
}

/**
 * `gone` declared with the type of what `steps` reach from a struct (a
 * pointer to a struct, or a long): the member other kernels have in its
 * place, for a flavor struct.
 */
export function memberDecl(btf: Btf, st: BtfType, steps: string[], gone: string): string {
  let t: BtfType | undefined = st;
  for (const [i, step] of steps.entries()) {
    const m: BtfMember | null = t ? findMember(btf, t, step) : null;
    if (!m) return `long ${gone}`;
    const mt = btf.resolve(m.type);
    if (i === steps.length - 1) {
      if (mt.kind === BtfKind.Ptr) {
        const to = btf.resolve(mt.sizeOrType);
        return (to.kind === BtfKind.Struct || to.kind === BtfKind.Union) && to.name ? `${to.kind === BtfKind.Struct ? 'struct' : 'union'} ${to.name} *${gone}` : `void *${gone}`;
      }
      // a number: as wide as a register (task_struct's state was a long where __state is an int)
      return `long ${gone}`;
    }
    t = mt.kind === BtfKind.Ptr ? btf.resolve(mt.sizeOrType) : mt;
  }
  return `long ${gone}`;
}

export function findMember(btf: Btf, type: BtfType, name: string): BtfMember | null {
  for (const m of type.members ?? []) {
    if (m.name === name) return m;
    if (!m.name) {
      const inner = btf.resolve(m.type);
      const hit = inner.members ? findMember(btf, inner, name) : null;
      if (hit) return hit;
    }
  }
  return null;
}

/** A chain's steps as BPF_CORE_READ's accessors: each "->" starts one, each "." extends it */
function groups(steps: { arrow: boolean; field: string }[]): string[] {
  const out: string[] = [];
  for (const st of steps) {
    if (st.arrow || !out.length) out.push(st.field);
    else out[out.length - 1] += `.${st.field}`;
  }
  return out;
}

/**
 * The first step of a chain whose member this kernel's struct has only with
 * leading underscores (iov_iter's `iov`, `__iov` since 6.4): its place, the
 * struct, and the member as older kernels declare it, for a flavor struct.
 */
function renamedMember(btf: Btf, sname: string, steps: { arrow: boolean; field: string }[]): { at: number; sname: string; decl: string } | null {
  let type = btf.find(sname, BtfKind.Struct)[0] ?? btf.find(sname, BtfKind.Union)[0];
  for (let i = 0; type && i < steps.length; i++) {
    const field = steps[i]!.field;
    const member = findMember(btf, type, field);
    if (!member) {
      if (!type.name || !findMember(btf, type, `__${field}`)) return null;
      return { at: i, sname: type.name, decl: memberDecl(btf, type, [`__${field}`], field) };
    }
    const t = btf.resolve(member.type);
    if (i === steps.length - 1) return null;
    type = steps[i + 1]!.arrow ? (t.kind === BtfKind.Ptr ? btf.resolve(t.sizeOrType) : undefined) : t;
    if (type && type.kind !== BtfKind.Struct && type.kind !== BtfKind.Union) return null;
  }
  return null;
}

/**
 * Helpers and memory access: bpf_probe_read of user memory made a user read, copies out of a tracepoint
 * record made helper reads, BCC's packet cursor, and kernel pointer chains made BPF_CORE_READ. The
 * preamble the packet rules need.
 */
export function rewriteMemoryAccess(cx: Conversion): string[] {
  const { report, userNames, flavors, views, structs, headerParts, programs, pyLine, fail } = cx;
  // bpf_probe_read of user memory: a pointer declared __user, or a pointer argument of a syscall tracepoint
  cx.text = cx.text.replace(/\bbpf_probe_read(_str)?\s*\(/g, (m, str: string | undefined, off: number) => {
    const call = callArgs(cx.text, off + m.length - 1);
    const src = call?.args[2]?.trim() ?? '';
    const sec = sectionAt(cx.text, off);
    const root = /^\(?\s*(?:\([^)]*\)\s*)?&?\s*(\w+)/.exec(src)?.[1] ?? '';
    // a syscall program's pointer parameters are the syscall's: user memory
    const sysParams = /^ksyscall\b/.test(sec) ? [...cx.text.slice(0, off).matchAll(/BPF_KSYSCALL\(\w+((?:,[^,)]*)*)\)/g)].pop()?.[1] ?? '' : '';
    const ptrParams = sysParams.split(',').filter((d) => d.includes('*')).map((d) => /(\w+)\s*$/.exec(d.trim())?.[1]);
    const user = userNames.has(root) || ptrParams.includes(root) || (sec.startsWith('tracepoint/syscalls/') && /\bargs->\w+/.test(src));
    if (!user) return m;
    report.push({ line: pyLine(off), what: `bpf_probe_read${str ?? ''}() of user memory (${src}) → bpf_probe_read_user${str ?? ''}()`, converted: true });
    return `bpf_probe_read_user${str ?? ''}(`;
  });
  // a copy out of a tracepoint record: its fields are CO-RE relocated, so the compiler adds the
  // offset to ctx and the verifier refuses to read through a moved ctx pointer; a helper read does not
  for (let from = 0; ;) {
    const m = /\b(?:__builtin_memcpy|memcpy)\s*\(/g;
    m.lastIndex = from;
    const hit = m.exec(cx.text);
    if (!hit) break;
    const off = hit.index;
    from = off + hit[0].length;
    const call = callArgs(cx.text, from - 1);
    const sec = sectionAt(cx.text, off);
    if (!call || call.args.length !== 3 || !sec.startsWith('tracepoint/') || !/^\(?\s*&?\s*args->/.test(call.args[1]!)) continue;
    report.push({ line: pyLine(off), what: `memcpy out of the tracepoint record (${call.args[1]}) → bpf_probe_read_kernel() (the verifier refuses reads through a relocated ctx pointer)`, converted: true });
    const read = `bpf_probe_read_kernel(${call.args[0]}, ${call.args[2]}, ${call.args[1]})${keepLines(cx.text.slice(off, call.end))}`;
    cx.text = cx.text.slice(0, off) + read + cx.text.slice(call.end);
    from = off + read.length;
  }
  const simple: [RegExp, string, string][] = [
    [/\bbpf_probe_read\s*\(/g, 'bpf_probe_read_kernel(', 'bpf_probe_read() → bpf_probe_read_kernel()'],
    [/\bbpf_probe_read_str\s*\(/g, 'bpf_probe_read_kernel_str(', 'bpf_probe_read_str() → bpf_probe_read_kernel_str()'],
    [/\bbpf_trace_printk\s*\(/g, 'bpf_printk(', 'bpf_trace_printk() → bpf_printk()'],
    [/\bbpf_log2l?\s*\(/g, 'lbc_log2l(', "bpf_log2l() → lbc_log2l() (BCC's slot numbering)"],
  ];
  for (const [re, to, what] of simple) {
    let first = -1;
    cx.text = cx.text.replace(re, (m, off: number) => {
      if (first < 0) first = off;
      return to;
    });
    if (first >= 0) report.push({ line: pyLine(first), what, converted: true });
  }
  // kernel pointers read through a->b->c: BPF_CORE_READ, found in tree-sitter-c's tree (strings,
  // comments and the non-pointer structs of the tool itself are left alone)
  // packet programs (XDP, tc, socket filters) read their packet and context directly, as the verifier
  // wants: no kernel memory to read through probes there
  const packetOnly = programs.length > 0 && programs.every((p) => /^(xdp|tc|classifier|action|socket|sk_skb|sk_msg|sockops|lwt_|cgroup_skb|flow_dissector)/.test(p.section));
  // BCC's packet cursor (cursor_advance, bcc/proto.h's headers) and its packet loads
  const packet = packetCursor(cx.text);
  cx.text = packet.text;
  for (const n of packet.notes) {
    if (n.converted) report.push({ line: pyLine(n.off), what: n.what, converted: true });
    else fail(pyLine(n.off), n.what, n.action ?? 'convert by hand');
  }
  const rewrites = packetOnly ? { edits: [], skipped: [] } : corePointerChains(cx.text, new Set([...structs, 'pt_regs', 'bpf_raw_tracepoint_args', 'bpf_perf_event_data']), vmlinuxBtf(), headerParts.join('\n'), views);
  for (const r of rewrites.skipped) report.push({ line: pyLine(r), what: 'a write through a kernel pointer (x->f = ...): left as written', action: 'BPF programs cannot write kernel memory this way; rework the logic', converted: false });
  for (const f of 'flavors' in rewrites ? rewrites.flavors : []) {
    flavors.push(f);
    report.push({ line: 0, what: `a member this kernel renamed (${/\t(.*);/.exec(f)![1]}, now with leading underscores) → read by either name with bpf_core_field_exists(): one object for kernels before and after`, converted: true });
  }
  if (rewrites.edits.length) {
    report.push({ line: pyLine(rewrites.edits[0]!.start), what: `${rewrites.edits.length} kernel pointer chain${rewrites.edits.length > 1 ? 's' : ''} (a->b->c) → BPF_CORE_READ(a, b, c)`, converted: true });
    for (const e of [...rewrites.edits].sort((a, b) => b.start - a.start)) cx.text = cx.text.slice(0, e.start) + e.text + cx.text.slice(e.end);
  }
  return packet.preamble;
}

