// lcc convert tool.py: BCC tool → lcc app. tool.py → (python.ts) what it does
// → (bcc-c.ts) CO-RE C + shared header → (pyts.ts) user space on the
// generated skeleton → CONVERSION.md, written all at once or not at all.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clangArgs, CompileError, findClang } from '../clang/compile.js';
import { parseDiagnostics } from '../clang/diagnostics.js';
import { parse, TooDeepError, type SyntaxNode } from '../treesitter.js';
import { scan, ScanError } from '../gen/scan.js';
import { convertC, lineRef, type CResult, type ReportEntry } from './bcc-c.js';

export { lineRef };
import { ConvertError, parsePythonTool, type PyNode, type PyTool } from './python.js';
import { expr, statements, tsName, Untranslatable, type Emitted, type Scope } from './pyts.js';
import { pascal } from '../names.js';
import { writeFilesAtomic } from '../fsutil.js';
import { ROOT } from '../paths.js';
import { packageSpecs, type PackageSpecs } from '../packages.js';

export { ConvertError };

/**
 * Helpers the translated TypeScript may call, defined in its header when it
 * uses one of `when` (in this order: pyDict/pyKey before what uses them).
 */
const RUNTIME_HELPERS: { when: string[]; lines: string[] }[] = [
  { when: ['tracepointExists'], lines: ["const tracepointExists = (cat: string, ev: string): boolean => fs.existsSync(`/sys/kernel/tracing/events/${cat}/${ev}`);"] },
  {
    when: ['kprobeFunctions'],
    lines: ['/** BPF.get_kprobe_functions(): kernel functions matching a regular expression, from /proc/kallsyms */',
      "const kprobeFunctions = (re: string): string[] => fs.readFileSync('/proc/kallsyms', 'utf8').split('\\n').map((l) => l.split(' ')[2] ?? '').filter((f) => new RegExp(re).test(f));"],
  },
  {
    // addresses (unsigned __int128) and hashes do not fit: they stay bigint, which pyFormat and inetNtop take
    when: ['num'],
    lines: ['/** BCC hands Python ints; the skeleton decodes u64 as bigint: numbers where they fit */',
      "const num = <T extends object>(o: T): any => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : v]));"],
  },
  {
    when: ['pyIn'],
    lines: ["/** Python's `in`: a substring, a list member or a dict key */",
      "const pyIn = (x: any, c: any): boolean => (typeof c === 'string' || Array.isArray(c) ? c.includes(x) : c instanceof Map || c instanceof Set ? c.has(x) : x in c);"],
  },
  {
    when: ['pyKeys', 'pyItems', 'pyValues'],
    lines: ["/** a dict's items, keys, values: a BPF map (or Map) iterates itself; a dict is an object, Python's int keys numbers again */",
      'const pyDict = (o: any): boolean => [Object.prototype, null].includes(Object.getPrototypeOf(o));',
      "const pyKey = (k: string): any => (/^-?\\d+$/.test(k) ? Number(k) : k);"],
  },
  { when: ['pyItems'], lines: ['const pyItems = (o: any): [any, any][] => (pyDict(o) ? Object.entries(o).map(([k, v]) => [pyKey(k), v]) : [...o.entries()]);'] },
  { when: ['pyKeys'], lines: ['const pyKeys = (o: any): any[] => (pyDict(o) ? Object.keys(o).map(pyKey) : [...o.keys()]);'] },
  { when: ['pyValues'], lines: ['const pyValues = (o: any): any[] => (pyDict(o) ? Object.values(o) : [...o.values()]);'] },
  {
    when: ['pyStrftime'],
    lines: ["/** time.strftime(fmt) now, local time: the directives tools print with */",
      "const pyStrftime = (fmt: string): string => { const d = new Date(); const p = (n: number, w = 2): string => String(n).padStart(w, '0'); return fmt.replace(/%([HMSYmdfyjp%])/g, (_m, c: string) => ({ H: p(d.getHours()), M: p(d.getMinutes()), S: p(d.getSeconds()), Y: String(d.getFullYear()), y: p(d.getFullYear() % 100), m: p(d.getMonth() + 1), d: p(d.getDate()), f: p(d.getMilliseconds() * 1000, 6), j: p(Math.floor((d.getTime() - new Date(d.getFullYear(), 0, 1).getTime()) / 86400000) + 1, 3), p: d.getHours() < 12 ? 'AM' : 'PM', '%': '%' } as Record<string, string>)[c]!); };"],
  },
  { when: ['pyLen'], lines: ["/** len(): of a string, a list, a map or a dict */", 'const pyLen = (c: any): number => c.length ?? c.size ?? Object.keys(c).length;'] },
  {
    when: ['defaultDict'],
    lines: ["/** collections.defaultdict: a missing key reads as a new default, kept */",
      "const defaultDict = (make: () => any): any => new Proxy({} as Record<string | symbol, any>, { get: (o, k) => (typeof k === 'symbol' || k in o ? o[k] : (o[k] = make())) });"],
  },
  {
    when: ['pyPop'],
    lines: ["/** dict.pop(k[, default]) and list.pop(i) */",
      'const pyPop = (c: any, k: any, ...d: any[]): any => { if (Array.isArray(c)) return c.splice(k, 1)[0]; const v = k in c ? c[k] : d[0]; delete c[k]; return v; };'],
  },
];

export interface ConvertResult {
  tool: PyTool;
  name: string;
  dir: string;
  files: string[];
  report: ReportEntry[];
  /** constructs left for a person; the C carries an #error for each that affects it */
  unconverted: number;
}

function toolName(file: string): string {
  return path.basename(file).replace(/\.py$/, '').replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1');
}

function assemble(tool: PyTool): { text: string; starts: { lineIdx: number; line: number; src?: boolean }[] } {
  let text = '';
  const starts: { lineIdx: number; line: number; src?: boolean }[] = [];
  if (tool.srcFile) {
    const src = path.resolve(path.dirname(tool.file), tool.srcFile);
    let body: string;
    try {
      body = fs.readFileSync(src, 'utf8');
    } catch {
      throw new ConvertError(tool.file, undefined, `BPF(src_file="${tool.srcFile}"): cannot read ${src}`);
    }
    starts.push({ lineIdx: 0, line: 1, src: true });
    text = body.endsWith('\n') ? body : `${body}\n`;
  }
  for (const p of tool.pieces) {
    starts.push({ lineIdx: text.split('\n').length - 1, line: p.line });
    text += p.text;
  }
  return { text, starts };
}


/** A Python condition (from an `if` around a piece or attach) as TypeScript, or null. */
function condTs(cond: string, scope: Scope): string | null {
  try {
    const stmt = parse('python', `(${cond})\n`).namedChildren[0]!.namedChildren[0]!;
    return expr(stmt, scope);
  } catch (e) {
    if (e instanceof Untranslatable) return null;
    throw e;
  }
}

function optionsTs(tool: PyTool): { config: string[]; values: string[] } {
  const config: string[] = [];
  const values: string[] = [];
  for (const o of tool.options) {
    const long = o.flags.find((f) => f.startsWith('--'))?.slice(2);
    const short = o.flags.find((f) => /^-\w$/.test(f))?.slice(1);
    const positional = !o.flags.some((f) => f.startsWith('-'));
    const dflt = o.default && /^-?\d+(\.\d+)?$/.test(o.default) ? o.default : o.default && /^["'].*["']$/.test(o.default) ? JSON.stringify(o.default.slice(1, -1)) : 'undefined';
    if (positional) {
      values.push(`  ${o.dest}: ${o.type === 'int' || o.type === 'float' ? `((v) => (v !== undefined ? Number(v) : ${dflt}))(positionals.shift())` : `positionals.shift() ?? ${dflt}`},`);
      continue;
    }
    const key = long ?? o.dest;
    config.push(`    '${key}': { type: '${o.type === 'bool' ? 'boolean' : 'string'}'${short ? `, short: '${short}'` : ''} },`);
    const raw = `values['${key}']`;
    if (o.type === 'bool') values.push(`  ${o.dest}: ${raw} === true,`);
    else if (o.type === 'int' || o.type === 'float') values.push(`  ${o.dest}: ${raw} !== undefined ? Number(${raw}) : ${dflt},`);
    else values.push(`  ${o.dest}: ${raw} ?? ${dflt},`);
  }
  return { config, values };
}

function emitTs(tool: PyTool, name: string, c: CResult, report: ReportEntry[]): string {
  const cls = `${pascal(name)}Skeleton`;
  const scope: Scope = {
    bpfVar: tool.bpfVar, mapVars: new Map(), maps: new Set(c.maps.map((m) => m.name)), eventVars: new Set(['event']),
    globals: new Set(), locals: new Set(), argsVar: 'args',
    // module-level functions other than the buffer callbacks
    functions: new Set([...tool.functions.entries()].filter(([f, node]) => node.parent?.type === 'module' && !tool.outputs.some((o) => o.callback === f)).map(([f]) => f)),
  };
  const out: Emitted = { code: [], untranslated: [] };
  const L: string[] = [];
  const opts = optionsTs(tool);
  const eventTypes = new Set<string>();
  for (const o of tool.outputs) {
    const m = c.maps.find((x) => x.name === o.map);
    if (m?.event) eventTypes.add(pascal(m.event.replace(/^struct\s+/, '')));
  }
  // the header goes in last, importing and defining only what the body uses
  const header = (body: string): string[] => {
    const uses = (name: string): boolean => new RegExp(`\\b${name}\\b`).test(body);
    const lbc = ['formatKsym', 'formatLinearHist', 'formatLog2Hist', 'inetNtop', 'kprobesAvailable', 'LbcError', 'pyFormat'].filter(uses);
    const helpers = RUNTIME_HELPERS.filter((h) => h.when.some(uses)).flatMap((h) => h.lines);
    const all = `${body}\n${helpers.join('\n')}`;
    return [
      `// Converted from ${path.basename(tool.file)} by lcc convert${tool.description ? `: ${tool.description}` : ''}.`,
      `// Build: lcc build ${name}.bpf.c (makes ${name}.skel.ts); run as root: node --import tsx ${name}.ts [options]`,
      ...(/\bexecFileSync\b/.test(all) ? ["import { execFileSync } from 'node:child_process';"] : []),
      ...(/\bfs\./.test(all) ? ["import * as fs from 'node:fs';"] : []),
      "import { parseArgs } from 'node:util';",
      ...(lbc.length ? [`import { ${lbc.join(', ')} } from '@lcc-ebpf/lbc';`] : []),
      `import { ${cls}${[...eventTypes].map((t) => `, type ${t}`).join('')} } from './${name}.skel.js';`,
      '',
      '// the command line of the original tool',
      `const { values${/\bpositionals\b/.test(body) ? ', positionals' : ''} } = parseArgs({`,
      '  allowPositionals: true,',
      '  options: {',
      ...opts.config,
      '  },',
      '});',
      'const args = {',
      ...opts.values,
      '};',
      ...helpers,
      '',
    ];
  };

  // module-level state the callbacks read and write
  const pre: PyNode[] = [];
  const loop: PyNode[] = [];
  const atExit: PyNode[] = [];
  let interval: string | null = null;
  let waitsForCtrlC = false;
  for (const n of tool.main) {
    const t = n.text;
    if (n.type === 'function_definition' || n.type === 'import_statement' || n.type === 'import_from_statement' || n.type === 'comment') continue;
    // attaching, opening buffers and naming a syscall's kernel function: done from the model (SEC names, attach calls)
    const handled = (x: PyNode): boolean => x.type === 'expression_statement' &&
      (/\.(attach_\w+|open_perf_buffer|open_ring_buffer)\s*\(/.test(x.text) || /^\w+\s*=\s*\w+\.get_syscall_(fnname|prefix)\(/.test(x.text));
    if (handled(n)) continue;
    // `if cond: b.attach_...()`: the condition is the program's autoload, set above
    if (n.type === 'if_statement' && n.childForFieldName('consequence')!.namedChildren.every((x) => handled(x) || x.type === 'comment') && !n.namedChildren.some((c) => c.type === 'else_clause' || c.type === 'elif_clause')) continue;
    if (n.type === 'while_statement') {
      const body = n.childForFieldName('body')!;
      const sleep = body.descendantsOfType('call').find((x) => /^(sleep|time\.sleep)$/.test(x.childForFieldName('function')!.text));
      if (/perf_buffer_poll|ring_buffer_poll|ring_buffer_consume/.test(body.text) && !sleep) {
        waitsForCtrlC = true;
        continue;
      }
      if (sleep) {
        const arg = sleep.childForFieldName('arguments')!.namedChildren[0];
        try {
          interval = arg ? expr(arg, scope) : '1';
        } catch {
          interval = '1';
          report.push({ line: sleep.startPosition.row + 1, what: `sleep(${arg?.text}) interval not translated`, action: 'set the interval in the generated code', converted: false });
        }
        // the loop body minus the sleep and the exit bookkeeping
        for (const st of body.namedChildren) {
          if (st.type === 'try_statement' && /sleep/.test(st.text)) continue;
          if (/^\s*exiting\s*=/.test(st.text) || /^if\s+exiting/.test(st.text)) continue;
          if (st.type === 'expression_statement' && /^(sleep|time\.sleep)\(/.test(st.text)) continue;
          loop.push(st);
        }
        continue;
      }
      report.push({ line: n.startPosition.row + 1, what: 'a while loop lcc convert does not recognise', action: 'rewrite it in the generated TypeScript', converted: false });
      continue;
    }
    if (n.type === 'try_statement' && /sleep|perf_buffer_poll/.test(n.text)) {
      waitsForCtrlC = true;
      continue;
    }
    if (interval || waitsForCtrlC) atExit.push(n);
    else pre.push(n);
  }
  // state: module-level names assigned before the loop, and names functions declare global
  for (const f of tool.functions.values()) for (const g of f.descendantsOfType('global_statement')) for (const id of g.namedChildren) scope.globals.add(id.text);

  // values the output code reads that the tool set before BPF() (a unit label chosen by an option, ...)
  const usedLater = new Set<string>([...c.globals.filter((g) => g.kind !== 'flag').map((g) => g.arg), ...c.resizes.map((r) => r.arg)].flatMap((a) => a.match(/\b[A-Za-z_]\w*\b/g) ?? []));
  // (the callbacks, and the tool's own functions they may call, read module variables too)
  for (const n of [...tool.main, ...[...tool.functions.values()].filter((f) => f.parent?.type === 'module')]) {
    for (const id of n.descendantsOfType('identifier')) usedLater.add(id.text);
  }
  const early: Emitted = { code: [], untranslated: [] };
  const assignsUsed = (n: PyNode): boolean => n.type === 'expression_statement' && n.namedChildren[0]?.type === 'assignment' &&
    n.namedChildren[0].childForFieldName('left')!.type === 'identifier' && usedLater.has(n.namedChildren[0].childForFieldName('left')!.text) &&
    !/^(args|parser|b|bpf_text)$/.test(n.namedChildren[0].childForFieldName('left')!.text) && !/\bBPF\(|argparse|parse_args/.test(n.text);
  const pick = (nodes: PyNode[], indent: string): void => {
    for (const n of nodes) {
      if (assignsUsed(n)) statements([n], scope, indent, early);
      else if (n.type === 'if_statement' && n.descendantsOfType('assignment').some((a) => a.parent && assignsUsed(a.parent))) {
        try {
          early.code.push(`${indent}if (${expr(n.childForFieldName('condition')!, scope)}) {`);
          pick(n.childForFieldName('consequence')!.namedChildren, `${indent}  `);
          for (const alt of n.namedChildren.filter((c) => c.type === 'elif_clause' || c.type === 'else_clause')) {
            early.code.push(alt.type === 'elif_clause' ? `${indent}} else if (${expr(alt.childForFieldName('condition')!, scope)}) {` : `${indent}} else {`);
            pick((alt.childForFieldName('consequence') ?? alt.childForFieldName('body'))!.namedChildren, `${indent}  `);
          }
          early.code.push(`${indent}}`);
        } catch (e) {
          if (!(e instanceof Untranslatable)) throw e;
          early.untranslated.push({ line: n.startPosition.row + 1, text: n.text.split('\n')[0]!, why: e.message });
        }
      }
    }
  };
  const before = tool.root.namedChildren.filter((n) => n.startPosition.row < tool.bpfLine - 1);
  pick(before, '');
  const earlyNames = [...scope.locals];
  // names functions declare `global` are module state too: declared before anything assigns them
  const declaredGlobals = [...scope.globals].filter((g) => !earlyNames.includes(g));
  scope.globals = new Set([...scope.globals, ...earlyNames]);
  scope.locals = new Set();
  for (const v of [...earlyNames, ...declaredGlobals]) L.push(`let ${tsName(v)}: any;`);
  // a value the settings read must exist here: the options, or what the tool set before BPF() and lcc translated
  const untranslated = new Set(early.untranslated.flatMap((u) => u.text.match(/^\s*(\w+)\s*=/)?.[1] ?? []));
  const known = (py: string): string | null => {
    const free = (py.replace(/(["'])(?:\\.|(?!\1).)*\1/g, '').match(/(?<![.\w])[A-Za-z_]\w*/g) ?? [])
      .filter((id) => !/^(args|True|False|None|and|or|not|is|in|if|else|int|str|float|len|abs|min|max|BPF|__name__)$/.test(id) && !scope.functions.has(id));
    return free.find((id) => untranslated.has(id) || !(earlyNames.includes(id) || declaredGlobals.includes(id))) ?? null;
  };
  L.push(...early.code.map((l) => l.replace(/^(\s*)let /, '$1')));
  out.untranslated.push(...early.untranslated);

  L.push(`const skel = ${cls}.open();`);
  for (const g of c.globals) {
    const opt = tool.options.find((o) => `args.${o.dest}` === g.arg);
    if (g.kind === 'flag') L.push(`skel.rodata.${g.name} = Boolean(${g.arg});`);
    else if (opt) L.push(`skel.rodata.${g.name} = BigInt(${opt.type === 'str' ? `Number(${g.arg} ?? 0)` : `${g.arg} ?? 0`});`);
    else {
      // a condition or a value computed from the options: the tool's own Python, evaluated here
      const missing = known(g.arg);
      const ts = missing ? null : condTs(g.arg, scope);
      if (missing) {
        report.push({ line: 0, what: `${g.name} (from ${g.arg}): ${missing} is not something lcc translated`, action: `set skel.rodata.${g.name} yourself`, converted: false });
        L.push(`// lcc convert: set skel.rodata.${g.name} from ${g.arg}`);
      } else if (ts === null) {
        report.push({ line: 0, what: `${g.name} (from ${g.arg}): Python lcc cannot translate`, action: `set skel.rodata.${g.name} yourself`, converted: false });
        L.push(`// lcc convert: set skel.rodata.${g.name} from ${g.arg}`);
      } else L.push(g.kind === 'cond' ? `skel.rodata.${g.name} = Boolean(${ts});` : `skel.rodata.${g.name} = BigInt(Math.trunc(Number(${ts})) || 0); // 0 where the option is not given`);
    }
  }
  const preLoad: string[] = [];
  if (tool.containers) {
    // BCC's BPF_TABLE_PINNED: the maps the user made and fills, whatever their size
    L.push('skel.rodata.lcc_filter_cgroup = Boolean(args.cgroupmap);', 'skel.rodata.lcc_filter_mntns = Boolean(args.mntnsmap);');
    preLoad.push("  if (args.cgroupmap) skel.obj.reusePinnedMap('cgroupset', String(args.cgroupmap));", "  if (args.mntnsmap) skel.obj.reusePinnedMap('mount_ns_set', String(args.mntnsmap));");
    if (!tool.options.some((o) => o.dest === 'cgroupmap') || !tool.options.some((o) => o.dest === 'mntnsmap')) {
      report.push({ line: tool.containers.line, what: 'filter_by_containers(args) without --cgroupmap and --mntnsmap options', action: 'add the two options (paths of pinned maps)', converted: false });
    }
  }
  for (const r of c.resizes) {
    const ts = known(r.arg) ? null : condTs(r.arg, scope);
    if (ts) preLoad.push(`  skel.obj.setMaxEntries('${r.map}', Math.max(1, Math.trunc(Number(${ts})) || 1));`);
    else report.push({ line: 0, what: `map ${r.map} sized by ${r.arg}: Python lcc cannot translate`, action: `call skel.obj.setMaxEntries('${r.map}', n) before load`, converted: false });
  }
  const hasTracepoint = c.programs.some((p) => p.section.startsWith('tracepoint/') || p.section.startsWith('raw_tp/'));
  for (const p of c.programs) {
    if (p.cond) {
      const ts = condTs(p.cond, scope);
      if (ts) L.push(`skel.progs.${p.name}.autoload = Boolean(${ts});`);
      else report.push({ line: 0, what: `program ${p.name} is loaded only when ${p.cond}: not translated`, action: `set skel.progs.${p.name}.autoload yourself`, converted: false });
    } else if (/^k(ret)?(probe|syscall)/.test(p.section) && hasTracepoint) {
      L.push(`skel.progs.${p.name}.autoload = kprobesAvailable(); // the tool's tracepoint path covers kernels without kprobes`);
      report.push({ line: p.attaches[0]?.line ?? 0, what: `${p.name} (${p.section}) loads only where kprobes work; elsewhere the tool's tracepoint programs do the job`, converted: true });
    }
  }
  let needsLibrary = false;
  const tryAt = L.length;
  L.push('try {', ...preLoad, '  skel.load();', '  skel.attach();');
  for (const p of c.programs) for (const a of p.attaches) {
    const guard = `if (skel.progs.${p.name}.autoload) `;
    if (a.syscall) {
      L.push(`  ${guard}skel.progs.${p.name}.attach({ ${a.kind === 'kprobe' ? 'ksyscall' : 'kretsyscall'}: ${JSON.stringify(a.syscall)} });`);
    } else if (a.kind === 'kprobe' || a.kind === 'kretprobe') {
      if (a.regex) {
        L.push(`  ${guard}{`, `    const re = new RegExp(${JSON.stringify(a.regex)});`,
          "    const syms = fs.readFileSync('/proc/kallsyms', 'utf8').split('\\n').map((l) => l.split(' ')[2] ?? '').filter((s) => re.test(s));",
          `    for (const s of syms) skel.progs.${p.name}.attach({ ${a.kind}: s });`, '  }');
      } else if (a.target) L.push(`  ${guard}skel.progs.${p.name}.attach({ ${a.kind}: ${JSON.stringify(a.target)} });`);
      else L.push(`  // lcc convert: ${p.name}'s ${a.kind} target is computed in the original (line ${a.line}): attach it here`);
    } else if (a.kind === 'perf_event') {
      // BCC's PerfType / PerfSWConfig / PerfHWConfig constants are the kernel's perf ABI numbers
      const PERF: Record<string, number> = {
        'PerfType.HARDWARE': 0, 'PerfType.SOFTWARE': 1, 'PerfHWConfig.CPU_CYCLES': 0, 'PerfHWConfig.INSTRUCTIONS': 1,
        'PerfHWConfig.CACHE_REFERENCES': 2, 'PerfHWConfig.CACHE_MISSES': 3, 'PerfHWConfig.BRANCH_INSTRUCTIONS': 4,
        'PerfHWConfig.BRANCH_MISSES': 5, 'PerfSWConfig.CPU_CLOCK': 0, 'PerfSWConfig.TASK_CLOCK': 1,
        'PerfSWConfig.PAGE_FAULTS': 2, 'PerfSWConfig.CONTEXT_SWITCHES': 3, 'PerfSWConfig.CPU_MIGRATIONS': 4,
      };
      const val = (k: string): string | undefined => {
        const v = a.perf?.[k];
        if (v === undefined) return undefined;
        if (v in PERF) return String(PERF[v]);
        const py = condTs(v, scope);
        return py ?? undefined;
      };
      const type = val('ev_type');
      const config = val('ev_config');
      if (type === undefined || config === undefined) {
        report.push({ line: a.line, what: `attach_perf_event(${Object.entries(a.perf ?? {}).map(([k, v]) => `${k}=${v}`).join(', ')}): event not understood`, action: `attach ${p.name} with program.attach({ perfEvent: ... })`, converted: false });
      } else {
        const freq = val('sample_freq');
        const period = val('sample_period');
        const rate = freq && freq !== '0' ? `frequency: Number(${freq})` : `samplePeriod: Number(${period ?? '0'})`;
        L.push(`  ${guard}skel.progs.${p.name}.attach({ perfEvent: { type: ${type}, config: ${config}, ${rate} } });`);
      }
    } else if (a.kind === 'uprobe' || a.kind === 'uretprobe') {
      if (!a.binary || !a.target) {
        L.push(`  // lcc convert: ${p.name}'s ${a.kind} binary or symbol is computed in the original (line ${a.line}): attach it here`);
        report.push({ line: a.line, what: `${a.kind} of ${p.name}: binary or symbol not a string literal`, action: `attach with skel.progs.${p.name}.attach({ ${a.kind}: { binary, symbol } })`, converted: false });
      } else {
        needsLibrary = true;
        L.push(`  ${guard}skel.progs.${p.name}.attach({ ${a.kind}: { binary: findLibrary(${JSON.stringify(a.binary)}), symbol: ${JSON.stringify(a.target)} } });`);
      }
    }
  }
  L.push('} catch (e) {', '  if (!(e instanceof LbcError)) throw e;', `  console.error(\`${name}: \${e.message}\`);`, '  process.exit(1);', '}', '');
  if (needsLibrary) {
    L.splice(tryAt, 0,
      '/** BCC\'s name="c": the library ldconfig knows by that name on this host (a path is taken as it is) */',
      'function findLibrary(name: string): string {',
      "  if (name.includes('/')) return name;",
      "  const cache = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' });",
      "  const arch = process.arch === 'arm64' ? 'AArch64' : 'x86-64';",
      "  const lines = cache.split('\\n').filter((l) => l.trim().startsWith(`lib${name}.so`));",
      '  const hit = lines.find((l) => l.includes(arch)) ?? lines[0];',
      "  const path = hit?.split(' => ')[1]?.trim();",
      '  if (!path) throw new LbcError(`no library lib${name}.so in ldconfig\'s cache`);',
      '  return path;',
      '}',
    );
  }

  // module-level statements before the loop (headers, state)
  const stateOut: Emitted = { code: [], untranslated: [] };
  statements(pre, scope, '', stateOut);
  for (const g of scope.globals) if (!scope.locals.has(g) && !earlyNames.includes(g) && !declaredGlobals.includes(g)) stateOut.code.unshift(`let ${g}: any = 0;`);
  for (const l of stateOut.code) L.push(l.replace(/^let (\w+) = /, 'let $1: any = '));
  out.untranslated.push(...stateOut.untranslated);
  L.push('');

  // the tool's other functions (formatters, helpers the callbacks and loops call), translated as they are;
  // one that does not translate is left out, and so (until nothing changes) is any that calls it
  const helperCode = new Map<string, string[]>();
  for (let changed = true; changed; ) {
    changed = false;
    helperCode.clear();
    for (const fname of [...scope.functions]) {
      const f = tool.functions.get(fname)!;
      const params = (f.childForFieldName('parameters')?.namedChildren ?? []).map((p) => (p.type === 'identifier' ? p.text : p.childForFieldName('name')?.text ?? p.text.split('=')[0]!.trim()));
      const fnScope: Scope = { ...scope, locals: new Set(params), eventVars: new Set(params.filter((p) => /event/.test(p))) };
      const body: Emitted = { code: [], untranslated: [] };
      statements(f.childForFieldName('body')!.namedChildren, fnScope, '  ', body);
      if (body.untranslated.length) {
        scope.functions.delete(fname);
        changed = true;
        break;
      }
      helperCode.set(fname, [`function ${tsName(fname)}(${params.map((p) => `${tsName(p)}: any`).join(', ')}): any {`, ...body.code, '}', '']);
    }
  }
  for (const code of helperCode.values()) L.push(...code);

  // callbacks
  for (const o of tool.outputs) {
    const f = tool.functions.get(o.callback);
    const m = c.maps.find((x) => x.name === o.map);
    const type = m?.event ? pascal(m.event.replace(/^struct\s+/, '')) : 'any';
    if (!f) {
      report.push({ line: o.line, what: `callback ${o.callback} not found`, converted: false });
      continue;
    }
    const fnScope: Scope = { ...scope, eventVars: new Set(['event']), locals: new Set() };
    const body: Emitted = { code: [], untranslated: [] };
    statements(f.childForFieldName('body')!.namedChildren, fnScope, '  ', body);
    out.untranslated.push(...body.untranslated);
    L.push(`/** ${o.callback}() of the original: one ${m?.event ?? 'event'} */`, `function ${o.callback}(event: ${type === 'any' ? 'any' : `{ [K in keyof ${type}]: any }`}): void {`, ...body.code, '}',
      `const ${o.map}Consumer = skel.on${pascal(o.map)}((e) => ${o.callback}(num(e)));`, '');
  }

  const loopOut: Emitted = { code: [], untranslated: [] };
  statements(loop, scope, '  ', loopOut);
  const exitOut: Emitted = { code: [], untranslated: [] };
  statements(atExit, scope, '  ', exitOut);
  out.untranslated.push(...loopOut.untranslated, ...exitOut.untranslated);
  if (interval) L.push('function tick(): void {', ...loopOut.code, '}', `const timer = setInterval(tick, Number(${interval}) * 1000);`);
  L.push('let stopping = false;', 'function stop(): void {', '  if (stopping) return;', '  stopping = true;');
  if (interval) L.push('  clearInterval(timer);', '  tick();');
  for (const o of tool.outputs) L.push(`  ${o.map}Consumer.poll();`);
  L.push(...exitOut.code, '  skel.destroy();', '  process.exit(0);', '}', "process.on('SIGINT', stop);", "process.on('SIGTERM', stop);",
    // the original sleeps until Ctrl-C: so does this, with nothing else to keep it running
    ...(!interval && !tool.outputs.length ? ['setInterval(() => undefined, 2 ** 31 - 1);'] : []),
    // last, once Ctrl-C is handled; on stderr, so the original's output stays as it was: scripts and tests wait for it
    `process.stderr.write('${name}: attached; Ctrl-C to end\\n');`, '');
  for (const u of out.untranslated) report.push({ line: u.line, what: `Python not translated: ${u.text} (${u.why})`, action: 'port it by hand in the .ts', converted: false });
  if (!waitsForCtrlC && !interval && !tool.outputs.length) report.push({ line: 0, what: 'no output loop recognised: the tool waits for Ctrl-C', converted: true });
  const body = L.join('\n');
  return [...header(`${body}\n${opts.values.join('\n')}`), body].join('\n');
}

function markdown(tool: PyTool, name: string, report: ReportEntry[]): string {
  const done = report.filter((r) => r.converted);
  const left = report.filter((r) => !r.converted);
  const at = (r: ReportEntry): string => lineRef(tool, r.line, path.basename);
  return [
    `# Conversion of ${path.basename(tool.file)}`,
    '',
    `Generated by \`lcc convert\`. Files: \`${name}.bpf.c\` (CO-RE C on lbc.h), \`${name}.h\` (types shared with user space),`,
    `\`${name}.ts\` (the original's options, attach and output on the generated skeleton).`,
    '',
    '```sh',
    `lcc build ${name}.bpf.c          # ${name}.bpf.o + ${name}.skel.ts (or LCC_SERVER=... for a host without clang)`,
    `sudo node --import tsx ${name}.ts   # the tool's options as before`,
    '```',
    '',
    `## Left for a person (${left.length})`,
    '',
    ...(left.length ? left.map((r) => `- ${at(r)}: ${r.what}${r.action ? ` — ${r.action}` : ''}`) : ['Nothing: everything below was converted.']),
    '',
    `## Converted (${done.length})`,
    '',
    ...done.map((r) => `- ${at(r)}: ${r.what}`),
    '',
  ].join('\n');
}

type CCheck = { message: string; outLine: number; textLine: number | null; by: 'clang' | 'tree-sitter' };

/**
 * The first error in the converted C: clang's (-fsyntax-only with lcc build's
 * flags) where there is a clang, else tree-sitter's syntax check; null when
 * there is none, or when no check can run here (no vmlinux.h: lcc build will
 * say why).
 */
function cErrors(name: string, bpfC: string, header: string, assembled: string, syntaxOnly = false): CCheck | null {
  let clang: string | null = null;
  if (!syntaxOnly) {
    try {
      clang = findClang();
    } catch {
      // no clang on this host: the syntax check below is all there is
    }
  }
  if (!clang) return syntaxErrors(bpfC, assembled);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-convert-'));
  try {
    const src = path.join(dir, `${name}.bpf.c`);
    fs.writeFileSync(src, bpfC);
    fs.writeFileSync(path.join(dir, `${name}.h`), header);
    const r = spawnSync(clang, clangArgs(src, '', { syntaxOnly: true }), { encoding: 'utf8' });
    if (r.status === 0) return null;
    const d = parseDiagnostics(r.stderr ?? '').find((x) => x.severity === 'error' || x.severity === 'fatal error');
    if (!d) return { message: (r.stderr ?? '').split('\n')[0] ?? 'clang failed', outLine: 0, textLine: null, by: 'clang' };
    const written = path.basename(d.file) === `${name}.h` ? header : bpfC;
    return { message: d.message, outLine: d.line, textLine: sameLine(written, d.line, assembled), by: 'clang' };
  } catch (e) {
    if (e instanceof CompileError) return null;
    throw e;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The line of the assembled BPF text that holds the same code as line
 * `line` of the written file, or null when it was rewritten past recognition.
 */
function sameLine(written: string, line: number, assembled: string): number | null {
  const code = written.split('\n')[line - 1]?.trim() ?? '';
  const idx = code.length > 2 ? assembled.split('\n').findIndex((l) => l.trim() === code) : -1;
  return idx < 0 ? null : idx;
}

/**
 * Without clang: tree-sitter-c's reading of the converted C, with what it
 * cannot parse lifted out first as lcc gen lifts it (SEC(), LBC_* maps) and
 * GNU's __typeof__(x) read as a type. Syntax only: types and names are
 * clang's to check at lcc build.
 */
function syntaxErrors(bpfC: string, assembled: string): CCheck | null {
  let masked: string;
  try {
    masked = scan(bpfC, { keepBodies: true }).text.replace(/__typeof__\s*\(([^()]|\([^()]*\))*\)/g, (m) => `int${' '.repeat(m.length - 3)}`);
  } catch (e) {
    if (e instanceof ScanError) return { message: e.message, outLine: e.pos.line, textLine: null, by: 'tree-sitter' };
    throw e;
  }
  let root;
  try {
    root = parse('c', masked);
  } catch (e) {
    if (e instanceof TooDeepError) return { message: e.message, outLine: e.position.row + 1, textLine: null, by: 'tree-sitter' };
    throw e;
  }
  if (!root.hasError) return null;
  const bad = root.descendantsOfType('ERROR')[0] ?? firstMissing(root);
  if (!bad) return null;
  const outLine = bad.startPosition.row + 1;
  const message = bad.isMissing ? `syntax error: expected "${bad.type}"` : `syntax error at "${bad.text.trim().split('\n')[0]!.slice(0, 40)}"`;
  return { message, outLine, textLine: sameLine(bpfC, outLine, assembled), by: 'tree-sitter' };
}

function firstMissing(n: SyntaxNode): SyntaxNode | null {
  if (n.isMissing) return n;
  for (const c of n.children) {
    const m = firstMissing(c);
    if (m) return m;
  }
  return null;
}

/** The tool's line (negative: its src_file's) of a line of the assembled BPF text. */
function pyLineOf(starts: { lineIdx: number; line: number; src?: boolean }[], idx: number): number {
  let best = starts[0]!;
  for (const p of starts) if (p.lineIdx <= idx) best = p;
  const n = best.line + idx - best.lineIdx;
  return best.src ? -n : n;
}

export interface ConvertOptions {
  /** the package's dependencies (default: defaultDependencies()) */
  dependencies?: PackageSpecs;
  /** how the written C is checked: clang where there is one (default), or tree-sitter's syntax check alone */
  check?: 'auto' | 'syntax';
}

/** lcc's packages for a converted tool: this checkout's when lcc runs from one, else this version's. */
function defaultDependencies(): PackageSpecs {
  const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return packageSpecs(fs.existsSync(path.join(ROOT, 'lbc', 'package.json')) ? ROOT : null, version);
}

/**
 * The converted tool as a package of its own: `npm install && npm run build
 * && sudo npm start` works wherever it was written, not only in this checkout.
 */
function packageJson(name: string, deps: PackageSpecs): string {
  return `${JSON.stringify({
    name, version: '0.1.0', private: true, description: `${name}, converted from BCC by lcc convert`, type: 'module',
    scripts: { build: `lcc build ${name}.bpf.c`, start: `tsx ${name}.ts`, bundle: `lcc build ${name}.bpf.c && lcc bundle ${name}.ts -o bundle` },
    dependencies: { '@lcc-ebpf/lbc': deps.lbc },
    devDependencies: { '@lcc-ebpf/lcc': deps.lcc, tsx: '^4.20.0' },
  }, null, 2)}\n`;
}

export function convert(pyFile: string, outDir?: string, opts: ConvertOptions = {}): ConvertResult {
  let source: string;
  try {
    source = fs.readFileSync(pyFile, 'utf8');
  } catch (e) {
    throw new ConvertError(pyFile, undefined, `cannot read: ${(e as Error).message}`);
  }
  const tool = parsePythonTool(pyFile, source);
  const name = toolName(pyFile);
  const dir = outDir ?? path.join(process.cwd(), name);
  const { text, starts } = assemble(tool);
  let c;
  try {
    c = convertC(tool, name, text, starts);
  } catch (e) {
    // the BPF text nests deeper than the C reader goes: said at the tool's line the text starts on
    if (e instanceof TooDeepError) throw new ConvertError(pyFile, tool.bpfLine || undefined, `its BPF C is ${e.message}`, 'write it with fewer levels of nesting');
    throw e;
  }
  const report = [...c.report];
  for (const u of tool.unknown) report.push({ line: u.line, what: `${u.text}: ${u.why}`, action: 'convert by hand', converted: false });
  if (tool.tracepointChecks.length) report.push({ line: tool.tracepointChecks[0]!.line, what: 'tracepoint_exists() checks → tracepointExists() at run time', converted: true });
  const ts = emitTs(tool, name, c, report);
  if (!report.some((r) => !r.converted)) {
    const bad = cErrors(name, c.bpfC, c.header, text, opts.check === 'syntax');
    if (bad) report.push({ line: bad.textLine === null ? tool.bpfLine : pyLineOf(starts, bad.textLine), what: `the converted C does not compile: ${bad.message} (${bad.by}, ${name}.bpf.c:${bad.outLine})`, action: 'fix the C in the tool at this line', converted: false });
  }
  // the .py's lines first, then the src_file's (negative), each in order
  const order = (l: number): number => (l < 0 ? 1e9 - l : l);
  report.sort((a, b) => order(a.line) - order(b.line));
  const files: [string, string][] = [
    [`${name}.bpf.c`, c.bpfC], [`${name}.h`, c.header], [`${name}.ts`, ts], ['CONVERSION.md', markdown(tool, name, report)],
    ['package.json', packageJson(name, opts.dependencies ?? defaultDependencies())],
  ];
  writeFilesAtomic(dir, files);
  return { tool, name, dir, files: files.map(([f]) => path.join(dir, f)), report, unconverted: report.filter((r) => !r.converted).length };
}
