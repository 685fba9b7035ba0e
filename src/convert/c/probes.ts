// Probes: BCC's program heads (TRACEPOINT_PROBE, RAW_TRACEPOINT_PROBE, KFUNC_PROBE, kprobe__ names,
// functions the Python attaches or loads with load_func) → SEC() programs, each with the attach calls user
// space makes and the condition under which it loads.
import { BtfKind } from '../../../lbc/src/pure.js';
import type { Attach } from '../python.js';
import type { Conversion } from './conversion.js';
import { coreTracepointRecord, tracepointBtfType, tracepointStruct, vmlinuxBtf } from './kernel.js';
import { callArgs } from '../../cscan.js';
import { keepLines } from './text.js';

/** The condition under which any of these attach calls runs (null: one always does) */
function anyCond(ats: { cond: string | null }[]): string | null {
  if (!ats.length || ats.some((a) => !a.cond)) return null;
  const conds = [...new Set(ats.map((a) => a.cond!))];
  return conds.length === 1 ? conds[0]! : conds.map((c) => `(${c})`).join(' or ');
}

/** program heads → SEC() programs, with their attach calls and load conditions */
export function rewriteProbes(cx: Conversion): void {
  const { report, alwaysBlocks, structs, programs, tpStructs, tool, lineIdxAt, pyLine, pieceCond, appendOnLinesOf, fail } = cx;
  const attachOf = new Map<string, Attach[]>();
  for (const a of tool.attaches) attachOf.set(a.fn, [...(attachOf.get(a.fn) ?? []), a]);
  // the TRACEPOINT_PROBEs whose record is the kernel's by CO-RE: their bodies read args->f as numbers
  const coreBodies: { fn: string; body: string; length: number }[] = [];
  cx.text = cx.text.replace(/\bTRACEPOINT_PROBE\s*\(\s*(\w+)\s*,\s*(\w+)\s*\)/g, (m, cat: string, ev: string, off: number) => {
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
      const core = st.missing.startsWith('this machine has no tracepoint') ? coreTracepointRecord(cx.text, off + m.length, ev) : null;
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
    const head = new RegExp(`int ${fn}\\(struct trace_event_raw_\\w+___lcc \\*args\\)`).exec(cx.text)!;
    const at = head.index + head[0].length;
    cx.text = cx.text.slice(0, at) + body + cx.text.slice(at + length);
  }
  cx.text = cx.text.replace(/\bRAW_TRACEPOINT_PROBE\s*\(\s*(\w+)\s*\)/g, (m, ev: string, off: number) => {
    const fn = `raw_tracepoint__${ev}`;
    programs.push({ name: fn, section: `raw_tp/${ev}`, cond: null, attaches: [] });
    report.push({ line: pyLine(off), what: `RAW_TRACEPOINT_PROBE(${ev}) → SEC("raw_tp/${ev}")`, converted: true });
    return `SEC("raw_tp/${ev}") int ${fn}(struct bpf_raw_tracepoint_args *ctx)`;
  });
  cx.text = cx.text.replace(/\b(KFUNC_PROBE|KRETFUNC_PROBE)\s*\(\s*(\w+)\s*(?:,([^)]*))?\)/g, (m, macro: string, fnName: string, rest: string | undefined, off: number) => {
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
    const sig = new RegExp(`^[ \\t]*(?:static\\s+)?int\\s+${fn}\\s*\\(\\s*(?:struct\\s+pt_regs|void)\\s*\\*\\s*ctx\\s*\\)`, 'm').exec(cx.text);
    const open = sig ? cx.text.indexOf('{', sig.index + sig[0].length) : -1;
    const body = open >= 0 ? callArgs(cx.text, open) : null;
    // a tracepoint's ctx is its record, a probe's the registers: only a body that reads neither can be both
    if (!sig || !body || (fams.includes('t') && /\bPT_REGS_\w+|\bctx\s*->/.test(cx.text.slice(open, body.end)))) continue;
    const whole = cx.text.slice(sig.index, body.end);
    fams.slice(1).forEach((f, i) => {
      const name = `${fn}_${i + 2}`;
      const head = f === 't' ? `int ${name}(void *ctx)` : `int ${name}(struct pt_regs *ctx)`;
      kindCopies.push({ text: head + whole.slice(sig[0].length), line: pyLine(sig.index) });
      attachOf.set(name, ats.filter((a) => family(a.kind) === f));
    });
    attachOf.set(fn, ats.filter((a) => family(a.kind) === fams[0]));
    if (fams[0] === 't') cx.text = cx.text.slice(0, sig.index) + `int ${fn}(void *ctx)` + cx.text.slice(sig.index + sig[0].length);
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
    const sig = new RegExp(`^([ \\t]*)((?:static\\s+)?(?:inline\\s+)?int\\s+${lf.fn}\\s*\\()`, 'm').exec(cx.text);
    if (!sig || programs.some((p) => p.name === lf.fn) || /SEC\("[^"]*"\)\s*$/.test(cx.text.slice(Math.max(0, sig.index - 40), sig.index))) continue;
    if (!section) {
      fail(lf.line, `load_func("${lf.fn}", ${lf.type ?? 'a type computed at run time'}): lcc convert knows no section for this program type`, 'give the function a SEC() of its program type');
      continue;
    }
    cx.text = cx.text.slice(0, sig.index) + `${sig[1]}SEC("${section}") ${sig[2]!.replace(/^static\s+(inline\s+)?/, '')}` + cx.text.slice(sig.index + sig[0].length);
    programs.push({ name: lf.fn, section, cond: null, attaches: [] });
    report.push({ line: lf.line, what: `load_func("${lf.fn}", ${lf.type}) → SEC("${section}")`, converted: true });
  }
  // a function attached only to tracepoints the options name, reading nothing of its record: SEC("tracepoint")
  cx.text = cx.text.replace(/^[ \t]*(?:static\s+)?int\s+(\w+)\s*\(\s*void\s*\*\s*ctx\s*\)/gm, (m, fn: string, off: number) => {
    const ats = attachOf.get(fn) ?? [];
    if (!ats.length || !ats.every((a) => a.kind === 'tracepoint')) return m;
    programs.push({ name: fn, section: 'tracepoint', cond: anyCond(ats), attaches: ats });
    report.push({ line: pyLine(off), what: `${fn}(void *ctx) → SEC("tracepoint"), attached at run time to the tracepoint the tool names`, converted: true });
    return `SEC("tracepoint") int ${fn}(void *ctx)`;
  });
  // BCC takes `void fn(...)` probes (and `void *ctx`): a program returns int, 0 where the void one fell off or returned
  const voidProbes: string[] = [];
  cx.text = cx.text.replace(/^(?:static\s+)?void(\s+(\w+)\s*\(\s*(?:struct\s+pt_regs|void)\s*\*\s*ctx\b)/gm, (m, rest: string, fn: string) => {
    const named = /^k(ret)?probe__/.test(fn) || attachOf.has(fn);
    if (!named) return m;
    voidProbes.push(fn);
    return `int${rest}`;
  });
  for (const fn of voidProbes) {
    const sig = new RegExp(`^int\\s+${fn}\\s*\\(`, 'm').exec(cx.text);
    const open = sig ? cx.text.indexOf('{', cx.text.indexOf(')', sig.index)) : -1;
    const body = open >= 0 ? callArgs(cx.text, open) : null;
    if (!body) continue;
    // on the closing brace's line: lines stay the Python's
    const src = cx.text.slice(open, body.end).replace(/\breturn\s*;/g, 'return 0;').replace(/\}$/, 'return 0; }');
    cx.text = cx.text.slice(0, open) + src + cx.text.slice(body.end);
  }
  cx.text = cx.text.replace(/^(int\s+(\w+)\s*\(\s*)void\s*\*\s*ctx\b/gm, (m, head: string, fn: string) => {
    const kinds = (attachOf.get(fn) ?? []).map((a) => a.kind);
    const probe = /^k(ret)?probe__/.test(fn) || (kinds.length && kinds.every((k) => /^[ku](ret)?probe$/.test(k)));
    return probe ? `${head}struct pt_regs *ctx` : m;
  });
  // functions whose first parameter is struct pt_regs *ctx: kprobes (by name or by attach call) and uprobes
  cx.text = cx.text.replace(/^[ \t]*(?:static\s+)?int\s+(\w+)\s*\(\s*struct\s+pt_regs\s*\*\s*ctx\s*(,[^)]*)?\)/gm, (m, fn: string, rest: string | undefined, off: number) => {
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
    const sig = new RegExp(`int (BPF_KPROBE|BPF_KSYSCALL|BPF_KRETPROBE)\\(${p.name}((?:, [^)]*)?)\\)`).exec(cx.text);
    if (!sig) continue;
    const open = cx.text.indexOf('{', sig.index + sig[0].length);
    const body = open >= 0 ? callArgs(cx.text, open) : null;
    if (!body) continue;
    let src = cx.text.slice(open, body.end);
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
    cx.text = cx.text.slice(0, sig.index) + head + cx.text.slice(sig.index + sig[0].length, open) + src + cx.text.slice(body.end);
  }
  // A tracepoint record's field read more than once: clang may compute its CO-RE relocated address
  // once and load through it, and the verifier refuses a load through a moved ctx pointer. Read each
  // such scalar field once, first thing, as libbpf-tools do.
  for (const m of [...cx.text.matchAll(/SEC\("tracepoint\/[^"]+"\) int (\w+)\(struct (trace_event_raw_\w+) \*args\)/g)]) {
    const type = vmlinuxBtf()?.find(m[2]!, BtfKind.Struct)[0];
    const open = cx.text.indexOf('{', m.index! + m[0].length);
    const body = open >= 0 ? callArgs(cx.text, open) : null;
    if (!type || !body) continue;
    let src = cx.text.slice(open, body.end);
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
    cx.text = cx.text.slice(0, open) + src + cx.text.slice(body.end);
    report.push({ line: pyLine(open), what: `${m[1]}: args->${hoisted.join(', args->')} read once into locals (the verifier refuses a load through a relocated ctx pointer, which clang makes of repeated reads)`, converted: true });
  }
  // attach_perf_event targets: int fn(struct bpf_perf_event_data *ctx), or int fn() (runqlen's reads no context)
  cx.text = cx.text.replace(/^(?:static\s+)?int\s+(\w+)\s*\(\s*(?:struct\s+bpf_perf_event_data\s*\*\s*(\w+)|void)?\s*\)/gm, (m, fn: string, arg: string | undefined, off: number) => {
    const at = attachOf.get(fn)?.[0];
    if (at?.kind !== 'perf_event') return m;
    programs.push({ name: fn, section: 'perf_event', cond: at.cond, attaches: [at] });
    report.push({ line: pyLine(off), what: `${fn}(${arg ? 'struct bpf_perf_event_data *' : ''}) → SEC("perf_event"), attached per CPU at run time`, converted: true });
    return `SEC("perf_event") int ${fn}(struct bpf_perf_event_data *${arg ?? 'ctx'})`;
  });
  // tracepoint functions attached from Python: int fn(struct tracepoint__cat__ev *args)
  cx.text = cx.text.replace(/^(?:static\s+)?int\s+(\w+)\s*\(\s*struct\s+tracepoint__(\w+?)__(\w+)\s*\*\s*(\w+)\s*\)/gm, (m, fn: string, cat: string, ev: string, arg: string, off: number) => {
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
  cx.text = cx.text.replace(/^(?:static\s+)?int\s+(\w+)\s*\(\s*struct\s+(\w+)\s*\*\s*(\w+)\s*\)/gm, (m, fn: string, sname: string, arg: string, off: number) => {
    const ats = (attachOf.get(fn) ?? []).filter((a) => a.kind === 'tracepoint' && a.target);
    const targets = [...new Set(ats.map((a) => a.target!.replace(':', '/')))];
    if (!ats.length || targets.length !== 1 || sname.startsWith('tracepoint__') || !structs.includes(sname)) return m;
    programs.push({ name: fn, section: `tracepoint/${targets[0]}`, cond: anyCond(ats), attaches: [] });
    report.push({ line: pyLine(off), what: `${fn}(struct ${sname} *) → SEC("tracepoint/${targets[0]}"), the record as the tool lays it out`, converted: true });
    return `SEC("tracepoint/${targets[0]}") int ${fn}(struct ${sname} *${arg})${keepLines(m)}`;
  });
  // int fn(struct bpf_raw_tracepoint_args *ctx) attached by attach_raw_tracepoint(tp="ev", fn_name="fn")
  cx.text = cx.text.replace(/^[ \t]*(?:static\s+)?int\s+(\w+)\s*\(\s*struct\s+bpf_raw_tracepoint_args\s*\*\s*(\w+)\s*\)/gm, (m, fn: string, arg: string, off: number) => {
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
      } else if (!cx.text.includes(a.fn)) fail(a.line, `attach to ${a.fn}: no such function in the BPF text`, 'check fn_name');
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
    cx.text = cx.text.replace(re, (m, head: string) => (n++ === 1 ? `${head}${p.name}_${k + 1}` : m));
    report.push({ line: pyLine(Math.max(cx.text.indexOf(`${p.name}_${k + 1}`), 0)), what: `${p.name}, defined again in another piece of the text → ${p.name}_${k + 1}, loaded with its piece`, converted: true });
    p.name = `${p.name}_${k + 1}`;
  }
  // programs in a file-scope #ifdef block load only when its macro is defined
  for (const p of programs) {
    const idx = lineIdxAt(cx.text, Math.max(cx.text.search(new RegExp(`\\b${p.name}\\b`)), 0));
    // (each block around it: ttysnoop's head chosen by the kernel's kfunc support, inside an #else)
    for (const block of alwaysBlocks.filter((b) => b.from < idx && idx < b.to)) p.cond = p.cond && p.cond !== block.py ? `(${p.cond}) and (${block.py})` : block.py;
  }
  // programs appended under a condition load only when it holds
  for (const p of programs) {
    const at = cx.text.search(new RegExp(`\\b${p.name}\\b`));
    const inPiece = pieceCond(Math.max(at, 0));
    if (!p.cond && inPiece) p.cond = inPiece;
  }

  // BCC puts a string literal a pointer is set to on the stack; clang puts it in .rodata, whose map
  // value ends with the literal, so copying a fixed-size name out of it reads past its end
  cx.text = cx.text.replace(/\b(?:const\s+)?char\s*\*\s*(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*;/g, (m, v: string, lit: string, off: number) => {
    const fnStart = cx.text.lastIndexOf('SEC("', off);
    const fnEnd = cx.text.indexOf('\n}', off);
    const body = cx.text.slice(fnStart < 0 ? 0 : fnStart, fnEnd < 0 ? cx.text.length : fnEnd);
    if ((body.match(new RegExp(`\\b${v}\\s*=[^=]`, 'g')) ?? []).length !== 1 || lit.length >= 64) return m;
    report.push({ line: pyLine(off), what: `char *${v} = "${lit}" → char ${v}[64] on the stack (copies of a fixed size stay inside it, as in BCC)`, converted: true });
    return `char ${v}[64] = "${lit}";`;
  });
}

