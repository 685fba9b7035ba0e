// A BCC tool's Python as the converted tool's TypeScript: the whole program,
// translated (py/translate.ts), where BPF(text=...) becomes the skeleton lcc
// convert made, opened with the settings the C side found: the values its
// text took from the options, the programs loaded only under a condition,
// maps sized by an option, the maps a user pins, the programs BCC attaches by
// name, and the record type of each perf or ring buffer.
import type { CResult } from './c/conversion.js';
import { scalar } from './c/reads.js';
import { emptyBpf, type PyTool } from './python.js';
import { translatePython, type Spot, type Translator } from './py/translate.js';
import type { SyntaxNode } from '../treesitter.js';
import { pascal } from '../names.js';

const struct = (t: string): string => pascal(t.replace(/^struct\s+/, ''));

/** Whether every name a Python condition reads is bound before `at` (or is not the tool's variable at all) */
function knownAt(cond: string, at: SyntaxNode): boolean {
  let root = at;
  while (root.parent) root = root.parent;
  const assigned = new Map<string, number>();
  for (const a of root.descendantsOfType(['assignment', 'augmented_assignment'])) {
    const left = a.childForFieldName('left');
    // where the name is first bound: after its whole assignment (b = BPF(...) binds b once BPF() returns)
    if (left?.type === 'identifier' && !assigned.has(left.text)) assigned.set(left.text, a.endIndex);
  }
  // a loop's names are bound from its first pass on (funcslower's `for i, function in enumerate(...)`)
  for (const f of root.descendantsOfType('for_statement')) {
    for (const x of f.childForFieldName('left')?.descendantsOfType('identifier') ?? []) if (!assigned.has(x.text) || assigned.get(x.text)! > f.startIndex) assigned.set(x.text, f.startIndex);
  }
  // string literals out, with their prefixes (b'task_struct' names no variable b)
  const names = cond.replace(/\b[rRbBuUfF]{0,2}(["'])(?:\\.|(?!\1).)*\1/g, '').match(/(?<![.\w])[A-Za-z_]\w*/g) ?? [];
  return names.every((n) => !assigned.has(n) || assigned.get(n)! <= at.startIndex);
}

export function toolTs(tool: PyTool, source: string, name: string, c: CResult | null): { ts: string; spots: Spot[] } {
  // a tool that loads no BPF program has no skeleton: its Python alone
  if (!c) {
    const t = translatePython(source, tool.file, { bpf: () => 'null', imports: [] });
    return { ts: t.ts, spots: t.spots };
  }
  const cls = `${pascal(name)}Skeleton`;
  // a record of a struct has a codec in the skeleton; a number (tc_perf_event's u32 before the packet) is
  // read by the tool's own ctypes cast of the data
  const events = c.maps.filter((m) => m.event && !scalar(m.event)).map((m) => [m.name, struct(m.event!)] as const);
  const bpf = (call: SyntaxNode, t: Translator): string => {
    if (emptyBpf(call)) return "new bcc.BPF(null, { text: '' })";
    // a compile check of members (runqlen's check_runnable_weight_field): whether this kernel's types have them
    const members = tool.memberChecks.get(call.startIndex);
    if (members) return `bcc.BPF.member_check(${JSON.stringify(members)})`;
    const kw = t.keywordArgs(call);
    const positional = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'keyword_argument');
    const textArg = kw.get('text') ?? (positional[0] ? t.expr(positional[0]).c : 'null');
    const rodata: string[] = [];
    for (const g of c.globals) {
      const v = t.exprFrom(g.arg);
      // a value the Python computes only under a condition: only then (inet_aton(args.laddr) needs an address)
      const none = g.kind === 'list' ? '[]' : g.kind === 'string' ? "''" : '0';
      // (a conditional expression of numbers, dbstat's `1000 if args.microseconds else 1000000`, is never None:
      // TypeScript refuses a ?? after it)
      const never = / if .* else /.test(g.arg);
      const value = g.when ? `py.truthy(${t.exprFrom(g.when).c}) ? ${v.c} : ${none}` : never ? v.c : `${v.c} ?? ${none}`;
      rodata.push(`${g.name}: ${g.kind === 'value' || g.kind === 'list' || g.kind === 'string' ? value : `py.truthy(${v.c})`}`);
    }
    const pinned: string[] = [];
    if (tool.containers) {
      const cg = t.exprFrom('args.cgroupmap').c;
      const mntns = t.exprFrom('args.mntnsmap').c;
      rodata.push(`lcc_filter_cgroup: py.truthy(${cg})`, `lcc_filter_mntns: py.truthy(${mntns})`);
      pinned.push(`cgroupset: ${cg} ?? null`, `mount_ns_set: ${mntns} ?? null`);
    }
    // a program loaded only when the condition of its attach call holds: decided at BPF(), so only for
    // a condition on values the tool has by then (one on what it computes after loads the program)
    const autoload = c.programs.filter((p) => p.cond && knownAt(p.cond, call)).map((p) => `${p.name}: py.truthy(${t.exprFrom(p.cond!).c})`);
    // a kprobe BCC attaches by name, in a tool whose tracepoints do its main work: loaded where kprobes work
    // BCC attaches these by their names (kprobe__x, TRACEPOINT_PROBE, ...): the tool never calls attach for them
    // and the ones it loads by type (load_func) to hand to attach_xdp, pyroute2's tc, a raw socket
    const attached = new Set([...tool.attaches.map((a) => a.fn), ...tool.loadFuncs.map((l) => l.fn)]);
    // NAME_2, NAME_3: NAME written again for another piece or head; the tool's attach call on NAME attaches the one loaded
    const autoNames = c.programs.filter((p) => !p.attaches.length && !attached.has(p.name) && !attached.has(p.name.replace(/_\d+$/, '')));
    const hasTracepoint = c.programs.some((p) => /^(tracepoint|raw_tp|tp_btf)\//.test(p.section));
    for (const p of autoNames) if (!p.cond && hasTracepoint && /^k(ret)?(probe|syscall)/.test(p.section)) autoload.push(`${p.name}: bcc.kprobesAvailable()`);
    const maxEntries = c.resizes.map((r) => `${r.map}: ${t.exprFrom(r.arg).c}`);
    // a map declared one way or another by the options: the tool's name reads the one they chose
    const variants = c.variants.map((v) => `${v.map}: ${v.choices.map((x) => (x.py === null ? JSON.stringify(x.name) : `py.truthy(${t.exprFrom(x.py).c}) ? ${JSON.stringify(x.name)} : `)).join('')}`);
    const auto = autoNames.map((p) => JSON.stringify(p.name));
    const usdt = kw.get('usdt_contexts');
    const refusals = [...tool.refusals, ...c.refusals];
    const parts = [
      `text: ${textArg}`,
      ...(usdt ? [`usdt_contexts: ${usdt}`] : []),
      ...(rodata.length ? [`rodata: { ${rodata.join(', ')} }`] : []),
      ...(autoload.length ? [`autoload: { ${autoload.join(', ')} }`] : []),
      ...(maxEntries.length ? [`maxEntries: { ${maxEntries.join(', ')} }`] : []),
      ...(variants.length ? [`maps: { ${variants.join(', ')} }`] : []),
      ...(pinned.length ? [`pinned: { ${pinned.join(', ')} }`] : []),
      `auto: [${auto.join(', ')}]`,
      ...(events.length ? [`events: { ${events.map(([m, s]) => `${m}: ${s}`).join(', ')} }`] : []),
      ...(refusals.length ? [`refuse: [${refusals.map((r) => `[py.truthy(${t.exprFrom(r.cond).c}), ${JSON.stringify(r.why)}]`).join(', ')}]`] : []),
    ];
    return `new bcc.BPF(${cls}, { ${parts.join(', ')} })`;
  };
  const imports = [`import { ${[cls, ...new Set(events.map(([, s]) => s))].join(', ')} } from './${name}.skel.js';`];
  const t = translatePython(source, tool.file, { bpf, imports });
  return { ts: t.ts, spots: t.spots };
}
