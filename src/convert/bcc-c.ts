// BCC's C dialect → libbpf CO-RE C on lbc.h. Each rewrite is recorded with the
// line of the Python file it came from; what cannot be rewritten becomes an
// #error at the top of the output, so a half-converted tool never compiles
// into something silently wrong.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Btf, BtfKind } from '../../lbc/src/pure.js';
import { codeOnly } from '../gen/scan.js';
import { packetCursor } from './c/packet.js';
import { braceLines, BTF_SINCE, declaredMap, directivesAround, ifdefToIf, inFunctionLines, kernelVersionBlocks, unconditionalLines, type MapVariant } from './c/preprocessor.js';
import { corePointerChains, findMember, memberDecl, scalar, type StructChoice } from './c/reads.js';
import { resolveArchBlocks } from './c/arch.js';
import { fileScopeNames, memberNames, unionOfDeclarations, wholeFunctions } from './c/declarations.js';
import { andParts, balancedParens, excludes, LIST_MAX, negation, type Attach, type Define, type PyTool, type Replacement } from './python.js';

/** Kernel macros BCC tools use, which vmlinux.h (types only) does not carry: what follows the name. */
const KERNEL_MACROS: Record<string, string> = {
  ntohs: '(x) bpf_ntohs(x)', htons: '(x) bpf_htons(x)', ntohl: '(x) bpf_ntohl(x)', htonl: '(x) bpf_htonl(x)',
  be16_to_cpu: '(x) bpf_ntohs(x)', be32_to_cpu: '(x) bpf_ntohl(x)', be64_to_cpu: '(x) bpf_be64_to_cpu(x)',
  DNAME_INLINE_LEN: ' 32', NAME_MAX: ' 255', PATH_MAX: ' 4096', DISK_NAME_LEN: ' 32', IFNAMSIZ: ' 16', INET6_ADDRSTRLEN: ' 46',
  PF_KTHREAD: ' 0x00200000', PF_EXITING: ' 0x00000004', TASK_RUNNING: ' 0', TASK_INTERRUPTIBLE: ' 1', TASK_UNINTERRUPTIBLE: ' 2',
  // include/linux/kernel.h's data directions (ttysnoop's iov_iter data_source != WRITE)
  READ: ' 0', WRITE: ' 1',
  AF_UNIX: ' 1', SCM_RIGHTS: ' 1', EPERM: ' 1', ENOENT: ' 2', EINTR: ' 4', EAGAIN: ' 11', ENOMEM: ' 12', EACCES: ' 13',
  // the lowest kernel address, as profile.py tests an ip against it: on 64-bit arches the kernel's half
  // of the address space has the top bit set (x86_64's is randomised within it)
  PAGE_OFFSET: ' 0x8000000000000000ULL',
  // include/uapi/linux/if_ether.h's VLAN protocols, as the XDP examples parse them
  ETH_P_8021Q: ' 0x8100', ETH_P_8021AD: ' 0x88A8', ETH_P_ARP: ' 0x0806', ETH_HLEN: ' 14', ETH_ALEN: ' 6',
  // include/uapi/linux/in6.h's IPv6 next headers: macros there, not the enum vmlinux.h has for in.h's
  IPPROTO_HOPOPTS: ' 0', IPPROTO_ROUTING: ' 43', IPPROTO_FRAGMENT: ' 44', IPPROTO_ICMPV6: ' 58', IPPROTO_NONE: ' 59', IPPROTO_DSTOPTS: ' 60',
  lock_xadd: '(ptr, val) ((void)__sync_fetch_and_add(ptr, val))',
  div_u64: '(a, b) ((__u64)(a) / (__u32)(b))', div64_u64: '(a, b) ((__u64)(a) / (__u64)(b))',
  REQ_OP_BITS: ' 8', REQ_OP_MASK: ' ((1 << 8) - 1)',
  MINORBITS: ' 20', MINORMASK: ' ((1U << 20) - 1)', MAJOR: '(dev) ((unsigned int)((dev) >> 20))', MINOR: '(dev) ((unsigned int)((dev) & ((1U << 20) - 1)))',
  __user: '', __kernel: '', __force: '', likely: '(x) __builtin_expect(!!(x), 1)', unlikely: '(x) __builtin_expect(!!(x), 0)',
  tcp_sk: '(sk) ((struct tcp_sock *)(sk))', inet_sk: '(sk) ((struct inet_sock *)(sk))', inet_csk: '(sk) ((struct inet_connection_sock *)(sk))',
  min: '(a, b) ((a) < (b) ? (a) : (b))', max: '(a, b) ((a) > (b) ? (a) : (b))',
  // include/linux/skbuff.h's inline functions over the rx queue (netqtop reads them of its copy of the skb)
  skb_rx_queue_recorded: '(skb) ((skb)->queue_mapping != 0)', skb_get_rx_queue: '(skb) ((skb)->queue_mapping - 1)',
  NSEC_PER_SEC: ' 1000000000ULL', NSEC_PER_MSEC: ' 1000000ULL', NSEC_PER_USEC: ' 1000ULL',
  min_t: '(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))', max_t: '(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))',
  // include/linux/scatterlist.h's inline functions: the chain and end marks in the low bits of page_link
  sg_is_chain: '(sg) ((sg)->page_link & 0x01UL)', sg_is_last: '(sg) ((sg)->page_link & 0x02UL)',
  sg_chain_ptr: '(sg) ((struct scatterlist *)((sg)->page_link & ~0x03UL))',
  // include/linux/fs.h's file mode bits, the same since 4.19
  FMODE_READ: ' ((fmode_t)(1 << 0))', FMODE_WRITE: ' ((fmode_t)(1 << 1))', FMODE_CREATED: ' ((fmode_t)(1 << 20))',
  S_IFMT: ' 00170000', S_ISREG: '(m) (((m) & 00170000) == 0100000)', S_ISDIR: '(m) (((m) & 00170000) == 0040000)',
  S_ISLNK: '(m) (((m) & 00170000) == 0120000)', S_ISSOCK: '(m) (((m) & 00170000) == 0140000)', S_ISFIFO: '(m) (((m) & 00170000) == 0010000)',
  // a tracepoint's __data_loc field: the low 16 bits are the offset of its bytes from the record (BCC's macros, on the CO-RE record)
  TP_DATA_LOC_READ_STR: '(dst, field, length) bpf_probe_read_kernel_str((void *)(dst), (length), (char *)args + (args->__data_loc_##field & 0xFFFF))',
  TP_DATA_LOC_READ: '(dst, field, length) bpf_probe_read_kernel((void *)(dst), (length), (char *)args + (args->__data_loc_##field & 0xFFFF))',
  TP_DATA_LOC_READ_CONST: '(dst, field, length) bpf_probe_read_kernel((void *)(dst), (length), (char *)args + (args->__data_loc_##field & 0xFFFF))',
};

/** `sk->sk_family` and friends: member names net/sock.h and net/inet_sock.h define as macros. */
const MEMBER_MACROS: Record<string, string> = Object.fromEntries([
  ...['num', 'dport', 'daddr', 'rcv_saddr', 'family', 'state', 'reuse', 'reuseport', 'bound_dev_if', 'v6_daddr', 'v6_rcv_saddr',
    'prot', 'net', 'hash', 'portpair', 'addrpair', 'refcnt', 'cookie', 'incoming_cpu', 'flags', 'node', 'nulls_node', 'bind_node', 'ipv6only', 'net_refcnt']
    .map((f) => [`sk_${f}`, `__sk_common.skc_${f}`]),
  ...['daddr', 'rcv_saddr', 'dport', 'num'].map((f) => [`inet_${f}`, `sk.__sk_common.skc_${f}`]),
]);

/**
 * A line of the tool: positive in the .py, negative (-n) for line n of the C
 * file it loads with BPF(src_file=...).
 */
export interface ReportEntry { line: number; what: string; action?: string; converted: boolean }

/** "tool.py:12", "tool.c:7" or just the file when the line is unknown (0). */
export function lineRef(tool: Pick<PyTool, 'file' | 'srcFile'>, line: number, base = (f: string): string => f): string {
  if (line < 0 && tool.srcFile) return `${base(path.resolve(path.dirname(tool.file), tool.srcFile))}:${-line}`;
  return line ? `${base(tool.file)}:${line}` : base(tool.file);
}

/** `attaches`: the targets user space attaches at run time (none when the SEC() name carries it) */
export interface Program { name: string; section: string; cond: string | null; attaches: Attach[]; underDirective?: string }
export interface MapInfo { name: string; macro: string; key: string | null; value: string | null; event?: string; kind: string }
/** A load-time setting: a flag (bool) for an option's presence, or its value (__s64) */
/** A const volatile setting: `arg` is the option (flag), or the Python expression (cond, value) the .ts evaluates */
/** How many bytes a string option set at load time may take, its NUL included */
export const STR_MAX = 64;
/**
 * The size a type is compiled at where an option without a default sizes it (funclatency's -l, the depth of
 * a stack of 16-byte entries kept on the BPF stack, which is 512 bytes): a larger value is refused at BPF()
 */
export const SIZED_MAX = 16;

export interface Global {
  /** list: an array of LIST_MAX __s64 and NAME_n, how many of them the option has; string: a char[STR_MAX] */
  name: string; ctype: 'bool' | '__s64' | 'char'; arg: string; kind: 'flag' | 'cond' | 'value' | 'list' | 'string';
  /** a value the Python computes only under these conditions (Python source): evaluated only when they hold */
  when?: string;
}

/** The condition under which any of these attach calls runs (null: one always does) */
function anyCond(ats: { cond: string | null }[]): string | null {
  if (!ats.length || ats.some((a) => !a.cond)) return null;
  const conds = [...new Set(ats.map((a) => a.cond!))];
  return conds.length === 1 ? conds[0]! : conds.map((c) => `(${c})`).join(' or ');
}

/** A value's condition: these conditions, or-ed with those it already had where it is set twice (none: always) */
function whenOf(prev: Global | undefined, conds: string[]): string | undefined {
  const mine = conds.length ? conds.map((c) => `(${c})`).join(' and ') : undefined;
  if (!prev) return mine;
  if (!prev.when || !mine) return undefined;
  return `(${prev.when}) or (${mine})`;
}

export interface CResult {
  bpfC: string;
  header: string;
  programs: Program[];
  maps: MapInfo[];
  globals: Global[];
  /** struct names defined by the tool (in NAME.h) */
  structs: string[];
  /** maps sized by an option (BPF_STACK_TRACE(s, STACK_STORAGE_SIZE)): set before load from `arg` */
  resizes: { map: string; arg: string }[];
  /** maps declared per option at file scope: the tool's name for each, and the object's two */
  variants: MapVariant[];
  /** choices the C could not hold (a record sized past its compiled size): BPF() refuses them */
  refusals: { cond: string; why: string; line: number }[];
  /** the kernel versions an #if LINUX_VERSION_CODE compares with at load time, by macro (`__LCC_KERNEL_BEFORE_a_b_c`), with the Python that tests them */
  kernelVersions: Map<string, { v: [number, number, number]; py: string }>;
  report: ReportEntry[];
}

/**
 * The tracepoint formats a conversion reads: tracefs, or LCC_TRACEFS (a copy
 * of another host's, or of this one's for a user who cannot read tracefs).
 */
export const tracefsEvents = (): string => path.join(process.env.LCC_TRACEFS ?? '/sys/kernel/tracing', 'events');

/** A tracepoint's format file, or why there is none: it does not exist, or this user cannot read tracefs. */
function readFormat(cat: string, ev: string): { text: string } | { missing: string } {
  const file = path.join(tracefsEvents(), cat, ev, 'format');
  try {
    return { text: fs.readFileSync(file, 'utf8') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return { missing: `cannot read ${file} as this user: run lcc convert as root, or point LCC_TRACEFS at a readable copy of tracefs` };
    return { missing: `this machine has no tracepoint ${cat}:${ev} (${file})` };
  }
}

/** The SEC() name of the program the offset is in (the last one before it), or ''. */
function sectionAt(text: string, off: number): string {
  const at = text.lastIndexOf('SEC("', off);
  return at < 0 ? '' : text.slice(at + 5, text.indexOf('"', at + 5));
}

/** Balanced-parenthesis argument list starting at `open` (the index of "("). */
/**
 * The maps BPF_* declarations size with `name` (one of their arguments), and
 * the text with that argument 1 there: the size is set before load.
 */
function sizeArgs(text: string, name: string): { maps: string[]; text: string } {
  const found: { open: number; map: string }[] = [];
  // a declaration starts a line, or follows another on it (the alternatives of a per-option STORAGE)
  for (const m of text.matchAll(/(?:^|;)[ \t]*(BPF_\w+)\s*\(/gm)) {
    const open = m.index! + m[0].length - 1;
    const call = callArgs(text, open);
    if (!call?.args.some((x) => x.trim() === name)) continue;
    const map = (m[1] === 'BPF_TABLE' || m[1] === 'BPF_TABLE_PINNED' ? call.args[3] : call.args[0])?.trim();
    if (map) found.push({ open, map });
  }
  let out = text;
  for (const { open } of [...found].reverse()) {
    const call = callArgs(out, open)!;
    out = `${out.slice(0, open + 1)}${call.args.map((x) => (x.trim() === name ? '1' : x)).join(', ')})${out.slice(call.end)}`;
  }
  return { maps: found.map((f) => f.map), text: out };
}

/**
 * The arguments of the call (or the members of the braces) whose opening bracket is at `open`, split at
 * its own commas, and the offset past its closing bracket. Read on lcc gen's code-only copy of the text:
 * a comma or a bracket in a string, a character or a comment (bpf_trace_printk("a, b (%d)\n", x)) is
 * neither.
 */
function callArgs(text: string, open: number): { args: string[]; end: number } | null {
  const code = codeOnly(text.slice(open));
  let depth = 0;
  const args: string[] = [];
  let from = 1;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i]!;
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      if (--depth === 0) {
        args.push(text.slice(open + from, open + i).trim());
        return { args: args.length === 1 && args[0] === '' ? [] : args, end: open + i + 1 };
      }
    } else if (ch === ',' && depth === 1) {
      args.push(text.slice(open + from, open + i).trim());
      from = i + 1;
    }
  }
  return null;
}

function sizedInt(size: number, signed: boolean): string | null {
  const bits = { 1: 8, 2: 16, 4: 32, 8: 64 }[size];
  return bits ? `__${signed ? 's' : 'u'}${bits}` : null;
}

let kernelBtf: Btf | null | undefined;
/** This host's kernel BTF (what CO-RE will relocate against), or null without one. */
function vmlinuxBtf(): Btf | null {
  if (kernelBtf === undefined) {
    try {
      kernelBtf = Btf.parse(fs.readFileSync('/sys/kernel/btf/vmlinux'), 'vmlinux');
    } catch {
      kernelBtf = null;
    }
  }
  return kernelBtf;
}
let rawStructs: Map<string, Set<string>> | null = null;

/**
 * vmlinux's own record type for a tracepoint, when its BTF has one with the
 * format's fields: trace_event_raw_<event>, or the template's for events
 * declared with DEFINE_EVENT. Using it keeps args->field CO-RE-relocatable.
 */
export function tracepointBtfType(cat: string, ev: string): string | null {
  const f = readFormat(cat, ev);
  if (!('text' in f)) return null;
  const format = f.text;
  const fields = [...format.matchAll(/field:([^;]+);/g)].map((m) => {
    const d = m[1]!.trim();
    const dl = /^__data_loc\s+.*\s(\w+)$/.exec(d);
    return dl ? `__data_loc_${dl[1]}` : /(\w+)\s*(\[\d*\])?$/.exec(d)![1]!;
  }).filter((f) => !f.startsWith('common_'));
  const btf = vmlinuxBtf();
  if (!btf) return null;
  const members = (t: { members?: { name: string }[] }): Set<string> => new Set((t.members ?? []).map((m) => m.name));
  const fits = (names: Set<string>): boolean => fields.every((f) => names.has(f)) && [...names].filter((n) => n !== 'ent' && n !== '__data').length === fields.length;
  const direct = btf.find(`trace_event_raw_${ev}`, BtfKind.Struct)[0];
  if (direct && fits(members(direct))) return `trace_event_raw_${ev}`;
  if (!rawStructs) {
    rawStructs = new Map();
    for (const t of btf.types) if (t.kind === BtfKind.Struct && t.name.startsWith('trace_event_raw_')) rawStructs.set(t.name, members(t));
  }
  for (const [name, names] of rawStructs) if (fits(names)) return name;
  return null;
}

/**
 * The record of a tracepoint whose format this machine does not have, for the
 * body that starts at `from`: a CO-RE flavor of the kernel's
 * trace_event_raw_EV with the fields the body reads, and the body with each
 * read `args->f` made a relocated read of a number. Null when the body uses a
 * field other than as a number (its address, an index, a member of it).
 */
export function coreTracepointRecord(text: string, from: number, ev: string): { name: string; decl: string; body: string; length: number; fields: string[] } | null {
  const open = text.indexOf('{', from);
  if (open < 0 || text.slice(from, open).trim()) return null;
  let end = open;
  for (let depth = 0; end < text.length; end++) {
    depth += text[end] === '{' ? 1 : text[end] === '}' ? -1 : 0;
    if (depth === 0) break;
  }
  const body = text.slice(from, end + 1);
  const uses = [...body.matchAll(/(&\s*)?\bargs\s*->\s*(\w+)(\s*(?:\[|\.|->|=(?!=)|\+\+|--|[-+*/|&^]=))?/g)];
  if (!uses.length || uses.some((u) => u[1] || u[3])) return null;
  const fields = [...new Set(uses.map((u) => u[2]!))];
  const name = `trace_event_raw_${ev}___lcc`;
  const decl = `/* the kernel's record of ${ev}, which this machine lacks: its fields found by name (CO-RE) */\nstruct ${name} {\n${fields.map((f) => `\tlong long ${f};`).join('\n')}\n} __attribute__((preserve_access_index));`;
  return { name, decl, body: body.replace(/\bargs\s*->\s*(\w+)/g, (_m, f: string) => `((long long)BPF_CORE_READ_BITFIELD_PROBED(args, ${f}))`), length: body.length, fields };
}

/** The tracepoint's record as a C struct, from its tracefs format (what BCC generates too), offsets asserted. */
export function tracepointStruct(cat: string, ev: string, structName: string): string | { missing: string } {
  const f = readFormat(cat, ev);
  if (!('text' in f)) return f;
  const format = f.text;
  const fields: { decl: string; name: string; offset: number; size: number }[] = [];
  for (const m of format.matchAll(/field:([^;]+);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d);/g)) {
    const declared = m[1]!.trim();
    const offset = Number(m[2]);
    const size = Number(m[3]);
    const signed = m[4] === '1';
    const dl = /^__data_loc\s+.*\s(\w+)$/.exec(declared);
    const arr = /^(.*?)\s*(\w+)\s*\[(\d*)\]$/.exec(declared);
    const named = /^(.*?)\s*(\w+)$/.exec(declared)!;
    let decl: string;
    let name: string;
    if (dl) {
      name = `__data_loc_${dl[1]}`;
      decl = `__u32 ${name}`;
    } else if (arr) {
      name = arr[2]!;
      const elem = arr[1]!.replace(/\b(const|volatile)\b/g, '').trim();
      const n = arr[3] ? Number(arr[3]) : 0;
      const elemSize = n ? size / n : 1;
      const t = /char/.test(elem) ? 'char' : sizedInt(elemSize, signed) ?? 'char';
      decl = `${t} ${name}[${n || size}]`;
    } else {
      name = named[2]!;
      const type = named[1]!;
      decl = type.includes('*') ? `${type.trim()} ${name}` : `${sizedInt(size, signed) ?? 'char'} ${name}${sizedInt(size, signed) ? '' : `[${size}]`}`;
    }
    fields.push({ decl, name, offset, size });
  }
  if (!fields.length) return { missing: `the format of ${cat}:${ev} lists no fields` };
  const lines = [`/* ${cat}:${ev}, from tracefs's events/${cat}/${ev}/format */`, `struct ${structName} {`];
  let at = 0;
  let pad = 0;
  for (const f of fields) {
    if (f.offset > at) lines.push(`\tchar __pad${pad++}[${f.offset - at}];`);
    lines.push(`\t${f.decl};`);
    at = f.offset + f.size;
  }
  lines.push('};');
  for (const f of fields) lines.push(`_Static_assert(__builtin_offsetof(struct ${structName}, ${f.name}) == ${f.offset}, "${cat}:${ev} ${f.name} offset");`);
  return lines.join('\n');
}

const MAP_DEFAULTS: Record<string, { macro: string; kind: string }> = {
  BPF_HASH: { macro: 'LBC_HASH', kind: 'hash' }, BPF_LRU_HASH: { macro: 'LBC_LRU_HASH', kind: 'lru_hash' },
  BPF_PERCPU_HASH: { macro: 'LBC_PERCPU_HASH', kind: 'percpu_hash' }, BPF_ARRAY: { macro: 'LBC_ARRAY', kind: 'array' },
  BPF_PERCPU_ARRAY: { macro: 'LBC_PERCPU_ARRAY', kind: 'percpu_array' }, BPF_HISTOGRAM: { macro: 'LBC_ARRAY', kind: 'histogram' },
};

const TABLE_KINDS: Record<string, string> = {
  hash: 'BPF_HASH', array: 'BPF_ARRAY', percpu_array: 'BPF_PERCPU_ARRAY', percpu_hash: 'BPF_PERCPU_HASH', lru_hash: 'BPF_LRU_HASH', histogram: 'BPF_HISTOGRAM',
};

/** a C scalar type's name (BCC's u32, the kernel's __u64, C's unsigned long) */

function cIdent(s: string): string {
  return s.replace(/^args\./, '').replace(/\W+/g, '_').replace(/^_+|_+$/g, '');
}

/** Python option condition → the global flag that carries it (only `args.X` and `not args.X`). */
function flagOf(cond: string): { flag: string; arg: string; negated: boolean } | null {
  const c = cond.trim();
  const m = /^(not\s*\(?\s*)?args\.(\w+)\s*\)?$/.exec(c);
  if (m) return { flag: `lcc_has_${m[2]}`, arg: `args.${m[2]}`, negated: !!m[1] };
  // args.x is not None / args.x is None (and their negations)
  const n = /^(not\s*\(\s*)?args\.(\w+)\s+is\s+(not\s+)?None\s*\)?$/.exec(c);
  if (n) return { flag: `lcc_has_${n[2]}`, arg: `args.${n[2]}`, negated: !!n[1] === !!n[3] };
  return null;
}

/** The bodies of the structs C casts a pointer to (`(struct s *)p`, `(s_t *)p`) */
function viewedStructs(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(typedef\s+)?struct\s+(\w+)?\s*\{([^{}]*)\}\s*(\w+)?/g)) {
    const [, typedef, tag, body, alias] = m;
    const names = [...(tag ? [`struct\\s+${tag}`] : []), ...(typedef && alias ? [alias] : [])];
    if (names.some((n) => new RegExp(`\\(\\s*(?:const\\s+)?${n}\\s*\\*\\s*\\)`).test(text))) out.push(body!);
  }
  return out;
}

/**
 * Python runs the replace()s in order and the first that runs takes the token:
 * an if/else-if chain in source order, ending at the first one made
 * unconditionally (or whose conditions only say that none of the earlier ones
 * ran: an else).
 */
function replaceChain(reps: Replacement[]): { chain: { r: Replacement; parts: string[] }[]; fallback: Replacement | null; alts: Replacement[] } {
  const chain: { r: Replacement; parts: string[] }[] = [];
  // the paths of one text built with += (cpudist's storage_str): the last is what none before it was
  const paths = reps.every((r) => r.path && r.line === reps[0]!.line);
  for (const [i, r] of reps.entries()) {
    // a condition whose negation was one alternative's whole condition holds wherever that one did not
    // (funclatency's `else` of `if need_key`, readahead's `if X` after `if not X`)
    const parts = r.conds.filter((p) => !chain.some((c) => p === `not (${c.r.conds[c.r.conds.length - 1]})` || (c.parts.length === 1 && (p === `not (${c.parts[0]})` || c.parts[0] === `not (${p})`))));
    if (!parts.length || (paths && i === reps.length - 1)) return { chain, fallback: r, alts: [...chain.map((c) => c.r), r] };
    chain.push({ r, parts });
  }
  return { chain, fallback: null, alts: chain.map((c) => c.r) };
}

/** The Python condition under which alternative k of a chain holds: its own, and none before it did (k past the chain: the fallback's) */
function chainCond(chain: { parts: string[] }[], k: number): string {
  return [...chain.slice(0, k).map((c) => negation(c.parts.join(' and '))), ...(k < chain.length ? [chain[k]!.parts.join(' and ')] : [])].join(' and ');
}

/**
 * Whether replacement `b` was made under alternative `a`'s conditions (and maybe
 * more of its own): runqlat's STORE under the ifs that chose its STORAGE. An
 * alternative made under no condition says nothing of which code goes with it.
 */
const underAlternative = (a: Replacement, b: Replacement): boolean => a.conds.length > 0 && a.conds.every((c) => b.conds.includes(c));

/**
 * BPF_HASH(a, ...); BPF_HISTOGRAM(b); ...: the maps a replacement declares, each with its declaration as
 * written (spaces aside), or null when it is anything else
 */
function mapDeclarations(code: string): Map<string, string> | null {
  const stmts = code.split(';').map((x) => x.replace(/\s+/g, ' ').trim()).filter(Boolean);
  const names = stmts.map((st) => (/^BPF_[A-Z_]+\(.*\)$/s.test(st) ? declaredMap(st) : null));
  return stmts.length && names.every((n) => n !== null) ? new Map(names.map((n, i) => [n!, stmts[i]!])) : null;
}

/**
 * Every rewrite keeps the text's line structure (a multi-line construct is
 * replaced by one line plus the newlines it covered), so a line of the C is
 * always the same line of the Python file it came from.
 */
export function convertC(tool: PyTool, name: string, text: string, pieceStarts: { lineIdx: number; line: number; src?: boolean }[]): CResult {
  // NUL marks this pass's own placeholders; in C source it is nothing (clang ignores it)
  text = text.replace(/\u0000/g, ' ');
  const report: ReportEntry[] = [];
  // #if blocks on the architecture, decided for the one lcc builds for, as BCC decides them for the host
  const arch = resolveArchBlocks(text);
  text = arch.text;
  if (arch.resolved) report.push({ line: 0, what: `${arch.resolved} #if block${arch.resolved > 1 ? 's' : ''} on the architecture (CONFIG_ARCH_HAS_SYSCALL_WRAPPER, __x86_64__, ...) → decided for ${process.arch}, as BCC decides them for its host`, converted: true });
  for (const g of tool.generated) report.push({ line: g.line, what: `C the Python writes per element of ${g.list}${g.fmt ? ` (${g.fmt})` : ''} → written ${LIST_MAX} times, copy k loaded when len(${g.list}) > k; BPF() refuses a longer list`, converted: true });
  const errors: string[] = [];
  const globals = new Map<string, Global>();
  const resizes: CResult['resizes'] = [];
  // pointers the tool declared as user memory (syscall arguments): reads of them stay user reads
  const userNames = new Set([...text.matchAll(/\b__user\s*\*+\s*(\w+)/g)].map((m) => m[1]!));
  const lineIdxAt = (t: string, off: number): number => t.slice(0, off).split('\n').length - 1;
  const pyLineOfIdx = (idx: number): number => {
    let best = pieceStarts[0]!;
    for (const p of pieceStarts) if (p.lineIdx <= idx) best = p;
    const n = best.line + idx - best.lineIdx;
    return best.src ? -n : n;
  };
  // offsets are into the text of the pass that found them, whose lines are the original's
  const pyLine = (off: number, t = text): number => pyLineOfIdx(lineIdxAt(t, off));
  // which piece of the assembled text a line of it came from (pieces may come from anywhere in the file)
  const pieceAt = (off: number): number => {
    const idx = lineIdxAt(text, off);
    let best = 0;
    pieceStarts.forEach((p, i) => {
      if (p.lineIdx <= idx) best = i;
    });
    return best;
  };
  const keepLines = (removed: string): string => '\n'.repeat(removed.split('\n').length - 1);
  // a copy of a function after the text, its lines mapped to the Python line of the original: where it starts
  const appendOnLinesOf = (copy: string, line: number): number => {
    const lineIdx = text.split('\n').length + 1;
    pieceStarts.push({ lineIdx, line });
    text += `\n\n${copy}`;
    return lineIdx;
  };
  const fail = (line: number, what: string, action: string): void => {
    report.push({ line, what, action, converted: false });
    errors.push(`${lineRef(tool, line)}: ${what}`);
  };

  // each condition a bool set at load time: args.x as lcc_has_x, anything else from its Python, evaluated in the .ts
  const condC = (parts: string[]): string => parts.map((q) => {
    // (a or b) and a or b are one setting
    const outer = /^\((.*)\)$/s.exec(q);
    const p = outer && balancedParens(outer[1]!) ? outer[1]! : q;
    const f = flagOf(p);
    if (f) {
      globals.set(f.flag, { name: f.flag, ctype: 'bool', arg: f.arg, kind: 'flag' });
      return `${f.negated ? '!' : ''}${f.flag}`;
    }
    // not (A) and not (B) is no negation of one whole: the parenthesis after `not` must close at the end
    const neg = /^not \((.*)\)$/s.exec(p);
    const whole = neg && balancedParens(neg[1]!) ? neg : null;
    const py = whole ? whole[1]! : p;
    let g = `lcc_if_${cIdent(py)}`.slice(0, 60);
    while (globals.has(g) && globals.get(g)!.arg !== py) g += '_';
    globals.set(g, { name: g, ctype: 'bool', arg: py, kind: 'cond' });
    return `${whole ? '!' : ''}${g}`;
  }).filter((c, i, all) => all.indexOf(c) === i).join(' && ');
  // ---- configuration: replace() tokens → const volatile globals ----
  const flavors: string[] = [];
  const variants: MapVariant[] = [];
  // option values BPF() refuses, where the C was compiled for less
  const refusals: CResult['refusals'] = [];
  // the tool's structs laid over kernel memory whose members a choice decides: the struct per choice
  const views = new Map<string, StructChoice>();
  const alwaysBlocks: { from: number; to: number; py: string }[] = [];
  // args.pid and a variable pid are two settings: one name each
  const settingName = (arg: string): string => {
    let g = `lcc_${cIdent(arg)}`;
    while (globals.has(g) && globals.get(g)!.arg !== arg) g = `${g}_`;
    return g;
  };
  // an option list set before load: an array of LIST_MAX __s64 and how many it holds (see Global)
  const listSetting = (g: string, arg: string, when?: string): void => void globals.set(g, { name: g, ctype: '__s64', arg, kind: 'list', when });
  const byToken = new Map<string, Replacement[]>();
  // a condition of the piece a token sits in holds wherever that piece's programs load (tcpretrans' kprobe
  // piece, added `if args.lossprobe or not BPF.tracepoint_exists(...)`, and its IPV4_INIT under the same if):
  // the replacement does not choose by it
  const pieceConds = (token: string): Set<string> | null => {
    const at = [...text.matchAll(tokenRe(token, 'g'))].map((m) => m.index!);
    const conds = at.map((o) => tool.pieces[pieceAt(o) - (tool.srcFile ? 1 : 0)]?.cond ?? null);
    return at.length && conds.every((c) => c !== null && c === conds[0]) ? new Set(andParts(conds[0]!)) : null;
  };
  for (const r0 of tool.replacements) {
    const implied = r0.conds.length ? pieceConds(r0.token) : null;
    const conds = implied ? r0.conds.filter((c) => !implied.has(c)) : r0.conds;
    const r = conds.length === r0.conds.length ? r0 : { ...r0, conds, cond: conds.length ? conds.join(' and ') : null };
    byToken.set(r.token, [...(byToken.get(r.token) ?? []), r]);
  }
  const handled = new Set<string>();
  // a token replaced by the same C whatever the options (kvmexit's FUNC_ENTRY, a raw tracepoint's head): in
  // place first, so that the tokens after it see the function it makes; not one whose C holds another
  // token (Python would have replaced that one already, or not yet)
  for (const [token, reps] of byToken) {
    const r = reps[0]!;
    if (reps.length !== 1 || r.conds.length || r.code === null || r.arg || r.list || !text.includes(token)) continue;
    if ([...byToken.keys()].some((t) => t !== token && r.code!.includes(t))) continue;
    text = text.split(token).join(oneLine(r.code));
    report.push({ line: r.line, what: `text.replace("${token}", ...) → substituted`, converted: true });
    handled.add(token);
  }
  // maps declared per option at file scope (runqlat's STORAGE: a histogram by pid, by pidns, or
  // plain): every alternative declared, a map of several renamed per alternative, and the code
  // chosen by the same conditions (its STORE) naming the one of its alternative
  for (const [token, reps] of byToken) {
    const { chain, fallback, alts } = replaceChain(reps);
    if (!chain.length || !fallback || alts.some((r) => r.code === null || r.arg) || !text.includes(token)) continue;
    const inFunction = inFunctionLines(text);
    if (text.split('\n').some((l, i) => l.includes(token) && inFunction[i])) continue;
    const maybe = alts.map((r) => mapDeclarations(r.code!));
    if (maybe.some((d) => d === null)) continue;
    // each alternative's maps, each with its declaration
    const texts = maybe as Map<string, string>[];
    // a map the alternatives declare alike keeps its name (funclatency's start); one declared two ways is
    // one map per way, named after the first alternative that declares it so
    const shared = [...new Set(texts.flatMap((t) => [...t.keys()]))].filter((m) => new Set(texts.map((t) => t.get(m)).filter((x) => x !== undefined)).size > 1);
    const same = underAlternative;
    const own = (m: string, k: number): number => {
      const mine = texts[k]!.get(m);
      return mine === undefined ? texts.findIndex((t) => t.has(m)) : texts.findIndex((t) => t.get(m) === mine);
    };
    const rename = (code: string, k: number): string => shared.reduce((c: string, m) => c.replace(new RegExp(`(?<![.\\w>])${m}\\b`, 'g'), `${m}__lcc_${own(m, k)}`), code);
    let ok = true;
    for (const m of shared) {
      // the code that uses it: chosen by the same conditions, one use per alternative
      for (const [other, oreps] of byToken) {
        if (other === token) continue;
        for (const r of oreps) {
          if (r.code === null || !new RegExp(`(?<![.\\w>])${m}\\b`).test(r.code)) continue;
          const k = alts.findIndex((a) => same(a, r));
          if (k < 0) {
            fail(r.line, `replace("${other}") uses map ${m}, which replace("${token}") declares per option, under other conditions`, `choose ${other} under the same conditions as ${token}`);
            ok = false;
          }
        }
      }
    }
    if (!ok) {
      handled.add(token);
      continue;
    }
    for (const [other, oreps] of byToken) if (other !== token) for (const r of oreps) if (r.code !== null) {
      const k = alts.findIndex((a) => same(a, r));
      if (k >= 0) r.code = rename(r.code, k);
    }
    // each declaration once: the ones two alternatives make alike are one
    const decls = alts.flatMap((r, k) => rename(r.code!, k).split(';').map((x) => x.trim()).filter(Boolean).map((st) => `${st};`));
    const alike = (d: string): string => d.replace(/\s+/g, ' ');
    const once = decls.filter((d, i) => decls.findIndex((e) => alike(e) === alike(d)) === i);
    text = text.split(token).join(once.length < decls.length ? once.map(oneLine).join(' ') : alts.map((r, k) => oneLine(rename(r.code!, k))).join(' '));
    for (const m of shared) {
      // under conditions that do not declare it (cpudist's extension without -e) the tool never reads it:
      // its name there is the first copy's
      variants.push({ map: m, choices: alts.map((_r, k) => ({ name: `${m}__lcc_${own(m, k)}`, py: k < chain.length ? chain[k]!.parts.join(' and ') : null })) });
      report.push({ line: reps[0]!.line, what: `replace("${token}") declares map ${m} per option → ${[...new Set(alts.map((_r, k) => `${m}__lcc_${own(m, k)}`))].join(', ')}, all in the object; the tool reads the one its options chose`, converted: true });
    }
    if (!shared.length) report.push({ line: reps[0]!.line, what: `replace("${token}") declares maps per option → every one declared (an unused map costs nothing)`, converted: true });
    handled.add(token);
  }
  // `#define NAME %s` formatted with a value, in C an option puts at file scope (funclatency's TYPEDEF:
  // STACK_DEPTH, then the types it sizes): the macro the Python defines under that condition, its value the
  // setting, and the rest of the C a declaration like any
  for (const [token, reps] of byToken) {
    if (handled.has(token) || !text.includes(token)) continue;
    const inFunction = inFunctionLines(text);
    if (text.split('\n').some((l, i) => tokenRe(token).test(l) && inFunction[i])) continue;
    for (const r of reps) {
      if (!r.arg || r.list || r.code === null || (r.code.match(/%[sdiu]|%l[du]/g) ?? []).length !== 1) continue;
      const def = /^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+(%[sdiu]|%l[du])[ \t]*$/m.exec(r.code);
      // (a define alone is the rule below's: a line replaced by a #define)
      if (!def || !r.conds.length || !(r.code.slice(0, def.index) + r.code.slice(def.index + def[0].length)).trim()) continue;
      tool.defines.push({ name: def[1]!, value: def[2]!, arg: r.arg, conds: r.conds, line: r.line });
      report.push({ line: r.line, what: `replace("${token}") with #define ${def[1]} ${def[2]} % ${r.arg} under ${r.cond} → the macro the Python defines under that condition`, converted: true });
      r.code = r.code.slice(0, def.index) + r.code.slice(def.index + def[0].length);
      r.arg = null;
    }
  }
  // declarations chosen by an option or the kernel at file scope or in a struct's body (tcpcong's
  // HIST_TABLE, SOCK_STORE_DEF, DEF_TEXT: a map and its key type, or members, or nothing): every
  // alternative declared, where no two declare one name differently; C that uses one alternative's
  // names runs only where that alternative was chosen, and an unused map or member costs nothing
  // (the struct bodies C casts pointers to, once: the replacements below leave which ones contain a token alone)
  const viewed = viewedStructs(text);
  for (const [token, reps] of byToken) {
    if (handled.has(token) || !text.includes(token)) continue;
    const { chain, fallback, alts } = replaceChain(reps);
    if (!chain.length || !fallback || alts.some((r) => r.code === null || r.arg)) continue;
    const inFunction = inFunctionLines(text);
    const depth = braceLines(text).map((l) => l.depth);
    const at = text.split('\n').map((l, i) => (tokenRe(token).test(l) ? i : -1)).filter((i) => i >= 0);
    if (!at.length || at.some((i) => inFunction[i])) continue;
    const inBody = at.every((i) => depth[i]! > 0);
    if (!inBody && at.some((i) => depth[i]! > 0)) continue;
    // a struct the C casts a pointer to is a view of memory it does not own (runqlen's cfs_rq_partial, a
    // copy of the kernel's layout): a member more moves the ones after it. One struct per choice; each
    // read through a pointer to it reads at the offset the chosen one has (corePointerChains)
    if (inBody && viewed.some((body) => tokenRe(token).test(body))) {
      const def = new RegExp(`\\bstruct\\s+(\\w+)\\s*\\{[^{}]*\\b${token}\\b[^{}]*\\}\\s*;`).exec(text);
      const codes = [...chain.map((c) => c.r.code!), fallback.code!];
      if (!def || text.split(token).length !== 2 || !codes.every((c) => !c.trim() || memberNames(c) !== null)) continue;
      const tag = def[1]!;
      const names = codes.map((_c, k) => (k ? `${tag}__lcc_${k}` : tag));
      const copies = codes.map((c, k) => def[0].replace(token, k ? oneLine(c) : c).replace(`struct ${tag}`, `struct ${names[k]}`));
      text = text.slice(0, def.index) + copies[0] + ' ' + copies.slice(1).map(oneLine).join(' ') + text.slice(def.index + def[0].length);
      views.set(tag, { conds: chain.map((c) => condC(c.parts)), names });
      report.push({ line: reps[0]!.line, what: `replace("${token}") chooses members of struct ${tag}, which the C casts kernel memory to, per ${chain.map((c) => c.parts.join(' and ')).join(' / ')} → a struct per choice (${names.join(', ')}); each member read through a pointer to it at the offset the chosen one has`, converted: true });
      handled.add(token);
      continue;
    }
    const union = unionOfDeclarations(alts.map((r) => r.code!).filter((c) => c.trim()), inBody ? memberNames : fileScopeNames);
    if (!union) continue;
    text = text.split(token).join(union.map(oneLine).join(' '));
    report.push({ line: reps[0]!.line, what: `replace("${token}") declares ${inBody ? 'members' : 'types and maps'} per ${chain.map((c) => c.parts.join(' and ')).join(' / ')} → all of them declared (each name once; what is not used costs nothing)`, converted: true });
    handled.add(token);
  }
  // a function head chosen by a condition (filelife's TRACE_CREATE_FUNC per kernel_struct_has_field,
  // kvmexit's FUNC_ENTRY a raw tracepoint or a tracepoint): the function once per head, each loaded
  // only under its condition, the tokens in its body chosen by the same conditions (GET_ER) each copy's
  // own; the copies after the first go after the text, their lines the original's
  const appended: { text: string; line: number; py: string }[] = [];
  for (const [token, reps] of byToken) {
    if (handled.has(token) || !text.includes(token)) continue;
    const { chain, fallback, alts } = replaceChain(reps);
    // each alternative a function's head: `int f(...)` (the body follows the token), or the head and its body's first lines
    const head = (code: string): boolean => /^\s*[\w\s*]+\([^;{]*\)\s*(\{[\s\S]*)?$/.test(code);
    const occ = [...text.matchAll(tokenRe(token, 'g'))].map((m) => m.index!);
    // or each a name in a head (readahead's KFUNC_PROBE(RA_FUNC), per the kernel's function): what is
    // before it on its line goes with each copy
    const lineStart = (o: number): number => text.lastIndexOf('\n', o - 1) + 1;
    const named = alts.every((r) => r.code !== null && /^\s*\w+\s*$/.test(r.code)) && occ.every((o) => /^[ \t]*(?:\w+[ \t]*\([ \t]*|[\w \t*]*[ \t*])$/.test(text.slice(lineStart(o), o)));
    if (!chain.length || !fallback || alts.some((r) => r.code === null || r.arg || /^\s*#|\/\//m.test(r.code) || !(named || head(r.code)))) continue;
    const inFunction = inFunctionLines(text);
    // each head with what follows it: a function whose body ends in the text, the same end for every head
    // (the head alone, `int f(...)`, or the head and the body's first lines, filegone's `int f(...) {\n  u32 x;`)
    const extent = (o: number): number | null => {
      const tail = text.slice(o + token.length);
      const ends = alts.map((alt) => {
        const t = alt.code! + tail;
        const brace = t.indexOf('{');
        const b = brace >= 0 && /\)\s*$/.test(t.slice(0, brace)) ? callArgs(t, brace) : null;
        return b && b.end > alt.code!.length ? b.end - alt.code!.length : -1;
      });
      return ends.every((e) => e >= 0 && e === ends[0]) ? o + token.length + ends[0]! : null;
    };
    if (!occ.length || !occ.every((o) => !inFunction[lineIdxAt(text, o)] && extent(o) !== null)) continue;
    // alternative k holds when it does and none before it did
    const condPy = (k: number): string => chainCond(chain, k);
    const same = underAlternative;
    for (const o of occ.reverse()) {
      const end = extent(o)!;
      const from = named ? lineStart(o) : o;
      // the piece's own condition (readahead's kfunc text, added where kfuncs work) holds for each copy too
      const pieceCond = named ? tool.pieces[pieceAt(o) - (tool.srcFile ? 1 : 0)]?.cond ?? null : null;
      const py = (k: number): string => (pieceCond ? `(${pieceCond}) and (${condPy(k)})` : condPy(k));
      const copies = alts.map((alt) => {
        let b = text.slice(o + token.length, end);
        for (const [other, oreps] of byToken) {
          const mine = oreps.find((r) => same(alt, r));
          if (other !== token && b.includes(other) && mine && mine.code !== null && !mine.arg) b = b.split(other).join(mine.code);
        }
        // the head on the token's line: the lines after it stay the Python's
        return `${text.slice(from, o)}${alt.code!.replace(/\s*\n\s*/g, ' ').trim()}${b}`;
      });
      const line = pyLine(o);
      alwaysBlocks.push({ from: lineIdxAt(text, o) - 1, to: lineIdxAt(text, end) + 1, py: py(0) });
      // each copy appended under the #if blocks the head sits in (ttysnoop's, in an #else on the kernel's
      // version), their lines before it
      const within = directivesAround(text, o);
      text = text.slice(0, from) + copies[0]! + text.slice(end);
      copies.slice(1).forEach((c, i) => appended.push({ text: within.open.map((d) => `${d}\n`).join('') + c + within.open.filter((d) => /^#\s*if/.test(d)).map(() => '\n#endif').join(''), line: line - within.open.length, py: py(i + 1) }));
    }
    report.push({ line: reps[0]!.line, what: `replace("${token}") chooses a function's head → the function once per head, each loaded only under its condition (${alts.map((_r, k) => condPy(k) || 'otherwise').join(' / ')})`, converted: true });
    handled.add(token);
  }
  for (const a of appended) {
    const lineIdx = appendOnLinesOf(a.text, a.line);
    alwaysBlocks.push({ from: lineIdx - 1, to: lineIdx + a.text.split('\n').length, py: a.py });
  }
  const pieces: { text: string; line: number; py: string }[] = [];
  // whole functions, or nothing, at file scope, chosen by the options or the kernel (ext4dist's
  // EXT4_TRACE_READ_CODE, a read probe where the kernel lacks ext4_file_read_iter): every alternative's
  // functions after the text, each one's programs loaded only under its condition; a value formatted
  // into one (the address of ext4_file_operations) a setting
  for (const [token, reps] of byToken) {
    if (handled.has(token) || !text.includes(token)) continue;
    const { chain, fallback, alts: chained } = replaceChain(reps);
    // if X / else (not (X)): each under its own condition, whichever comes first in the Python
    const pair = reps.length === 2 && reps.every((r) => r.conds.length === 1) && excludes(reps[0]!.conds[0]!, reps[1]!.conds[0]!);
    const alts = fallback ? chained : pair ? reps : [];
    if (!chain.length || !alts.length || alts.some((r) => r.code === null || (r.arg && !/^[^%]*(%[sdiu]|%l[du])[^%]*$/.test(r.code!)))) continue;
    const lines = text.split('\n');
    const at = lines.map((l, i) => (l.includes(token) ? i : -1)).filter((i) => i >= 0);
    const depth = braceLines(text).map((l) => l.depth);
    if (at.length !== 1 || depth[at[0]!] !== 0 || lines[at[0]!]!.trim() !== token) continue;
    const maybeFns = alts.map((r) => (r.code!.trim() ? wholeFunctions(r.code!) : []));
    if (maybeFns.some((f) => f === null) || !maybeFns.some((f) => f!.length)) continue;
    const fns = maybeFns as { name: string; isStatic: boolean }[][];
    // they go after the text: not where the C calls one of them (funclatency's stack_pop helpers)
    const elsewhere = [text, ...[...byToken].filter(([t]) => t !== token).flatMap(([, rs]) => rs.map((x) => x.code ?? ''))].join('\n');
    if (fns.flat().some((f) => new RegExp(`\\b${f.name}\\s*\\(`).test(elsewhere))) {
      // static helpers the C calls (funclatency's stack_push/stack_pop): all in place, where no two
      // alternatives define one name; a helper no program calls is not compiled in
      const all = fns.flat();
      if (alts.some((r) => r.arg) || !all.every((f) => f.isStatic) || new Set(all.map((f) => f.name)).size !== all.length) continue;
      text = text.split(token).join(alts.map((r) => oneLine(r.code!)).join(' '));
      report.push({ line: reps[0]!.line, what: `replace("${token}") puts static functions at file scope per ${chain.map((c) => c.parts.join(' and ')).join(' / ')} → all of them defined (each called only where its alternative's code runs)`, converted: true });
      handled.add(token);
      continue;
    }
    const condPy = (k: number): string => (pair ? alts[k]!.conds[0]! : chainCond(chain, k));
    alts.forEach((r, k) => {
      if (!fns[k]!.length) return;
      let code = r.code!;
      if (r.arg) {
        const g = settingName(r.arg);
        globals.set(g, { name: g, ctype: '__s64', arg: r.arg, kind: 'value', when: whenOf(globals.get(g), r.conds) });
        code = code.replace(/%[sdiu]|%l[du]/g, g);
      }
      // after the text, on lines of their own (the tokens in them are in a function there), the lines the Python's
      pieces.push({ text: code, line: r.line, py: condPy(k) });
    });
    text = text.split(token).join('');
    report.push({ line: reps[0]!.line, what: `replace("${token}") puts whole functions or nothing at file scope per ${alts.map((_r, k) => condPy(k) || 'otherwise').join(' / ')} → each alternative's functions in the object, loaded only under its condition`, converted: true });
    handled.add(token);
  }
  for (const a of pieces) {
    const lineIdx = appendOnLinesOf(a.text, a.line);
    alwaysBlocks.push({ from: lineIdx - 1, to: lineIdx + a.text.split('\n').length, py: a.py });
  }
  // `#if UNIQUESET` with replace('UNIQUESET', '1') under a condition and '0' otherwise (capable): the
  // macro the Python defines under that condition, which the #if blocks below follow
  for (const [token, reps] of byToken) {
    if (handled.has(token) || !text.includes(token)) continue;
    const uses = text.split('\n').filter((l) => tokenRe(token).test(l));
    if (!/^\w+$/.test(token) || !uses.length || !uses.every((l) => new RegExp(`^\\s*#\\s*(?:el)?if\\s+${token}\\s*$`).test(l))) continue;
    const { alts } = replaceChain(reps);
    const ones = alts.filter((r) => r.code?.trim() === '1');
    if (ones.length !== 1 || alts.some((r) => !['0', '1'].includes(r.code?.trim() ?? '')) || ones[0]!.arg) continue;
    tool.defines.push({ name: token, value: '', arg: null, conds: ones[0]!.conds, line: ones[0]!.line });
    text = text.replace(new RegExp(`^(\\s*#\\s*)(el)?if\\s+${token}\\s*$`, 'gm'), (_m, head: string, el?: string) => (el ? `${head}elif defined(${token})` : `${head}ifdef ${token}`));
    handled.add(token);
  }
  // a line replaced by "#define X" under a condition and by nothing otherwise (dbslower's DEFINE_USDT,
  // "#define THRESHOLD %d" % threshold_ns): a macro the Python defines under that condition
  for (const [token, reps] of byToken) {
    if (handled.has(token) || !text.includes(token)) continue;
    const uses = text.split('\n').filter((l) => tokenRe(token).test(l));
    if (!uses.length || !uses.every((l) => l.trim() === token)) continue;
    const def = (r: Replacement): RegExpExecArray | null => /^\s*#\s*define\s+(\w+)(?:[ \t]+(.*?))?\s*$/.exec(r.code ?? '');
    const defs = reps.filter((r) => def(r));
    const rest = reps.filter((r) => !def(r));
    if (!defs.length || rest.some((r) => r.code?.trim() !== '' || r.arg) || defs.some((r) => !r.conds.length) || defs.some((r) => r.arg && !/%[sdiu]|%l[du]/.test(def(r)![2] ?? ''))) continue;
    for (const r of defs) {
      const [, name, value] = def(r)!;
      tool.defines.push({ name: name!, value: value ?? '', arg: r.arg, conds: r.conds, line: r.line });
    }
    text = text.replace(new RegExp(`^[ \\t]*${token}[ \\t]*$`, 'gm'), '');
    report.push({ line: reps[0]!.line, what: `replace("${token}") with a #define under ${defs.map((r) => r.cond).join(' / ')} → the macro${defs.length > 1 ? 's' : ''} the Python defines under ${defs.length > 1 ? 'those conditions' : 'that condition'}`, converted: true });
    handled.add(token);
  }
  // a C array the Python fills with a list it formats itself (dirtop's `u32 dir_ids[INODES_NUMBER] =
  // DIRECTORY_INODES;`, the string "{1,2,3}" and its length): a list set before load, which the array
  // names, its length the list's
  for (const m of [...text.matchAll(/\b((?:unsigned\s+)?\w+)\s+(\w+)\s*\[\s*(\w+)\s*\]\s*=\s*(\w+)\s*;/g)].reverse()) {
    const [whole, , name, countTok, listTok] = m as unknown as [string, string, string, string, string];
    const [count, list] = [byToken.get(countTok), byToken.get(listTok)];
    const one = (reps?: Replacement[]): Replacement | null => (reps?.length === 1 && !reps[0]!.conds.length && reps[0]!.arg && /^%[sd]$/.test(reps[0]!.code ?? '') ? reps[0]! : null);
    const [c, l] = [one(count), one(list)];
    if (!c || !l || handled.has(countTok) || handled.has(listTok)) continue;
    const g = settingName(l.arg!);
    // the Python's own string, read as C reads an initializer: numbers between braces, by commas
    listSetting(g, `[int(x, 0) for x in str(${l.arg}).strip('{} ').split(',') if x.strip()]`);
    text = text.slice(0, m.index!) + `const volatile __s64 *${name} = ${g};` + text.slice(m.index! + whole.length);
    text = text.split(countTok).join(`(${g}_n < ${LIST_MAX} ? ${g}_n : ${LIST_MAX})`);
    report.push({ line: l.line, what: `${name}[${countTok}] = ${listTok}, a list the Python formats as C → a list set before load (at most ${LIST_MAX}), and its length`, converted: true });
    handled.add(countTok).add(listTok);
  }
  for (const [token, reps] of byToken) {
    if (handled.has(token)) continue;
    const at = text.indexOf(token);
    if (at < 0) {
      report.push({ line: reps[0]!.line, what: `replace("${token}", ...) matches nothing in the BPF text`, converted: true });
      continue;
    }
    // BPF.kernel_struct_has_field(b'S', b'NEW') choosing between two member names: CO-RE decides at load time
    const ksf = /kernel_struct_has_field\(\s*b?["'](\w+)["']\s*,\s*b?["'](\w+)["']\s*\)(\s*==\s*1)?$/;
    // the innermost condition decides (the outer ones, tcpconnect's args.dns, only say whether the piece is there)
    const last = (r: Replacement): string | null => r.conds[r.conds.length - 1] ?? null;
    const pos = reps.find((r) => last(r) && ksf.test(last(r)!) && !last(r)!.startsWith('not ('));
    const neg = reps.find((r) => last(r)?.startsWith('not (') && ksf.test(last(r)!.slice(5, -1)));
    const memberPath = /^\w+(?:->\w+)*$/;
    if (pos && neg && memberPath.test(pos.code ?? '') && memberPath.test(neg.code ?? '')) {
      const sname = ksf.exec(last(pos)!)![1]!;
      const flavor = `${sname}___lcc_old`;
      // the member each way starts from, as this kernel's BTF (which the C compiles against) has it or not
      const btf = vmlinuxBtf();
      const st = btf?.find(sname, BtfKind.Struct)[0];
      const has = (p: string): boolean => !!(btf && st && findMember(btf, st, p.split('->')[0]!));
      const [here, gone] = has(pos.code!) ? [pos.code!, neg.code!] : [neg.code!, pos.code!];
      // one of the two is this kernel's; the other, a single member of older (or newer) kernels, gets a flavor
      if (!has(here) || has(gone) || gone.includes('->')) {
        fail(pos.line, `replace("${token}") under "if ${pos.cond}": neither ${pos.code} nor ${neg.code} is a single member this kernel lacks`, 'use bpf_core_field_exists() with a ___flavor struct by hand');
        continue;
      }
      // the members read past it (req->__RQ_DISK__->major) are steps of the same read
      const read = (v: string, p: string, tail: string[]): string => (p === gone ? `BPF_CORE_READ((struct ${flavor} *)${v}, ${[p, ...tail].join(', ')})` : `BPF_CORE_READ(${v}, ${[...p.split('->'), ...tail].join(', ')})`);
      let n = 0;
      // a member of an embedded struct (tcpconnect's msghdr->msg_iter.TYPE_FIELD): read through its address
      text = text.replace(new RegExp(`\\b(\\w+(?:->\\w+|\\.\\w+)*)\\.${token}\\b`, 'g'), (_m, base: string) => `(&${base})->${token}`);
      // bpf_probe_read_kernel(&state, sizeof(long), &prev->STATE_FIELD) (runqslower): the read is the assignment
      text = text.replace(new RegExp(`\\bbpf_probe_read(?:_kernel)?\\(\\s*&\\s*(\\w+)\\s*,[^,;]*,\\s*(?:\\([^()]*\\)\\s*)?&\\s*(\\w+)->${token}\\s*\\)`, 'g'), (_m, dst: string, v: string) => `${dst} = ${v}->${token}`);
      text = text.replace(new RegExp(`(\\b\\w+|\\(&[\\w.>-]+\\))->${token}\\b((?:->\\w+)*)`, 'g'), (_m, v: string, rest: string) => {
        n++;
        const tail = rest.split('->').filter(Boolean);
        const test = pos.code === gone ? `((struct ${flavor} *)${v})->${gone}` : `${v}->${pos.code!.split('->')[0]}`;
        return `(bpf_core_field_exists(${test}) ? ${read(v, pos.code!, tail)} : ${read(v, neg.code!, tail)})`;
      });
      // the member it replaces in older kernels holds what the other way reaches (a pointer, a number)
      if (n && !flavors.some((f) => f.startsWith(`struct ${flavor} `))) flavors.push(`struct ${flavor} {\n\t${memberDecl(btf!, st!, here.split('->'), gone)};\n} __attribute__((preserve_access_index));`);
      report.push({ line: pos.line, what: `kernel_struct_has_field(${sname}, ${ksf.exec(last(pos)!)![2]}) choosing ${pos.code} or ${neg.code} → bpf_core_field_exists() with a ${flavor} flavor: one object for both kernels`, converted: n > 0 });
      if (!n) fail(pos.line, `replace("${token}") of a member name used other than as ->${token}`, 'use bpf_core_field_exists() with a ___flavor struct by hand');
      continue;
    }
    const { chain, fallback } = replaceChain(reps);
    const bad = [...chain.map((c) => c.r), ...(fallback ? [fallback] : [])].find((r) => r.code === null);
    if (bad) {
      fail(bad.line, `text.replace("${token}", ${bad.py.replace(/^.*?replace\(\s*["'][^"']*["']\s*,\s*/, '').slice(0, 60)}): a replacement lcc cannot express as a load-time setting`, 'write the filter in C against a const volatile global and set it from the option');
      continue;
    }
    const subst = (r: Replacement): string => {
      if (!r.arg) return r.code!;
      if (r.list) {
        // the copies Python would join, as a bounded loop over the list set before load
        const g = settingName(r.arg);
        listSetting(g, r.arg, whenOf(globals.get(g), r.conds));
        const each = r.code!.replace(/%[sdiu]|%l[du]/g, '__lcc_v');
        return `({ bool __lcc_r = ${r.list === '&&' ? 'true' : 'false'}; for (int __lcc_i = 0; __lcc_i < ${LIST_MAX} && __lcc_i < ${g}_n; __lcc_i++) { __s64 __lcc_v = ${g}[__lcc_i]; __lcc_r = __lcc_r ${r.list} (${each}); } __lcc_r; })`;
      }
      const g = settingName(r.arg);
      // a string the C declares from the option (virtiostat's `char filter_driver[] = "%s";`): a char array
      // set before load, copied where the declaration was
      const declared = /\bchar\s+(\w+)\s*\[\s*\]\s*=\s*"%s"\s*;/g;
      if (declared.test(r.code!)) {
        globals.set(g, { name: g, ctype: 'char', arg: r.arg, kind: 'string', when: whenOf(globals.get(g), r.conds) });
        // (each byte read through volatile: a plain copy of a const array clang folds to its initial zeros)
        const code = r.code!.replace(declared, (_m, v: string) => `char ${v}[${STR_MAX}]; for (int __lcc_b = 0; __lcc_b < ${STR_MAX}; __lcc_b++) ${v}[__lcc_b] = ${g}[__lcc_b];`);
        if (!/%[sdiu]|%l[du]/.test(code)) {
          report.push({ line: r.line, what: `a string declared from ${r.arg} ("%s") → a char array set before load (at most ${STR_MAX - 1} bytes), copied into the declaration`, converted: true });
          return code;
        }
      }
      // options argparse keeps as strings are still numbers in C (pids, ports) unless the code quotes them
      const quoted = /"[^"]*%[sd][^"]*"/.test(r.code!);
      globals.set(g, { name: g, ctype: '__s64', arg: r.arg, kind: 'value', when: whenOf(globals.get(g), r.conds) });
      if (quoted) fail(r.line, `${r.arg} formatted into a C string`, 'compare strings in C against a const volatile char array set from the option');
      return r.code!.replace(/%[sdiu]|%l[du]/g, g);
    };
    // a choice made at load time is code in a function: a token at file scope (a declaration, a whole
    // function) or a choice by what the kernel has (its types decide what compiles) is not
    if (chain.length) {
      // (a member the kernel has or not, kernel_struct_has_field, is a setting like any: where its C does not
      // compile against this kernel's types, convert leaves that choice out and BPF() refuses it)
      const kernelCond = chain.flatMap((c) => c.parts).find((p) => /tracepoint_exists|ksymname|get_kprobe_functions|support_\w+\(/.test(p));
      if (kernelCond) {
        fail(reps[0]!.line, `replace("${token}") under "if ${kernelCond}"`, 'the kernel decides this one: use bpf_core_field_exists() / bpf_core_type_exists() in C, or choose the program to load in user space');
        continue;
      }
      const inFunction = inFunctionLines(text);
      const outside = text.split('\n').some((l, i) => l.includes(token) && !inFunction[i]);
      if (outside) {
        fail(reps[0]!.line, `replace("${token}") chosen by ${chain.map((c) => c.parts.join(' and ')).join(' / ')} outside a function (a declaration or a signature)`, 'write every variant in C and choose in code, or load one program of several (autoload) from user space');
        continue;
      }
    }
    // a map's size from an option: a placeholder in C, the size set before load
    if (!chain.length && fallback?.arg && /^%[sdiu]$|^%l[du]$/.test(fallback.code ?? '')) {
      const sized = sizeArgs(text, token);
      if (sized.maps.length && sized.maps.length === text.split(token).length - 1) {
        for (const map of sized.maps) {
          resizes.push({ map, arg: fallback.arg });
          report.push({ line: fallback.line, what: `text.replace("${token}", ...) sizes map ${map}: set from ${fallback.arg} before load (skel.obj.setMaxEntries)`, converted: true });
        }
        text = sized.text;
        continue;
      }
    }
    const dflt = fallback ? subst(fallback) : '';
    // (null: already put in place, one way per place)
    let code: string | null;
    // code (a filter statement) or a value: an empty replacement is a statement left out
    const codes = reps.map((r) => (r.code ?? '').trim());
    const statement = codes.some((c) => /[;{}]/.test(c)) || codes.every((c) => c === '');
    const conds = chain.map(({ r, parts }) => ({ r, c: condC(parts) }));
    // a member name chosen by an option (biolatpcts' rq->__START_TIME_FIELD__): each use reads the member chosen
    const uses = text.split(token).length - 1;
    const memberUses = [...text.matchAll(new RegExp(`\\b(\\w+)\\s*(->|\\.)\\s*${token}\\b`, 'g'))];
    if (conds.length && uses && memberUses.length === uses && reps.every((r) => !r.arg && /^\w+$/.test((r.code ?? '').trim()))) {
      const last = fallback ? fallback.code!.trim() : conds[conds.length - 1]!.r.code!.trim();
      const alts = fallback ? conds : conds.slice(0, -1);
      text = text.replace(new RegExp(`\\b(\\w+)\\s*(->|\\.)\\s*${token}\\b`, 'g'), (_m, base: string, op: string) =>
        `(${alts.map(({ r, c }) => `${c} ? ${base}${op}${r.code!.trim()} : `).join('')}${base}${op}${last})`);
      report.push({ line: reps[0]!.line, what: `text.replace("${token}", ...) chooses a member by the options → each use reads the chosen one`, converted: true });
      continue;
    }
    if (!conds.length) code = dflt;
    else if (statement) {
      // variables a choice declares and C after it reads (tcpretrans' IPV4_INIT declares data4, IPV4_CORE
      // submits it): declared before the if, so that they outlive its braces
      // what runs after it: the rest of its function, and the code of the tokens there
      // each place the token is (tcpcong's STATE_KEY, in two functions) has its own rest
      const alts = [...conds.map(({ r }) => subst(r)), dflt];
      const places: number[] = [];
      for (let o = text.indexOf(token); o >= 0; o = text.indexOf(token, o + token.length)) places.push(o);
      for (const o of places.reverse()) {
        const at = o + token.length;
        let end = at;
        for (let depth = 0; end < text.length && depth >= 0; end++) depth += text[end] === '{' ? 1 : text[end] === '}' ? -1 : 0;
        const rest = text.slice(at, end);
        const after = [rest, ...[...byToken].filter(([t]) => t !== token && rest.includes(t)).flatMap(([, rs]) => rs.map((x) => x.code ?? ''))].join('\n');
        // not where the same function holds the token again: the declarations would meet
        const hoisted = !rest.includes(token) ? hoistChoiceDeclarations(alts, (v) => tokenRe(v).test(after)) : null;
        const [bodies, decls] = hoisted ? [hoisted.codes, hoisted.decls] : [alts, []];
        const here = decls.join(' ') + (decls.length ? ' ' : '') + conds.map(({ c }, i) => `${i ? ' else ' : ''}if (${c}) { ${bodies[i]} }`).join('') + (bodies.at(-1)!.trim() ? ` else { ${bodies.at(-1)} }` : '');
        text = text.slice(0, o) + oneLine(here) + text.slice(at);
      }
      code = null;
    } else {
      code = `(${conds.map(({ r, c }) => `${c} ? (${subst(r)})`).join(' : ')} : (${dflt.trim() || '0'}))`;
    }
    if (code !== null) text = text.split(token).join(oneLine(code));
    const names = [...new Set(conds.flatMap(({ c }) => c.split(' && ').map((x) => x.replace(/^!/, ''))))];
    report.push({ line: reps[0]!.line, what: `text.replace("${token}", ...) → ${names.length ? `load-time setting${names.length > 1 ? 's' : ''} ${names.join(', ')} set from the options` : 'substituted'}`, converted: true });
  }
  // a number's suffix after the token (MINBLOCK_US_VALUEULL) is the setting's now: it is a 64-bit variable
  for (const g of globals.values()) {
    if (g.kind === 'value') text = text.replace(new RegExp(`\\b${g.name}(?:[uU](?:ll|LL|l|L)?|(?:ll|LL|l|L)[uU]?)\\b`, 'g'), g.name);
  }

  // ---- #if LINUX_VERSION_CODE < KERNEL_VERSION(a, b, c): BCC compiles for the kernel it runs on, lcc
  // one object for every kernel with BTF. Older than 5.4 none is (decided here, #if 0 or 1); else the
  // kernel's version decides at load time, as an option's #define would ----
  const versions = kernelVersionBlocks(text, new Set(tool.kernelNotBefore));
  text = versions.text;
  for (const v of versions.decided) report.push({ line: pyLine(v.at), what: `#if ${v.test} → #if ${v.value ? 1 : 0}: ${v.why ?? `every kernel with BTF (${BTF_SINCE.join('.')} on) is newer`}`, converted: true });
  for (const [mname, [a, b, c]] of versions.atLoad) report.push({ line: pyLine(text.indexOf(mname)), what: `#if LINUX_VERSION_CODE against KERNEL_VERSION(${a}, ${b}, ${c}) → the running kernel's version, compared before load (BPF.kernel_before)`, converted: true });
  // (BPF as the tool names it: `from bcc import BPF`, or bcc.BPF)
  const bpfName = tool.root.descendantsOfType('import_from_statement').some((n) => /^from\s+bcc\s+import\b[\s\S]*\bBPF\b/.test(n.text)) ? 'BPF' : 'bcc.BPF';
  const kernelVersions = new Map([...versions.atLoad].map(([mname, v]) => [mname, { v, py: `${bpfName}.kernel_before(${v.join(', ')})` }]));
  const versionDefs: Define[] = [...kernelVersions].map(([mname, { py }]) => ({ name: mname, value: '', arg: null, conds: [py], line: pyLine(text.indexOf(mname)) }));

  // ---- configuration: "#define X" from the Python → settings, #ifdef X in function bodies → if ----
  const byName = new Map<string, Define[]>();
  for (const d of [...tool.defines, ...versionDefs]) byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
  const staticDefs: string[] = [];
  const chosen = new Map<string, { c: string; py: string }>();

  const values = new Map<string, { value: string; d: Define }>();
  for (const [mname, defs] of byName) {
    const d = defs[0]!;
    if (defs.length === 1 && !d.conds.length && !d.arg) {
      staticDefs.push(`#define ${mname}${d.value ? ` ${d.value}` : ''}`);
      report.push({ line: d.line, what: `#define ${mname} → kept as a #define`, converted: true });
      continue;
    }
    if (defs.length > 1) {
      fail(d.line, `#define ${mname} made in ${defs.length} places`, `define ${mname} once, or write the choice in C against a const volatile global`);
      continue;
    }
    chosen.set(mname, { c: d.conds.length ? condC(d.conds) : '1', py: d.conds.length ? d.conds.map((c) => `(${c})`).join(' and ') : 'True' });
    let value = d.value;
    if (d.arg) {
      const g = settingName(d.arg);
      globals.set(g, { name: g, ctype: '__s64', arg: d.arg, kind: 'value', when: whenOf(globals.get(g), d.conds) });
      value = value.replace(/%[sdiu]|%l[du]/g, g);
    }
    values.set(mname, { value, d });
  }
  if (chosen.size) {
    const fixedNames = new Set([...staticDefs.map((l) => l.split(/\s+/)[1]!), ...tool.cflags.map((f) => /^-D(\w+)/.exec(f)?.[1] ?? '')]);
    const res = ifdefToIf(text, chosen, fixedNames);
    for (const e of res.errors) fail(pyLine(e.at), e.why, 'write the choice in C: if () on the const volatile global that carries it');
    if (!res.errors.length) {
      text = res.text;
      alwaysBlocks.push(...res.always);
      variants.push(...res.variants);
      for (const v of res.variants) report.push({ line: pyLine(Math.max(text.indexOf(v.choices[0]!.name), 0)), what: `map ${v.map}, declared one way under #if and another under #else → ${v.choices.map((c) => c.name).join(' and ')}, both in the object; the tool reads the one ${v.choices[0]!.py} chooses`, converted: true });
    }
    for (const [mname, { value, d }] of values) {
      // a computed value that sizes maps (MAX_PID from /proc/sys/kernel/pid_max): each map sized before load
      if (d.arg && value !== d.value) {
        const sized = sizeArgs(text, mname);
        for (const map of sized.maps) {
          resizes.push({ map, arg: d.arg });
          report.push({ line: d.line, what: `${mname} (${d.arg}) sizes map ${map}: set before load (skel.obj.setMaxEntries)`, converted: true });
        }
        text = sized.text;
      }
      // the macro's value where the code reads it; a value from a setting is no constant, so not at file scope (a map's size)
      let uses = 0;
      let outside = -1;
      let at = 0;
      const inFunction = inFunctionLines(text);
      const lines = text.split('\n').map((l, i) => {
        const lineAt = at;
        at += l.length + 1;
        if (/^\s*#/.test(l)) return l;
        return l.replace(new RegExp(`\\b${mname}\\b`, 'g'), () => {
          uses++;
          if (!inFunction[i] && value !== d.value && outside < 0) outside = lineAt;
          return value ? `(${value})` : '1';
        });
      });
      // an int option sizing types (an array in a struct): the types compiled at the option's default, or at
      // SIZED_MAX where it has none; the code reads the setting, and BPF() refuses a value they cannot hold
      const opt = d.arg ? tool.options.find((o) => `args.${o.dest}` === d.arg && o.type === 'int') : undefined;
      // every use outside a function is inside braces there: a type's body (a map's size is not)
      const kinds = braceKinds(text);
      const placed = [...text.matchAll(new RegExp(`\\b${mname}\\b`, 'g'))].filter((m) => !/^\s*#/.test(text.split('\n')[lineIdxAt(text, m.index!)]!));
      if (outside >= 0 && opt && placed.every((m) => kinds(m.index!) !== 'file')) {
        const size = /^\d+$/.test(opt.default ?? '') ? Number(opt.default) : SIZED_MAX;
        for (const m of placed.reverse()) text = text.slice(0, m.index!) + (kinds(m.index!) === 'type' ? String(size) : `(${value})`) + text.slice(m.index! + mname.length);
        refusals.push({ cond: [...d.conds, `${d.arg} > ${size}`].map((c) => `(${c})`).join(' and '), why: `${opt.flags.join('/')} above ${size}: lcc convert compiled the types ${mname} sizes at ${size}`, line: d.line });
        report.push({ line: d.line, what: `#define ${mname} ${d.arg} sizes types → compiled at ${size}${opt.default ? " (the option's default)" : ''}; the code reads the setting, and a larger value is refused at load`, converted: true });
        continue;
      }
      if (outside >= 0) {
        fail(pyLine(outside), `${mname}, computed by the Python (${d.arg}), is used outside a function (a map's size?)`, 'give it a fixed value here and resize the map before load: skel.obj.setMaxEntries(name, n)');
        continue;
      }
      text = lines.join('\n');
      const blocks = res.blocks.get(mname) ?? 0;
      const exists = chosen.get(mname)!.c;
      report.push({
        line: d.line,
        what: `#define ${mname}${d.value ? ` ${d.value}` : ''}${d.conds.length ? ` when ${d.conds.join(' and ')}` : ''} → ${[blocks ? `${blocks} #if block${blocks > 1 ? 's' : ''} on it as if (${exists})` : '', value !== d.value ? `its value from the setting ${value}` : '', uses ? `${uses} use${uses > 1 ? 's' : ''}` : ''].filter(Boolean).join(', ') || 'not used'}`,
        converted: !res.errors.length,
      });
    }
  }

  // ---- includes ----
  text = text.replace(/^[ \t]*#[ \t]*include[ \t]*[<"]([^>"]+)[>"][^\n]*\n?/gm, (m, inc: string, off: number) => {
    report.push({ line: pyLine(off), what: `#include <${inc}> → lbc.h (vmlinux.h has the kernel's types)`, converted: true });
    return m.endsWith('\n') ? '\n' : '';
  });

  // lines the Python takes out under a condition ('\n'.join(x for x in text.split('\n') if 'MARK' not in x)):
  // a statement runs only where the condition does not hold; a declaration (a struct's member) stays, as
  // an unused member costs nothing
  for (const f of tool.lineFilters) {
    const inFn = inFunctionLines(text);
    // where the lines stay: where the Python's condition does not hold
    const taken = condC(f.conds);
    const kept = /^!\w+$/.test(taken) ? taken.slice(1) : `!(${taken})`;
    const lines = text.split('\n');
    let declarations = 0;
    let guarded = 0;
    for (const [i, l] of lines.entries()) {
      if (!tokenRe(f.marker).test(l)) continue;
      const stmt = /^(\s*)([^/]*?;)\s*(\/\/.*|\/\*.*\*\/)?\s*$/.exec(l);
      if (!inFn[i]) declarations++;
      else if (stmt && !/[{}]/.test(stmt[2]!)) {
        lines[i] = `${stmt[1]}if (${kept}) { ${stmt[2]} }${stmt[3] ? ` ${stmt[3]}` : ''}`;
        guarded++;
      } else fail(pyLineOfIdx(i), `a line ${f.marker} marks, taken out under ${f.conds.join(' and ')}, is not one statement`, 'write the choice in C against a setting');
    }
    text = lines.join('\n');
    report.push({ line: f.line, what: `lines marked ${f.marker}, taken out under ${f.conds.join(' and ') || 'always'} → ${guarded} statement${guarded === 1 ? '' : 's'} run only otherwise, ${declarations} declaration${declarations === 1 ? '' : 's'} kept`, converted: true });
  }

  // ---- struct definitions → NAME.h, with the enums and constants they are written with ----
  const structs: string[] = [];
  const headerParts: string[] = [];
  const headerDefs: string[] = [];
  text = text.replace(/^enum\s+(\w+)\s*\{[^}]*\}\s*;/gm, (m, ename: string, off: number) => {
    headerDefs.push(m.replace(/\n\s*\n/g, '\n'));
    report.push({ line: pyLine(off), what: `enum ${ename} → ${name}.h (shared with user space)`, converted: true });
    return keepLines(m);
  });
  // whole bodies, nested unions and structs included (mountsnoop's data_t sizes a member of a union by MAX_STR_LEN)
  const structBodies = [...text.matchAll(/^struct\s+\w+\s*(?=\{)/gm)].map((m) => {
    const body = callArgs(text, m.index! + m[0].length);
    return body ? text.slice(m.index!, body.end) : '';
  }).join('\n');
  const sizedBySetting: [string, string][] = [];
  text = text.replace(/^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+([^\n]*\S)[ \t]*$/gm, (m, mname: string, value: string, off: number) => {
    if (!new RegExp(`\\b${mname}\\b`).test(structBodies) || /\\$/.test(value)) return m;
    // an option sizing a record (sslsniff's --max-buffer-size): the record is compiled at the option's
    // default, the code reads the setting, and BPF() refuses a value the record cannot hold
    const g = globals.get(value.trim());
    // (a number, or a string option holding one by default: ttysnoop's --datasize, default "256")
    const opt = g?.kind === 'value' && g.arg ? tool.options.find((o) => `args.${o.dest}` === g.arg && ((o.type === 'int' && /^\d+$/.test(o.default ?? '')) || (o.type === 'str' && /^(["'])\d+\1$/.test(o.default ?? '')))) : undefined;
    if (g && opt) {
      const dflt = opt.default!.replace(/["']/g, '');
      headerDefs.push(`#define ${mname} ${dflt}`);
      sizedBySetting.push([mname, g.name]);
      refusals.push({ cond: opt.type === 'str' ? `int(${g.arg}) > ${dflt}` : `${g.arg} > ${dflt}`, why: `${opt.flags.join('/')} above ${dflt}: lcc convert compiled its record at the option's default`, line: pyLine(off) });
      report.push({ line: pyLine(off), what: `#define ${mname} ${g.arg} sizes a record → ${name}.h at the option's default, ${dflt}; the code reads the setting, and a larger value is refused at load`, converted: true });
      return '';
    }
    headerDefs.push(`#define ${mname} ${value}`);
    report.push({ line: pyLine(off), what: `#define ${mname} → ${name}.h (a struct there is sized by it)`, converted: true });
    return '';
  });
  const linesInFn = inFunctionLines(text);
  for (const [mname, g] of sizedBySetting) text = text.split('\n').map((l, i) => (linesInFn[i] ? l.replace(new RegExp(`\\b${mname}\\b`, 'g'), g) : l)).join('\n');
  text = text.replace(/^struct\s+(\w+)\s*\{/gm, (m, sname: string, off: number) => `\u0000STRUCT${sname}\u0000${pyLine(off)}\u0000{`);
  for (;;) {
    const i = text.indexOf('\u0000STRUCT');
    if (i < 0) break;
    const m = /^\u0000STRUCT(\w+)\u0000(-?\d+)\u0000/.exec(text.slice(i))!;
    const brace = i + m[0].length;
    const body = callArgs(text, brace);
    const semi = body ? text.indexOf(';', body.end) : -1;
    if (!body || semi < 0) {
      fail(Number(m[2]), `struct ${m[1]} ${body ? 'has no ";" after its definition' : 'is not closed'}`, 'check the braces and the ";" of the definition');
      text = `${text.slice(0, i)}struct ${m[1]} ${text.slice(brace)}`;
      continue;
    }
    let end = body.end;
    const tail = text.slice(end, semi).trim();
    if (tail) {
      // struct x { ... } var;: keep in place
      text = `${text.slice(0, i)}struct ${m[1]} ${text.slice(brace)}`;
      continue;
    }
    end = semi + 1;
    // BCC tools copy the part of a private kernel struct they read (struct mnt_namespace, nameidata):
    // vmlinux.h has the whole one, which CO-RE relocates; the copy would redefine it
    const kernel = vmlinuxBtf()?.find(m[1]!, BtfKind.Struct)[0];
    // members under an #if (mountsnoop's `#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0) atomic_t count;`)
    // are the older kernels' part of the copy: the members it always has say which struct it is
    const always = unconditionalLines(text.slice(brace + 1, body.end - 1).replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ''));
    const fields = [...always.matchAll(/(\w+)\s*(?:\[[^\]]*\])?\s*;/g)].map((f) => f[1]!);
    if (kernel && fields.length && fields.every((f) => (kernel.members ?? []).some((km) => km.name === f))) {
      report.push({ line: Number(m[2]), what: `struct ${m[1]}: the tool's partial copy of a kernel struct dropped; vmlinux.h's own one is read with CO-RE`, converted: true });
      text = text.slice(0, i) + keepLines(text.slice(i, end)) + text.slice(end);
      continue;
    }
    structs.push(m[1]!);
    headerParts.push(`struct ${m[1]} ${text.slice(brace, body.end)};`);
    report.push({ line: Number(m[2]), what: `struct ${m[1]} → ${name}.h (shared with user space)`, converted: true });
    text = text.slice(0, i) + keepLines(text.slice(i, end)) + text.slice(end);
  }
  // struct { ... } data = ...; in a function (trace_perf_output's record): named in NAME.h, so that a
  // perf buffer knows its record's type and user space has it
  const inFn = inFunctionLines(text);
  text = text.replace(/\bstruct\s*\{([^{}]*)\}\s*(\w+)\s*(?=[=;])/g, (m, body: string, v: string, off: number) => {
    if (!inFn[lineIdxAt(text, off)]) return m;
    let sname = `${v}_t`;
    while (structs.includes(sname) || new RegExp(`\\bstruct\\s+${sname}\\b`).test(text)) sname = `lcc_${sname}`;
    structs.push(sname);
    headerParts.push(`struct ${sname} {${body}};`);
    report.push({ line: pyLine(off), what: `struct { ... } ${v} → struct ${sname} in ${name}.h (a named type user space can read)`, converted: true });
    return `struct ${sname} ${v}${keepLines(m)}`;
  });

  // ---- maps ----
  const maps: MapInfo[] = [];
  text = text.replace(/^[ \t]*(BPF_\w+)\s*(?=\()/gm, (m, macro: string, off: number) => `\u0000MAP${macro}\u0000${pyLine(off)}\u0000`);
  // declarations a replacement put on one line (a map per option, all declared): the ones after a ';'
  text = text.replace(/(;[ \t]*)(BPF_\w+)\s*(?=\()/g, (m, lead: string, macro: string, off: number) =>
    MAP_DEFAULTS[macro] || macro === 'BPF_TABLE' ? `${lead}\u0000MAP${macro}\u0000${pyLine(off)}\u0000` : m);
  for (;;) {
    const i = text.indexOf('\u0000MAP');
    if (i < 0) break;
    const m = /^\u0000MAP(\w+)\u0000(-?\d+)\u0000/.exec(text.slice(i))!;
    const line = Number(m[2]);
    const open = i + m[0].length;
    const parsed = callArgs(text, open);
    if (!parsed) {
      fail(line, `${m[1]}(...) is not closed`, 'check the macro call');
      text = text.slice(0, i) + text.slice(open);
      continue;
    }
    let end = parsed.end;
    if (text[end] === ';') end++;
    let macro = m[1]!;
    let a = parsed.args;
    if (macro === 'BPF_TABLE') {
      // the kind may be a macro the tool defines (-DMAPTYPE="percpu_array")
      const named = a[0]?.trim() ?? '';
      const def = tool.defines.find((d) => d.name === named && !d.arg)?.value ?? tool.cflags.map((f) => new RegExp(`^-D${named}=(.*)$`).exec(f)?.[1]).find((v) => v !== undefined);
      const kind = (def ?? named).replace(/"/g, '');
      macro = TABLE_KINDS[kind] ?? '';
      if (!macro) {
        fail(line, `BPF_TABLE("${kind}", ...)`, `lcc convert knows table kinds ${Object.keys(TABLE_KINDS).join(', ')}`);
        text = text.slice(0, i) + keepLines(text.slice(i, end)) + text.slice(end);
        continue;
      }
      // BPF_TABLE(kind, key, leaf, name, size) → the macro's own order
      a = macro === 'BPF_ARRAY' || macro === 'BPF_PERCPU_ARRAY' ? [a[3]!, a[2]!, a[4]!] : [a[3]!, a[1]!, a[2]!, a[4]!];
    }
    let out = '';
    const mapName = a[0] ?? '';
    if (MAP_DEFAULTS[macro]) {
      const d = MAP_DEFAULTS[macro]!;
      let key: string;
      let value: string;
      let size: string;
      if (macro === 'BPF_ARRAY' || macro === 'BPF_PERCPU_ARRAY') {
        key = '__u32';
        value = a[1] || '__u64';
        size = a[2] || '10240';
      } else if (macro === 'BPF_HISTOGRAM') {
        key = a[1] || 'int';
        value = '__u64';
        size = a[2] || '64';
      } else {
        key = a[1] || '__u64';
        value = a[2] || '__u64';
        size = a[3] || '10240';
      }
      let lbc = d.macro;
      if (macro === 'BPF_HISTOGRAM' && scalar(key)) key = '__u32';
      else if (macro === 'BPF_HISTOGRAM') lbc = 'LBC_HASH';
      out = `${lbc}(${mapName}, ${key}, ${value}, ${size});`;
      maps.push({ name: mapName, macro: lbc, key, value, kind: d.kind });
      report.push({ line, what: `${m[1]}(${a.join(', ')}) → ${out} (BCC's defaults made explicit)`, converted: true });
    } else if (macro === 'BPF_PERF_OUTPUT') {
      out = `LBC_PERF_OUTPUT(${mapName}, \u0000EVENT${mapName}\u0000, 64);`;
      maps.push({ name: mapName, macro: 'LBC_PERF_OUTPUT', key: null, value: null, kind: 'perf' });
      report.push({ line, what: `BPF_PERF_OUTPUT(${mapName}) → LBC_PERF_OUTPUT with the event type its perf_submit() sends`, converted: true });
    } else if (macro === 'BPF_RINGBUF_OUTPUT') {
      out = `LBC_RINGBUF(${mapName}, (${a[1] || '8'}) * 4096);`;
      maps.push({ name: mapName, macro: 'LBC_RINGBUF', key: null, value: null, kind: 'ring' });
      report.push({ line, what: `BPF_RINGBUF_OUTPUT(${mapName}, ${a[1]}) → ${out}`, converted: true });
    } else if (macro === 'BPF_CPUMAP' || macro === 'BPF_DEVMAP' || macro === 'BPF_XSKMAP') {
      // XDP's redirect targets: a CPU's queue size, a device's ifindex, an AF_XDP socket, by index
      const lbc = macro.replace(/^BPF_/, 'LBC_');
      out = `${lbc}(${mapName}, ${a[1] || '64'});`;
      maps.push({ name: mapName, macro: lbc, key: '__u32', value: '__u32', kind: 'array' });
      report.push({ line, what: `${macro}(${a.join(', ')}) → ${out}`, converted: true });
    } else if (macro === 'BPF_PROG_ARRAY') {
      out = `LBC_PROG_ARRAY(${mapName}, ${a[1] || '10240'});`;
      maps.push({ name: mapName, macro: 'LBC_PROG_ARRAY', key: '__u32', value: '__u32', kind: 'array' });
      report.push({ line, what: `BPF_PROG_ARRAY(${a.join(', ')}) → ${out}`, converted: true });
    } else if (macro === 'BPF_SOCKMAP' || macro === 'BPF_SOCKHASH') {
      // sockets by index or key, for sockops/sk_msg/sk_skb redirects (BCC's defaults: u32 keys, 10240 of them)
      const hash = macro === 'BPF_SOCKHASH';
      const key = hash ? a[1] || '__u32' : '__u32';
      const size = (hash ? a[2] : a[1]) || '10240';
      out = hash ? `LBC_SOCKHASH(${mapName}, ${key}, ${size});` : `LBC_SOCKMAP(${mapName}, ${size});`;
      maps.push({ name: mapName, macro: hash ? 'LBC_SOCKHASH' : 'LBC_SOCKMAP', key, value: '__u32', kind: hash ? 'hash' : 'array' });
      report.push({ line, what: `${macro}(${a.join(', ')}) → ${out}`, converted: true });
    } else if (macro === 'BPF_STACK_TRACE' || macro === 'BPF_STACK_TRACE_BUILDID') {
      const lbc = macro === 'BPF_STACK_TRACE' ? 'LBC_STACK' : 'LBC_STACK_BUILDID';
      out = `${lbc}(${mapName}, ${a[1] || '1024'});`;
      maps.push({ name: mapName, macro: lbc, key: '__u32', value: null, kind: 'stack' });
      report.push({ line, what: `${macro} → ${out}`, converted: true });
    } else {
      fail(line, `${m[1]}(...)`, 'lcc convert does not know this map macro; declare the map with an LBC_* macro from lbc.h');
    }
    text = text.slice(0, i) + out + keepLines(text.slice(i, end)) + text.slice(end);
  }
  const mapNames = new Set(maps.map((m) => m.name));

  // ---- map methods ----
  const locals = (fnText: string): Map<string, string> => {
    const out = new Map<string, string>();
    // declarations, and parameters (sofdsnoop submits its `struct val_t *val` parameter)
    for (const d of fnText.matchAll(/\b(struct\s+\w+|\w+)\s+(\*?)\s*(\w+)\s*(?:=|;|\[|,|\))/g)) {
      if (!/^(return|else|case|goto|sizeof|struct)$/.test(d[1]!)) out.set(d[3]!, `${d[1]}${d[2] ? ' *' : ''}`);
    }
    return out;
  };
  const declaredBefore = (at: number, v: string): string | undefined => locals(text.slice(0, at)).get(v);
  text = text.replace(/\b(\w+)\.(lookup_or_try_init|lookup_or_init|lookup|update|insert|delete|increment|atomic_increment|perf_submit|ringbuf_output|ringbuf_reserve|ringbuf_submit|ringbuf_discard|get_stackid|redirect_map|perf_submit_skb|sock_map_update|sock_hash_update|msg_redirect_map|msg_redirect_hash|sk_redirect_map|sk_redirect_hash|call)\s*\(/g, (m, map: string, method: string, off: number) => {
    if (!mapNames.has(map)) return m;
    return `\u0000CALL${map}\u0000${method}\u0000${pyLine(off)}\u0000(`;
  });
  for (;;) {
    const i = text.indexOf('\u0000CALL');
    if (i < 0) break;
    const m = /^\u0000CALL(\w+)\u0000(\w+)\u0000(-?\d+)\u0000/.exec(text.slice(i))!;
    const [, map, method] = m as unknown as [string, string, string];
    const line = Number(m[3]);
    const parsed = callArgs(text, i + m[0].length);
    if (!parsed) {
      fail(line, `${map}.${method}(...) is not closed`, 'check the parentheses of the call');
      text = text.slice(0, i) + `${map}.${method}` + text.slice(i + m[0].length);
      continue;
    }
    // (a compound literal's commas, &(struct host){a, b}, would split a macro's arguments: parenthesised)
    const a = parsed.args.map((x) => (/[{}]/.test(x) ? `(${x.trim()})` : x));
    let out: string;
    switch (method) {
      case 'lookup': out = `bpf_map_lookup_elem(&${map}, ${a[0]})`; break;
      case 'update': out = `bpf_map_update_elem(&${map}, ${a[0]}, ${a[1]}, BPF_ANY)`; break;
      case 'insert': out = `bpf_map_update_elem(&${map}, ${a[0]}, ${a[1]}, BPF_NOEXIST)`; break;
      case 'delete': out = `bpf_map_delete_elem(&${map}, ${a[0]})`; break;
      case 'increment': case 'atomic_increment': out = `lbc_map_increment(${map}, ${a[0]}, ${a[1] ?? '1'})`; break;
      case 'lookup_or_try_init': case 'lookup_or_init': out = `lbc_lookup_or_try_init(${map}, ${a[0]}, ${a[1]})`; break;
      case 'perf_submit': {
        out = `lbc_perf_submit(${a[0]}, ${map}, ${a[1]}, ${a[2]})`;
        const v = /^&\s*(\w+)$/.exec(a[1] ?? '')?.[1] ?? /^(\w+)$/.exec(a[1] ?? '')?.[1];
        // the declaration nearest before the call: the one of its function (tcpconnect has a `void *data`
        // in another function than the `struct dns_data_t *data` it submits)
        let t = v ? declaredBefore(i, v) : undefined;
        if (t && /^&/.test(a[1]!) === false) t = t.replace(/\s*\*$/, '');
        const info = maps.find((x) => x.name === map)!;
        if (t && !info.event) info.event = t.replace(/\s*\*$/, '');
        break;
      }
      case 'perf_submit_skb': {
        // perf_submit_skb(skb, skb->len, &rec, sizeof(rec)): the packet follows the record
        out = `lbc_perf_submit_skb(${a[0]}, ${a[1]}, ${map}, ${a[2]}, ${a[3]})`;
        const v = /^&\s*(\w+)$/.exec(a[2] ?? '')?.[1];
        const t = v ? declaredBefore(i, v) : undefined;
        const info = maps.find((x) => x.name === map)!;
        if (t && !info.event) info.event = t.replace(/\s*\*$/, '');
        break;
      }
      case 'ringbuf_output': {
        out = `lbc_ringbuf_output(${map}, ${a[0]}, ${a[1]})`;
        // the record type, for user space's table.event(data): what &data points at
        const v = /^&\s*(\w+)$/.exec(a[0] ?? '')?.[1];
        const t = v ? declaredBefore(i, v) : undefined;
        const info = maps.find((x) => x.name === map)!;
        if (t && !info.event) info.event = t.replace(/\s*\*$/, '');
        break;
      }
      case 'ringbuf_reserve': {
        out = `lbc_ringbuf_reserve(${map}, ${a[0]})`;
        // ...or what is reserved: sizeof(struct event_t)
        const t = /^sizeof\s*\(\s*((?:struct\s+)?\w+)\s*\)$/.exec(a[0] ?? '')?.[1];
        const info = maps.find((x) => x.name === map)!;
        if (t && !info.event) info.event = t;
        break;
      }
      case 'ringbuf_submit': out = `bpf_ringbuf_submit(${a[0]}, ${a[1] ?? '0'})`; break;
      case 'ringbuf_discard': out = `bpf_ringbuf_discard(${a[0]}, ${a[1] ?? '0'})`; break;
      case 'get_stackid': out = `bpf_get_stackid(${a[0]}, &${map}, ${a[1] ?? '0'})`; break;
      case 'redirect_map': out = `bpf_redirect_map(&${map}, ${a[0]}, ${a[1] ?? '0'})`; break;
      // map.sock_hash_update(ctx, &key, flags), map.msg_redirect_hash(msg, &key, flags), ...: the helper of
      // that name with the map after the context, as BCC rewrites them
      // prog_array.call(ctx, index): the tail call (it returns only when the slot is empty)
      case 'call': out = `bpf_tail_call(${a[0]}, &${map}, ${a[1]})`; break;
      case 'sock_map_update': case 'sock_hash_update': case 'msg_redirect_map': case 'msg_redirect_hash': case 'sk_redirect_map': case 'sk_redirect_hash':
        out = `bpf_${method}(${a[0]}, &${map}, ${a.slice(1).join(', ')})`;
        break;
      default: out = `${map}.${method}(${a.join(', ')})`;
    }
    report.push({ line, what: `${map}.${method}(...) → ${out.replace(/\(.*$/s, '(...)')}`, converted: true });
    text = text.slice(0, i) + out + keepLines(text.slice(i, parsed.end)) + text.slice(parsed.end);
  }
  for (const mp of maps.filter((x) => x.kind === 'perf')) {
    if (mp.event) text = text.split(`\u0000EVENT${mp.name}\u0000`).join(mp.event);
    else if (!new RegExp(`\\blbc_perf_submit(?:_skb)?\\([^;]*?,\\s*${mp.name}\\s*,`).test(text)) {
      // declared and never written (net_monitor's skb_events): no record to know, the map alone
      text = text.split(`\u0000EVENT${mp.name}\u0000`).join('char');
      report.push({ line: tool.pieces[0]!.line, what: `BPF_PERF_OUTPUT(${mp.name}) is never submitted to → declared, with no record`, converted: true });
    } else {
      fail(tool.pieces[0]!.line, `BPF_PERF_OUTPUT(${mp.name}): no perf_submit() of a variable whose type lcc can see`, 'submit a local struct variable: events.perf_submit(ctx, &data, sizeof(data))');
      text = text.split(`\u0000EVENT${mp.name}\u0000`).join('char');
    }
  }

  // ---- probes ----
  const programs: Program[] = [];
  const tpStructs: string[] = [];
  const attachOf = new Map<string, Attach[]>();
  for (const a of tool.attaches) attachOf.set(a.fn, [...(attachOf.get(a.fn) ?? []), a]);
  // the TRACEPOINT_PROBEs whose record is the kernel's by CO-RE: their bodies read args->f as numbers
  const coreBodies: { fn: string; body: string; length: number }[] = [];
  text = text.replace(/\bTRACEPOINT_PROBE\s*\(\s*(\w+)\s*,\s*(\w+)\s*\)/g, (m, cat: string, ev: string, off: number) => {
    const line = pyLine(off);
    const fn = `tracepoint__${cat}__${ev}`;
    const raw = tracepointBtfType(cat, ev);
    if (raw) {
      programs.push({ name: fn, section: `tracepoint/${cat}/${ev}`, cond: null, attaches: [] });
      report.push({ line, what: `TRACEPOINT_PROBE(${cat}, ${ev}) → SEC("tracepoint/${cat}/${ev}") int ${fn}(struct ${raw} *args) (the kernel's own record type: CO-RE relocates args->field)`, converted: true });
      return `SEC("tracepoint/${cat}/${ev}") int ${fn}(struct ${raw} *args)`;
    }
    const sname = `tp_${cat}_${ev}`;
    const st = tracepointStruct(cat, ev, sname);
    if (typeof st !== 'string') {
      // a tracepoint this kernel lacks (urandomread's random:urandom_read, gone in 5.18): the record by CO-RE,
      // each field the body reads as a number read with the size and sign of the kernel that has it
      const core = st.missing.startsWith('this machine has no tracepoint') ? coreTracepointRecord(text, off + m.length, ev) : null;
      if (!core) {
        fail(line, `TRACEPOINT_PROBE(${cat}, ${ev}): ${st.missing}`, 'convert on a host with the tracepoint (its format defines args), or use a tracepoint that exists');
        return m;
      }
      // its body rewritten once the heads are in place (the body after the head is the same text then)
      coreBodies.push({ fn, body: core.body, length: core.length });
      tpStructs.push(core.decl);
      programs.push({ name: fn, section: `tracepoint/${cat}/${ev}`, cond: null, attaches: [] });
      report.push({ line, what: `TRACEPOINT_PROBE(${cat}, ${ev}), which this machine lacks → SEC("tracepoint/${cat}/${ev}") int ${fn}(struct ${core.name} *args): ${core.fields.map((f) => `args->${f}`).join(', ')} read by CO-RE (BPF_CORE_READ_BITFIELD_PROBED: the kernel's offset, size and sign), from the kernel's trace_event_raw_${ev}; a kernel without it refuses the load`, converted: true });
      return `SEC("tracepoint/${cat}/${ev}") int ${fn}(struct ${core.name} *args)`;
    }
    if (!tpStructs.includes(st)) tpStructs.push(st);
    programs.push({ name: fn, section: `tracepoint/${cat}/${ev}`, cond: null, attaches: [] });
    report.push({ line, what: `TRACEPOINT_PROBE(${cat}, ${ev}) → SEC("tracepoint/${cat}/${ev}") int ${fn}(struct ${sname} *args), args laid out from the tracepoint's format (the kernel's BTF has no record type with its fields; the layout is asserted at build time)`, converted: true });
    return `SEC("tracepoint/${cat}/${ev}") int ${fn}(struct ${sname} *args)`;
  });
  for (const { fn, body, length } of coreBodies) {
    const head = new RegExp(`int ${fn}\\(struct trace_event_raw_\\w+___lcc \\*args\\)`).exec(text)!;
    const at = head.index + head[0].length;
    text = text.slice(0, at) + body + text.slice(at + length);
  }
  text = text.replace(/\bRAW_TRACEPOINT_PROBE\s*\(\s*(\w+)\s*\)/g, (m, ev: string, off: number) => {
    const fn = `raw_tracepoint__${ev}`;
    programs.push({ name: fn, section: `raw_tp/${ev}`, cond: null, attaches: [] });
    report.push({ line: pyLine(off), what: `RAW_TRACEPOINT_PROBE(${ev}) → SEC("raw_tp/${ev}")`, converted: true });
    return `SEC("raw_tp/${ev}") int ${fn}(struct bpf_raw_tracepoint_args *ctx)`;
  });
  text = text.replace(/\b(KFUNC_PROBE|KRETFUNC_PROBE)\s*\(\s*(\w+)\s*(?:,([^)]*))?\)/g, (m, macro: string, fnName: string, rest: string | undefined, off: number) => {
    const ret = macro === 'KRETFUNC_PROBE';
    const fn = `${ret ? 'kretfunc' : 'kfunc'}__${fnName}`;
    const section = `${ret ? 'fexit' : 'fentry'}/${fnName}`;
    programs.push({ name: fn, section, cond: null, attaches: [] });
    report.push({ line: pyLine(off), what: `${macro}(${fnName}) → SEC("${section}") BPF_PROG (needs fentry/fexit: a kernel with BPF trampolines)`, converted: true });
    return `SEC("${section}") int BPF_PROG(${fn}${rest ? `, ${rest.replace(/\s+/g, ' ').trim()}` : ''})${keepLines(m)}`;
  });
  // one function the options attach as different kinds (funcinterval's trace_func_entry: a kprobe, a
  // uprobe or a tracepoint): a copy per kind (NAME_2, ...), after the text on the function's lines, each
  // loaded when an attach call of its kind is made; the tool's attach call on NAME attaches the one loaded
  const family = (k: Attach['kind']): string => (k === 'tracepoint' ? 't' : k === 'usdt' ? 'd' : k.startsWith('k') ? 'k' : k.startsWith('u') ? 'u' : k);
  const kindCopies: { text: string; line: number }[] = [];
  for (const [fn, ats] of [...attachOf]) {
    const fams = [...new Set(ats.map((a) => family(a.kind)))];
    if (fams.length < 2 || !fams.every((f) => ['k', 'u', 't', 'd'].includes(f))) continue;
    const sig = new RegExp(`^[ \\t]*(?:static\\s+)?int\\s+${fn}\\s*\\(\\s*(?:struct\\s+pt_regs|void)\\s*\\*\\s*ctx\\s*\\)`, 'm').exec(text);
    const open = sig ? text.indexOf('{', sig.index + sig[0].length) : -1;
    const body = open >= 0 ? callArgs(text, open) : null;
    // a tracepoint's ctx is its record, a probe's the registers: only a body that reads neither can be both
    if (!sig || !body || (fams.includes('t') && /\bPT_REGS_\w+|\bctx\s*->/.test(text.slice(open, body.end)))) continue;
    const whole = text.slice(sig.index, body.end);
    fams.slice(1).forEach((f, i) => {
      const name = `${fn}_${i + 2}`;
      const head = f === 't' ? `int ${name}(void *ctx)` : `int ${name}(struct pt_regs *ctx)`;
      kindCopies.push({ text: head + whole.slice(sig[0].length), line: pyLine(sig.index) });
      attachOf.set(name, ats.filter((a) => family(a.kind) === f));
    });
    attachOf.set(fn, ats.filter((a) => family(a.kind) === fams[0]));
    if (fams[0] === 't') text = text.slice(0, sig.index) + `int ${fn}(void *ctx)` + text.slice(sig.index + sig[0].length);
    report.push({ line: pyLine(sig.index), what: `${fn} is attached as ${fams.map((f) => ({ k: 'a kprobe', u: 'a uprobe', t: 'a tracepoint', d: 'a USDT probe' })[f]).join(', ')} → a copy per kind (${[fn, ...fams.slice(1).map((_f, i) => `${fn}_${i + 2}`)].join(', ')}), each loaded with its attach call`, converted: true });
  }
  for (const c of kindCopies) appendOnLinesOf(c.text, c.line);
  // b.load_func("name", BPF.XDP): the section of its type, where the function has none
  const LOAD_FUNC_SECTIONS: Record<string, string> = {
    'BPF.KPROBE': 'kprobe', 'BPF.TRACEPOINT': 'tracepoint', 'BPF.RAW_TRACEPOINT': 'raw_tp',
    'BPF.XDP': 'xdp', 'BPF.SCHED_CLS': 'tc', 'BPF.SCHED_ACT': 'action', 'BPF.SOCKET_FILTER': 'socket', 'BPF.PERF_EVENT': 'perf_event',
    'BPF.CGROUP_SKB': 'cgroup_skb/ingress', 'BPF.SK_SKB': 'sk_skb', 'BPF.SK_MSG': 'sk_msg', 'BPF.SOCK_OPS': 'sockops', 'BPF.LWT_IN': 'lwt_in', 'BPF.LWT_OUT': 'lwt_out', 'BPF.LWT_XMIT': 'lwt_xmit',
  };
  for (const lf of tool.loadFuncs) {
    const section = lf.type ? LOAD_FUNC_SECTIONS[lf.type] : undefined;
    const sig = new RegExp(`^([ \\t]*)((?:static\\s+)?(?:inline\\s+)?int\\s+${lf.fn}\\s*\\()`, 'm').exec(text);
    if (!sig || programs.some((p) => p.name === lf.fn) || /SEC\("[^"]*"\)\s*$/.test(text.slice(Math.max(0, sig.index - 40), sig.index))) continue;
    if (!section) {
      fail(lf.line, `load_func("${lf.fn}", ${lf.type ?? 'a type computed at run time'}): lcc convert knows no section for this program type`, 'give the function a SEC() of its program type');
      continue;
    }
    text = text.slice(0, sig.index) + `${sig[1]}SEC("${section}") ${sig[2]!.replace(/^static\s+(inline\s+)?/, '')}` + text.slice(sig.index + sig[0].length);
    programs.push({ name: lf.fn, section, cond: null, attaches: [] });
    report.push({ line: lf.line, what: `load_func("${lf.fn}", ${lf.type}) → SEC("${section}")`, converted: true });
  }
  // a function attached only to tracepoints the options name, reading nothing of its record: SEC("tracepoint")
  text = text.replace(/^[ \t]*(?:static\s+)?int\s+(\w+)\s*\(\s*void\s*\*\s*ctx\s*\)/gm, (m, fn: string, off: number) => {
    const ats = attachOf.get(fn) ?? [];
    if (!ats.length || !ats.every((a) => a.kind === 'tracepoint')) return m;
    programs.push({ name: fn, section: 'tracepoint', cond: anyCond(ats), attaches: ats });
    report.push({ line: pyLine(off), what: `${fn}(void *ctx) → SEC("tracepoint"), attached at run time to the tracepoint the tool names`, converted: true });
    return `SEC("tracepoint") int ${fn}(void *ctx)`;
  });
  // BCC takes `void fn(...)` probes (and `void *ctx`): a program returns int, 0 where the void one fell off or returned
  const voidProbes: string[] = [];
  text = text.replace(/^(?:static\s+)?void(\s+(\w+)\s*\(\s*(?:struct\s+pt_regs|void)\s*\*\s*ctx\b)/gm, (m, rest: string, fn: string) => {
    const named = /^k(ret)?probe__/.test(fn) || attachOf.has(fn);
    if (!named) return m;
    voidProbes.push(fn);
    return `int${rest}`;
  });
  for (const fn of voidProbes) {
    const sig = new RegExp(`^int\\s+${fn}\\s*\\(`, 'm').exec(text);
    const open = sig ? text.indexOf('{', text.indexOf(')', sig.index)) : -1;
    const body = open >= 0 ? callArgs(text, open) : null;
    if (!body) continue;
    // on the closing brace's line: lines stay the Python's
    const src = text.slice(open, body.end).replace(/\breturn\s*;/g, 'return 0;').replace(/\}$/, 'return 0; }');
    text = text.slice(0, open) + src + text.slice(body.end);
  }
  text = text.replace(/^(int\s+(\w+)\s*\(\s*)void\s*\*\s*ctx\b/gm, (m, head: string, fn: string) => {
    const kinds = (attachOf.get(fn) ?? []).map((a) => a.kind);
    const probe = /^k(ret)?probe__/.test(fn) || (kinds.length && kinds.every((k) => /^[ku](ret)?probe$/.test(k)));
    return probe ? `${head}struct pt_regs *ctx` : m;
  });
  // functions whose first parameter is struct pt_regs *ctx: kprobes (by name or by attach call) and uprobes
  text = text.replace(/^[ \t]*(?:static\s+)?int\s+(\w+)\s*\(\s*struct\s+pt_regs\s*\*\s*ctx\s*(,[^)]*)?\)/gm, (m, fn: string, rest: string | undefined, off: number) => {
    const line = pyLine(off);
    const params = (rest ?? '').replace(/^,/, '').replace(/\b__user\b/g, '').replace(/\s+/g, ' ').trim();
    const ats = attachOf.get(fn) ?? [];
    const at = ats[0];
    let kind: string;
    let target: string | null;
    if (/^kprobe__/.test(fn)) [kind, target] = ['kprobe', fn.slice(8)];
    else if (/^kretprobe__/.test(fn)) [kind, target] = ['kretprobe', fn.slice(11)];
    else if (at) [kind, target] = [at.kind, at.syscall ?? at.target];
    else {
      report.push({ line, what: `int ${fn}(struct pt_regs *ctx, ...) is never attached`, action: 'left as a helper function', converted: true });
      return m;
    }
    if (ats.some((a) => a.kind !== kind)) {
      fail(line, `${fn} is attached as ${[...new Set(ats.map((a) => a.kind))].join(' and ')}: one program cannot be both`, 'split it into one function per kind of probe');
      return m;
    }
    // a syscall by name (get_syscall_fnname): libbpf's ksyscall finds its kernel function and reads its arguments
    const syscalls = ats.filter((a) => a.syscall).length;
    if (syscalls && syscalls !== ats.length) {
      fail(line, `${fn} is attached to syscalls and to kernel functions`, 'split it into a function for the syscalls and one for the others');
      return m;
    }
    if (syscalls) kind = kind === 'kprobe' ? 'ksyscall' : 'kretsyscall';
    const fixed = target && ats.length <= 1 && !at?.regex && /^k(ret)?(probe|syscall)$/.test(kind);
    const section = fixed ? `${kind}/${target}` : kind;
    const macro = kind === 'kretprobe' || kind === 'uretprobe' || kind === 'kretsyscall' ? 'BPF_KRETPROBE' : kind === 'ksyscall' ? 'BPF_KSYSCALL' : 'BPF_KPROBE';
    // loaded when any of its attach calls is made: unconditionally if one of them is
    programs.push({ name: fn, section, cond: anyCond(ats), attaches: fixed ? [] : ats });
    report.push({ line, what: `${fn}(struct pt_regs *ctx${params ? ', ...' : ''}) → SEC("${section}") ${macro}(${fn}${params ? ', ...' : ''})${fixed || !ats.length ? '' : `, attached at run time to ${ats.length} target${ats.length > 1 ? 's' : ''}`}${kind.startsWith('k') ? '; kprobes are unavailable where CONFIG_KPROBES is off' : ''}`, converted: true });
    return `SEC("${section}") int ${macro}(${fn}${macro !== 'BPF_KRETPROBE' && params ? `, ${params}` : ''})${keepLines(m)}`;
  });
  // BCC's PT_REGS_PARMn(ctx) / PT_REGS_RC(ctx) in a kprobe body → the BPF_KPROBE/BPF_KRETPROBE arguments
  for (const p of programs) {
    const sig = new RegExp(`int (BPF_KPROBE|BPF_KSYSCALL|BPF_KRETPROBE)\\(${p.name}((?:, [^)]*)?)\\)`).exec(text);
    if (!sig) continue;
    const open = text.indexOf('{', sig.index + sig[0].length);
    const body = open >= 0 ? callArgs(text, open) : null;
    if (!body) continue;
    let src = text.slice(open, body.end);
    const macro = sig[1]!;
    const params = sig[2] ? sig[2].slice(2).split(',').map((x) => x.trim()).filter(Boolean) : [];
    const line = pyLine(sig.index);
    let head = sig[0];
    if (macro !== 'BPF_KRETPROBE') {
      const uses = [...src.matchAll(/\bPT_REGS_PARM(\d)\s*\(\s*ctx\s*\)/g)].map((u) => Number(u[1]));
      if (!uses.length) continue;
      const need = Math.max(...uses);
      for (let i = params.length + 1; i <= need; i++) params.push(`unsigned long arg${i}`);
      const names = params.map((d) => /(\w+)\s*(\[\d*\])?$/.exec(d)![1]!);
      src = src.replace(/\bPT_REGS_PARM(\d)\s*\(\s*ctx\s*\)/g, (_m, n: string) => names[Number(n) - 1]!);
      head = `int ${macro}(${p.name}, ${params.join(', ')})`;
      report.push({ line, what: `PT_REGS_PARM${[...new Set(uses)].sort().join('/')}(ctx) in ${p.name} → its ${macro} arguments`, converted: true });
    } else {
      if (!/\bPT_REGS_RC\s*\(\s*ctx\s*\)/.test(src)) continue;
      // a name of our own: the body often declares `ret` itself (long ret = PT_REGS_RC(ctx);)
      src = src.replace(/\bPT_REGS_RC\s*\(\s*ctx\s*\)/g, 'lcc_ret');
      head = `int BPF_KRETPROBE(${p.name}, long lcc_ret)`;
      report.push({ line, what: `PT_REGS_RC(ctx) in ${p.name} → BPF_KRETPROBE(${p.name}, long lcc_ret)`, converted: true });
    }
    text = text.slice(0, sig.index) + head + text.slice(sig.index + sig[0].length, open) + src + text.slice(body.end);
  }
  // A tracepoint record's field read more than once: clang may compute its CO-RE relocated address
  // once and load through it, and the verifier refuses a load through a moved ctx pointer. Read each
  // such scalar field once, first thing, as libbpf-tools do.
  for (const m of [...text.matchAll(/SEC\("tracepoint\/[^"]+"\) int (\w+)\(struct (trace_event_raw_\w+) \*args\)/g)]) {
    const type = vmlinuxBtf()?.find(m[2]!, BtfKind.Struct)[0];
    const open = text.indexOf('{', m.index! + m[0].length);
    const body = open >= 0 ? callArgs(text, open) : null;
    if (!type || !body) continue;
    let src = text.slice(open, body.end);
    const reads = new Map<string, number>();
    for (const r of src.matchAll(/(?<![&\w])args->(\w+)\b(?!\s*(\[|=[^=]|\+\+|--))/g)) reads.set(r[1]!, (reads.get(r[1]!) ?? 0) + 1);
    const hoisted = [...reads].filter(([f, n]) => {
      const member = (type.members ?? []).find((x) => x.name === f);
      const kind = member ? vmlinuxBtf()!.resolve(member.type).kind : null;
      return n > 1 && (kind === BtfKind.Int || kind === BtfKind.Enum || kind === BtfKind.Ptr);
    }).map(([f]) => f);
    if (!hoisted.length) continue;
    src = src.replace(/(?<![&\w])args->(\w+)\b(?!\s*(\[|=[^=]|\+\+|--))/g, (a, f: string) => (hoisted.includes(f) ? `lcc_args_${f}` : a));
    // on the brace's line: lines stay the Python's
    src = `{ ${hoisted.map((f) => `__typeof__(args->${f}) lcc_args_${f} = args->${f};`).join(' ')}${src.slice(1)}`;
    text = text.slice(0, open) + src + text.slice(body.end);
    report.push({ line: pyLine(open), what: `${m[1]}: args->${hoisted.join(', args->')} read once into locals (the verifier refuses a load through a relocated ctx pointer, which clang makes of repeated reads)`, converted: true });
  }
  // attach_perf_event targets: int fn(struct bpf_perf_event_data *ctx), or int fn() (runqlen's reads no context)
  text = text.replace(/^(?:static\s+)?int\s+(\w+)\s*\(\s*(?:struct\s+bpf_perf_event_data\s*\*\s*(\w+)|void)?\s*\)/gm, (m, fn: string, arg: string | undefined, off: number) => {
    const at = attachOf.get(fn)?.[0];
    if (at?.kind !== 'perf_event') return m;
    programs.push({ name: fn, section: 'perf_event', cond: at.cond, attaches: [at] });
    report.push({ line: pyLine(off), what: `${fn}(${arg ? 'struct bpf_perf_event_data *' : ''}) → SEC("perf_event"), attached per CPU at run time`, converted: true });
    return `SEC("perf_event") int ${fn}(struct bpf_perf_event_data *${arg ?? 'ctx'})`;
  });
  // tracepoint functions attached from Python: int fn(struct tracepoint__cat__ev *args)
  text = text.replace(/^(?:static\s+)?int\s+(\w+)\s*\(\s*struct\s+tracepoint__(\w+?)__(\w+)\s*\*\s*(\w+)\s*\)/gm, (m, fn: string, cat: string, ev: string, arg: string, off: number) => {
    const sname = `tp_${cat}_${ev}`;
    const st = tracepointStruct(cat, ev, sname);
    if (typeof st !== 'string') {
      fail(pyLine(off), `${fn}: ${st.missing}`, 'convert on a host with the tracepoint');
      return m;
    }
    if (!tpStructs.includes(st)) tpStructs.push(st);
    const at = attachOf.get(fn)?.[0];
    programs.push({ name: fn, section: `tracepoint/${cat}/${ev}`, cond: at?.cond ?? null, attaches: [] });
    report.push({ line: pyLine(off), what: `${fn}(struct tracepoint__${cat}__${ev} *) → SEC("tracepoint/${cat}/${ev}")`, converted: true });
    return `SEC("tracepoint/${cat}/${ev}") int ${fn}(struct ${sname} *${arg})${keepLines(m)}`;
  });
  // int fn(struct own_args *args) attached by attach_tracepoint (urandomread-explicit): the record as the
  // tool lays it out, as BCC reads it
  text = text.replace(/^(?:static\s+)?int\s+(\w+)\s*\(\s*struct\s+(\w+)\s*\*\s*(\w+)\s*\)/gm, (m, fn: string, sname: string, arg: string, off: number) => {
    const ats = (attachOf.get(fn) ?? []).filter((a) => a.kind === 'tracepoint' && a.target);
    const targets = [...new Set(ats.map((a) => a.target!.replace(':', '/')))];
    if (!ats.length || targets.length !== 1 || sname.startsWith('tracepoint__') || !structs.includes(sname)) return m;
    programs.push({ name: fn, section: `tracepoint/${targets[0]}`, cond: anyCond(ats), attaches: [] });
    report.push({ line: pyLine(off), what: `${fn}(struct ${sname} *) → SEC("tracepoint/${targets[0]}"), the record as the tool lays it out`, converted: true });
    return `SEC("tracepoint/${targets[0]}") int ${fn}(struct ${sname} *${arg})${keepLines(m)}`;
  });
  // int fn(struct bpf_raw_tracepoint_args *ctx) attached by attach_raw_tracepoint(tp="ev", fn_name="fn")
  text = text.replace(/^[ \t]*(?:static\s+)?int\s+(\w+)\s*\(\s*struct\s+bpf_raw_tracepoint_args\s*\*\s*(\w+)\s*\)/gm, (m, fn: string, arg: string, off: number) => {
    const ats = (attachOf.get(fn) ?? []).filter((a) => a.kind === 'raw_tracepoint' && a.target);
    const targets = [...new Set(ats.map((a) => a.target))];
    if (!ats.length || targets.length !== 1) return m;
    programs.push({ name: fn, section: `raw_tp/${targets[0]}`, cond: anyCond(ats), attaches: [] });
    report.push({ line: pyLine(off), what: `${fn}(struct bpf_raw_tracepoint_args *) → SEC("raw_tp/${targets[0]}")`, converted: true });
    return `SEC("raw_tp/${targets[0]}") int ${fn}(struct bpf_raw_tracepoint_args *${arg})${keepLines(m)}`;
  });
  for (const a of tool.attaches) {
    if (!programs.some((p) => p.name === a.fn)) {
      if (a.kind === 'tracepoint' && a.target) {
        fail(a.line, `attach_tracepoint(tp="${a.target}", fn_name="${a.fn}"): ${a.fn} is not a function taking struct tracepoint__... *args`, 'declare it as BCC does: int fn(struct tracepoint__cat__ev *args)');
      } else if (!text.includes(a.fn)) fail(a.line, `attach to ${a.fn}: no such function in the BPF text`, 'check fn_name');
    }
  }
  // the same program in two pieces the Python chooses between (softirqs' count and time texts): each
  // definition its own name, so that each loads with its own piece's condition
  const seenNames = new Map<string, number>();
  for (const p of programs) {
    const k = seenNames.get(p.name) ?? 0;
    seenNames.set(p.name, k + 1);
    if (!k) continue;
    const re = new RegExp(`(SEC\\("[^"]*"\\)\\s+int\\s+(?:BPF_\\w+\\()?)${p.name}\\b`, 'g');
    let n = 0;
    // the second definition still under the first name (each renamed one drops out of the count)
    text = text.replace(re, (m, head: string) => (n++ === 1 ? `${head}${p.name}_${k + 1}` : m));
    report.push({ line: pyLine(Math.max(text.indexOf(`${p.name}_${k + 1}`), 0)), what: `${p.name}, defined again in another piece of the text → ${p.name}_${k + 1}, loaded with its piece`, converted: true });
    p.name = `${p.name}_${k + 1}`;
  }
  // programs in a file-scope #ifdef block load only when its macro is defined
  for (const p of programs) {
    const idx = lineIdxAt(text, Math.max(text.search(new RegExp(`\\b${p.name}\\b`)), 0));
    // (each block around it: ttysnoop's head chosen by the kernel's kfunc support, inside an #else)
    for (const block of alwaysBlocks.filter((b) => b.from < idx && idx < b.to)) p.cond = p.cond && p.cond !== block.py ? `(${p.cond}) and (${block.py})` : block.py;
  }
  // programs appended under a condition load only when it holds
  for (const p of programs) {
    const at = text.search(new RegExp(`\\b${p.name}\\b`));
    // with src_file, piece 0 is the file and the string pieces follow
    const piece = tool.pieces[pieceAt(Math.max(at, 0)) - (tool.srcFile ? 1 : 0)];
    if (!p.cond && piece?.cond) p.cond = piece.cond;
  }

  // BCC puts a string literal a pointer is set to on the stack; clang puts it in .rodata, whose map
  // value ends with the literal, so copying a fixed-size name out of it reads past its end
  text = text.replace(/\b(?:const\s+)?char\s*\*\s*(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*;/g, (m, v: string, lit: string, off: number) => {
    const fnStart = text.lastIndexOf('SEC("', off);
    const fnEnd = text.indexOf('\n}', off);
    const body = text.slice(fnStart < 0 ? 0 : fnStart, fnEnd < 0 ? text.length : fnEnd);
    if ((body.match(new RegExp(`\\b${v}\\s*=[^=]`, 'g')) ?? []).length !== 1 || lit.length >= 64) return m;
    report.push({ line: pyLine(off), what: `char *${v} = "${lit}" → char ${v}[64] on the stack (copies of a fixed size stay inside it, as in BCC)`, converted: true });
    return `char ${v}[64] = "${lit}";`;
  });

  // ---- helpers and memory access ----
  // bpf_probe_read of user memory: a pointer declared __user, or a pointer argument of a syscall tracepoint
  text = text.replace(/\bbpf_probe_read(_str)?\s*\(/g, (m, str: string | undefined, off: number) => {
    const call = callArgs(text, off + m.length - 1);
    const src = call?.args[2]?.trim() ?? '';
    const sec = sectionAt(text, off);
    const root = /^\(?\s*(?:\([^)]*\)\s*)?&?\s*(\w+)/.exec(src)?.[1] ?? '';
    // a syscall program's pointer parameters are the syscall's: user memory
    const sysParams = /^ksyscall\b/.test(sec) ? [...text.slice(0, off).matchAll(/BPF_KSYSCALL\(\w+((?:,[^,)]*)*)\)/g)].pop()?.[1] ?? '' : '';
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
    const hit = m.exec(text);
    if (!hit) break;
    const off = hit.index;
    from = off + hit[0].length;
    const call = callArgs(text, from - 1);
    const sec = sectionAt(text, off);
    if (!call || call.args.length !== 3 || !sec.startsWith('tracepoint/') || !/^\(?\s*&?\s*args->/.test(call.args[1]!)) continue;
    report.push({ line: pyLine(off), what: `memcpy out of the tracepoint record (${call.args[1]}) → bpf_probe_read_kernel() (the verifier refuses reads through a relocated ctx pointer)`, converted: true });
    const read = `bpf_probe_read_kernel(${call.args[0]}, ${call.args[2]}, ${call.args[1]})${keepLines(text.slice(off, call.end))}`;
    text = text.slice(0, off) + read + text.slice(call.end);
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
    text = text.replace(re, (m, off: number) => {
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
  const packet = packetCursor(text);
  text = packet.text;
  for (const n of packet.notes) {
    if (n.converted) report.push({ line: pyLine(n.off), what: n.what, converted: true });
    else fail(pyLine(n.off), n.what, n.action ?? 'convert by hand');
  }
  const rewrites = packetOnly ? { edits: [], skipped: [] } : corePointerChains(text, new Set([...structs, 'pt_regs', 'bpf_raw_tracepoint_args', 'bpf_perf_event_data']), vmlinuxBtf(), headerParts.join('\n'), views);
  for (const r of rewrites.skipped) report.push({ line: pyLine(r), what: 'a write through a kernel pointer (x->f = ...): left as written', action: 'BPF programs cannot write kernel memory this way; rework the logic', converted: false });
  for (const f of 'flavors' in rewrites ? rewrites.flavors : []) {
    flavors.push(f);
    report.push({ line: 0, what: `a member this kernel renamed (${/\t(.*);/.exec(f)![1]}, now with leading underscores) → read by either name with bpf_core_field_exists(): one object for kernels before and after`, converted: true });
  }
  if (rewrites.edits.length) {
    report.push({ line: pyLine(rewrites.edits[0]!.start), what: `${rewrites.edits.length} kernel pointer chain${rewrites.edits.length > 1 ? 's' : ''} (a->b->c) → BPF_CORE_READ(a, b, c)`, converted: true });
    for (const e of [...rewrites.edits].sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  }

  // values formatted several to a string (memleak's "size < %d || size > %d" % (min_size, max_size)):
  // a setting each, wherever the replacements put them
  text = text.replace(/\u0000LCCARG(\d+)\u0000/g, (_m, k: string) => {
    const arg = tool.formatArgs[Number(k)]!;
    const g = settingName(arg);
    globals.set(g, { name: g, ctype: '__s64', arg, kind: 'value' });
    return g;
  });
  // C per choice an option's list may hold (nflatency's NFPROTO_%s), each under its bit of a mask set
  // before load. A choice naming a constant this kernel does not have (NFPROTO_DECNET, gone since 6.1) is
  // C BCC's compile refuses against its headers, where the list holds it: BPF() refuses it
  const maskC = new Map<number, string>();
  text = text.replace(/\u0000LCCMASK(\d+)\u0000/g, (_m, k: string) => {
    if (maskC.has(Number(k))) return maskC.get(Number(k))!;
    const m = tool.masks[Number(k)]!;
    const opt = tool.options.find((o) => `args.${o.dest}` === m.list);
    globals.set(m.name, { name: m.name, ctype: '__s64', arg: m.arg, kind: 'value' });
    const btf = vmlinuxBtf();
    const terms: string[] = [];
    const gone: string[] = [];
    // the name the choice completes: the word around the template's place
    const place = /%[sdiu]|%l[du]/.exec(m.template)!;
    const [pre, post] = [/\w*$/.exec(m.template.slice(0, place.index))![0], /^\w*/.exec(m.template.slice(place.index + place[0].length))![0]];
    for (const [i, c] of m.choices.entries()) {
      const code = m.template.replace(place[0], c);
      const word = pre + c + post;
      const known = !btf || btf.enumerator(word) !== undefined || word in KERNEL_MACROS || new RegExp(`^\\s*#\\s*define\\s+${word}\\b`, 'm').test(text);
      if (!known) {
        gone.push(c);
        refusals.push({ cond: `${JSON.stringify(c)} in (${m.list} or [])`, why: `${opt?.flags.join('/') ?? m.list} ${c}: this kernel has no ${word} (BCC's compile against its headers fails the same way)`, line: m.line });
        continue;
      }
      terms.push(m.op === '||' ? `((${m.name} >> ${i}) & 1 && (${code}))` : `(!((${m.name} >> ${i}) & 1) || (${code}))`);
    }
    report.push({ line: m.line, what: `"${m.op === '||' ? ' || ' : ' && '}".join(...) of ${m.template} over ${m.list}, each one of its choices → the C per choice, each under its bit of ${m.name} set before load${gone.length ? `; ${gone.join(', ')} refused at BPF() (this kernel lacks the constant)` : ''}`, converted: true });
    maskC.set(Number(k), terms.length ? `(${terms.join(` ${m.op} `)})` : m.op === '||' ? '0' : '1');
    return maskC.get(Number(k))!;
  });
  // C repeated over lists (tcpsubnet's template per subnet): each token's values a list set before load
  text = text.replace(/\u0000LCCLIST(N?)(\d+)\u0000/g, (_m, count: string, k: string) => {
    const { name, arg } = tool.listArgs[Number(k)]!;
    listSetting(name, arg);
    return count ? `(${name}_n < ${LIST_MAX} ? ${name}_n : ${LIST_MAX})` : `${name}[__lcc_e]`;
  });
  // ---- globals for the settings ----
  const globalDecls = [...globals.values()].map((g) => (g.kind === 'list'
    ? `const volatile __s64 ${g.name}[${LIST_MAX}] = {};\nconst volatile __s64 ${g.name}_n = 0;`
    : g.kind === 'string' ? `const volatile char ${g.name}[${STR_MAX}] = {};`
    : `const volatile ${g.ctype} ${g.name} = ${g.ctype === 'bool' ? 'false' : '0'};`));
  const cflagDefs = tool.cflags.map((f) => {
    const d = /^-D(\w+)(?:=(.*))?$/.exec(f);
    // a warning flag only changes what clang says: the same, said in the file
    const w = /^-W(no-)?([\w-]+)$/.exec(f);
    if (f === '-w') return '#pragma clang diagnostic ignored "-Weverything"';
    if (w) return `#pragma clang diagnostic ${w[1] ? 'ignored' : 'warning'} "-W${w[2]}"`;
    if (!d) {
      report.push({ line: 0, what: `cflag ${f} dropped`, action: 'lcc build takes -D only', converted: false });
      return '';
    }
    return `#define ${d[1]} ${d[2] ?? '1'}`;
  }).filter(Boolean);
  if (cflagDefs.length) report.push({ line: 0, what: `cflags ${tool.cflags.join(' ')} → #define and #pragma clang diagnostic lines`, converted: true });

  // a program left inside a preprocessor block lcc did not choose may not be in the object at all
  const open: string[] = [];
  for (const l of text.split('\n')) {
    const d = /^\s*#\s*(if|ifdef|ifndef|endif)\b(.*)$/.exec(l);
    if (d?.[1] === 'endif') open.pop();
    else if (d) open.push(`#${d[1]}${d[2]}`.trim());
    const sec = /SEC\("[^"]+"\)\s*int\s+(?:BPF_\w+\()?(\w+)/.exec(l);
    const p = sec && open.length ? programs.find((x) => x.name === sec[1]) : undefined;
    if (p) {
      p.underDirective = open[open.length - 1];
      fail(pyLine(text.indexOf(l)), `${p.name} is compiled only under ${p.underDirective}, a macro lcc does not see defined`, 'define the macro as the original does (a #define lcc can follow), or remove the #if');
    }
  }
  // BCC compiles against kernel headers; vmlinux.h has their types but not their macros: the ones used
  const compat = Object.entries(KERNEL_MACROS).filter(([m]) => new RegExp(`\\b${m}\\b`).test(`${text}\n${headerParts.join('\n')}\n${headerDefs.join('\n')}`));
  const members = Object.entries(MEMBER_MACROS).filter(([m]) => new RegExp(`((->|\\.)\\s*|BPF_CORE_READ\\([^;]*,\\s*)${m}\\b`).test(text));
  if (compat.length || members.length) report.push({ line: 0, what: `kernel header macros vmlinux.h lacks, defined: ${[...compat, ...members].map(([m]) => m).join(', ')}`, converted: true });
  // bcc.containers.filter_by_containers(): --cgroupmap/--mntnsmap name maps the user pinned; the .ts reuses them
  const containers = tool.containers ? [
    '/* BCC\'s filter_by_containers(): the cgroups (--cgroupmap) or mount namespaces (--mntnsmap) in maps a',
    ' * user pinned; user space reuses those maps before load and switches the checks on */',
    'const volatile bool lcc_filter_cgroup = false;',
    'const volatile bool lcc_filter_mntns = false;',
    'LBC_HASH(cgroupset, u64, u64, 1);',
    'LBC_HASH(mount_ns_set, u64, u32, 1);',
    'static __always_inline int container_should_be_filtered(void)',
    '{',
    '\tif (lcc_filter_cgroup) {',
    '\t\tu64 cgroupid = bpf_get_current_cgroup_id();',
    '\t\tif (!bpf_map_lookup_elem(&cgroupset, &cgroupid))',
    '\t\t\treturn 1;',
    '\t}',
    '\tif (lcc_filter_mntns) {',
    '\t\tstruct task_struct *task = (struct task_struct *)bpf_get_current_task();',
    '\t\tu64 ns_id = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);',
    '\t\tif (!bpf_map_lookup_elem(&mount_ns_set, &ns_id))',
    '\t\t\treturn 1;',
    '\t}',
    '\treturn 0;',
    '}',
    '',
  ] : [];
  if (tool.containers) {
    report.push({ line: tool.containers.line, what: 'filter_by_containers(args) → container_should_be_filtered() on maps pinned by the user (--cgroupmap, --mntnsmap), reused before load', converted: true });
    maps.push({ name: 'cgroupset', macro: 'LBC_HASH', key: 'u64', value: 'u64', kind: 'hash' }, { name: 'mount_ns_set', macro: 'LBC_HASH', key: 'u64', value: 'u32', kind: 'hash' });
  }
  const usdt = /\bbpf_usdt_readarg(?:_p)?\s*\(/.test(text);
  if (usdt) report.push({ line: tool.bpfLine, what: "bpf_usdt_readarg(n, ctx, &v) → libbpf's bpf_usdt_arg(ctx, n - 1, ...) (usdt.bpf.h: libbpf reads each probe's argument specs when it attaches)", converted: true });
  const head = [
    `// Converted from ${path.basename(tool.file)} by lcc convert: CO-RE C on lbc.h. See CONVERSION.md.`,
    ...errors.map((e) => `#error "lcc convert could not convert ${e.replace(/"/g, "'")}: see CONVERSION.md"`),
    ...cflagDefs,
    ...staticDefs,
    '#include "lbc.h"',
    ...(usdt ? [
      '#include <bpf/usdt.bpf.h>',
      "/* BCC's USDT argument reads (1-based) on libbpf's bpf_usdt_arg() (0-based) */",
      '#define bpf_usdt_readarg(n, ctx, addr) ({ long __lcc_v = 0; int __lcc_r = bpf_usdt_arg(ctx, (n) - 1, &__lcc_v); *(addr) = (typeof(*(addr)))__lcc_v; __lcc_r; })',
      '#define bpf_usdt_readarg_p(n, ctx, buf, len) ({ long __lcc_v = 0; int __lcc_r = bpf_usdt_arg(ctx, (n) - 1, &__lcc_v); if (!__lcc_r) __lcc_r = bpf_probe_read_user(buf, len, (void *)__lcc_v); __lcc_r; })',
    ] : []),
    ...(compat.length ? ['/* kernel header macros the tool uses (vmlinux.h has no macros) */', ...compat.map(([m, v]) => `#ifndef ${m}\n#define ${m}${v}\n#endif`)] : []),
    `#include "${name}.h"`,
    ...packet.preamble,
    ...(members.length ? ['/* struct sock / inet_sock member names that are macros in the kernel\'s headers */', ...members.map(([m, v]) => `#define ${m} ${v}`)] : []),
    '',
    ...(flavors.length ? ['/* older kernels\' layouts, for bpf_core_field_exists() */', ...flavors, ''] : []),
    ...(globalDecls.length ? ['/* settings from the command line, set before load */', ...globalDecls, ''] : []),
    ...containers,
  ];
  const hasLicense = /SEC\("license"\)/.test(text);
  const bpfC = `${head.join('\n')}${text.replace(/^\n+/, '').replace(/\n{3,}/g, '\n\n').trimEnd()}\n${hasLicense ? '' : '\nchar LICENSE[] SEC("license") = "GPL";\n'}`;
  const guard = `__${name.toUpperCase().replace(/\W/g, '_')}_H`;
  const header = [
    `// Types shared by ${name}.bpf.c and its user space; converted from ${path.basename(tool.file)} by lcc convert.`,
    `#ifndef ${guard}`, `#define ${guard}`, '', ...(headerDefs.length ? [...headerDefs, ''] : []), ...headerParts.flatMap((h) => [h, '']), ...tpStructs.flatMap((t) => [t, '']), `#endif /* ${guard} */`, '',
  ].join('\n');
  return { bpfC, header, programs, maps, globals: [...globals.values()], structs, resizes, variants, refusals, kernelVersions, report };
}


/** A member by name, looking into anonymous structs and unions as C does. */

/** A token of the Python's replace() in C: whole, where its ends are word characters (`##QUEUE##` has none) */
function tokenRe(token: string, flags = ''): RegExp {
  const quoted = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${/^\w/.test(token) ? '\\b' : ''}${quoted}${/\w$/.test(token) ? '\\b' : ''}`, flags);
}

/**
 * What braces each offset of C sits in: none (file scope), a function's body, or a type's (a struct, a
 * typedef, an initializer): the outermost brace decides, a function's when `)` comes before it
 */
function braceKinds(text: string): (off: number) => 'file' | 'function' | 'type' {
  const blank = text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, (m) => m.replace(/[^\n]/g, ' '));
  const kind: ('file' | 'function' | 'type')[] = [];
  let depth = 0;
  let outer: 'function' | 'type' = 'type';
  for (let i = 0; i < blank.length; i++) {
    const ch = blank[i];
    if (ch === '{') {
      if (depth++ === 0) outer = /\)\s*$/.test(blank.slice(Math.max(0, i - 200), i)) ? 'function' : 'type';
    } else if (ch === '}') depth = Math.max(0, depth - 1);
    kind.push(depth ? outer : 'file');
  }
  return (off) => kind[off] ?? 'file';
}

/**
 * C on one line, where a token stood: its line comments made block comments first (opensnoop's full-path
 * code has `{ // relative path`, which would swallow the rest of the line)
 */
function oneLine(code: string): string {
  // (a string literal's // is not a comment)
  return code.replace(/"(?:\\.|[^"\\\n])*"|\/\/([^\n]*)/g, (m, c: string | undefined) => (c === undefined ? m : `/*${c.replace(/\*\//g, '* /')} */`)).replace(/\n/g, ' ');
}

/**
 * The declarations at the top level of each alternative that `usedAfter` says C after the choice reads
 * (what hoistDeclarations does for the halves of an #ifdef, for the code a replace() chooses):
 * each declared once before the choice and zeroed, as `= {}` and `= {0}` zero it, its initialiser an assignment
 * where it was. Null when
 * there are none, or two alternatives declare one name with two types.
 */
function hoistChoiceDeclarations(codes: string[], usedAfter: (name: string) => boolean): { decls: string[]; codes: string[] } | null {
  const decls = new Map<string, string>();
  const out = codes.map((code) => {
    let depth = 0;
    let last = 0;
    // one declarator, maybe a pointer, maybe initialised; or several without initialisers (funclatency's
    // `u64 ip, start_ts;`), each hoisted or left where it was
    const re = /((?:const\s+)?(?:struct\s+\w+|unsigned\s+\w+|\w+))\s+(?:(\*\s*)?(\w+)\s*(?:=\s*([^;]*))?|((?:\*\s*)?\w+(?:\s*,\s*(?:\*\s*)?\w+)+))\s*;/g;
    for (let m = re.exec(code); m; m = re.exec(code)) {
      for (const ch of code.slice(last, m.index)) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
      last = m.index;
      const [whole, type, star, one, init, list] = m as unknown as [string, string, string | undefined, string | undefined, string | undefined, string | undefined];
      const before = code.slice(0, m.index).trimEnd();
      // a declaration starts a statement, at the alternative's own level
      if (depth !== 0 || (before && !/[;{}]$/.test(before)) || /^(return|else|goto|case|do|if|while|for|sizeof)$/.test(type)) continue;
      const declarators = (list ?? `${star ?? ''}${one}`).split(',').map((d) => ({ ptr: d.includes('*'), name: d.replace('*', '').trim() }));
      const hoisted = declarators.filter((d) => usedAfter(d.name));
      if (!hoisted.length) continue;
      for (const d of hoisted) {
        const t = d.ptr ? `${type} *` : type;
        if (decls.has(d.name) && decls.get(d.name) !== t) return null;
        decls.set(d.name, t);
      }
      const kept = declarators.filter((d) => !hoisted.includes(d));
      const assign = list !== undefined
        ? (kept.length ? `${type} ${kept.map((d) => `${d.ptr ? '*' : ''}${d.name}`).join(', ')};` : '')
        : init === undefined || /^\{\s*(?:0\s*,?\s*)?\}$/.test(init.trim()) ? '' : `${one} = ${init.trim()};`;
      code = `${code.slice(0, m.index)}${assign}${code.slice(m.index + whole.length)}`;
      re.lastIndex = m.index + assign.length;
      last = m.index;
    }
    return code;
  });
  if (out.some((c) => c === null) || !decls.size) return null;
  return { decls: [...decls].map(([name, type]) => `${type}${type.endsWith('*') ? '' : ' '}${name}; __builtin_memset(&${name}, 0, sizeof(${name}));`), codes: out as string[] };
}
