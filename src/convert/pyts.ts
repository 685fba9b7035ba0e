// The Python a BCC tool runs after loading, as TypeScript on the generated
// skeleton: a small translator for the statements and expressions tools use
// to print (print/% formatting, event fields, map items, histograms, sorted
// table dumps, interval loops). What it does not know becomes a comment
// naming the line, and the report lists it.
import type { PyNode } from './python.js';

export class Untranslatable extends Error {
  constructor(readonly node: PyNode, why: string) {
    super(why);
  }
}

export interface Scope {
  /** the BPF object variable (`b`) */
  bpfVar: string;
  /** names bound to maps: b["counts"] assigned to a variable */
  mapVars: Map<string, string>;
  /** maps that are histograms (print_log2_hist) */
  maps: Set<string>;
  /** variables holding decoded events */
  eventVars: Set<string>;
  /** module-level mutable state (`global x`) */
  globals: Set<string>;
  /** names declared in the current function */
  locals: Set<string>;
  /** the option namespace (`args`) */
  argsVar: string;
  /** the tool's own module-level functions, translated alongside */
  functions: Set<string>;
}

const lineOf = (n: PyNode): number => n.startPosition.row + 1;

// Python names that are words of their own in TypeScript (print_row(old, new))
const RESERVED = new Set(['new', 'delete', 'function', 'var', 'let', 'const', 'this', 'switch', 'case', 'default', 'typeof', 'void', 'instanceof', 'do', 'enum', 'export', 'extends', 'super', 'null', 'catch', 'throw', 'interface', 'package', 'private', 'protected', 'public', 'static', 'yield', 'arguments', 'eval', 'undefined']);
export const tsName = (name: string): string => (RESERVED.has(name) ? `${name}_` : name);

function str(n: PyNode): string | null {
  const m = /^([rRbBuU]*)("""|'''|"|')([\s\S]*)\2$/.exec(n.text);
  if (!m || n.children.some((c) => c.type === 'interpolation')) return null;
  // b'...' is bytes in Python; BCC tools use it for names and output: a string here
  const raw = /r/i.test(m[1]!);
  return raw ? m[3]! : m[3]!.replace(/\\(n|t|\\|'|")/g, (_, e: string) => ({ n: '\n', t: '\t' } as Record<string, string>)[e] ?? e);
}

const BINOP: Record<string, string> = { '+': '+', '-': '-', '*': '*', '/': '/', '//': '/', '%': '%', '**': '**', '&': '&', '|': '|', '^': '^', '<<': '<<', '>>': '>>' };
const CMP: Record<string, string> = { '==': '===', '!=': '!==', '<': '<', '>': '>', '<=': '<=', '>=': '>=', is: '===', 'is not': '!==', in: 'in' };

export function expr(n: PyNode, s: Scope): string {
  switch (n.type) {
    case 'integer': return n.text.replace(/[lL]$/, '');
    case 'float': return n.text;
    case 'true': return 'true';
    case 'false': return 'false';
    case 'none': return 'undefined';
    case 'string': case 'concatenated_string': {
      const v = n.type === 'string' ? str(n) : n.namedChildren.map((c) => str(c)).join('');
      if (v === null) throw new Untranslatable(n, 'f-strings and interpolation');
      return JSON.stringify(v);
    }
    case 'identifier':
      if (n.text === s.argsVar) return 'args';
      // `from sys import argv`: the script and its arguments, as Python sees them
      if (n.text === 'argv' && !s.locals.has('argv') && !s.globals.has('argv')) return 'process.argv.slice(1)';
      if (n.text === '__name__') return "'__main__'"; // the converted tool is always the program run
      return tsName(n.text);
    case 'parenthesized_expression': return `(${expr(n.namedChildren[0]!, s)})`;
    case 'attribute': {
      const obj = n.childForFieldName('object')!;
      const attr = n.childForFieldName('attribute')!.text;
      // ctypes' .value is a Python int: a number here (the skeleton decodes u64 as bigint)
      if (attr === 'value' && !(obj.type === 'identifier' && s.eventVars.has(obj.text))) return `Number(${expr(obj, s)})`;
      if (obj.text === 'sys' && attr === 'argv') return 'process.argv.slice(1)';
      return `${expr(obj, s)}.${attr}`;
    }
    case 'subscript': {
      const obj = n.childForFieldName('value')!;
      const idx = n.childForFieldName('subscript')!;
      if (obj.text === s.bpfVar && idx.type === 'string') return `skel.maps.${str(idx)}`;
      if (idx.type === 'slice') {
        const [a, b] = [idx.namedChildren[0], idx.namedChildren[1]];
        const start = idx.text.startsWith(':') ? '0' : a ? expr(a, s) : '0';
        const end = idx.text.startsWith(':') ? (a ? expr(a, s) : undefined) : b ? expr(b, s) : undefined;
        return `${expr(obj, s)}.slice(${start}${end !== undefined ? `, ${end}` : ''})`;
      }
      const o = expr(obj, s);
      // table[key] on a BCC map: a lookup (0 where BCC would hand back a zeroed leaf)
      if (o.startsWith('skel.maps.') || (obj.type === 'identifier' && s.mapVars.has(obj.text))) return `(${o}.get(${expr(idx, s)}) ?? 0)`;
      return `${o}[${expr(idx, s)}]`;
    }
    case 'unary_operator': {
      const op = n.children[0]!.text;
      return `${op === '~' ? '~' : op}${expr(n.namedChildren[0]!, s)}`;
    }
    case 'not_operator': return `!(${expr(n.namedChildren[0]!, s)})`;
    case 'boolean_operator': {
      const op = n.children[1]!.text === 'and' ? '&&' : '||';
      return `${expr(n.childForFieldName('left')!, s)} ${op} ${expr(n.childForFieldName('right')!, s)}`;
    }
    case 'comparison_operator': {
      const parts = n.namedChildren;
      // the operators are the anonymous children (wrapper objects are not stable enough to compare by identity)
      const ops = n.children.filter((c) => !c.isNamed).map((c) => c.text);
      const op = ops.join(' ');
      if (parts.length !== 2 || !ops[0] || !(CMP[op] || op === 'not in')) throw new Untranslatable(n, 'chained or unusual comparison');
      if (op === 'in' || op === 'not in') {
        // a string or list literal is known; anything else may be a dict (pyIn looks at run time)
        const lit = parts[1]!.type === 'string' || parts[1]!.type === 'list' || parts[1]!.type === 'tuple';
        const c = expr(parts[1]!, s);
        // `k in b["map"]`: a key of the BPF map
        const test = lit ? `${c}.includes(${expr(parts[0]!, s)})` : isBpfMap(parts[1]!, c, s) ? `(${c}.get(${expr(parts[0]!, s)}) !== undefined)` : `pyIn(${expr(parts[0]!, s)}, ${c})`;
        return `${op === 'in' ? '' : '!'}${test}`;
      }
      return `${expr(parts[0]!, s)} ${CMP[op]} ${expr(parts[1]!, s)}`;
    }
    case 'binary_operator': {
      const left = n.childForFieldName('left')!;
      const op = n.children[1]!.text;
      const right = n.childForFieldName('right')!;
      if (op === '%' && (left.type === 'string' || left.type === 'concatenated_string')) {
        const args = right.type === 'tuple' ? right.namedChildren.map((a) => expr(a, s)) : [expr(right, s)];
        return `pyFormat(${expr(left, s)}, [${args.join(', ')}])`;
      }
      if (!BINOP[op]) throw new Untranslatable(n, `operator ${op}`);
      const e = `${expr(left, s)} ${BINOP[op]} ${expr(right, s)}`;
      return op === '//' ? `Math.floor(${e})` : e;
    }
    case 'conditional_expression': {
      const [a, c, b] = n.namedChildren;
      return `(${expr(c!, s)} ? ${expr(a!, s)} : ${expr(b!, s)})`;
    }
    case 'call': return call(n, s);
    case 'list': case 'tuple': return `[${n.namedChildren.map((c) => expr(c, s)).join(', ')}]`;
    case 'dictionary': {
      const pairs = n.namedChildren.filter((c) => c.type !== 'comment').map((p) => {
        if (p.type !== 'pair') throw new Untranslatable(p, 'a dictionary with ** or a comprehension');
        const k = p.childForFieldName('key')!;
        const key = k.type === 'string' || k.type === 'integer' ? expr(k, s) : `[${expr(k, s)}]`;
        return `${key}: ${expr(p.childForFieldName('value')!, s)}`;
      });
      return `{ ${pairs.join(', ')} }`;
    }
    case 'list_comprehension': case 'generator_expression': {
      const body = n.namedChildren[0]!;
      const clauses = n.namedChildren.slice(1);
      const fors = clauses.filter((c) => c.type === 'for_in_clause');
      if (fors.length !== 1) throw new Untranslatable(n, 'a comprehension over more than one sequence');
      const left = fors[0]!.childForFieldName('left')!;
      const names = left.type === 'pattern_list' || left.type === 'tuple_pattern' ? left.namedChildren.map((c) => c.text) : [left.text];
      const inner: Scope = { ...s, locals: new Set([...s.locals, ...names]) };
      const param = names.length > 1 ? `[${names.map(tsName).join(', ')}]` : tsName(names[0]!);
      let out = `[...${expr(fors[0]!.childForFieldName('right')!, s)}]`;
      for (const c of clauses.filter((x) => x.type === 'if_clause')) out += `.filter((${param}: any) => ${expr(c.namedChildren[0]!, inner)})`;
      return `${out}.map((${param}: any) => ${expr(body, inner)})`;
    }
    default:
      throw new Untranslatable(n, `${n.type}`);
  }
}

/** Whether an expression (`code` its translation) is known to be one of the tool's BPF maps. */
function isBpfMap(n: PyNode, code: string, s: Scope): boolean {
  return code.startsWith('skel.maps.') || (n.type === 'identifier' && s.mapVars.has(n.text));
}

function call(n: PyNode, s: Scope): string {
  const fn = n.childForFieldName('function')!;
  const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'keyword_argument');
  const kw = new Map((n.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type === 'keyword_argument').map((a) => [a.childForFieldName('name')!.text, a.childForFieldName('value')!]));
  const a = (i: number): string => expr(args[i]!, s);
  const name = fn.text;
  switch (name) {
    case 'int': return `Math.trunc(Number(${a(0)}))`;
    case 'float': return `Number(${a(0)})`;
    case 'str': return `String(${a(0)})`;
    case 'len': return args[0]!.type === 'string' || args[0]!.type === 'list' ? `${a(0)}.length` : `pyLen(${a(0)})`;
    case 'abs': return `Math.abs(${a(0)})`;
    case 'min': return `Math.min(${args.map((x) => expr(x, s)).join(', ')})`;
    case 'max': return `Math.max(${args.map((x) => expr(x, s)).join(', ')})`;
    case 'strftime': case 'time.strftime': return `pyStrftime(${args.length ? a(0) : "'%H:%M:%S'"})`;
    case 'getpid': case 'os.getpid': return 'process.pid';
    case 'time.time': case 'time': return '(Date.now() / 1000)';
    case 'datetime.now': return 'new Date()';
    case 'BPF.tracepoint_exists': case 'tracepoint_exists': return `tracepointExists(${a(0)}, ${a(1)})`;
    case 'BPF.support_raw_tracepoint': case 'BPF.support_kfunc': return 'false';
    case 'hex': return `pyFormat('%#x', ${a(0)})`;
    case 'bytes': case 'bytearray': return args.length ? `String(${a(0)})` : "''";
    case 'list': return args.length ? `[...${a(0)}]` : '[]';
    case 'dict': return args.length ? `{ ...${a(0)} }` : '{}';
    case 'reversed': return `[...${a(0)}].reverse()`;
    case 'sum': return `[...${a(0)}].reduce((x: any, y: any) => x + y, 0)`;
    case 'round': return args.length > 1 ? `Number(Number(${a(0)}).toFixed(${a(1)}))` : `Math.round(${a(0)})`;
    case 'defaultdict': case 'collections.defaultdict': {
      // BCC tools collect per-event lists and counts in defaultdict(list) / defaultdict(int)
      const make = ({ list: '[]', int: '0', float: '0', str: "''", dict: '{}' } as Record<string, string>)[args[0]?.text ?? ''];
      if (!make) throw new Untranslatable(n, `defaultdict(${args[0]?.text ?? ''})`);
      return `defaultDict(() => ${make})`;
    }
    case 'inet_ntop': case 'socket.inet_ntop': {
      const fam = /AF_INET6$/.test(args[0]?.text ?? '') ? 6 : /AF_INET$/.test(args[0]?.text ?? '') ? 4 : null;
      if (fam === null || !args[1]) throw new Untranslatable(n, `inet_ntop of family ${args[0]?.text ?? '?'}`);
      // pack("I", addr): the u32 in memory order, which is what the skeleton decoded
      const packed = args[1].type === 'call' && /^(struct\.)?pack$/.test(args[1].childForFieldName('function')!.text) ? args[1].childForFieldName('arguments')!.namedChildren[1] : args[1];
      if (!packed) throw new Untranslatable(n, 'inet_ntop of a pack() without a value');
      return `inetNtop(${fam}, ${expr(packed, s)})`;
    }
    default: break;
  }
  // ctypes wrappers (ct.c_int(3), c_ulong(x)): the number itself, as map keys and values here
  if (/^(ct\.|ctypes\.)?c_(u?(int|long|longlong|short|byte)|(u)?int(8|16|32|64))$/.test(name) && args.length === 1) return a(0);
  if (fn.type === 'attribute') {
    const obj = fn.childForFieldName('object')!;
    const method = fn.childForFieldName('attribute')!.text;
    if (method === 'decode' || method === 'encode' || method === 'strip') return expr(obj, s);
    if (method === 'items' || method === 'values' || method === 'keys') {
      const o = expr(obj, s);
      // a BPF map iterates like a Map; a Python dict is an object here; a parameter may be either (pyItems looks)
      if (isBpfMap(obj, o, s)) return `[...${o}.${method === 'items' ? 'entries' : method}()]`;
      return `${method === 'items' ? 'pyItems' : method === 'keys' ? 'pyKeys' : 'pyValues'}(${o})`;
    }
    if (method === 'clear') return `${expr(obj, s)}.clear()`;
    if (method === 'ksym' && obj.text === s.bpfVar) return `formatKsym(BigInt(${a(0)}))`;
    if (method === 'get_table' && obj.text === s.bpfVar && args[0]?.type === 'string') return `skel.maps.${JSON.parse(a(0))}`;
    if (method === 'print_log2_hist' || method === 'print_linear_hist') {
      const label = args[0] ? a(0) : kw.get('val_type') ? expr(kw.get('val_type')!, s) : "'value'";
      const f = method === 'print_log2_hist' ? 'formatLog2Hist' : 'formatLinearHist';
      return `console.log(${f}([...${expr(obj, s)}.values()].map(Number), ${label}))`;
    }
    if (method === 'format' && (obj.type === 'string')) {
      return `${expr(obj, s)}.replace(/\\{(\\d*)\\}/g, ((i) => (_m: string, k: string) => String([${args.map((x) => expr(x, s)).join(', ')}][k === '' ? i++ : Number(k)]))(0))`;
    }
    if (method === 'append') return `${expr(obj, s)}.push(${a(0)})`;
    // datetime.now().strftime(fmt): the time now, as the format says
    if (method === 'strftime' && /^(datetime\.)?datetime\.now\(\)$|^datetime\.now\(\)$/.test(obj.text)) return `pyStrftime(${a(0)})`;
    if (method === 'extend') return `${expr(obj, s)}.push(...${a(0)})`;
    if (method === 'join' && args.length === 1) return `[...${a(0)}].join(${expr(obj, s)})`;
    if (method === 'startswith' || method === 'endswith') return `${expr(obj, s)}.${method === 'startswith' ? 'startsWith' : 'endsWith'}(${a(0)})`;
    if (method === 'lower' || method === 'upper') return `${expr(obj, s)}.to${method === 'lower' ? 'Lower' : 'Upper'}Case()`;
    if ((method === 'rstrip' || method === 'lstrip') && !args.length) return `${expr(obj, s)}.trim${method === 'rstrip' ? 'End' : 'Start'}()`;
    if (method === 'split') return args.length ? `${expr(obj, s)}.split(${a(0)})` : `${expr(obj, s)}.trim().split(/\\s+/)`;
    if (method === 'find' && args.length === 1) return `${expr(obj, s)}.indexOf(${a(0)})`;
    if (method === 'replace' && args.length === 2) return `${expr(obj, s)}.split(${a(0)}).join(${a(1)})`;
    if (method === 'pop' && args.length >= 1 && !s.maps.has(obj.text)) return `pyPop(${expr(obj, s)}, ${args.map((x) => expr(x, s)).join(', ')})`;
  }
  if (name === 'sorted') {
    const key = kw.get('key');
    const reverse = kw.get('reverse')?.text === 'True';
    let cmp = '(x, y) => (x < y ? -1 : x > y ? 1 : 0)';
    if (key?.type === 'lambda') {
      const param = key.childForFieldName('parameters')!.text;
      const body = key.childForFieldName('body')!;
      const inner: Scope = { ...s, locals: new Set([...s.locals, param]) };
      const keyFn = `(${param}: any) => ${expr(body, inner)}`;
      cmp = `((k) => (x: any, y: any) => (k(x) < k(y) ? -1 : k(x) > k(y) ? 1 : 0))(${keyFn})`;
    } else if (key) throw new Untranslatable(key, 'sorted() with a key that is not a lambda');
    return `[...${a(0)}].sort(${cmp})${reverse ? '.reverse()' : ''}`;
  }
  if (name === 'range') return `Array.from({ length: ${args.length === 1 ? a(0) : `${a(1)} - ${a(0)}`} }, (_, i) => ${args.length === 1 ? 'i' : `${a(0)} + i`})`;
  if (fn.type === 'identifier' && s.functions.has(name)) return `${tsName(name)}(${args.map((x) => expr(x, s)).join(', ')})`;
  if (/^(BPF\.)?get_kprobe_functions$/.test(name) || new RegExp(`^${s.bpfVar}\\.get_kprobe_functions$`).test(name)) {
    return `kprobeFunctions(${args[0] ? expr(args[0], s) : "''"}).length`;
  }
  throw new Untranslatable(n, `call to ${name}()`);
}

export interface Emitted { code: string[]; untranslated: { line: number; text: string; why: string }[] }

/** Statements → TypeScript lines at `indent`; untranslatable ones become comments. */
export function statements(nodes: PyNode[], s: Scope, indent: string, out: Emitted): void {
  for (const n of nodes) {
    try {
      statement(n, s, indent, out);
    } catch (e) {
      if (!(e instanceof Untranslatable)) throw e;
      out.untranslated.push({ line: lineOf(n), text: n.text.split('\n')[0]!.slice(0, 100), why: e.message });
      out.code.push(`${indent}// lcc convert: not translated (line ${lineOf(n)}, ${e.message}): ${n.text.split('\n')[0]!.slice(0, 100)}`);
    }
  }
}

function printCall(n: PyNode, s: Scope): string | null {
  const fn = n.childForFieldName('function')!.text;
  if (fn !== 'print' && fn !== 'printb') return null;
  const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'keyword_argument');
  const kw = new Map((n.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type === 'keyword_argument').map((a) => [a.childForFieldName('name')!.text, a.childForFieldName('value')!]));
  const parts = args.map((a) => `String(${expr(a, s)})`);
  const end = kw.get('end') ? expr(kw.get('end')!, s) : "'\\n'";
  return `process.stdout.write(${parts.length ? parts.join(" + ' ' + ") : "''"} + ${end})`;
}

function statement(n: PyNode, s: Scope, indent: string, out: Emitted): void {
  const push = (l: string): number => out.code.push(`${indent}${l}`);
  switch (n.type) {
    case 'comment': return;
    case 'pass_statement': return;
    case 'global_statement': return;
    case 'expression_statement': {
      const e = n.namedChildren[0]!;
      if (e.type === 'string') return; // docstring
      if (e.type === 'call') {
        const p = printCall(e, s);
        if (p) {
          push(`${p};`);
          return;
        }
        const fn = e.childForFieldName('function')!.text;
        if (/^(exit|sys\.exit|quit)$/.test(fn)) {
          push('stop();');
          return;
        }
        if (/\.(perf_buffer_poll|ring_buffer_poll|ring_buffer_consume|kprobe_poll|trace_print)$/.test(fn) || /^(sleep|time\.sleep)$/.test(fn)) return;
        // attaching and opening buffers are done from the model (SEC names, autoload, onX subscriptions)
        if (/\.(attach_\w+|detach_\w+|open_perf_buffer|open_ring_buffer)$/.test(fn)) return;
        if (/^sys\.stdout\.flush$/.test(fn)) return;
      }
      if (e.type === 'assignment' || e.type === 'augmented_assignment') {
        assignment(e, s, indent, out);
        return;
      }
      push(`${expr(e, s)};`);
      return;
    }
    case 'if_statement': {
      push(`if (${expr(n.childForFieldName('condition')!, s)}) {`);
      statements(n.childForFieldName('consequence')!.namedChildren, s, `${indent}  `, out);
      for (const alt of n.namedChildren.filter((c) => c.type === 'elif_clause' || c.type === 'else_clause')) {
        if (alt.type === 'elif_clause') push(`} else if (${expr(alt.childForFieldName('condition')!, s)}) {`);
        else push('} else {');
        statements(alt.childForFieldName('consequence')?.namedChildren ?? alt.childForFieldName('body')?.namedChildren ?? [], s, `${indent}  `, out);
      }
      push('}');
      return;
    }
    case 'for_statement': {
      const left = n.childForFieldName('left')!;
      const names = left.type === 'pattern_list' || left.type === 'tuple_pattern' ? left.namedChildren.map((c) => c.text) : [left.text];
      const inner: Scope = { ...s, locals: new Set([...s.locals, ...names]) };
      push(`for (const ${names.length > 1 ? `[${names.map(tsName).join(', ')}]` : tsName(names[0]!)} of ${expr(n.childForFieldName('right')!, s)}) {`);
      statements(n.childForFieldName('body')!.namedChildren, inner, `${indent}  `, out);
      push('}');
      return;
    }
    case 'try_statement': {
      // BCC tools wrap sleep/poll in try/except KeyboardInterrupt: Ctrl-C is the runtime's SIGINT handler here
      statements(n.childForFieldName('body')!.namedChildren, s, indent, out);
      return;
    }
    case 'return_statement': push(`return${n.namedChildren[0] ? ` ${expr(n.namedChildren[0], s)}` : ''};`); return;
    case 'continue_statement': push('continue;'); return;
    case 'break_statement': push('break;'); return;
    case 'while_statement': {
      const cond = n.childForFieldName('condition')!;
      push(`while (${/^(1|True)$/.test(cond.text) ? 'true' : expr(cond, s)}) {`);
      statements(n.childForFieldName('body')!.namedChildren, s, `${indent}  `, out);
      push('}');
      return;
    }
    case 'delete_statement': {
      // del d[k] / del(d[k]): a key out of a dict (or a map)
      const targets = n.namedChildren[0]?.type === 'expression_list' ? n.namedChildren[0].namedChildren : n.namedChildren;
      for (const t0 of targets) {
        const t = t0.type === 'parenthesized_expression' ? t0.namedChildren[0]! : t0;
        if (t.type !== 'subscript') throw new Untranslatable(n, 'del of something other than d[k]');
        const o = expr(t.childForFieldName('value')!, s);
        const k = expr(t.childForFieldName('subscript')!, s);
        push(o.startsWith('skel.maps.') || s.mapVars.has(t.childForFieldName('value')!.text) ? `${o}.delete(${k});` : `delete ${o}[${k}];`);
      }
      return;
    }
    case 'class_definition': {
      // class EventType(object): EVENT_ARG = 0 ... — a namespace of constants
      const body = n.childForFieldName('body')!.namedChildren.filter((c) => c.type !== 'comment' && !(c.type === 'expression_statement' && c.namedChildren[0]?.type === 'string'));
      const fields = body.map((c) => {
        const a = c.type === 'expression_statement' ? c.namedChildren[0] : null;
        if (a?.type !== 'assignment' || a.childForFieldName('left')!.type !== 'identifier') throw new Untranslatable(n, 'a class with methods');
        return `${a.childForFieldName('left')!.text}: ${expr(a.childForFieldName('right')!, s)}`;
      });
      const cname = n.childForFieldName('name')!.text;
      s.locals.add(cname);
      push(`const ${cname} = { ${fields.join(', ')} };`);
      return;
    }
    default:
      throw new Untranslatable(n, n.type.replace(/_/g, ' '));
  }
}

function assignment(e: PyNode, s: Scope, indent: string, out: Emitted): void {
  const left = e.childForFieldName('left')!;
  const right = e.childForFieldName('right');
  // `x: int` declares and assigns nothing
  if (!right) throw new Untranslatable(e, 'an annotation without a value');
  // event = b["events"].event(data): the callback's argument is already decoded
  if (right.type === 'call' && /\.event$/.test(right.childForFieldName('function')!.text) && left.type === 'identifier') {
    s.eventVars.add(left.text);
    if (left.text !== 'event') out.code.push(`${indent}const ${left.text} = event;`);
    return;
  }
  const isMapRef = (r: PyNode): boolean => (r.type === 'subscript' && r.childForFieldName('value')!.text === s.bpfVar) ||
    (r.type === 'call' && r.childForFieldName('function')!.text === `${s.bpfVar}.get_table`);
  if (left.type === 'identifier' && isMapRef(right)) {
    s.mapVars.set(left.text, expr(right, s));
    out.code.push(`${indent}const ${left.text} = ${expr(right, s)};`);
    return;
  }
  const op = e.type === 'augmented_assignment' ? e.children[1]!.text : '=';
  if (left.type !== 'identifier' && left.type !== 'attribute' && left.type !== 'subscript') throw new Untranslatable(e, 'assignment to a pattern');
  const name = left.text;
  const declared = left.type !== 'identifier' || s.globals.has(name) || s.locals.has(name);
  if (!declared) s.locals.add(name);
  out.code.push(`${indent}${declared ? '' : 'let '}${left.type === 'identifier' ? tsName(name) : expr(left, s)} ${op} ${expr(right, s)};`);
}
