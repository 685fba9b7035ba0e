// What lcc convert reads of the kernel it runs on: its BTF (what CO-RE relocates against), its tracepoint
// formats (tracefs), and the header macros BCC tools use that vmlinux.h (types only) does not carry.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Btf, BtfKind } from '../../../lbc/src/pure.js';

/** Kernel macros BCC tools use, which vmlinux.h (types only) does not carry: what follows the name. */
export const KERNEL_MACROS: Record<string, string> = {
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
  // the perf counter of the CPU a program runs on (BCC's, for map.perf_read())
  CUR_CPU_IDENTIFIER: ' BPF_F_CURRENT_CPU',
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

function sizedInt(size: number, signed: boolean): string | null {
  const bits = { 1: 8, 2: 16, 4: 32, 8: 64 }[size];
  return bits ? `__${signed ? 's' : 'u'}${bits}` : null;
}

let kernelBtf: Btf | null | undefined;
/** This host's kernel BTF (what CO-RE will relocate against), or null without one. */
export function vmlinuxBtf(): Btf | null {
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
