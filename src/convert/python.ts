// BCC tool (Python) → what it does, as data: the BPF text and how it is
// assembled and configured, the attach calls, the outputs it reads and how it
// prints them, its command-line options. tree-sitter-python reads the file;
// anything we do not recognise is kept with its line for the report.
import * as path from 'node:path';
import { parse, TooDeepError, type SyntaxNode } from '../treesitter.js';
import { syscallPrefix } from './c/arch.js';
import { params as paramsOf } from './py/analyze.js';

/** A node of tree-sitter-python's tree. */
export type PyNode = SyntaxNode;

export class ConvertError extends Error {
  override name = 'ConvertError';
  constructor(readonly file: string, readonly line: number | undefined, detail: string, readonly hint?: string) {
    super(`${file}${line ? `:${line}` : ''}: error: ${detail}${hint ? `\n  hint: ${hint}` : ''}`);
  }
}

/** One piece of the BPF text, in source order; `cond` when it is appended under an `if`. */
export interface TextPiece { text: string; line: number; cond: string | null }

/** `text.replace(TOKEN, value)` where value is code, possibly formatted with an option. */
export interface Replacement {
  token: string;
  line: number;
  cond: string | null;
  /** cond, as the conditions of each branch around it (outermost first) */
  conds: string[];
  /** the replacement: a Python string literal's value, or null when it is not one */
  code: string | null;
  /** the option formatted into it (`% args.pid`, `.format(args.pid)`), as `args.pid` */
  arg: string | null;
  /**
   * `arg` is a list and `code` is made once per element, the copies joined
   * with this operator (" || ".join("tgid == %d" % p for p in args.pid))
   */
  list?: '||' | '&&';
  /**
   * one of the texts a variable built with += makes, one per path through its ifs: the paths
   * exclude each other and cover every case, so the last holds when none before it did
   */
  path?: boolean;
  py: string;
}

/**
 * How many elements an option list set at load time holds (" || ".join(... for pid in args.pid)), and how
 * many copies C generated per element of a list is compiled with (funcslower's trace_%d per function)
 */
export const LIST_MAX = 16;

/** C the Python generates once per element of a list (funcslower's `int trace_%d(...)` per function) */
export interface Generated { fmt: string | null; list: string; line: number }

export interface Attach {
  kind: 'kprobe' | 'kretprobe' | 'tracepoint' | 'raw_tracepoint' | 'uprobe' | 'uretprobe' | 'perf_event' | 'usdt';
  target: string | null;
  /** event_re / sym_re */
  regex: string | null;
  binary: string | null;
  fn: string;
  line: number;
  cond: string | null;
  /** attach_perf_event's keyword arguments, as Python source */
  perf?: Record<string, string>;
  /** event=b.get_syscall_fnname("x") (or the syscall prefix + "x"): the syscall, which libbpf resolves per kernel */
  syscall?: string;
}

/** `text = "#define NAME VALUE\n" + text` (VALUE maybe formatted with `arg`), under `conds` */
export interface Define { name: string; value: string; arg: string | null; conds: string[]; line: number }

export interface Output { map: string; kind: 'perf' | 'ring'; callback: string; line: number }

/**
 * `" || ".join("x == NAME_%s" % c for c in args.list)`, each element a piece of a C name and one of the
 * option's `choices`: the template per choice, joined by `op`, each counted where its bit of the setting
 * `name` is set. `arg` is the Python that computes the mask from the list.
 */
export interface Mask { name: string; arg: string; list: string; choices: string[]; template: string; op: '||' | '&&'; line: number }

export interface Option { flags: string[]; dest: string; type: 'int' | 'str' | 'bool' | 'float'; help: string; default: string | null; line: number }

export interface PyTool {
  file: string;
  pieces: TextPiece[];
  srcFile: string | null;
  replacements: Replacement[];
  cflags: string[];
  attaches: Attach[];
  outputs: Output[];
  options: Option[];
  /** functions by name (callbacks, printers) */
  functions: Map<string, PyNode>;
  /** module-level statements after BPF() is built, in order */
  main: PyNode[];
  /** the variable the BPF object is bound to (`b`) */
  bpfVar: string;
  /** the module, and the line of the BPF() call */
  root: PyNode;
  bpfLine: number;
  /**
   * The tool loads no BPF program (bpflist, tplist: they read /proc and tracefs):
   * its Python alone is the tool
   */
  pythonOnly: boolean;
  /**
   * conditions under which the tool leaves before BPF() (`if args.ebpf: return`): a piece of C chosen
   * only under one never reaches the compiler
   */
  exitGuards: string[];
  /**
   * BPF(text=...) of another text than the tool's, whose C only reads members through struct pointers
   * (runqlen's check_runnable_weight_field): a compile check of whether the kernel has them, by the call's
   * offset in the source. [struct, member] pairs
   */
  memberChecks: Map<number, [string, string][]>;
  /** functions named by a format the text generates per element of a list, compiled LIST_MAX times */
  generated: Generated[];
  /** b.load_func("name", BPF.XDP): programs the tool loads by type (XDP, tc, socket filters), their BCC type */
  loadFuncs: { fn: string; type: string | null; line: number }[];
  /** values formatted into C several to a string ("%d .. %d" % (a, b)): each a setting, by its marker's number */
  formatArgs: string[];
  /**
   * lists of values C is repeated over (tcpsubnet's template per subnet): each a list set before load, named
   * `name`, its values the Python list `arg`; markers \u0000LCCLIST<n>\u0000 (an element) and
   * \u0000LCCLISTN<n>\u0000 (the count)
   */
  listArgs: { name: string; arg: string }[];
  /** C joined per choice of an option's list (choiceJoin); marker \u0000LCCMASK<n>\u0000 */
  masks: Mask[];
  /**
   * kernel versions (`__LCC_KERNEL_BEFORE_a_b_c`) whose older half of an `#if LINUX_VERSION_CODE` is
   * left out, its C not compiling against this kernel's types: BPF() refuses on those kernels
   */
  kernelNotBefore: string[];
  /** choices whose C does not compile against this kernel's types: BPF() refuses them, as BCC's compile does */
  refusals: { cond: string; why: string; line: number }[];
  /** `text = filter_by_containers(args) + text`: its line, and the option names it reads */
  containers: { line: number } | null;
  /** macros the Python defines for the C: "#define X" put before or after the text, computed cflags */
  defines: Define[];
  /** tracepoint_exists("cat", "ev") conditions guarding attach choices */
  tracepointChecks: { cat: string; ev: string; line: number }[];
  unknown: { line: number; text: string; why: string }[];
  /** lines of the text holding a marker, taken out under conditions (opensnoop's EXTENDED_STRUCT_MEMBER) */
  lineFilters: { marker: string; conds: string[]; line: number }[];
  description: string;
}

const line = (n: PyNode): number => n.startPosition.row + 1;

/** A Python string literal's value (plain, raw, triple-quoted; implicit concatenation). */
export function pyString(n: PyNode | null): string | null {
  if (!n) return null;
  if (n.type === 'concatenated_string') {
    const parts = n.namedChildren.map((c) => pyString(c));
    return parts.every((p) => p !== null) ? parts.join('') : null;
  }
  if (n.type === 'parenthesized_expression') return pyString(n.namedChildren[0] ?? null);
  if (n.type !== 'string') return null;
  if (n.children.some((c) => c.type === 'interpolation')) return null;
  const m = /^([rRbBuU]*)("""|'''|"|')([\s\S]*)\2$/.exec(n.text);
  if (!m) return null;
  const raw = /r/i.test(m[1]!);
  const body = m[3]!;
  if (raw) return body;
  return body.replace(/\\(\n|\\|'|"|n|t|r|0|x[0-9a-fA-F]{2})/g, (_, e: string) => {
    switch (e[0]) {
      case '\n': return '';
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case '0': return '\0';
      case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
      default: return e;
    }
  });
}

function kwargs(call: PyNode): Map<string, PyNode> {
  const out = new Map<string, PyNode>();
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (a.type === 'keyword_argument') out.set(a.childForFieldName('name')!.text, a.childForFieldName('value')!);
  }
  return out;
}

function positional(call: PyNode): PyNode[] {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
}

/** The condition an `if` puts on a statement (`args.pid`, `not args.x`), or null at top level. */
function condOf(n: PyNode): string | null {
  const parts = condParts(n);
  // `a or b` under `c` is (a or b) and c: `and` binds tighter
  return parts.length ? parts.map((p) => (parts.length > 1 ? andPart(p) : p)).join(' and ') : null;
}

/** The conditions of the `if`/`elif`/`else` branches around a statement, outermost first. */
function condParts(n: PyNode): string[] {
  const conds: string[] = [];
  // an elif or else branch holds when every condition before it in the chain did not
  const earlier = (ifs: PyNode, upTo: PyNode): string[] => {
    const out = [`not (${ifs.childForFieldName('condition')!.text})`];
    for (const c of ifs.namedChildren) {
      if (c === upTo || c.startIndex >= upTo.startIndex) break;
      if (c.type === 'elif_clause') out.push(`not (${c.childForFieldName('condition')!.text})`);
    }
    return out;
  };
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'if_statement') {
      conds.push(p.childForFieldName('condition')!.text);
    } else if (p.type === 'elif_clause' || p.type === 'else_clause') {
      const ifs = p.parent!;
      if (p.type === 'elif_clause') conds.push(p.childForFieldName('condition')!.text);
      conds.push(...earlier(ifs, p).reverse());
      p = ifs; // skip the if itself
    }
  }
  return conds.reverse();
}

/**
 * The source with its comments removed (each line keeps its place and its
 * code its columns). tree-sitter-python 0.25.0 takes quadratic time on a run
 * of comment lines after an indented block (4,000 lines: 7 s, 8,000: 26 s),
 * and convert reads no comments; blank lines cost it nothing. Strings are
 * copied whole: a `#` in one (BPF C's #include) is not a comment.
 */
export function withoutComments(source: string): string {
  const kept: string[] = [];
  let from = 0; // start of the text not yet kept
  let i = 0;
  const n = source.length;
  while (i < n) {
    const ch = source[i]!;
    if (ch === '#') {
      // the spaces before it go too, so a comment line becomes a blank one
      let k = i;
      while (k > from && (source[k - 1] === ' ' || source[k - 1] === '\t')) k--;
      kept.push(source.slice(from, k));
      while (i < n && source[i] !== '\n') i++;
      from = i;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const triple = source.startsWith(ch.repeat(3), i);
      const quote = triple ? ch.repeat(3) : ch;
      i += quote.length;
      while (i < n) {
        if (source[i] === '\\') i += 2;
        else if (source.startsWith(quote, i)) {
          i += quote.length;
          break;
        } else if (!triple && source[i] === '\n') break; // unterminated: the parser reports it
        else i++;
      }
      continue;
    }
    i++;
  }
  kept.push(source.slice(from));
  return kept.join('');
}

/**
 * BPF text the Python forms from literals and its own values: """...%s...""" % (a, b), or
 * """...""" + stacks + """...""". Each value's place becomes a token that a replacement
 * formats the value into, as text.replace() would: the C side makes it a load-time setting (or a
 * map size set before load). Null when some piece is neither.
 */
function formedText(n: PyNode, tool: PyTool, strVars: Map<string, { text: string }>, at: { line: number; cond: string | null; conds: string[] }): string | null {
  const token = (code: string, arg: string): string => {
    const t = `LCC_TEXT_ARG_${tool.replacements.filter((r) => r.token.startsWith('LCC_TEXT_ARG_')).length}`;
    tool.replacements.push({ token: t, line: at.line, cond: at.cond, conds: at.conds, code, arg, py: arg });
    return t;
  };
  // a number the module sets once and never again is known now: C sees the number (an array's size)
  const known = (v: PyNode): string | null => {
    const inner = v.type === 'call' && v.childForFieldName('function')!.text === 'str' ? positional(v)[0] : v;
    return inner?.type === 'identifier' ? moduleNumber(inner.text, tool) : inner?.type === 'integer' ? inner.text : null;
  };
  const lit = pyString(n);
  if (lit !== null) return lit;
  if (n.type === 'parenthesized_expression') return formedText(n.namedChildren[0]!, tool, strVars, at);
  if (n.type === 'identifier' && strVars.has(n.text)) return strVars.get(n.text)!.text;
  if (n.type === 'binary_operator' && n.children[1]?.text === '%') {
    const fmt = pyString(n.childForFieldName('left'));
    const r = n.childForFieldName('right')!;
    const vals = r.type === 'tuple' ? r.namedChildren : r.type === 'parenthesized_expression' && r.namedChildren[0]?.type === 'tuple' ? r.namedChildren[0].namedChildren : [r];
    const slots = fmt === null ? [] : [...fmt.matchAll(/%(%|[-0-9.]*[sdiux])/g)].filter((m) => m[1] !== '%');
    if (fmt === null || slots.length !== vals.length) return null;
    let i = 0;
    return fmt.replace(/%(%|[-0-9.]*[sdiux])/g, (m, c: string) => {
      if (c === '%') return '%';
      const v = vals[i++]!;
      const k = /^[sdiu]$/.test(c) ? known(v) : null;
      return k ?? token(m, v.text);
    });
  }
  if (n.type === 'binary_operator' && n.children[1]?.text === '+') {
    // a chain with C text of its own: its other pieces are values (a map's size, a number), not C
    const parts: PyNode[] = [];
    const flat = (x: PyNode): void => (x.type === 'binary_operator' && x.children[1]?.text === '+' ? (flat(x.childForFieldName('left')!), flat(x.childForFieldName('right')!)) : void parts.push(x));
    flat(n);
    if (!parts.some((p) => pyString(p) !== null)) return null;
    let out = '';
    for (const p of parts) {
      const text = formedText(p, tool, strVars, at) ?? known(p);
      const value = p.type === 'identifier' || p.type === 'attribute' ? p.text : p.type === 'call' && p.childForFieldName('function')!.text === 'str' ? positional(p)[0]?.text ?? null : null;
      if (text !== null) out += text;
      else if (value !== null) out += token('%s', value);
      else return null;
    }
    return out;
  }
  return null;
}

export function parsePythonTool(file: string, source: string): PyTool {
  let root;
  try {
    root = parse('python', withoutComments(source));
  } catch (e) {
    if (e instanceof TooDeepError) throw new ConvertError(file, e.position.row + 1, e.message, 'write it with fewer levels of nesting');
    throw e;
  }
  if (root.hasError) {
    const bad = root.descendantsOfType('ERROR')[0] ?? root.descendantsOfType('MISSING')[0];
    const where = bad ? line(bad) : undefined;
    throw new ConvertError(file, where, `cannot parse this Python${bad ? `: "${bad.text.split('\n')[0]!.slice(0, 60)}"` : ''}`, 'lcc convert reads Python 3 BCC tools; fix the syntax here first');
  }
  const imports = root.descendantsOfType(['import_from_statement', 'import_statement']).map((n) => n.text);
  if (!imports.some((t) => /\bbcc\b/.test(t))) {
    throw new ConvertError(file, undefined, 'not a BCC tool: it never imports bcc', 'lcc convert takes a BCC Python tool (from bcc import BPF)');
  }
  const tool: PyTool = {
    file, pieces: [], srcFile: null, replacements: [], cflags: [], defines: [], containers: null, attaches: [], outputs: [], options: [],
    functions: new Map(), main: [], bpfVar: 'b', root, bpfLine: 0, pythonOnly: false, exitGuards: [], refusals: [], loadFuncs: [], formatArgs: [], listArgs: [], masks: [], kernelNotBefore: [], tracepointChecks: [], unknown: [], lineFilters: [], description: '',
    memberChecks: new Map(), generated: [],
  };
  const doc = root.namedChildren.find((n) => n.type === 'expression_statement' && n.namedChildren[0]?.type === 'string');
  tool.description = (pyString(doc?.namedChildren[0] ?? null) ?? '').trim().split('\n').filter(Boolean)[0] ?? '';
  for (const f of root.descendantsOfType('function_definition')) tool.functions.set(f.childForFieldName('name')!.text, f);

  // string variables (BPF text pieces are often kept in several)
  const strVars = new Map<string, { text: string; line: number }>();
  for (const a of root.descendantsOfType('assignment')) {
    const left = a.childForFieldName('left')!;
    const v = pyString(a.childForFieldName('right'));
    if (left.type === 'identifier' && v !== null) strVars.set(left.text, { text: v, line: line(a.childForFieldName('right')!) });
  }
  // a name assigned more than once is a value chosen at run time, not one string (stacks = sys.argv[2] or "1024")
  const assignedTwice = new Set<string>();
  const seen = new Set<string>();
  for (const a of root.descendantsOfType(['assignment', 'augmented_assignment'])) {
    const left = a.childForFieldName('left')!;
    if (left.type !== 'identifier') continue;
    if (seen.has(left.text)) assignedTwice.add(left.text);
    seen.add(left.text);
  }
  const constStrings = new Map([...strVars].filter(([k]) => !assignedTwice.has(k)));
  // the text BPF() compiles: a literal, or a variable assembled by =, += and replace()
  // the module's own BPF(): a helper function may build a probe object of its own (a feature check)
  // BPF(...), or bcc.BPF(...) where the tool imports the module
  const isBpf = (c: PyNode): boolean => /^(bcc\.)?BPF$/.test(c.childForFieldName('function')!.text);
  // BPF(text=''): an object with no program, made for its helpers (opensnoop's get_syscall_prefix); not the tool's
  const bpfCalls = root.descendantsOfType('call').filter((c) => isBpf(c) && !emptyBpf(c));
  const inFunction = (n: PyNode): boolean => {
    for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition') return true;
    return false;
  };
  const bpfCall = bpfCalls.find((c) => !inFunction(c)) ?? bpfCalls[0];
  for (const c of bpfCalls) {
    if (c === bpfCall) continue;
    const arg = kwargs(c).get('text') ?? positional(c)[0];
    const probe = arg ? pyString(arg) ?? (arg.type === 'identifier' ? constStrings.get(arg.text)?.text ?? null : null) : null;
    const members = probe !== null ? memberCheck(probe) : null;
    if (members) tool.memberChecks.set(c.startIndex, members);
  }
  const textArg = bpfCall ? kwargs(bpfCall).get('text') ?? positional(bpfCall)[0] : undefined;
  tool.bpfLine = bpfCall ? line(bpfCall) : 0;
  // the same text compiled by BPF() in each branch of a choice (readahead's kfunc or kprobe text): the
  // text is what it is at the last of them, each branch's additions under its condition
  const builtText = textArg && textArg.type === 'call' ? replacedConstant(textArg, tool, constStrings) : null;
  const literal = textArg ? pyString(textArg) ?? (textArg.type === 'identifier' ? null : formedText(textArg, tool, constStrings, { line: line(textArg), cond: null, conds: [] })) : null;
  // BPF(text=bpf_text.replace("PID", pid)): the variable's text, the call's own replace()s made on it last
  let textName = textArg?.type === 'identifier' ? textArg : undefined;
  if (textArg?.type === 'call' && literal === null && !builtText) {
    let base: PyNode | null = textArg;
    while (base?.type === 'call' && base.childForFieldName('function')?.type === 'attribute' && base.childForFieldName('function')!.childForFieldName('attribute')!.text === 'replace') base = base.childForFieldName('function')!.childForFieldName('object');
    if (base !== textArg && base?.type === 'identifier') textName = base;
  }
  const textEnd = textName
    ? bpfCalls.filter((c) => c === bpfCall || (!inFunction(c) && (kwargs(c).get('text') ?? positional(c)[0])?.text === textArg!.text)).reduce((r, c) => Math.max(r, c.startPosition.row), 0)
    : 0;
  if (literal !== null && textArg) tool.pieces.push({ text: literal, line: line(textArg), cond: null });
  else if (textName) {
    const textVar = textName.text;
    tool.exitGuards = exitGuards(bpfCall!);
    // text = make_text(args): a function of the module that builds its own variable and returns it
    // (exitsnoop's _embedded_c): its assignments are the text's
    const builders = new Map<PyNode, string>();
    const replacedBy = new Map<PyNode, { ret: PyNode; text: { text: string; line: number } }>();
    for (const a of root.descendantsOfType('assignment')) {
      const right = a.childForFieldName('right');
      if (a.childForFieldName('left')?.text !== textVar || right?.type !== 'call' || a.startIndex > bpfCall!.startIndex) continue;
      const def = moduleFunction(root, right.childForFieldName('function')!.text);
      const rets = def?.descendantsOfType('return_statement').filter((r) => enclosingFunction(r) === def) ?? [];
      const returned = rets.length === 1 && rets[0]!.namedChildren[0]?.type === 'identifier' ? rets[0]!.namedChildren[0]!.text : null;
      if (def && returned) builders.set(def, returned);
      const replaced = replacedConstant(right, tool, constStrings);
      if (replaced) replacedBy.set(a, replaced);
    }
    const builtBy = (a: PyNode): string | null => {
      const f = enclosingFunction(a);
      return f && builders.has(f) ? builders.get(f)! : null;
    };
    for (const a of root.descendantsOfType(['assignment', 'augmented_assignment'])) {
      const left = a.childForFieldName('left')!;
      const right = a.childForFieldName('right');
      if (!right) continue;
      const built = builtBy(a);
      if (built === null && a.startPosition.row > textEnd) continue;
      if (left.text !== (built ?? textVar)) continue;
      const fromBuilder = replacedBy.get(a);
      if (fromBuilder) {
        assignText(tool, [fromBuilder.text], condOf(a));
        replacementsOf(fromBuilder.ret, '', tool, condParts(a));
        continue;
      }
      // the call of the function that builds it: its body said what the text is
      if (built === null && right.type === 'call' && [...builders.keys()].some((d) => d.childForFieldName('name')!.text === right.childForFieldName('function')!.text)) continue;
      // text = """... %s ...""" % value, or """...""" + stacks + """...""": a value of the tool's in the C, as a setting
      const lit = pyString(right) ?? (a.type === 'assignment' && !right.descendantsOfType('identifier').some((x) => x.text === textVar) ? formedText(right, tool, constStrings, { line: line(right), cond: condOf(a), conds: condParts(a) }) : null);
      // text += piece.replace("TOKEN", value): the piece, its tokens replaced in the whole text (they are its own)
      const syscall = right.type === 'identifier' ? undefined : syscallPiece(right, tool, strVars);
      const replaced = !syscall && right.type === 'call' && a.type === 'augmented_assignment' ? replacedVar(right, strVars) : null;
      const fromVar = right.type === 'identifier' ? strVars.get(right.text) : replaced ? strVars.get(replaced) : syscall;
      if (replaced) replacementsOf(right, replaced, tool, condParts(a));
      // text = f.read() in `with open("/usr/share/bpfcc-tools/deadlock.c") as f`: the file is the text, as src_file
      const file = a.type === 'assignment' ? openedFile(right, constStrings) : null;
      if (file !== null) {
        tool.srcFile = file;
        tool.pieces = [];
        continue;
      }
      // text = head + body (tcpcong's bpf_head_text + bpf_ca_tp_body_text): each variable a piece of its own, at its lines
      const joined = lit === null && !fromVar ? joinedPieces(right, strVars, textVar) : null;
      if (joined) {
        if (a.type === 'assignment') assignText(tool, joined, condOf(a));
        else tool.pieces.push(...joined.map((p) => ({ ...p, cond: condOf(a) })));
        continue;
      }
      const piece = lit !== null ? { text: lit, line: line(right) } : fromVar;
      // "#define X\n" put before (text = "#define X\n" + text) or after (text += "#define X\n") the text
      const prefix = a.type === 'assignment' && right.type === 'binary_operator' && right.children[1]?.text === '+' && right.childForFieldName('right')!.text === textVar
        ? right.childForFieldName('left')! : null;
      // BCC's containers helper: its C is lcc's own (the maps a user pinned, chosen at load time)
      if (prefix?.type === 'call' && /(^|\.)filter_by_containers$/.test(prefix.childForFieldName('function')!.text)) {
        tool.containers = { line: line(a) };
        continue;
      }
      const defs = definesOf(prefix ?? (a.type === 'augmented_assignment' ? right : null), tool, line(a));
      if (defs) {
        tool.defines.push(...defs.map((d) => ({ ...d, conds: condParts(a) })));
        continue;
      }
      // the piece's own replace()s before it joined the text (tcpconnect's dns_bpf_text.replace('TYPE_FIELD', ...)):
      // its tokens are its own, so replacing them in the whole text is the same
      if (fromVar && piece) {
        for (const r of root.descendantsOfType('assignment')) {
          const v = r.childForFieldName('right');
          if (r.startIndex < a.startIndex && r.childForFieldName('left')?.text === right.text && v?.type === 'call' && /\.replace$/.test(v.childForFieldName('function')!.text)) replacementsOf(v, right.text, tool, condParts(r));
        }
      }
      if (a.type === 'assignment' && piece) {
        assignText(tool, [piece], condOf(a));
      } else if (a.type === 'augmented_assignment' && piece) {
        tool.pieces.push({ ...piece, cond: condOf(a) });
      } else if (a.type === 'assignment' && lineFilterOf(right, textVar)) {
        // text = '\n'.join(x for x in text.split('\n') if 'MARK' not in x) (opensnoop's EXTENDED_STRUCT_MEMBER)
        tool.lineFilters.push({ marker: lineFilterOf(right, textVar)!, conds: condParts(a), line: line(a) });
      } else if (a.type === 'assignment' && right.type === 'call') {
        // program = """...""".replace(...).replace(...) (dbslower): the literal is the text, then its replace()s
        let base: PyNode | null = right;
        while (base?.type === 'call' && base.childForFieldName('function')?.type === 'attribute') base = base.childForFieldName('function')!.childForFieldName('object');
        const lit = base && base !== right ? pyString(base) : null;
        if (lit !== null) assignText(tool, [{ text: lit, line: line(base!) }], condOf(a));
        replacementsOf(right, lit !== null ? '' : textVar, tool, condParts(a));
      } else if (a.type === 'augmented_assignment' && perElement(a, right, tool)) {
        // (its pieces, one per element up to LIST_MAX, are the tool's now)
      } else {
        tool.unknown.push({ line: line(a), text: a.text.split('\n')[0]!, why: 'builds the BPF text from something that is not a string' });
      }
    }
    if (textName !== textArg) replacementsOf(textArg!, textVar, tool, []);
  } else if (textArg && builtText) {
    // BPF(text=build(args))
    const { ret, text } = builtText;
    tool.exitGuards = exitGuards(bpfCall!);
    tool.pieces.push({ ...text, cond: null });
    replacementsOf(ret, '', tool, []);
  } else if (textArg) {
    tool.unknown.push({ line: line(textArg), text: textArg.text.slice(0, 60), why: 'BPF(text=...) of an expression lcc cannot follow' });
  }

  for (const call of root.descendantsOfType('call')) {
    const fn = call.childForFieldName('function')!;
    const kw = kwargs(call);
    const pos = positional(call);
    if (isBpf(call)) {
      if (call !== bpfCall) continue;
      const parent = call.parent;
      if (parent?.type === 'assignment') tool.bpfVar = parent.childForFieldName('left')!.text;
      const src = kw.get('src_file');
      // a literal, or a module constant naming it (netqtop's EBPF_FILE = "/usr/share/bpfcc-tools/netqtop.c")
      if (src) tool.srcFile = pyString(src) ?? (src.type === 'identifier' ? constStrings.get(src.text)?.text ?? null : null);
      const cf = kw.get('cflags');
      if (cf?.type === 'list') {
        for (const c of cf.namedChildren) {
          const v = pyString(c);
          if (v !== null) {
            tool.cflags.push(v);
            continue;
          }
          // "-DMAX_PID=%d" % max_pid: a macro whose value the tool computes
          const [form] = valueForms(c, tool, line(c));
          const d = form?.code !== null && form?.arg ? /^-D(\w+)=(.*)$/.exec(form.code) : null;
          // a value the module's own constants decide (xdp_drop_count's ctxtype under `mode == BPF.XDP`,
          // mode set once to BPF.XDP): known here, no setting
          const known = d && /^\w+$/.test(form!.arg!) ? knownLiteral(form!.arg!, tool, line(c)) : null;
          // a string macro the options choose ("-DMAPTYPE=\"%s\"" % maptype: a map's type) is no setting C can
          // read at load time: compiled as the module sets it first, each other choice refused at BPF()
          const first = d && known === null && /^"%s"$/.test(d[2]!) ? quotedDefault(d[1]!, form!.arg!, tool, line(c)) : null;
          if (d && known !== null && /^[^%]*%s[^%]*$/.test(d[2]!)) tool.defines.push({ name: d[1]!, value: d[2]!.replace('%s', known), arg: null, conds: condParts(call), line: line(c) });
          else if (first !== null) tool.defines.push({ name: d![1]!, value: `"${first}"`, arg: null, conds: condParts(call), line: line(c) });
          else if (d) tool.defines.push({ name: d[1]!, value: d[2]!, arg: form!.arg, conds: condParts(call), line: line(c) });
          else tool.unknown.push({ line: line(c), text: c.text, why: 'a cflag computed at run time' });
        }
      }
      continue;
    }
    const m = /^(\w+)\.(attach_kprobe|attach_kretprobe|attach_tracepoint|attach_raw_tracepoint|attach_uprobe|attach_uretprobe|attach_perf_event)$/.exec(fn.text);
    if (m) {
      const kind = ({
        attach_kprobe: 'kprobe', attach_kretprobe: 'kretprobe', attach_tracepoint: 'tracepoint', attach_raw_tracepoint: 'raw_tracepoint',
        attach_uprobe: 'uprobe', attach_uretprobe: 'uretprobe', attach_perf_event: 'perf_event',
      } as const)[m[2] as 'attach_kprobe'] as Attach['kind'];
      const str = (k: string): string | null => (kw.get(k) ? pyString(kw.get(k)!) : null);
      const fnName = str('fn_name') ?? (pos[1] ? pyString(pos[1]) : null);
      const target = str('event') ?? str('tp') ?? str('sym') ?? (pos[0] ? pyString(pos[0]) : null);
      const fnNode = kw.get('fn_name') ?? pos[1];
      const targetNode = kw.get('event') ?? kw.get('tp') ?? kw.get('sym') ?? pos[0];
      const eventNode = kw.get('event') ?? (kind === 'kprobe' || kind === 'kretprobe' ? pos[0] : undefined);
      const syscall = !target && eventNode ? syscallOf(eventNode, tool, line(call)) : null;
      if (!fnName) {
        // attach calls in a helper the tool calls with literals (memleak's attach_probes("malloc")): one per call
        const sites = fnNode ? throughHelper(call, fnNode, targetNode ?? null, tool) : null;
        // fn_name a variable set to a name per condition (ext4dist's ext4_trace_read_fn, per what the kernel
        // has): one attach per name, under its condition
        const named = !sites && fnNode?.type === 'identifier' ? definitions(fnNode.text, tool, line(call), enclosingFunction(call)) : null;
        if (named?.length && named.every((d) => pyString(d.value) !== null)) {
          for (const d of named) tool.attaches.push({ kind, target: target ? target.replace(':', '/') : null, regex: str('event_re') ?? str('sym_re'), binary: str('name'), fn: pyString(d.value)!, line: line(call), cond: bothConds(condOf(call), d.cond) });
          continue;
        }
        // fn_name="trace_%d" % i: a function the text generates per element, each copy attached this way
        const fmt = fnNode?.type === 'binary_operator' && fnNode.children[1]?.text === '%' ? pyString(fnNode.childForFieldName('left')) : null;
        const gen = fmt ? tool.generated.find((g) => g.fmt === fmt) : undefined;
        if (!sites && gen && fmt) {
          for (let k = 0; k < LIST_MAX; k++) tool.attaches.push({ kind, target: target ? target.replace(':', '/') : null, regex: str('event_re') ?? str('sym_re'), binary: str('name'), fn: fmt.replace(/%[sd]/, String(k)), line: line(call), cond: `len(${gen.list}) > ${k}` });
          continue;
        }
        if (!sites) {
          tool.unknown.push({ line: line(call), text: call.text, why: 'fn_name is not a string literal' });
          continue;
        }
        for (const site of sites) {
          tool.attaches.push({ kind, target: site.target ? site.target.replace(':', '/') : null, regex: str('event_re') ?? str('sym_re'), binary: str('name'), fn: site.fn, line: line(call), cond: condOf(call) });
        }
        continue;
      }
      tool.attaches.push({
        kind, target: target ? target.replace(':', '/') : null, regex: str('event_re') ?? str('sym_re'), binary: str('name'), fn: fnName, line: line(call), cond: condOf(call),
        ...(kind === 'perf_event' ? { perf: Object.fromEntries([...kw].map(([k, v]) => [k, v.text])) } : {}),
        ...(syscall ? { syscall } : {}),
      });
      // a target computed by the tool (a variable, a call): its program's SEC() names no target, and
      // the translated call attaches it where the tool runs, to what the tool computed there
      continue;
    }
    // b.load_func("xdp_prog1", mode): its type a constant of BCC's (BPF.XDP), or a name set once to one
    if (/\.load_func$/.test(fn.text)) {
      const name = pos[0] ? pyString(pos[0]) : null;
      const t = pos[1] ?? kw.get('prog_type');
      // (bpf.SK_MSG: BCC's constants read through the tool's object too)
      const type = !t ? null : /^(?:bcc\.BPF|\w+)\.[A-Z][A-Z_]*$/.test(t.text) ? `BPF.${t.text.replace(/^.*\./, '')}` : t.type === 'identifier' ? constantOf(t.text, tool) : null;
      if (name) tool.loadFuncs.push({ fn: name, type: type?.replace(/^bcc\./, '') ?? null, line: line(call) });
      continue;
    }
    // u.enable_probe(probe="query__start", fn_name="do_start"): a USDT program, attached at BPF(usdt_contexts=[u])
    if (/\.enable_probe(_or_bail)?$/.test(fn.text)) {
      const probe = kw.get('probe') ?? pos[0];
      const fnName = (kw.get('fn_name') ? pyString(kw.get('fn_name')!) : null) ?? (pos[1] ? pyString(pos[1]) : null);
      if (!fnName) tool.unknown.push({ line: line(call), text: call.text, why: 'fn_name is not a string literal' });
      else tool.attaches.push({ kind: 'usdt', target: probe ? pyString(probe) : null, regex: null, binary: null, fn: fnName, line: line(call), cond: condOf(call) });
      continue;
    }
    const out = /^(\w+)\[\s*(["'])(\w+)\2\s*\]\.(open_perf_buffer|open_ring_buffer)$/.exec(fn.text);
    if (out) {
      const cb = pos[0]?.text ?? kw.get('callback')?.text;
      // the same buffer opened in two branches (if/else) is one output
      const seen = tool.outputs.find((o) => o.map === out[3]);
      if (seen && seen.callback !== cb) tool.unknown.push({ line: line(call), text: call.text, why: `${out[3]} is also read by ${seen.callback}(): one callback per buffer` });
      else if (cb && !seen) tool.outputs.push({ map: out[3]!, kind: out[4] === 'open_perf_buffer' ? 'perf' : 'ring', callback: cb, line: line(call) });
      continue;
    }
    if (/^(BPF\.)?tracepoint_exists$/.test(fn.text) || /\.tracepoint_exists$/.test(fn.text)) {
      const [c, e] = pos.map((p) => pyString(p));
      if (c && e) tool.tracepointChecks.push({ cat: c, ev: e, line: line(call) });
      continue;
    }
    if (/\.add_argument$/.test(fn.text)) {
      const flags = pos.map((p) => pyString(p)).filter((x): x is string => !!x);
      const action = kw.get('action') ? pyString(kw.get('action')!) : null;
      const type = kw.get('type')?.text;
      const long = flags.find((f) => f.startsWith('--')) ?? flags[0] ?? '';
      const dest = (kw.get('dest') ? pyString(kw.get('dest')!) : null) ?? long.replace(/^-+/, '').replace(/-/g, '_');
      tool.options.push({
        flags, dest,
        type: action === 'store_true' || action === 'store_false' ? 'bool' : type === 'int' || type === 'positive_int' || type === 'positive_nonzero_int' ? 'int' : type === 'float' ? 'float' : 'str',
        help: (kw.get('help') ? pyString(kw.get('help')!) : null) ?? '', default: kw.get('default')?.text ?? null, line: line(call),
      });
    }
  }

  // the tool's main flow: module-level statements from the BPF() call on
  const top = root.namedChildren;
  const bpfAt = bpfCall ? top.findIndex((n) => n.startIndex <= bpfCall.startIndex && bpfCall.endIndex <= n.endIndex) : -1;
  tool.main = bpfAt >= 0 ? top.slice(bpfAt + 1) : [];
  if (!bpfCalls.length) tool.pythonOnly = true;
  else if (!tool.pieces.length && !tool.srcFile) {
    // a text lcc convert cannot follow: the rest of the tool converted all the same, its C an #error at the
    // BPF() line, so that nothing builds until a person writes the text there
    const at = line(bpfCall!);
    if (!tool.unknown.some((u) => u.line >= at && u.line < at + bpfCall!.text.split('\n').length)) tool.unknown.push({ line: at, text: bpfCall!.text.split('\n')[0]!.slice(0, 60), why: 'BPF() of a text lcc convert cannot follow' });
    tool.pieces.push({ text: `#error "lcc convert could not follow the BPF text given at ${path.basename(file)}:${at}: write the C here (see CONVERSION.md)"\n`, line: at, cond: null });
  }
  // choices of one token across the tool's replace() calls that differ only in a member path the kernel decides
  tool.replacements = kernelMembers(tool.replacements, tool);
  foldKnownConditions(tool);
  return tool;
}

/**
 * `f(args)`, a function of the module that returns a string of the module's, replaced (nflatency's
 * `BPF_SRC.replace('COND', cond_src).replace(...)`): that string is the text, the replace()s its tokens,
 * their values as the function computes them from its parameters. Only where the call passes them under
 * the same names: the values are read where BPF() is.
 */
function replacedConstant(call: PyNode, tool: PyTool, constStrings: Map<string, { text: string; line: number }>): { ret: PyNode; text: { text: string; line: number } } | null {
  const def = call.type === 'call' ? moduleFunction(tool.root, call.childForFieldName('function')!.text) : undefined;
  const rets = def?.descendantsOfType('return_statement').filter((r) => enclosingFunction(r) === def) ?? [];
  const ret = rets.length === 1 ? rets[0]!.namedChildren[0] : undefined;
  let base: PyNode | null | undefined = ret;
  while (base?.type === 'call' && base.childForFieldName('function')?.type === 'attribute') base = base.childForFieldName('function')!.childForFieldName('object');
  const sameNames = !!def && paramsOf(def).map((p) => p.name).join() === positional(call).map((x) => x.text).join();
  return def && ret && base !== ret && base?.type === 'identifier' && constStrings.has(base.text) && sameNames ? { ret, text: constStrings.get(base.text)! } : null;
}

/** "#define A\n#define B 2\n" (or one formatted with a value): its macros, or null when it is not only #defines. */
function definesOf(n: PyNode | null, tool: PyTool, at: number): Omit<Define, 'conds'>[] | null {
  if (!n) return null;
  while (n.type === 'parenthesized_expression') n = n.namedChildren[0]!;
  // a string the module sets once (compactsnoop's EXTENDED = "#define EXTNEDED_FIELDS 1")
  const once = n.type === 'identifier' ? definitions(n.text, tool, at) : null;
  const lit = pyString(once?.length === 1 && !once[0]!.cond ? once[0]!.value : n);
  const forms = lit !== null ? [{ code: lit, arg: null }] : n.type === 'binary_operator' && n.children[1]?.text === '%' ? valueForms(n, tool, at) : [];
  if (forms.length !== 1 || forms[0]!.code === null) return null;
  // "#ifdef X / #undef X / #endif" (its NO_EXTENDED): X undefined, as it is wherever no #define made it
  if (/^\s*#\s*ifdef\s+(\w+)\s*\n\s*#\s*undef\s+\1\s*\n\s*#\s*endif\s*$/.test(forms[0]!.code)) return [];
  const lines = forms[0]!.code.split('\n').filter((l) => l.trim());
  const defs = lines.map((l) => /^\s*#\s*define\s+(\w+)(?:[ \t]+(.*?))?\s*$/.exec(l));
  if (!defs.length || defs.some((d) => !d)) return null;
  return defs.map((d) => ({ name: d![1]!, value: d![2] ?? '', arg: /%[sdiu]|%l[du]/.test(d![2] ?? '') ? forms[0]!.arg : null, line: at }));
}

/** `text.replace("TOKEN", value)`, chained, as assigned back to the text variable. */
function replacementsOf(call: PyNode, textVar: string, tool: PyTool, conds: string[]): void {
  let n: PyNode | null = call;
  while (n?.type === 'call') {
    const fn: PyNode = n.childForFieldName('function')!;
    if (fn.type !== 'attribute' || fn.childForFieldName('attribute')!.text !== 'replace') {
      tool.unknown.push({ line: line(n), text: n.text.split('\n')[0]!, why: `the text is transformed by ${fn.text}()` });
      return;
    }
    const [tokenNode, valueNode] = positional(n);
    const token = pyString(tokenNode ?? null);
    const pairs = token === null && tokenNode && valueNode ? replacePairs(tokenNode, valueNode, tool) : token === null && tokenNode?.type === 'list_splat' ? replacePairs(tokenNode, null, tool) : null;
    if (pairs) {
      // for old, new in [("A", a), ("B", b)]: text = text.replace(old, new): each pair, one replace()
      for (const [t, v] of pairs) pushReplacement(n, t, v, tool, conds);
    } else if (token === null || !valueNode) {
      tool.unknown.push({ line: line(n), text: n.text.split('\n')[0]!, why: 'replace() of a token that is not a string literal' });
      return;
    } else pushReplacement(n, token, valueNode, tool, conds);
    n = fn.childForFieldName('object');
    if (n?.type === 'identifier' && n.text === textVar) return;
  }
}

/** One text.replace(token, value): a replacement per form the value takes, under the conditions around it */
function pushReplacement(n: PyNode, token: string, valueNode: PyNode, tool: PyTool, conds: string[]): void {
  const made: Replacement[] = [];
  for (const form of valueForms(valueNode, tool, line(n))) {
    // a choice made only where the tool leaves before BPF() (args.ebpf's comment) never reaches the compiler,
    // and the other one's condition always holds there
    if (form.cond && form.cond.split(' and ').map(notNot).some((c) => tool.exitGuards.includes(c))) continue;
    const neg = form.cond ? /^not \((.*)\)$/s.exec(form.cond.trim()) ?? /^not ([\w.]+)$/.exec(form.cond.trim()) : null;
    const alt = neg && balancedParens(neg[1]!) && tool.exitGuards.includes(neg[1]!.trim()) ? { ...form, cond: null } : form;
    // a value set under the same ifs as the replace() (and maybe more): the conditions it adds
    const outer = condOf(n);
    const head = outer && [`${outer} and `, `(${outer}) and `].find((h) => alt.cond?.startsWith(h));
    const own = alt.cond === outer ? null : head ? alt.cond!.slice(head.length) : alt.cond;
    // a path of a text built with +=: its ifs' conditions, each one of conds; the paths start at the
    // module's top, so a replace() under an if of its own would see paths it cannot be on
    // each part of the value's own condition on its own: a part may be one a choice is left out by
    // (biolatency's disk filter: the option, and the kernel's member)
    const all = alt.conds ? [...conds, ...alt.conds] : own ? [...conds, ...andParts(own).filter((p) => !conds.includes(p))] : conds;
    const code = alt.conds && outer ? null : alt.code;
    made.push({ token, line: line(n), cond: all.length ? all.join(' and ') : null, conds: all, code, arg: alt.arg, ...(alt.list ? { list: alt.list } : {}), ...(alt.conds ? { path: true } : {}), py: n.text.split('\n')[0]!.slice(0, 120) });
  }
  tool.replacements.push(...made);
}

const KERNEL_HAS_FIELD = /^(?:(?:bcc\.)?BPF\.)?kernel_struct_has_field\(\s*b?["']\w+["']\s*,\s*b?["']\w+["']\s*\)(\s*==\s*1)?$/;

/**
 * Two choices of one token that differ only in a member path, under
 * kernel_struct_has_field() and its negation (biolatency's disk filter and
 * store, `req->rq_disk` or `req->q->disk`, inside larger C): one choice whose
 * C names a token of its own for the path, and that token's two member paths,
 * which the C side reads with bpf_core_field_exists(): one object for both
 * kernels, as the tool's own `__RQ_DISK__` is.
 */
function kernelMembers(reps: Replacement[], tool: PyTool): Replacement[] {
  const out = [...reps];
  const extra: Replacement[] = [];
  for (const a of reps) {
    const k = a.conds.find((c) => KERNEL_HAS_FIELD.test(c));
    if (!k || a.code === null || a.arg || !out.includes(a)) continue;
    const rest = a.conds.filter((c) => c !== k);
    const b = out.find((r) => r !== a && r.token === a.token && r.code !== null && !r.arg && r.conds.length === a.conds.length && r.conds.includes(`not (${k})`) && r.conds.filter((c) => c !== `not (${k})`).every((c, i) => c === rest[i]));
    if (!b) continue;
    const [ca, cb] = [a.code, b.code!];
    let pre = 0;
    while (pre < ca.length && ca[pre] === cb[pre]) pre++;
    // the path starts after an arrow, and ends where a name does
    pre = Math.max(ca.lastIndexOf('->', pre - 1) + 2, 0);
    let post = 0;
    while (post < ca.length - pre && post < cb.length - pre && ca[ca.length - 1 - post] === cb[cb.length - 1 - post]) post++;
    while (post > 0 && /\w/.test(ca[ca.length - post]!)) post--;
    const [pa, pb] = [ca.slice(pre, ca.length - post), cb.slice(pre, cb.length - post)];
    const member = /^\w+(?:->\w+)*$/;
    if (pre < 2 || !member.test(pa) || !member.test(pb)) continue;
    const token = `__LCC_MEMBER_${extra.length / 2}__`;
    const merged: Replacement = { ...a, conds: rest, cond: rest.length ? rest.join(' and ') : null, code: ca.slice(0, pre) + token + ca.slice(ca.length - post) };
    out.splice(out.indexOf(a), 1, merged);
    out.splice(out.indexOf(b), 1);
    extra.push({ ...a, token, conds: [k], cond: k, code: pa }, { ...b, token, conds: [`not (${k})`], cond: `not (${k})`, code: pb });
  }
  // after the choices whose C holds them: the C side replaces in this order
  return [...out, ...extra];
}

/** A condition as one side of an `and`: `a or b` parenthesised (`and` binds tighter) */
const andPart = (c: string): string => (/\bor\b/.test(c) && !/^not \(.*\)$/.test(c) ? `(${c})` : c);

/** The sides of a condition's top-level `and`s */
export function andParts(c: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < c.length; i++) {
    // a string's words are not operators (args.mode == "a and b")
    if (c[i] === '"' || c[i] === "'") i = c.indexOf(c[i]!, i + 1) < 0 ? c.length : c.indexOf(c[i]!, i + 1);
    else if (c[i] === '(' || c[i] === '[') depth++;
    else if (c[i] === ')' || c[i] === ']') depth--;
    // `a or b and c` is `a or (b and c)`: no `and` of its own splits it
    else if (depth === 0 && c.startsWith(' or ', i)) return [c];
    else if (depth === 0 && c.startsWith(' and ', i)) {
      out.push(c.slice(from, i).trim());
      from = i + 5;
    }
  }
  out.push(c.slice(from).trim());
  // a part parenthesised only to be one side of the `and`
  return out.map((p) => (/^\(.*\)$/s.test(p) && balancedParens(p.slice(1, -1)) ? p.slice(1, -1) : p));
}

/** Two conditions that both hold */
function bothConds(a: string | null, b: string | null): string | null {
  return a && b ? `${andPart(a)} and ${andPart(b)}` : a ?? b;
}

/** Whether conditions a and b never hold together because one is the other's negation */
export function excludes(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && (notNot(`not (${a})`) === b.trim() || notNot(`not (${b})`) === a.trim());
}

/**
 * `text = ...` under `cond`: where it holds the text is `pieces`, where it does not the text stays what
 * it was (tcpcong's `if tp: text = head + body` / `else: text = head + extra`). A piece both ways (head)
 * is one piece, under either condition.
 */
function assignText(tool: PyTool, pieces: { text: string; line: number }[], cond: string | null): void {
  const fresh = pieces.map((p) => ({ ...p, cond }));
  if (cond === null) {
    tool.pieces = fresh;
    return;
  }
  const kept = tool.pieces.map((p) => ({ ...p, cond: excludes(p.cond, cond) ? p.cond : bothConds(p.cond, `not (${cond})`) }));
  const merged: PyTool['pieces'] = [];
  for (const p of [...kept, ...fresh]) {
    const twin = merged.find((m) => m.text === p.text && m.line === p.line);
    if (!twin) merged.push(p);
    else twin.cond = twin.cond === null || p.cond === null || excludes(twin.cond, p.cond) ? null : twin.cond === p.cond ? p.cond : `(${twin.cond}) or (${p.cond})`;
  }
  tool.pieces = merged;
}

/** The negation of a condition: `not (X)` of X, X of `not (X)` */
export function negation(c: string): string {
  const m = /^not \((.*)\)$/s.exec(c.trim());
  return m && balancedParens(m[1]!) ? m[1]!.trim() : `not (${c})`;
}

/** `not (not X)` is X */
function notNot(c: string): string {
  const m = /^not \(not (.*)\)$/s.exec(c.trim());
  return m && balancedParens(m[1]!) ? m[1]!.trim() : c.trim();
}

/** The function a node sits in, or null at module level */
function enclosingFunction(n: PyNode): PyNode | null {
  for (let p = n.parent; p; p = p.parent) if (p.type === 'function_definition') return p;
  return null;
}

/**
 * The conditions of the ifs before BPF() (in its block and each block around
 * it) whose body leaves: `if args.ebpf: return (1, c)`. Past them, each is false.
 */
function exitGuards(call: PyNode): string[] {
  const out: string[] = [];
  const leaves = (st: PyNode | undefined): boolean => !!st && (st.type === 'return_statement' || st.type === 'raise_statement'
    || (st.type === 'expression_statement' && /^(sys\.)?exit\(/.test(st.text)));
  for (let n: PyNode | null = call; n && n.type !== 'function_definition'; n = n.parent) {
    if (n.parent?.type !== 'block' && n.parent?.type !== 'module') continue;
    for (const sib of n.parent.namedChildren) {
      if (sib.startIndex >= n.startIndex) break;
      if (sib.type !== 'if_statement' || sib.namedChildren.some((c) => c.type === 'elif_clause' || c.type === 'else_clause')) continue;
      const body = sib.childForFieldName('consequence')?.namedChildren ?? [];
      if (leaves(body[body.length - 1])) out.push(sib.childForFieldName('condition')!.text);
    }
  }
  return out;
}

/**
 * `for old, new in PAIRS: text = text.replace(old, new)`: the (token, value)
 * pairs, when PAIRS is a list of literal-token pairs (itself, or one variable
 * set to one in the same function); null otherwise.
 */
function replacePairs(tokenNode: PyNode, valueNode: PyNode | null, tool: PyTool): [string, PyNode][] | null {
  // replace(old, new), or replace(*pair) (hello_perf_output_using_ns: for r in ((...), (...)))
  const splat = valueNode === null && tokenNode.type === 'list_splat' ? tokenNode.namedChildren[0] : null;
  if (splat ? splat.type !== 'identifier' : tokenNode.type !== 'identifier' || valueNode?.type !== 'identifier') return null;
  let loop: PyNode | null = tokenNode.parent;
  while (loop && loop.type !== 'for_statement') loop = loop.parent;
  const vars = loop?.childForFieldName('left');
  if (!loop || !vars) return null;
  if (splat ? vars.type !== 'identifier' || vars.text !== splat.text : !/^(pattern_list|tuple_pattern|tuple)$/.test(vars.type) || vars.namedChildren.map((c) => c.text).join() !== `${tokenNode.text},${valueNode!.text}`) return null;
  let list: PyNode | null = loop.childForFieldName('right');
  if (list?.type === 'identifier') {
    const scope = enclosingFunction(loop);
    const name = list.text;
    const sets = (scope ?? tool.root).descendantsOfType('assignment').filter((a) => a.childForFieldName('left')?.text === name && enclosingFunction(a) === scope);
    list = sets.length === 1 ? sets[0]!.childForFieldName('right') : null;
  }
  if (list?.type !== 'list' && list?.type !== 'tuple') return null;
  const pairs: [string, PyNode][] = [];
  for (const el of list.namedChildren) {
    const [t, v] = el.type === 'tuple' || el.type === 'parenthesized_expression' ? el.namedChildren : [];
    const token = pyString(t ?? null);
    if (token === null || !v || el.namedChildren.length !== 2) return null;
    pairs.push([token, v]);
  }
  return pairs;
}

type ValueForm = { code: string | null; arg: string | null; cond: string | null; list?: '||' | '&&'; conds?: string[] };

/**
 * C joined over a list: `" || ".join(TEMPLATE for VAR in LIST)` (or map(lambda
 * VAR: TEMPLATE, LIST)), and `"pid != " + " && pid != ".join(LIST)`: the
 * template once per element, the element its one value.
 */
function joinedForm(v: PyNode, tool: PyTool, before: number, depth: number): ValueForm | null {
  const joinOp = (sep: string | null): '||' | '&&' | null => (sep?.trim() === '||' ? '||' : sep?.trim() === '&&' ? '&&' : null);
  if (v.type === 'binary_operator' && v.children[1]?.text === '+') {
    // "pid != " + " && pid != ".join(args.tids)
    const head = pyString(v.childForFieldName('left'));
    const right = v.childForFieldName('right')!;
    const fn = right.type === 'call' ? right.childForFieldName('function') : null;
    if (head === null || fn?.type !== 'attribute' || fn.childForFieldName('attribute')!.text !== 'join') return null;
    const sep = pyString(fn.childForFieldName('object'));
    const list = positional(right);
    if (sep === null || !sep.endsWith(head) || list.length !== 1) return null;
    const op = joinOp(sep.slice(0, sep.length - head.length));
    return op && !head.includes('%') ? { code: `${head}%s`, arg: resolveAlias(list[0]!.text, tool, before), cond: null, list: op } : null;
  }
  if (v.type !== 'call') return null;
  const helper = joinedByHelper(v, tool, before);
  if (helper) return helper;
  const fn = v.childForFieldName('function')!;
  if (fn.type !== 'attribute' || fn.childForFieldName('attribute')!.text !== 'join') return null;
  const op = joinOp(pyString(fn.childForFieldName('object')));
  // f(x for x in y): the generator is the call's whole argument list
  const args = v.childForFieldName('arguments');
  const arg = args?.type === 'generator_expression' ? [args] : positional(v);
  if (!op || arg.length !== 1) return null;
  let template: PyNode | null = null;
  let name: string | null = null;
  let list: PyNode | null = null;
  const g = arg[0]!;
  if (g.type === 'generator_expression' || g.type === 'list_comprehension') {
    const clauses = g.namedChildren.slice(1);
    const f = clauses[0];
    if (clauses.length !== 1 || f?.type !== 'for_in_clause' || f.childForFieldName('left')?.type !== 'identifier') return null;
    [template, name, list] = [g.childForFieldName('body'), f.childForFieldName('left')!.text, f.childForFieldName('right')];
  } else if (g.type === 'call' && g.childForFieldName('function')!.text === 'map') {
    const [lam, l] = positional(g);
    const params = lam?.type === 'lambda' ? lam.childForFieldName('parameters')?.namedChildren ?? [] : [];
    if (params.length !== 1 || params[0]!.type !== 'identifier') return null;
    [template, name, list] = [lam!.childForFieldName('body'), params[0]!.text, l ?? null];
  }
  if (!template || !name || !list) return null;
  const forms = valueForms(template, tool, before, depth + 1);
  const f = forms[0];
  // the element is the template's one value, in one place, or what an expression of it computes
  // (tcpconnect's 'dport != %d' % ntohs(dport)): then the list is those values
  const of = f?.arg && f.arg !== name && new RegExp(`(?<![.\\w])${name}\\b`).test(f.arg) && !/\bfor\b|\blambda\b/.test(f.arg) ? `[${f.arg} for ${name} in (${list.text} or [])]` : null;
  if (forms.length !== 1 || !f || f.cond || f.code === null || (f.arg !== name && f.arg !== resolveAlias(name, tool, before) && !of)) return null;
  if ((f.code.match(/%[sdiu]|%l[du]/g) ?? []).length !== 1) return null;
  // a piece of a name (nflatency's NFPROTO_%s), over an option whose choices the module lists: the
  // template per choice, each counted where the choice is in the list (a mask set before load)
  if (/\w%|%[sdiu]\w|%l[du]\w/.test(f.code)) return of ? null : choiceJoin(f.code, op, resolveAlias(list.text, tool, before), tool, line(v));
  return { code: f.code, arg: of ?? resolveAlias(list.text, tool, before), cond: null, list: op };
}

/** At most this many choices in a mask: one bit each of a setting Python's ints and C's __s64 both hold */
const MASK_MAX = 32;

/**
 * A template joined over an option's list, its element a piece of a C name: C per choice the option
 * allows, each under its bit of a mask the tool sets before load from the list. Null when the option's
 * choices are not a list the module spells out.
 */
function choiceJoin(template: string, op: '||' | '&&', list: string, tool: PyTool, at: number): ValueForm | null {
  const choices = optionChoices(list, tool);
  if (!choices?.length || choices.length > MASK_MAX || choices.some((c) => !/^\w+$/.test(c))) return null;
  const mask: Mask = { name: `lcc_${list.replace(/^\w+\./, '')}_mask`, arg: `sum(1 << k for k, c in enumerate(${JSON.stringify(choices).replace(/,/g, ', ')}) if c in (${list} or []))`, list, choices, template, op, line: at };
  let k = tool.masks.findIndex((m) => m.arg === mask.arg && m.template === template && m.op === op);
  if (k < 0) k = tool.masks.push(mask) - 1;
  return { code: `\u0000LCCMASK${k}\u0000`, arg: null, cond: null };
}

/** The choices= of the option `args.dest` names, when the module spells them out */
function optionChoices(arg: string, tool: PyTool): string[] | null {
  const dest = /^\w+\.(\w+)$/.exec(arg)?.[1];
  if (!dest) return null;
  for (const call of tool.root.descendantsOfType('call')) {
    if (!/\.add_argument$/.test(call.childForFieldName('function')!.text)) continue;
    const kw = kwargs(call);
    const flags = positional(call).map((p) => pyString(p)).filter((x): x is string => !!x);
    const long = flags.find((f) => f.startsWith('--')) ?? flags[0] ?? '';
    const named = (kw.get('dest') ? pyString(kw.get('dest')!) : null) ?? long.replace(/^-+/, '').replace(/-/g, '_');
    if (named === dest) return kw.get('choices') ? staticStrings(kw.get('choices')!, tool) : null;
  }
  return null;
}

/**
 * The strings a list, tuple or dict the module spells out holds, in Python's order: a literal, a name
 * the module sets once to one, or a dict's keys() or values()
 */
function staticStrings(n: PyNode, tool: PyTool): string[] | null {
  const strings = (xs: PyNode[]): string[] | null => (xs.every((x) => pyString(x) !== null) ? xs.map((x) => pyString(x)!) : null);
  if (n.type === 'list' || n.type === 'tuple') return strings(n.namedChildren);
  const call = n.type === 'call' ? n.childForFieldName('function') : null;
  // list(D.values()), tuple(...): the same strings in the same order
  if ((call?.text === 'list' || call?.text === 'tuple') && positional(n).length === 1 && !kwargs(n).size) return staticStrings(positional(n)[0]!, tool);
  const part = call?.type === 'attribute' && positional(n).length === 0 ? call.childForFieldName('attribute')!.text : null;
  const base = part === 'keys' || part === 'values' ? call!.childForFieldName('object')! : n;
  if (base.type !== 'identifier') return null;
  const sets = tool.root.descendantsOfType(['assignment', 'augmented_assignment']).filter((a) => a.childForFieldName('left')?.text.replace(/\[.*$/s, '') === base.text);
  const v = sets.length === 1 && sets[0]!.type === 'assignment' && sets[0]!.parent?.parent?.type === 'module' ? sets[0]!.childForFieldName('right') : null;
  if (v?.type === 'dictionary') {
    const pairs = v.namedChildren.filter((p) => p.type === 'pair');
    if (pairs.length !== v.namedChildren.length) return null;
    return strings(pairs.map((p) => p.childForFieldName(part === 'values' ? 'value' : 'key')!));
  }
  return v && !part ? staticStrings(v, tool) : null;
}

/** The module's own `def NAME` (at its top level), if it has one */
function moduleFunction(root: PyNode, name: string): PyNode | undefined {
  return root.namedChildren.find((d) => d.type === 'function_definition' && d.childForFieldName('name')?.text === name);
}

/**
 * `F("tgid", args.tgid)` where F, a function of the tool, joins a template over its list parameter by
 * hand (offwaketime's build_filter):
 *
 *     s = "((%s == %d)" % (name, values[0])
 *     for val in values[1:]:
 *         s += " || (%s == %d )" % (name, val)
 *     s += ")"
 *     return s
 *
 * The same C as `" || ".join(...)`: the template per element, joined over the list set before load.
 */
function joinedByHelper(call: PyNode, tool: PyTool, before: number): ValueForm | null {
  const fn = call.childForFieldName('function');
  const def = fn?.type === 'identifier' ? moduleFunction(tool.root, fn.text) : undefined;
  const params = def ? paramsOf(def).map((p) => p.name) : [];
  const args = positional(call);
  if (!def || params.length !== args.length || !params.length) return null;
  const stmts = def.childForFieldName('body')!.namedChildren.filter((x) => !(x.type === 'expression_statement' && x.namedChildren[0]?.type === 'string'));
  const expr = (x: PyNode | undefined): PyNode | null => (x?.type === 'expression_statement' ? x.namedChildren[0] ?? null : null);
  const [first, loop, close, ret] = [expr(stmts[0]), stmts[1], expr(stmts[2]), stmts[3]];
  const acc = first?.type === 'assignment' ? first.childForFieldName('left')!.text : null;
  if (stmts.length !== 4 || !acc || loop?.type !== 'for_statement' || close?.type !== 'augmented_assignment' || close.childForFieldName('left')?.text !== acc || ret?.type !== 'return_statement' || ret.namedChildren[0]?.text !== acc) return null;
  const list = params.find((p) => loop.childForFieldName('right')?.text === `${p}[1:]`);
  const elem = loop.childForFieldName('left')!.text;
  const body = loop.childForFieldName('body')!.namedChildren.map(expr);
  const step = body.length === 1 && body[0]?.type === 'augmented_assignment' && body[0].childForFieldName('left')?.text === acc ? body[0].childForFieldName('right') : null;
  if (!list || !step) return null;
  // a `"..." % (...)` whose values are the other parameters (literals at the call) and, once, the element
  const formatted = (n: PyNode | null | undefined, element: string): string | null => {
    const tmpl = n?.type === 'binary_operator' && n.children[1]?.text === '%' ? pyString(n.childForFieldName('left')) : null;
    const right = n?.childForFieldName('right');
    const vals = right?.type === 'tuple' ? right.namedChildren : right ? [right] : [];
    const parts = tmpl?.split(/(%[sdiu]|%l[du])/) ?? [];
    if (tmpl === null || (parts.length - 1) / 2 !== vals.length) return null;
    let out = '';
    let seen = 0;
    for (const [k, piece] of parts.entries()) {
      if (k % 2 === 0) {
        out += piece;
        continue;
      }
      const x = vals[(k - 1) / 2]!;
      if (x.text === element) {
        out += '%d';
        seen++;
        continue;
      }
      const lit = params.includes(x.text) ? pyString(args[params.indexOf(x.text)]!) : null;
      if (lit === null) return null;
      out += lit;
    }
    return seen === 1 ? out : null;
  };
  const head = formatted(first!.childForFieldName('right'), `${list}[0]`);
  const each = formatted(step, elem);
  const tail = pyString(close.childForFieldName('right'));
  const op = each ? /^\s*(\|\||&&)\s*/.exec(each)?.[1] as '||' | '&&' | undefined : undefined;
  if (head === null || each === null || tail === null || !op) return null;
  // head: parentheses of its own, then the template; each: the operator, then the template (spaces aside);
  // the tail closes what the head opened
  const template = each.slice(/^\s*(\|\||&&)\s*/.exec(each)![0].length).trim();
  const [h, t] = [head.replace(/\s+/g, ''), template.replace(/\s+/g, '')];
  const open = h.slice(0, h.length - t.length);
  if (!h.endsWith(t) || !/^\(*$/.test(open) || tail.trim() !== ')'.repeat(open.length)) return null;
  return { code: template, arg: resolveAlias(args[params.indexOf(list)]!.text, tool, before), cond: null, list: op };
}

/** An assignment of a string literal, or of one of two chosen by a condition ('-1' if not library else 'tgid') */
const literalChoice = (d: { value: PyNode }): boolean => pyString(d.value) !== null || (d.value.type === 'conditional_expression' && [d.value.namedChildren[0]!, d.value.namedChildren[2]!].every((x) => pyString(x) !== null));

/**
 * What a name holds while a step that adds to it is read (`s = "%s ..." % (s, x)`): the text so far,
 * which the step's path already has. By name, for the one step being read.
 */
const heldSoFar = new Map<string, string>();

/** The definitions computedC() is reading, each once */
const following = new Set<PyNode>();

/**
 * C a name holds that no value of the tool's is formatted into, computed (nflatency's predicate, joined
 * over the choices an option lists): per the definition that reaches `v`. Null when it holds anything else.
 */
function computedC(v: PyNode, tool: PyTool, before: number, depth: number): ValueForm[] | null {
  if (v.type !== 'identifier') return null;
  if (heldSoFar.has(v.text)) return [{ code: heldSoFar.get(v.text)!, arg: null, cond: null }];
  const defs = reaching(definitions(v.text, tool, before, enclosingFunction(v)), v);
  // text, not a number the module sets (that one is a setting, or known where it is set once); and not a
  // definition read while it is being read (x = x.replace(...): no end to follow)
  if (!defs || defs.every((d) => literalChoice(d)) || !defs.every((d) => textExpr(d.value) || literalChoice(d)) || defs.some((d) => following.has(d.value))) return null;
  for (const d of defs) following.add(d.value);
  let forms: ValueForm[];
  try {
    forms = defs.reverse().flatMap((d) => valueForms(d.value, tool, before, depth + 1).map((f) => ({ ...f, cond: bothConds(d.cond, f.cond) })));
  } finally {
    for (const d of defs) following.delete(d.value);
  }
  // (a join over a list, bindsnoop's ' && '.join(['sport != %d' % sport for sport in sports]): C of its own)
  const own = forms.map((f) => (f.list && f.arg && f.code !== null ? { code: listLoop(f, tool), arg: null, cond: f.cond } : f));
  return own.length && own.every((f) => f.code !== null && !f.arg && !f.list) ? own : null;
}

/**
 * A template joined over a list, as C that stands on its own: the template per element of the list the
 * tool sets before load (listArgs), joined by the operator, in a bounded loop
 */
function listLoop(f: ValueForm, tool: PyTool): string {
  let n = tool.listArgs.findIndex((l) => l.arg === f.arg);
  // named for the list (a list computed from one, [ntohs(p) for p in (dports or [])], for that one)
  const list = /^\[.* for \w+ in \((.*) or \[\]\)\]$/.exec(f.arg!)?.[1] ?? f.arg!;
  if (n < 0) n = tool.listArgs.push({ name: `lcc_${list.replace(/^args\./, '').replace(/\W+/g, '_').replace(/^_+|_+$/g, '')}`, arg: f.arg! }) - 1;
  const each = f.code!.replace(/%[sdiu]|%l[du]/g, '__lcc_v');
  return `({ bool __lcc_r = ${f.list === '&&' ? 'true' : 'false'}; for (int __lcc_e = 0; __lcc_e < \u0000LCCLISTN${n}\u0000; __lcc_e++) { __s64 __lcc_v = \u0000LCCLIST${n}\u0000; __lcc_r = __lcc_r ${f.list} (${each}); } __lcc_r; })`;
}

/**
 * Whether a name holds text the tool computes from strings (a join, a string formatted or added to):
 * C, not a number to set before load
 */
function textValued(v: PyNode, tool: PyTool, before: number): boolean {
  return v.type === 'identifier' && !!definitions(v.text, tool, before, enclosingFunction(v))?.some((d) => textExpr(d.value));
}

/** Python that computes text from strings: a join, a replace() or format(), a string formatted or added to */
function textExpr(n: PyNode): boolean {
  if (n.type === 'call') return /\.(join|replace|format)$/.test(n.childForFieldName('function')!.text);
  if (n.type !== 'binary_operator') return false;
  const [l, op, r] = [n.childForFieldName('left')!, n.children[1]?.text, n.childForFieldName('right')!];
  return (op === '%' && pyString(l) !== null) || (op === '+' && (pyString(l) !== null || pyString(r) !== null || textExpr(l) || textExpr(r)));
}

/**
 * The definitions of a name that reach a place where it is read: the last one in the block around that
 * place, before it (whose conditions are the place's own), or every one when none is there. Null when
 * another definition sits between that one and the place (in an if of its own: either may hold).
 */
function reaching(defs: { value: PyNode; cond: string | null }[] | null, use: PyNode): { value: PyNode; cond: string | null }[] | null {
  if (!defs) return null;
  const stmt = (d: { value: PyNode }): PyNode => d.value.parent!.parent!;
  const dominating = defs.filter((d) => {
    const block = stmt(d).parent;
    return !!block && stmt(d).endIndex <= use.startIndex && use.startIndex < block.endIndex && block.startIndex <= use.startIndex;
  }).at(-1);
  if (!dominating) return defs;
  const between = defs.filter((d) => d !== dominating && d.value.startIndex > dominating.value.startIndex && d.value.startIndex < use.startIndex);
  return between.length ? null : [{ value: dominating.value, cond: null }];
}

/** What a replacement value can be: code (maybe formatted with one value), per condition. */
function valueForms(v: PyNode, tool: PyTool, before: number, depth = 0): ValueForm[] {
  if (v.type === 'identifier' && heldSoFar.has(v.text)) return [{ code: heldSoFar.get(v.text)!, arg: null, cond: null }];
  const one = (code: string | null, arg: string | null): ValueForm[] => [{ code, arg: arg === null ? null : resolveAlias(arg, tool, before), cond: null }];
  const joined = joinedForm(v, tool, before, depth);
  if (joined) return [joined];
  if (v.type === 'binary_operator' && v.children[1]?.text === '%') {
    const code = pyString(v.childForFieldName('left'));
    const right = v.childForFieldName('right')!;
    // (args.port, args.port): one value in several places
    const arg = right.type === 'tuple' ? (new Set(right.namedChildren.map((c) => c.text)).size === 1 ? right.namedChildren[0]!.text : null) : right.text;
    // (min_size, max_size): several values, one per place (memleak's size filter), each a setting: the
    // places hold markers the C side makes settings of
    const places = code?.match(/%[sdiu]|%l[du]/g) ?? [];
    const vals = right.type === 'tuple' ? right.namedChildren : [];
    // (a name that holds C, biosnoop's disk_field_str "req->rq_disk", is no value: not this way)
    const holdsC = (x: PyNode): boolean => x.type === 'identifier' && (!!definitions(x.text, tool, before, enclosingFunction(x))?.some((d) => pyString(d.value) !== null) || !!computedC(x, tool, before, depth));
    if (code !== null && arg === null && vals.length > 1 && places.length === vals.length && !/%(?![sdiu]|l[du])/.test(code.replace(/%[sdiu]|%l[du]/g, ''))
      && vals.every((x) => /^[\w.]+$/.test(x.text))) {
      // a name holding C is C per condition (biolatency's disk_field_str, per kernel): one text per choice,
      // the other values settings in each
      // (a name holding text lcc cannot follow is no number either: not a setting)
      if (vals.some((x) => !holdsC(x) && textValued(x, tool, before))) return one(null, null);
      let texts: ValueForm[] = [{ code: '', arg: null, cond: null }];
      const pieces = code.split(/%[sdiu]|%l[du]/);
      for (const [k, x] of vals.entries()) {
        const choices: { code: string; cond: string | null }[] = holdsC(x)
          ? valueForms(x, tool, before, depth + 1).map((f) => ({ code: f.code!, cond: f.cond }))
          : [{ code: formatArgMarker(tool, resolveAlias(x.text, tool, before)), cond: null }];
        texts = texts.flatMap((t) => choices.map((c) => ({ code: t.code! + pieces[k]! + c.code, arg: null, cond: bothConds(t.cond, c.cond) })));
      }
      return texts.map((t) => ({ ...t, code: t.code! + pieces[vals.length]! }));
    }
    // one name holding C per condition (funclatency's pid, "-1" or "tgid"): a text per condition
    // (not a cflag, "-DX=%s" % x: a macro's value, which the cflags keep as one)
    if (code !== null && !/^-D/.test(code) && right.type === 'identifier' && places.length === 1 && /%s/.test(code) && !/%(?!s)/.test(code.replace('%s', '')) && (definitions(right.text, tool, before, enclosingFunction(right))?.every(literalChoice) || computedC(right, tool, before, depth))) {
      const forms = valueForms(right, tool, before, depth + 1);
      if (forms.length && forms.every((f) => f.code !== null && !f.arg)) return forms.map((f) => ({ code: code.replace('%s', f.code!), arg: null, cond: f.cond }));
    }
    if (right.type === 'identifier' && textValued(right, tool, before)) return one(null, null);
    return one(code !== null && arg !== null ? code : null, arg);
  }
  if (v.type === 'call' && /\.format$/.test(v.childForFieldName('function')!.text)) {
    const code = pyString(v.childForFieldName('function')!.childForFieldName('object'));
    const args = positional(v);
    return code !== null && args.length === 1 ? one(code.replace(/\{0?\}/g, '%s'), args[0]!.text) : one(null, null);
  }
  // 'a = %d;' % x + 'b;' + 'c;': the pieces joined, formatted with the one value among them
  if (v.type === 'binary_operator' && v.children[1]?.text === '+') {
    const [l, r] = [valueForms(v.childForFieldName('left')!, tool, before, depth + 1), valueForms(v.childForFieldName('right')!, tool, before, depth + 1)];
    // one side may be C a variable holds per condition (runqlat's pid, "tgid" or "pid"): a text per condition
    if ((l.length === 1 || r.length === 1) && [...l, ...r].every((f) => f.code !== null)) {
      const out: ValueForm[] = [];
      for (const a of l) {
        for (const b of r) {
          // a literal's own % would read as a place for the value: only plain pieces join a formatted one
          const plain = (f: typeof a): boolean => f.arg !== null || !f.code!.includes('%');
          if ((a.cond && b.cond) || (a.arg && b.arg && a.arg !== b.arg) || !plain(a) || !plain(b)) return one(null, null);
          out.push({ code: a.code! + b.code!, arg: a.arg ?? b.arg, cond: a.cond ?? b.cond });
        }
      }
      return out;
    }
    return one(null, null);
  }
  // piece.replace("__X__", "y") (biolatency's disks_str.replace('__RQ_DISK__', 'rq_disk')): the piece's C, replaced
  if (v.type === 'call' && v.childForFieldName('function')?.type === 'attribute' && v.childForFieldName('function')!.childForFieldName('attribute')!.text === 'replace') {
    const [from, to] = positional(v).map((a) => pyString(a));
    const forms = valueForms(v.childForFieldName('function')!.childForFieldName('object')!, tool, before, depth);
    if (from != null && to != null && positional(v).length === 2 && forms.every((f) => f.code !== null && !f.arg)) return forms.map((f) => ({ ...f, code: f.code!.split(from).join(to) }));
    return one(null, null);
  }
  // "1" if args.tid else "0": one value per branch
  if (v.type === 'conditional_expression') {
    const [a, c, b] = v.namedChildren;
    return [
      ...valueForms(a!, tool, before, depth).map((f) => ({ ...f, cond: f.cond ? `${c!.text} and ${f.cond}` : c!.text })),
      ...valueForms(b!, tool, before, depth).map((f) => ({ ...f, cond: f.cond ? `not (${c!.text}) and ${f.cond}` : `not (${c!.text})` })),
    ];
  }
  if (v.type === 'call' && v.childForFieldName('function')!.text === 'str') {
    const inner = positional(v)[0];
    if (inner?.type === 'identifier' && depth === 0) {
      // the last assignment that runs is the value: latest first, as a chain reads
      const defs = definitions(inner.text, tool, before, enclosingFunction(inner))?.reverse();
      // str() of a number: whatever expression computed it is the value (evaluated in the .ts)
      const numeric = (d: { value: PyNode }): ValueForm[] => {
        const forms = valueForms(d.value, tool, before, depth + 1);
        return forms.every((f) => f.code === null) ? one('%s', d.value.text) : forms;
      };
      if (defs) return defs.flatMap((d) => numeric(d).map((f) => ({ ...f, cond: bothConds(d.cond, f.cond) })));
    }
    if (inner?.type === 'integer') return one(inner.text, null);
    return one('%s', inner?.text ?? null);
  }
  const lit = pyString(v);
  if (lit !== null) return one(lit, null);
  if (v.type === 'integer') return one(v.text, null);
  // text built with += under the options (cpudist's storage_str): one text per path through the ifs
  if (v.type === 'identifier' && builtInSteps(v.text, tool, before, enclosingFunction(v))) return builtForms(v, tool, before, depth) ?? one(null, null);
  // C a function of the tool repeats per element of a list (tcpsubnet's generate_bpf_subnets): a loop over lists
  const repeated = v.type === 'call' ? repeatedTemplate(v, tool) : null;
  if (repeated !== null) return one(repeated, null);
  if (v.type === 'identifier' && depth === 0) {
    // a variable set earlier, under conditions: each assignment is one alternative, the latest first
    const defs = definitions(v.text, tool, before, enclosingFunction(v))?.reverse();
    // the assignment's ifs and the value's own choice (x = 'a' if c else 'b' under an else): both hold
    if (defs) return defs.flatMap((d) => valueForms(d.value, tool, before, depth + 1).map((f) => ({ ...f, cond: bothConds(d.cond, f.cond) })));
  }
  if (v.type === 'identifier' && depth > 0) {
    const computed = computedC(v, tool, before, depth);
    if (computed) return computed;
    // a piece of C a variable holds, set to a literal under conditions ("tgid" or "pid"): C per condition, not a value
    // (the one set just before, in the block it is read in, where there is one)
    const all = definitions(v.text, tool, before, enclosingFunction(v));
    const defs = (reaching(all, v) ?? all)?.reverse();
    if (defs?.every((d) => pyString(d.value) !== null)) return defs.map((d) => ({ code: pyString(d.value)!, arg: null, cond: d.cond }));
    // or to literals chosen by a condition ('-1' if not library else 'tgid')
    if (defs?.every(literalChoice)) return defs.flatMap((d) => valueForms(d.value, tool, before, depth + 1).map((f) => ({ ...f, cond: bothConds(d.cond, f.cond) })));
  }
  if (/^[\w.]+$/.test(v.text)) return one('%s', v.text);
  // sys.argv[1]: a number the command line gives (strlen_snoop's PID)
  if (v.type === 'subscript' && v.childForFieldName('value')?.text === 'sys.argv' && v.childForFieldName('subscript')?.type === 'integer') return one('%s', v.text);
  // struct_init['ipv4']['count'] (tcpconnect): a string of a dict the module sets once to a literal
  const fromDict = v.type === 'subscript' ? dictString(v, tool) : null;
  if (fromDict !== null) return one(fromDict, null);
  return one(null, null);
}

/**
 * The syscall a kprobe target names: b.get_syscall_fnname("x"), the syscall
 * prefix + "x", with .decode()/.encode(), or a variable set once to one of them.
 */
function syscallOf(n: PyNode, tool: PyTool, before: number, depth = 0): string | null {
  if (n.type === 'call') {
    const fn = n.childForFieldName('function')!;
    if (/(^|\.)get_syscall_fnname$/.test(fn.text)) return pyString(positional(n)[0] ?? null)?.replace(/^b/, '') ?? null;
    if (fn.type === 'attribute' && /^(decode|encode)$/.test(fn.childForFieldName('attribute')!.text)) return syscallOf(fn.childForFieldName('object')!, tool, before, depth);
    return null;
  }
  if (n.type === 'binary_operator' && n.children[1]?.text === '+') {
    const left = n.childForFieldName('left')!.text.replace(/\.(decode|encode)\(\)$/, '');
    const name = pyString(n.childForFieldName('right'));
    return /(^|\.)get_syscall_prefix\(\)$/.test(left) && name && /^\w+$/.test(name) ? name : null;
  }
  if (n.type === 'identifier' && depth < 2) {
    // a name set to None where the kernel lacks the syscall (opensnoop's fnname_openat2) names it wherever it is used
    const defs = definitions(n.text, tool, before)?.filter((d) => d.value.type !== 'none');
    // the assignment in force: the last before the line, when no if makes it (shmsnoop sets one name per syscall in turn)
    const last = defs?.[defs.length - 1];
    return last && (defs!.length === 1 || last.cond === null) ? syscallOf(last.value, tool, before, depth + 1) : null;
  }
  return null;
}

/**
 * What holds on every kernel an lcc tool runs on (one with BTF, 5.4 or later):
 * raw tracepoints (since 4.17), also in modules (since 5.0), which is what
 * lcc's BPF.support_raw_tracepoint() and _in_module() answer. A replacement
 * under such a condition is always made; one under its negation never is
 * (wakeuptime's `ARG0` for kprobes).
 */
const ALWAYS = /^(?:bcc\.)?BPF\.support_raw_tracepoint(?:_in_module)?\(\)$/;
function foldKnownConditions(tool: PyTool): void {
  // a name the module sets once to such a call (is_supported_raw_tp = BPF.support_raw_tracepoint())
  const known = new Set<string>();
  for (const a of tool.root.descendantsOfType('assignment')) {
    const left = a.childForFieldName('left')?.text ?? '';
    if (ALWAYS.test(a.childForFieldName('right')?.text ?? '') && a.parent?.parent?.type === 'module' && definitions(left, tool, Infinity)?.length === 1) known.add(left);
  }
  const truth = (c: string): boolean | null => {
    const t = c.trim();
    const not = /^not\s*\((.*)\)$/s.exec(t) ?? /^not\s+([\w.()]+)$/.exec(t);
    if (not && balancedParens(not[1]!)) {
      const v = truth(not[1]!);
      return v === null ? null : !v;
    }
    return ALWAYS.test(t) || known.has(t) ? true : null;
  };
  tool.replacements = tool.replacements.filter((r) => !r.conds.some((c) => truth(c) === false));
  for (const r of tool.replacements) {
    r.conds = r.conds.filter((c) => truth(c) !== true);
    r.cond = r.conds.length ? r.conds.join(' and ') : null;
  }
}

/** A name the module sets once, unconditionally, to a literal or a dotted constant (mode = BPF.XDP): its text */
function constantOf(name: string, tool: PyTool): string | null {
  const defs = definitions(name, tool, Infinity);
  const v = defs?.length === 1 && !defs[0]!.cond ? defs[0]!.value : null;
  return v && (v.type === 'string' || v.type === 'integer' || /^[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+$/.test(v.text)) ? v.text : null;
}

/**
 * Whether a condition holds, when the module's constants decide it: `mode ==
 * BPF.XDP` with mode set once to BPF.XDP; two different names of one object's
 * constants (BPF.XDP, BPF.SCHED_CLS) are different values. Null when it is the
 * options' (or anything else's) to decide.
 */
function knownTruth(cond: string, tool: PyTool): boolean | null {
  const t = cond.trim();
  const not = /^not\s*\((.*)\)$/s.exec(t) ?? /^not\s+([\w.]+)$/.exec(t);
  if (not && balancedParens(not[1]!)) {
    const v = knownTruth(not[1]!, tool);
    return v === null ? null : !v;
  }
  const paren = /^\((.*)\)$/s.exec(t);
  if (paren && balancedParens(paren[1]!)) return knownTruth(paren[1]!, tool);
  const parts = t.split(' and ');
  if (parts.length > 1 && parts.every(balancedParens)) {
    const vs = parts.map((p) => knownTruth(p, tool));
    return vs.some((v) => v === false) ? false : vs.every((v) => v === true) ? true : null;
  }
  const cmp = /^([\w.]+)\s*(==|!=)\s*([\w.]+)$/.exec(t);
  if (!cmp) return null;
  const side = (x: string): string | null => (/^[A-Za-z_]\w*$/.test(x) ? constantOf(x, tool) : /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$|^\d+$/.test(x) ? x : null);
  const [a, b] = [side(cmp[1]!), side(cmp[3]!)];
  if (a === null || b === null) return null;
  const owner = (x: string): string => x.replace(/\.\w+$/, '');
  if (a !== b && !(/\./.test(a) && /\./.test(b) && owner(a) === owner(b)) && !(/^\d+$/.test(a) && /^\d+$/.test(b))) return null;
  return (a === b) === (cmp[2] === '==');
}

/**
 * A name the module sets first, unconditionally, to a string, then to other strings under conditions
 * (xdp_drop_count's maptype, "array" with -H): the first, with a refusal of each other one on the tool
 * (recorded once); null when it is set any other way.
 */
function quotedDefault(macro: string, name: string, tool: PyTool, before: number): string | null {
  const defs = /^\w+$/.test(name) ? definitions(name, tool, before) : null;
  const first = defs?.[0];
  const lit = first && !first.cond ? pyString(first.value) : null;
  if (!defs || lit === null || defs.slice(1).some((d) => !d.cond || pyString(d.value) === null)) return null;
  for (const d of defs.slice(1)) {
    if (!tool.refusals.some((r) => r.cond === d.cond)) {
      tool.refusals.push({ cond: d.cond!, why: `${macro} "${pyString(d.value)}" (${name}, when ${d.cond}): lcc convert compiled ${macro} as "${lit}", as the tool sets it first`, line: line(d.value) });
    }
  }
  return lit;
}

/**
 * An attach call inside a function of the tool whose fn_name (and target) are made from its
 * parameters (memleak's attach_probes(sym, fn_prefix=None): fn_name=fn_prefix + "_enter"): the names
 * each call of that function with literals makes, a `if p is None: p = q` at its top followed; null
 * when a call passes anything else or the names are made any other way.
 */
function throughHelper(attach: PyNode, fnNode: PyNode, targetNode: PyNode | null, tool: PyTool): { fn: string; target: string | null }[] | null {
  const def = enclosingFunction(attach);
  const name = def?.childForFieldName('name')?.text;
  if (!def || !name) return null;
  const params = (def.childForFieldName('parameters')?.namedChildren ?? []).map((p) => (p.type === 'identifier' ? { name: p.text, dflt: undefined } : p.type === 'default_parameter' ? { name: p.childForFieldName('name')!.text, dflt: p.childForFieldName('value')! } : null));
  if (params.some((p) => !p)) return null;
  // a literal string, None (null), or something else (undefined)
  const literal = (n: PyNode | undefined): string | null | undefined => (n?.type === 'none' ? null : n ? pyString(n) ?? undefined : undefined);
  const calls = tool.root.descendantsOfType('call').filter((c) => c.childForFieldName('function')?.text === name && enclosingFunction(c) !== def);
  if (!calls.length) return null;
  const out: { fn: string; target: string | null }[] = [];
  for (const c of calls) {
    const env = new Map<string, string | null>();
    const [pos, kw] = [positional(c), kwargs(c)];
    for (const [i, p] of params.entries()) {
      // what is no string nor None (can_fail=True) makes no name: a name made from it fails below
      const v = literal(kw.get(p!.name) ?? pos[i] ?? p!.dflt);
      if (v !== undefined) env.set(p!.name, v);
    }
    // `if p is None: p = q` before the call
    for (const st of def.childForFieldName('body')!.namedChildren) {
      if (st.startIndex >= attach.startIndex) break;
      const m = st.type === 'if_statement' ? /^(\w+) is None$/.exec(st.childForFieldName('condition')!.text) : null;
      const body = st.childForFieldName('consequence')?.namedChildren ?? [];
      const a = body.length === 1 ? body[0]!.namedChildren[0] : undefined;
      if (m && a?.type === 'assignment' && a.childForFieldName('left')?.text === m[1] && env.get(m[1]!) === null) {
        const r = a.childForFieldName('right')!;
        env.set(m[1]!, r.type === 'identifier' ? env.get(r.text) ?? null : pyString(r));
      }
    }
    const value = (n: PyNode): string | null => {
      if (n.type === 'identifier') return env.get(n.text) ?? null;
      if (n.type === 'binary_operator' && n.children[1]?.text === '+') {
        const [l, r] = [value(n.childForFieldName('left')!), value(n.childForFieldName('right')!)];
        return l === null || r === null ? null : l + r;
      }
      return pyString(n);
    };
    const fn = value(fnNode);
    if (fn === null || !/^\w+$/.test(fn)) return null;
    out.push({ fn, target: targetNode ? value(targetNode) : null });
  }
  return out;
}

/**
 * `F(xs)` where F, a function of the tool, copies a template once per element of its parameter and joins
 * the copies, each token of the template replaced by `str(EXPR)` of the element (tcpsubnet's
 * generate_bpf_subnets):
 *
 *     template = """...__TOKEN__..."""; out = ''
 *     for i, s in enumerate(xs):          (or: for s in xs:)
 *         b = template; b = b.replace("__TOKEN__", str(EXPR)); ...; out += b
 *     return out
 *
 * The C: the template once, in a bounded loop over lists set before load, one per token (the values of
 * EXPR over xs, computed by the tool's Python); null when F is not of that shape.
 */
function repeatedTemplate(call: PyNode, tool: PyTool): string | null {
  const fn = call.childForFieldName('function');
  const args = positional(call);
  const def = fn?.type === 'identifier' ? moduleFunction(tool.root, fn.text) : undefined;
  const params = def ? paramsOf(def) : [];
  if (!def || args.length !== 1 || params.length !== 1) return null;
  const stmts = def.childForFieldName('body')!.namedChildren.filter((x) => !(x.type === 'expression_statement' && x.namedChildren[0]?.type === 'string'));
  const assign = (x: PyNode | undefined): { left: string; right: PyNode } | null => {
    const a = x?.type === 'expression_statement' ? x.namedChildren[0] : null;
    return a?.type === 'assignment' && a.childForFieldName('right') ? { left: a.childForFieldName('left')!.text, right: a.childForFieldName('right')! } : null;
  };
  const [t, acc, loop, ret] = [assign(stmts[0]), assign(stmts[1]), stmts[2], stmts[3]];
  const template = t ? pyString(t.right) : null;
  if (stmts.length !== 4 || !t || template === null || !acc || pyString(acc.right) !== '' || loop?.type !== 'for_statement' || ret?.type !== 'return_statement' || ret.namedChildren[0]?.text !== acc.left) return null;
  const target = loop.childForFieldName('left')!.text;
  const over = loop.childForFieldName('right')!;
  const param = params[0]!.name;
  if (over.text !== param && over.text !== `enumerate(${param})`) return null;
  const body = loop.childForFieldName('body')!.namedChildren;
  const first = assign(body[0]);
  const last = body[body.length - 1];
  const adds = last?.type === 'expression_statement' && last.namedChildren[0]?.type === 'augmented_assignment' ? last.namedChildren[0] : null;
  if (!first || first.right.text !== t.left || adds?.childForFieldName('left')?.text !== acc.left || adds.childForFieldName('right')?.text !== first.left) return null;
  const each = `for ${target} in ${over.text === param ? args[0]!.text : `enumerate(${args[0]!.text})`}`;
  let code = template;
  let count: string | null = null;
  for (const x of body.slice(1, -1)) {
    const r = assign(x);
    const rf = r?.right.type === 'call' ? r.right.childForFieldName('function') : null;
    const [tok, val] = r && rf?.text === `${first.left}.replace` && r.left === first.left ? positional(r.right) : [];
    const token = tok ? pyString(tok) : null;
    const inner = val?.type === 'call' && val.childForFieldName('function')?.text === 'str' ? positional(val)[0] : undefined;
    if (token === null || !inner || !code.includes(token)) return null;
    const name = `lcc_${token.replace(/^_+|_+$/g, '').toLowerCase()}`;
    const n = tool.listArgs.push({ name, arg: `[int(${inner.text}) ${each}]` }) - 1;
    count ??= `\u0000LCCLISTN${n}\u0000`;
    code = code.split(token).join(`\u0000LCCLIST${n}\u0000`);
  }
  return count === null ? null : `for (int __lcc_e = 0; __lcc_e < ${count}; __lcc_e++) {${code}}`;
}

/** A value formatted into C among others, as a marker for the C side: \u0000LCCARG<n>\u0000, n its place in tool.formatArgs */
function formatArgMarker(tool: PyTool, arg: string): string {
  let n = tool.formatArgs.indexOf(arg);
  if (n < 0) n = tool.formatArgs.push(arg) - 1;
  return `\u0000LCCARG${n}\u0000`;
}

/** The string a name holds where the module's constants decide which assignment ran; null when the options do */
function knownLiteral(name: string, tool: PyTool, before: number): string | null {
  let value: string | null = null;
  for (const d of definitions(name, tool, before) ?? []) {
    const holds = d.cond === null ? true : knownTruth(d.cond, tool);
    if (holds === null) return null;
    if (holds) value = pyString(d.value);
  }
  return value;
}

/** D['a']['b']: the string literal at those keys of a dict literal the module assigns D once, and never changes */
function dictString(v: PyNode, tool: PyTool): string | null {
  const keys: string[] = [];
  let n: PyNode = v;
  while (n.type === 'subscript') {
    const k = pyString(n.childForFieldName('subscript'));
    if (k === null) return null;
    keys.unshift(k);
    n = n.childForFieldName('value')!;
  }
  if (n.type !== 'identifier') return null;
  const sets = tool.root.descendantsOfType(['assignment', 'augmented_assignment']).filter((a) => a.childForFieldName('left')?.text.replace(/\[.*$/s, '') === n.text);
  if (sets.length !== 1 || sets[0]!.type !== 'assignment' || sets[0]!.parent?.parent?.type !== 'module') return null;
  let d: PyNode | null = sets[0]!.childForFieldName('right');
  for (const k of keys) {
    if (d?.type !== 'dictionary') return null;
    d = d.namedChildren.find((p) => p.type === 'pair' && pyString(p.childForFieldName('key')) === k)?.childForFieldName('value') ?? null;
  }
  return d ? pyString(d) : null;
}

/** The integer a name holds for the whole program: assigned once, at module level, to a literal. */
function moduleNumber(name: string, tool: PyTool): string | null {
  const sets = tool.root.descendantsOfType(['assignment', 'augmented_assignment']).filter((a) => a.childForFieldName('left')?.descendantsOfType('identifier').some((x) => x.text === name) || a.childForFieldName('left')?.text === name);
  if (sets.length !== 1 || sets[0]!.type !== 'assignment' || sets[0]!.childForFieldName('left')!.text !== name) return null;
  const v = sets[0]!.childForFieldName('right');
  // the module's own statement, not a function's or a loop's
  if (sets[0]!.parent?.type !== 'expression_statement' || sets[0]!.parent.parent?.type !== 'module') return null;
  return v?.type === 'integer' ? v.text : null;
}

/**
 * A variable (the module's, or the function's own where `use` reads it) built by `name = ...` and then
 * `name += ...` steps, some under ifs: the text each path through those ifs makes, with the path's
 * conditions (if/else: one or the other; an if without else: with or without). Null when a step sits in
 * a loop, a try or a nested function, or when the paths multiply past 16.
 */
function builtForms(use: PyNode, tool: PyTool, before: number, depth: number): ValueForm[] | null {
  const name = use.text;
  type Path = { code: string; arg: string | null; conds: string[] };
  const isStep = (n: PyNode): boolean => (n.type === 'assignment' || n.type === 'augmented_assignment') && n.childForFieldName('left')?.text === name;
  // the function whose own variable it is, or the module
  const fn = enclosingFunction(use);
  const scope = fn?.descendantsOfType('assignment').some((a) => a.childForFieldName('left')?.text === name && enclosingFunction(a) === fn) ? fn : null;
  const holdsStep = (n: PyNode): boolean => isStep(n) || n.descendantsOfType(['assignment', 'augmented_assignment']).some(isStep);
  const run = (stmts: PyNode[], paths: Path[]): Path[] | null => {
    for (const st of stmts) {
      if (line(st) >= before) break;
      if (!holdsStep(st)) continue;
      const step = st.type === 'expression_statement' ? st.namedChildren[0] : null;
      if (step && isStep(step)) {
        const right = step.childForFieldName('right');
        if (!right) return null;
        // `name = "%s ..." % (name, x)` adds to the text as += does: its rest, read with the name empty
        const adds = step.type === 'augmented_assignment' || addsTo(step, name);
        if (adds) heldSoFar.set(name, '');
        let forms: ValueForm[];
        try {
          forms = valueForms(right, tool, line(step), depth + 1);
        } finally {
          heldSoFar.delete(name);
        }
        if (forms.some((f) => f.code === null)) return null;
        const next: Path[] = [];
        for (const p of adds ? paths : [{ code: '', arg: null, conds: paths[0]?.conds ?? [] }]) {
          for (const f of forms) {
            if (p.arg && f.arg && p.arg !== f.arg) return null;
            next.push({ code: p.code + f.code!, arg: p.arg ?? f.arg, conds: f.cond ? [...p.conds, andPart(f.cond)] : p.conds });
          }
        }
        // `name = ...` starts every path again: only where no earlier if split them
        if (!adds && paths.length > 1) return null;
        paths = next;
      } else if (st.type === 'if_statement') {
        const branches: { cond: string[]; body: PyNode[] }[] = [];
        const earlier: string[] = [];
        const clause = (c: string, body: PyNode | null): void => {
          branches.push({ cond: [...earlier.map((e) => `not (${e})`), andPart(c)], body: body?.namedChildren ?? [] });
          earlier.push(c);
        };
        clause(st.childForFieldName('condition')!.text, st.childForFieldName('consequence'));
        let hasElse = false;
        for (const c of st.namedChildren) {
          if (c.type === 'elif_clause') clause(c.childForFieldName('condition')!.text, c.childForFieldName('consequence'));
          if (c.type === 'else_clause') {
            hasElse = true;
            branches.push({ cond: earlier.map((e) => `not (${e})`), body: c.childForFieldName('body')?.namedChildren ?? [] });
          }
        }
        if (!hasElse) branches.push({ cond: earlier.map((e) => `not (${e})`), body: [] });
        const out: Path[] = [];
        for (const b of branches) {
          const r = run(b.body, paths.map((p) => ({ ...p, conds: [...p.conds, ...b.cond] })));
          if (!r) return null;
          out.push(...r);
        }
        paths = out;
      } else {
        return null; // a loop, a try, a with, a function: which steps run is not the source's to say
      }
      if (paths.length > 16) return null;
    }
    return paths;
  };
  const paths = run((scope?.childForFieldName('body') ?? tool.root).namedChildren, []);
  if (!paths?.length) return null;
  return paths.map((p) => ({ code: p.code, arg: p.arg, cond: p.conds.length ? p.conds.join(' and ') : null, conds: p.conds }));
}

/** `name += ...` (or a step like it) before a line: the value is built in steps, no one assignment is it. */
function builtInSteps(name: string, tool: PyTool, before: number, scope: PyNode | null): boolean {
  // (a step like it, only in the scope read: dirtop's get_searched_ids() builds its own `inodes` so)
  return tool.root.descendantsOfType(['augmented_assignment', 'assignment']).some((a) => line(a) < before && a.childForFieldName('left')?.text === name
    && (a.type === 'augmented_assignment' || (addsTo(a, name) && enclosingFunction(a) === scope)));
}

/** `name = "%s ..." % (name, ...)` or `name = name + ...`: an assignment that adds to what the name holds */
function addsTo(a: PyNode, name: string): boolean {
  const right = a.childForFieldName('right');
  if (a.type !== 'assignment' || right?.type !== 'binary_operator') return false;
  const [l, op, r] = [right.childForFieldName('left'), right.children[1]?.text, right.childForFieldName('right')];
  if (op === '+') return l?.type === 'identifier' && l.text === name;
  const fmt = op === '%' ? pyString(l) : null;
  return fmt !== null && fmt.startsWith('%s') && r?.type === 'tuple' && r.namedChildren[0]?.text === name && !r.namedChildren.slice(1).some((x) => x.text === name);
}

/** Module-level assignments to `name` before a line, with their conditions; null when any is not simple. */
function definitions(name: string, tool: PyTool, before: number, scope: PyNode | null = null): { value: PyNode; cond: string | null }[] | null {
  const out: { value: PyNode; cond: string | null }[] = [];
  // a name a function assigns is that function's own (exitsnoop's filter_pid in _embedded_c)
  const own = scope && scope.descendantsOfType('assignment').some((a) => a.childForFieldName('left')?.text === name && enclosingFunction(a) === scope);
  if (!own) scope = null;
  if (builtInSteps(name, tool, before, scope)) return null;
  for (const a of (scope ?? tool.root).descendantsOfType('assignment')) {
    if (line(a) >= before) break;
    if (a.childForFieldName('left')?.text !== name) continue;
    if (!a.childForFieldName('right')) return null; // `name: str` assigns nothing anyone could read
    // inside a function it is not the module's variable; in a loop, a with or a try, which
    // assignment holds when the text is made is not something to read off the source
    let p = a.parent;
    let flow = false;
    while (p && p !== scope && p.type !== 'function_definition') {
      // a try whose every handler raises again (kvmexit's): after it, its body ran whole
      const reraises = p.type === 'try_statement' && p.namedChildren.filter((c) => c.type === 'except_clause').every((h) => /^raise\b/.test(h.namedChildren[h.namedChildren.length - 1]?.namedChildren.at(-1)?.text ?? ''))
        && !p.namedChildren.some((c) => c.type === 'finally_clause' || c.type === 'else_clause');
      if (/^(for|while|with)_statement$/.test(p.type) || (p.type === 'try_statement' && !reraises)) flow = true;
      p = p.parent;
    }
    if (p && p !== scope) continue;
    if (flow) return null;
    out.push({ value: a.childForFieldName('right')!, cond: condOf(a) });
  }
  // an if whose every branch, else included, assigns the name overwrites what came before:
  // biolatency's disk_field_str = "" is never formatted into the C
  for (let k = out.length - 1; k > 0; k--) {
    const ifNode = branchIf(out[k]!.value);
    if (ifNode && assignsOnEveryBranch(ifNode, name)) {
      const first = out.findIndex((d) => branchIf(d.value) === ifNode);
      return out.slice(first);
    }
  }
  return out.length ? out : null;
}

/** The if statement whose branch holds this assignment's value directly (not in a nested block) */
function branchIf(value: PyNode): PyNode | null {
  const stmt = value.parent?.parent; // value → assignment → expression_statement
  const block = stmt?.parent;
  const clause = block?.type === 'block' ? block.parent : null;
  if (clause?.type === 'if_statement') return clause;
  return clause && /^(elif|else)_clause$/.test(clause.type) ? clause.parent : null;
}

function assignsOnEveryBranch(ifNode: PyNode, name: string): boolean {
  const blocks = [ifNode.childForFieldName('consequence'), ...ifNode.namedChildren.filter((c) => /^(elif|else)_clause$/.test(c.type)).map((c) => c.childForFieldName('consequence') ?? c.childForFieldName('body'))];
  if (!ifNode.namedChildren.some((c) => c.type === 'else_clause')) return false;
  return blocks.every((b) => !!b && b.namedChildren.some((st) => st.type === 'expression_statement' && st.namedChildren[0]?.type === 'assignment' && st.namedChildren[0].childForFieldName('left')?.text === name));
}

/** Whether every parenthesis in `t` closes within it (`a) and (b` does not: int(a) + int(b) is no one call). */
export function balancedParens(t: string): boolean {
  return [...t].reduce((d, ch) => (d < 0 ? d : d + (ch === '(' ? 1 : ch === ')' ? -1 : 0)), 0) === 0;
}

/** `pid` assigned once from `args.pid`: the option itself (int()/str() around it change nothing in C). */
function resolveAlias(arg: string, tool: PyTool, before: number): string {
  const wrapped = /^(?:int|str|float)\((.*)\)$/s.exec(arg.trim());
  // int(a) + int(b) is no wrapped call: the inside must balance
  if (wrapped && balancedParens(wrapped[1]!)) return resolveAlias(wrapped[1]!, tool, before);
  if (!/^\w+$/.test(arg)) return arg;
  const defs = definitions(arg, tool, before);
  if (defs?.length === 1 && /^args\.\w+$/.test(defs[0]!.value.text)) return defs[0]!.value.text;
  return arg;
}

/**
 * The members a C text reads and nothing else: functions of struct pointer parameters whose bodies read
 * `p->member` (a compile check of whether the kernel headers have them), no maps, no probes. Null otherwise
 */
export function memberCheck(c: string): [string, string][] | null {
  const code = c.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '').replace(/^\s*#include\s*[<"][^>"]*[>"]\s*$/gm, '');
  if (/\bBPF_\w+\s*\(|\bSEC\s*\(|TRACEPOINT_PROBE|RAW_TRACEPOINT_PROBE|KFUNC_PROBE|\b(kprobe|kretprobe)__/.test(code)) return null;
  const fns = [...code.matchAll(/^[\w\s*]+?\b\w+\s*\(([^)]*)\)\s*\{([^{}]*)\}/gm)];
  if (!fns.length || code.replace(/^[\w\s*]+?\b\w+\s*\(([^)]*)\)\s*\{([^{}]*)\}/gm, '').trim()) return null;
  const out: [string, string][] = [];
  for (const [, params, body] of fns) {
    const ptrs = new Map([...params!.matchAll(/\bstruct\s+(\w+)\s*\*\s*(\w+)/g)].map((m) => [m[2]!, m[1]!]));
    const reads = [...body!.matchAll(/\b(\w+)\s*->\s*(\w+)/g)];
    if (!reads.length || !/^\s*return\b[^;]*;\s*$/.test(body!) || reads.some((r) => !ptrs.has(r[1]!))) return null;
    out.push(...reads.map((r) => [ptrs.get(r[1]!)!, r[2]!] as [string, string]));
  }
  return out;
}

/** BPF(text='') or BPF(text=""): a BPF object with no program */
export function emptyBpf(call: PyNode): boolean {
  const t = kwargs(call).get('text') ?? positional(call)[0];
  return !!t && pyString(t) === '' && positional(call).length + kwargs(call).size === 1;
}

/** The path of `X.read()` where X is `open(PATH)`'s name in an enclosing `with open(PATH) as X:` */
function openedFile(call: PyNode, consts: Map<string, { text: string }>): string | null {
  const fn = call.type === 'call' ? call.childForFieldName('function') : null;
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')!.text !== 'read' || positional(call).length) return null;
  const name = fn.childForFieldName('object')!.text;
  for (let p = call.parent; p; p = p.parent) {
    if (p.type !== 'with_statement') continue;
    for (const item of p.descendantsOfType('with_item')) {
      const v = item.childForFieldName('value');
      const as = v?.type === 'as_pattern' ? v : null;
      const opened = as?.namedChildren[0];
      const target = as?.childForFieldName('alias')?.text ?? as?.namedChildren.at(-1)?.text;
      if (opened?.type !== 'call' || opened.childForFieldName('function')!.text !== 'open' || target !== name) continue;
      const arg = positional(opened)[0];
      return arg ? pyString(arg) ?? (arg.type === 'identifier' ? consts.get(arg.text)?.text ?? null : null) : null;
    }
  }
  return null;
}

/** piece.replace("FNNAME", <a syscall's kernel function name>) (opensnoop's kfunc headers): the piece, named */
function syscallPiece(n: PyNode, tool: PyTool, strVars: Map<string, { text: string; line: number }>): { text: string; line: number } | undefined {
  const fn = n.type === 'call' ? n.childForFieldName('function') : null;
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')!.text !== 'replace') return undefined;
  const base = fn.childForFieldName('object')!;
  const piece = base.type === 'identifier' ? strVars.get(base.text) : undefined;
  const [tok, val] = positional(n);
  const token = pyString(tok ?? null);
  const sys = val ? syscallOf(val, tool, line(n)) : null;
  const prefix = syscallPrefix();
  if (!piece || token === null || !sys || !prefix || positional(n).length !== 2) return undefined;
  return { text: piece.text.split(token).join(`${prefix}${sys}`), line: piece.line };
}

/**
 * `text += "int f_%d(...) { ... %d ... }" % (i, i)` in `for i in range(len(X))` (or `for i, x in
 * enumerate(X)`): C per element of a list, the index formatted in. Compiled LIST_MAX times, copy k under
 * `len(X) > k`, and BPF() refuses a longer list; the functions it names are `generated`.
 */
function perElement(a: PyNode, right: PyNode, tool: PyTool): boolean {
  let loop: PyNode | null = a.parent;
  while (loop && loop.type !== 'for_statement' && loop.type !== 'function_definition') loop = loop.parent;
  if (loop?.type !== 'for_statement') return false;
  const left = loop.childForFieldName('left')!;
  const over = loop.childForFieldName('right')!;
  const index = left.type === 'identifier' ? left.text : left.type === 'pattern_list' || left.type === 'tuple_pattern' ? left.namedChildren[0]?.text : undefined;
  const ranged = /^range\(\s*len\(\s*([\w.]+)\s*\)\s*\)$/.exec(over.text);
  const listed = /^enumerate\(\s*([\w.]+)\s*\)$/.exec(over.text);
  const list = (left.type === 'identifier' ? ranged?.[1] : listed?.[1]) ?? null;
  if (!index || !list || right.type !== 'binary_operator' || right.children[1]?.text !== '%') return false;
  const code = pyString(right.childForFieldName('left'));
  const vals = right.childForFieldName('right')!;
  const values = vals.type === 'tuple' || vals.type === 'parenthesized_expression' ? vals.namedChildren : [vals];
  const places = code?.match(/%[sd]/g) ?? [];
  if (code === null || !places.length || places.length !== values.length || values.some((v) => v.text !== index) || /%(?![sd])/.test(code.replace(/%[sd]/g, ''))) return false;
  const cond = condOf(a);
  for (let k = 0; k < LIST_MAX; k++) tool.pieces.push({ text: code.replace(/%[sd]/g, String(k)), line: line(right), cond: bothConds(cond, `len(${list}) > ${k}`) });
  tool.refusals.push({ cond: cond ? `(${cond}) and len(${list}) > ${LIST_MAX}` : `len(${list}) > ${LIST_MAX}`, why: `more than ${LIST_MAX} elements in ${list}: lcc convert compiled the C the tool writes per element ${LIST_MAX} times`, line: line(a) });
  tool.generated.push({ fmt: /\bint\s+(\w*%[sd]\w*)\s*\(/.exec(code)?.[1] ?? null, list, line: line(a) });
  return true;
}

/** `v.replace(...).replace(...)` of a string variable of the module's: the variable's name (null otherwise) */
function replacedVar(call: PyNode, strVars: Map<string, { text: string; line: number }>): string | null {
  let n: PyNode | null = call;
  while (n?.type === 'call') {
    const fn: PyNode = n.childForFieldName('function')!;
    if (fn.type !== 'attribute' || fn.childForFieldName('attribute')!.text !== 'replace') return null;
    n = fn.childForFieldName('object');
  }
  return n?.type === 'identifier' && strVars.has(n.text) ? n.text : null;
}

/** `a + b + ...` where every operand is a string variable of the module's: the pieces, in order (null otherwise) */
function joinedPieces(n: PyNode, strVars: Map<string, { text: string; line: number }>, textVar: string): { text: string; line: number }[] | null {
  const operands = (e: PyNode): PyNode[] => (e.type === 'binary_operator' && e.children[1]?.text === '+' ? [...operands(e.childForFieldName('left')!), ...operands(e.childForFieldName('right')!)] : [e]);
  if (n.type !== 'binary_operator') return null;
  const parts = operands(n).map((o) => (o.type === 'identifier' && o.text !== textVar ? strVars.get(o.text) : undefined));
  return parts.every((p) => p !== undefined) ? (parts as { text: string; line: number }[]) : null;
}

/** `'\n'.join(x for x in TEXT.split('\n') if 'MARK' not in x)`: MARK, the lines it takes out */
function lineFilterOf(n: PyNode, textVar: string): string | null {
  const fn = n.type === 'call' ? n.childForFieldName('function') : null;
  if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')!.text !== 'join' || pyString(fn.childForFieldName('object')) !== '\n') return null;
  const g = n.childForFieldName('arguments');
  if (g?.type !== 'generator_expression') return null;
  const [body, ...clauses] = g.namedChildren;
  const loop = clauses[0];
  const cond = clauses[1];
  if (clauses.length !== 2 || loop?.type !== 'for_in_clause' || cond?.type !== 'if_clause') return null;
  const v = loop.childForFieldName('left')?.text;
  const over = loop.childForFieldName('right');
  const split = over?.type === 'call' ? over.childForFieldName('function') : null;
  if (body?.text !== v || split?.text !== `${textVar}.split` || pyString(positional(over!)[0] ?? null) !== '\n') return null;
  const test = cond.namedChildren[0];
  const m = test?.type === 'comparison_operator' && test.children.map((c) => c.text).join(' ').includes('not in') ? test.namedChildren : null;
  const marker = m && m[1]?.text === v ? pyString(m[0]!) : null;
  return marker && /^\w+$/.test(marker) ? marker : null;
}
