// One conversion of BCC's C: the text as the rules rewrite it, what they found (programs, maps, settings,
// types) and what they report. Each family of rules (choices, settings, types, maps, probes, memory reads)
// is a function of this state, in its own file; convertC runs them in order and assembles the object.
import * as path from 'node:path';
import { balancedParens, LIST_MAX, type Attach, type PyTool } from '../python.js';
import { resolveArchBlocks } from './arch.js';
import type { MapVariant } from './preprocessor.js';
import type { StructChoice } from './reads.js';

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

/** A value's condition: these conditions, or-ed with those it already had where it is set twice (none: always) */
export function whenOf(prev: Global | undefined, conds: string[]): string | undefined {
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


/** Where each line of the assembled text came from: its index there, and the Python (or src_file, `src`) line */
export type PieceStart = { lineIdx: number; line: number; src?: boolean };

/**
 * The text being rewritten and what the rules found in it. Every rewrite keeps the text's line structure (a
 * multi-line construct is replaced by one line plus the newlines it covered), so a line of the C is always
 * the same line of the Python file it came from.
 */
export class Conversion {
  text: string;
  readonly report: ReportEntry[] = [];
  readonly errors: string[] = [];
  readonly globals = new Map<string, Global>();
  readonly resizes: CResult['resizes'] = [];
  /** pointers the tool declared as user memory (syscall arguments): reads of them stay user reads */
  readonly userNames: Set<string>;
  /** older kernels' layouts of structs, for bpf_core_field_exists() */
  readonly flavors: string[] = [];
  readonly variants: MapVariant[] = [];
  /** option values BPF() refuses, where the C was compiled for less */
  readonly refusals: CResult['refusals'] = [];
  /** the tool's structs laid over kernel memory whose members a choice decides: the struct per choice */
  readonly views = new Map<string, StructChoice>();
  /** line ranges whose programs load only where the Python condition `py` holds */
  readonly alwaysBlocks: { from: number; to: number; py: string }[] = [];
  /** the tool's structs (in NAME.h), their definitions, and the enums and macros they are written with */
  readonly structs: string[] = [];
  readonly headerParts: string[] = [];
  readonly headerDefs: string[] = [];
  readonly maps: MapInfo[] = [];
  readonly programs: Program[] = [];
  /** tracepoint records laid out from tracefs formats (NAME.h) */
  readonly tpStructs: string[] = [];

  constructor(readonly tool: PyTool, readonly name: string, text: string, readonly pieceStarts: PieceStart[]) {
    // NUL marks the rules' own placeholders; in C source it is nothing (clang ignores it)
    this.text = text.replace(/\u0000/g, ' ');
    // #if blocks on the architecture, decided for the one lcc builds for, as BCC decides them for the host
    const arch = resolveArchBlocks(this.text);
    this.text = arch.text;
    if (arch.resolved) this.report.push({ line: 0, what: `${arch.resolved} #if block${arch.resolved > 1 ? 's' : ''} on the architecture (CONFIG_ARCH_HAS_SYSCALL_WRAPPER, __x86_64__, ...) → decided for ${process.arch}, as BCC decides them for its host`, converted: true });
    for (const g of tool.generated) this.report.push({ line: g.line, what: `C the Python writes per element of ${g.list}${g.fmt ? ` (${g.fmt})` : ''} → written ${LIST_MAX} times, copy k loaded when len(${g.list}) > k; BPF() refuses a longer list`, converted: true });
    this.userNames = new Set([...this.text.matchAll(/\b__user\s*\*+\s*(\w+)/g)].map((m) => m[1]!));
  }

  lineIdxAt = (t: string, off: number): number => t.slice(0, off).split('\n').length - 1;

  pyLineOfIdx = (idx: number): number => {
    let best = this.pieceStarts[0]!;
    for (const p of this.pieceStarts) if (p.lineIdx <= idx) best = p;
    const n = best.line + idx - best.lineIdx;
    return best.src ? -n : n;
  };

  /** offsets are into the text of the pass that found them, whose lines are the original's */
  pyLine = (off: number, t = this.text): number => this.pyLineOfIdx(this.lineIdxAt(t, off));

  /**
   * The condition of the tool's piece the line at `off` came from (pieces may come from anywhere in the
   * file; with src_file, the file is the first and the string pieces follow), null when it has none
   */
  pieceCond = (off: number): string | null => {
    const idx = this.lineIdxAt(this.text, off);
    let best = 0;
    this.pieceStarts.forEach((p, i) => {
      if (p.lineIdx <= idx) best = i;
    });
    return this.tool.pieces[best - (this.tool.srcFile ? 1 : 0)]?.cond ?? null;
  };

  /** a copy of a function after the text, its lines mapped to the Python line of the original: where it starts */
  appendOnLinesOf = (copy: string, line: number): number => {
    const lineIdx = this.text.split('\n').length + 1;
    this.pieceStarts.push({ lineIdx, line });
    this.text += `\n\n${copy}`;
    return lineIdx;
  };

  /** a construct left for a person: reported, and an #error at the top of the C */
  fail = (line: number, what: string, action: string): void => {
    this.report.push({ line, what, action, converted: false });
    this.errors.push(`${lineRef(this.tool, line)}: ${what}`);
  };

  /** each condition a bool set at load time: args.x as lcc_has_x, anything else from its Python, evaluated in the .ts */
  condC = (parts: string[]): string => parts.map((q) => {
    // (a or b) and a or b are one setting
    const outer = /^\((.*)\)$/s.exec(q);
    const p = outer && balancedParens(outer[1]!) ? outer[1]! : q;
    const f = flagOf(p);
    if (f) {
      this.globals.set(f.flag, { name: f.flag, ctype: 'bool', arg: f.arg, kind: 'flag' });
      return `${f.negated ? '!' : ''}${f.flag}`;
    }
    // not (A) and not (B) is no negation of one whole: the parenthesis after `not` must close at the end
    const neg = /^not \((.*)\)$/s.exec(p);
    const whole = neg && balancedParens(neg[1]!) ? neg : null;
    const py = whole ? whole[1]! : p;
    let g = `lcc_if_${cIdent(py)}`.slice(0, 60);
    while (this.globals.has(g) && this.globals.get(g)!.arg !== py) g += '_';
    this.globals.set(g, { name: g, ctype: 'bool', arg: py, kind: 'cond' });
    return `${whole ? '!' : ''}${g}`;
  }).filter((c, i, all) => all.indexOf(c) === i).join(' && ');

  /** args.pid and a variable pid are two settings: one name each */
  settingName = (arg: string): string => {
    let g = `lcc_${cIdent(arg)}`;
    while (this.globals.has(g) && this.globals.get(g)!.arg !== arg) g = `${g}_`;
    return g;
  };

  /** an option list set before load: an array of LIST_MAX __s64 and how many it holds (see Global) */
  listSetting = (g: string, arg: string, when?: string): void => void this.globals.set(g, { name: g, ctype: '__s64', arg, kind: 'list', when });
}
