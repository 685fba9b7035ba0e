// Kernel stack addresses → "function+0xoffset" from /proc/kallsyms, loaded
// once and searched by bisection.
import * as fs from 'node:fs';

interface Sym {
  addr: bigint;
  name: string;
  module?: string;
}

let table: Sym[] | null = null;
let kallsyms: string | null = null;
let byName: Map<string, bigint> | null = null;

/** /proc/kallsyms, read once */
const kallsymsText = (): string => (kallsyms ??= fs.readFileSync('/proc/kallsyms', 'utf8'));

/** Every kernel symbol's address by name, data as well as text (BCC's ksymname), the first of a name */
function names(): Map<string, bigint> {
  if (!byName) {
    byName = new Map();
    for (const line of kallsymsText().split('\n')) {
      const [addr, , name] = line.split(' ');
      if (name && !byName.has(name)) byName.set(name, BigInt(`0x${addr}`));
    }
  }
  return byName;
}
/** The address of a kernel symbol, or null */
export const ksymAddress = (name: string): bigint | null => names().get(name) ?? null;
/** Every kernel symbol name */
export const ksymNames = (): string[] => [...names().keys()];

function load(): Sym[] {
  const text = kallsymsText();
  const syms: Sym[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+) [tTwW] (\S+)(?:\s+\[(\S+)\])?/.exec(line);
    if (!m) continue;
    const addr = BigInt(`0x${m[1]}`);
    if (addr === 0n) continue; // kptr_restrict hides addresses: nothing to resolve against
    syms.push({ addr, name: m[2]!, module: m[3] });
  }
  syms.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  return syms;
}

/** The symbol containing `addr`, or null (unknown address, or kallsyms hidden). */
export function ksym(addr: bigint): { name: string; offset: bigint; module?: string } | null {
  table ??= load();
  let lo = 0;
  let hi = table.length - 1;
  if (hi < 0 || addr < table[0]!.addr) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (table[mid]!.addr <= addr) lo = mid;
    else hi = mid - 1;
  }
  const s = table[lo]!;
  return { name: s.name, offset: addr - s.addr, module: s.module };
}

export function formatKsym(addr: bigint): string {
  const s = ksym(addr);
  if (!s) return `0x${addr.toString(16)}`;
  return `${s.name}+0x${s.offset.toString(16)}${s.module ? ` [${s.module}]` : ''}`;
}

// What a BPF program's own stack walk sees before the traced code: the
// program, and the dispatch that called it (raw and BTF tracepoints, trampolines).
const DISPATCH = /^(bpf_prog_|bpf_trace_run\d|__bpf_trace_|__traceiter_|bpf_trampoline_|__bpf_prog_enter|__bpf_prog_exit)/;

/**
 * A stack from bpf_get_stack() as the traced code sees it: the leading
 * frames of the program and its dispatch dropped. A perf-based tracepoint's
 * stack already starts at its caller; a raw or BTF tracepoint's starts
 * inside the program.
 */
export function tracedStack(addrs: bigint[]): bigint[] {
  let i = 0;
  while (i < addrs.length && DISPATCH.test(ksym(addrs[i]!)?.name ?? '')) i++;
  return addrs.slice(i);
}

/** The addresses of stack `id` in a stack_trace map (its value bytes), innermost first. */
export function stackAddresses(value: Uint8Array): bigint[] {
  const dv = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const out: bigint[] = [];
  for (let o = 0; o + 8 <= value.byteLength; o += 8) {
    const a = dv.getBigUint64(o, true);
    if (a === 0n) break;
    out.push(a);
  }
  return out;
}
