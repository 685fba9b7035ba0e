// The C preprocessor as lcc convert reads BCC's C: which lines are in a function body, the #if
// blocks on macros chosen at load time (→ if), #if LINUX_VERSION_CODE (BCC compiles for the running
// kernel, lcc for every kernel with BTF), the directives in force at a place. Pure: text in, text out.
import { blankLiterals } from '../../cscan.js';

/**
 * The preprocessor directives in force at offset `o`: for each #if block open there, its #if and the
 * #elif and #else lines that lead to the branch `o` is in. Written before a copy of code from `o` (and
 * an #endif per block after it), they put the copy under the same conditions.
 */
export function directivesAround(text: string, o: number): { open: string[] } {
  const frames: string[][] = [];
  for (const l of text.slice(0, o).split('\n').slice(0, -1)) {
    const d = /^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b/.exec(l);
    if (!d) continue;
    if (d[1] === 'endif') frames.pop();
    else if (d[1]!.startsWith('if')) frames.push([l.trim()]);
    else frames.at(-1)?.push(l.trim());
  }
  return { open: frames.flat() };
}

/** The first kernel with /sys/kernel/btf/vmlinux, which lcc's objects need: no older one runs them */
export const BTF_SINCE = [5, 4, 0] as const;

/**
 * `#if`/`#elif LINUX_VERSION_CODE OP KERNEL_VERSION(a, b, c)`: decided where every kernel with BTF
 * agrees (`#if 0`, `#if 1`); otherwise `#ifdef __LCC_KERNEL_BEFORE_a_b_c` (or `#ifndef`), a macro
 * defined where the running kernel is older than a.b.c, by name with its version
 */
export function kernelVersionBlocks(text: string, notBefore = new Set<string>()): { text: string; decided: { at: number; test: string; value: boolean; why?: string }[]; atLoad: Map<string, [number, number, number]> } {
  const decided: { at: number; test: string; value: boolean; why?: string }[] = [];
  const atLoad = new Map<string, [number, number, number]>();
  const code = (v: readonly number[]): number => v[0]! * 65536 + v[1]! * 256 + Math.min(v[2]!, 255);
  // (a member of a struct under one, mountsnoop's copy of mnt_namespace: the copy is the kernel's struct,
  // which vmlinux.h has as this kernel has it; the #if stays for the rule that drops the copy)
  const braces = braceLines(text);
  const lineAt = (o: number): number => text.slice(0, o).split('\n').length - 1;
  const out = text.replace(/^([ \t]*#[ \t]*)(if|elif)[ \t]+(LINUX_VERSION_CODE\s*(<=?|>=?)\s*KERNEL_VERSION\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\))[ \t]*(\/\/.*|\/\*.*\*\/)?$/gm,
    (m, lead: string, directive: string, test: string, op: string, a: string, b: string, c: string, _comment: string | undefined, at: number) => {
      const where = braces[lineAt(at)]!;
      if (where.depth > 0 && !where.inFunction) return m;
      // each comparison as "older than v" or its negation: <= v is older than v plus one
      const v = [Number(a), Number(b), Number(c) + (op === '<=' || op === '>' ? 1 : 0)] as [number, number, number];
      const before = op === '<' || op === '<=';
      if (code(v) <= code(BTF_SINCE)) {
        decided.push({ at, test, value: !before });
        return `${lead}${directive} ${before ? 0 : 1} /* ${test} */`;
      }
      const mname = `__LCC_KERNEL_BEFORE_${v.join('_')}`;
      // (the older kernels' half left out: BPF() refuses on them)
      if (notBefore.has(mname)) {
        decided.push({ at, test, value: !before, why: `kernels before ${v.join('.')} refused at BPF()` });
        return `${lead}${directive} ${before ? 0 : 1} /* ${test} */`;
      }
      atLoad.set(mname, v);
      if (directive === 'elif') return `${lead}elif ${before ? '' : '!'}defined(${mname}) /* ${test} */`;
      return `${lead}${before ? 'ifdef' : 'ifndef'} ${mname} /* ${test} */`;
    });
  return { text: out, decided, atLoad };
}

/**
 * Preprocessor conditionals on macros chosen at load time (`conds`: macro →
 * C condition) inside function bodies → `if (...) {` / `} else if (...) {` /
 * `} else {` / `}`, one line for one line: #ifdef, #ifndef, and #if/#elif
 * over defined(), !, && and || (macros fixed at build time count as 0 or 1).
 * A block outside a function (a map, a struct member, a whole probe) cannot be
 * chosen at load time: without an #else it is kept whole and reported in
 * `always` (its programs load under its condition); with one, and for a
 * macro's value in #if, it is an error at its offset.
 */
export function ifdefToIf(text: string, conds: Map<string, { c: string; py: string }>, fixed: Set<string>): {
  text: string; blocks: Map<string, number>; errors: { at: number; why: string }[];
  /** file-scope blocks kept whole: their line range and the Python condition they were under */
  always: { from: number; to: number; py: string }[];
  /** a map declared in both halves of a file-scope #if/#else: both kept, renamed; the tool reads the one its options chose */
  variants: MapVariant[];
} {
  const lines = text.split('\n');
  const inFunction = inFunctionLines(text);
  const stack: ('ours' | 'other' | 'always' | 'alwaysElse')[] = [];
  const blocks = new Map<string, number>();
  const errors: { at: number; why: string }[] = [];
  const always: { from: number; to: number; py: string }[] = [];
  const open: { from: number; py: string; c: string; elseAt?: number }[] = [];
  const halves: { from: number; elseAt: number; to: number; py: string; c: string }[] = [];
  const plain: { from: number; to: number; c: string }[] = [];
  const ifs: { at: number }[] = [];
  const closedIfs: { at: number; end: number }[] = [];
  // the load-time ifs around each line of a function: their condition, and whether the line is in the else
  const branch: { c: string; neg: boolean }[] = [];
  const branchAt: (readonly { c: string; neg: boolean }[])[] = [];
  let off = 0;
  const names = [...conds.keys()];
  const mentions = (e: string): string[] => names.filter((n) => new RegExp(`\\b${n}\\b`).test(e));
  // the directive's condition as C, or why it cannot be
  const asC = (e: string): { c: string; py: string } | { why: string } => {
    const used: string[] = [];
    const tokens = e.replace(/\/\*.*?\*\/|\/\/.*$/g, '').replace(/\bdefined\s*(?:\(\s*(\w+)\s*\)|\s(\w+))/g, (_m, a?: string, b?: string) => {
      const n = (a ?? b)!;
      // a letter per macro: the placeholders must not read as the 0 and 1 of fixed macros
      if (conds.has(n)) return `@${String.fromCharCode(97 + used.push(n) - 1)}@`;
      return fixed.has(n) ? '1' : '0';
    });
    if (!/^[\s()!&|01]*$/.test(tokens.replace(/@[a-z]@/g, ''))) return { why: `a condition lcc can turn into if only when it is made of defined(), !, && and || (${e.trim()})` };
    const macro = (i: string): { c: string; py: string } => conds.get(used[i.charCodeAt(0) - 97]!)!;
    const py = tokens.replace(/\|\|/g, ' or ').replace(/&&/g, ' and ').replace(/!/g, ' not ').replace(/\b0\b/g, 'False').replace(/\b1\b/g, 'True')
      .replace(/@([a-z])@/g, (_m, i: string) => `(${macro(i).py})`).replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
    const c = tokens.replace(/@([a-z])@/g, (_m, i: string) => `(${macro(i).c})`).replace(/\s+/g, ' ').trim()
      .replace(/^\((!?\w+)\)$/, '$1').replace(/!\(!(\w+)\)/g, '$1').replace(/!\((\w+)\)/g, '!$1');
    return { c, py };
  };
  for (let i = 0; i < lines.length; off += lines[i]!.length + 1, i++) {
    const l = lines[i]!;
    branchAt[i] = branch.map((b) => ({ ...b }));
    const d = /^\s*#\s*(\w+)\s*(.*)$/.exec(l);
    if (!d) continue;
    const depth = inFunction[i] ? 1 : 0;
    const [, directive, rest] = d as unknown as [string, string, string];
    const cond = directive === 'ifdef' ? `defined(${rest.trim()})` : directive === 'ifndef' ? `!defined(${rest.trim()})` : rest;
    const opens = directive === 'if' || directive === 'ifdef' || directive === 'ifndef';
    const ours = (opens || directive === 'elif') ? mentions(cond) : [];
    if (ours.length) {
      for (const n of ours) blocks.set(n, (blocks.get(n) ?? 0) + 1);
      const c = asC(cond);
      if ('why' in c) errors.push({ at: off, why: `${l.trim()}: ${c.why}` });
      else if (depth <= 0 && opens) {
        // declarations kept whether or not: an unused map or type costs nothing; the programs
        // in it load only under the condition (an #else with other declarations cannot be kept)
        lines[i] = '';
        stack.push('always');
        open.push({ from: i, py: c.py, c: c.c });
        continue;
      } else if (depth <= 0) errors.push({ at: off, why: `${l.trim()}: a block chosen by ${ours.join(', ')} outside a function body` });
      else if (directive === 'elif' && stack[stack.length - 1] !== 'ours') errors.push({ at: off, why: `${l.trim()}: #elif on ${ours.join(', ')} after an #if lcc keeps` });
      else {
        lines[i] = directive === 'elif' ? `} else if (${c.c}) {` : `if (${c.c}) {`;
        if (opens) stack.push('ours');
        if (opens) ifs.push({ at: i });
        // after an #elif a line is under more than one condition: no one half of a file-scope #if/#else is its
        if (opens) branch.push({ c: c.c, neg: false });
        else branch[branch.length - 1] = { c: `${branch[branch.length - 1]!.c} / ${c.c}`, neg: false };
        continue;
      }
      if (opens) stack.push('other');
      continue;
    }
    const top = stack[stack.length - 1];
    if (opens) stack.push('other');
    else if (directive === 'else' && top === 'always') {
      // the other declarations: kept too, their programs loaded when the condition does not hold
      lines[i] = '';
      stack[stack.length - 1] = 'alwaysElse';
      open[open.length - 1]!.elseAt = i;
    } else if ((directive === 'elif' || directive === 'else') && (top === 'always' || top === 'alwaysElse')) errors.push({ at: off, why: `${l.trim()}: a third set of declarations at file scope` });
    else if (directive === 'elif' && top === 'ours') errors.push({ at: off, why: `${l.trim()}: an #elif lcc cannot choose at load time after one it does` });
    else if (directive === 'else' && top === 'ours') {
      lines[i] = '} else {';
      branch[branch.length - 1] = { ...branch[branch.length - 1]!, neg: true };
    } else if (directive === 'endif') {
      const was = stack.pop();
      if (was === 'ours') {
        lines[i] = '}';
        branch.pop();
        closedIfs.push({ at: ifs.pop()!.at, end: i });
      } else if (was === 'always' || was === 'alwaysElse') {
        lines[i] = '';
        const o = open.pop()!;
        if (o.elseAt === undefined) {
          always.push({ from: o.from, py: o.py, to: i });
          plain.push({ from: o.from, to: i, c: o.c });
        }
        else {
          always.push({ from: o.from, to: o.elseAt, py: o.py }, { from: o.elseAt, to: i, py: `not (${o.py})` });
          halves.push({ from: o.from, elseAt: o.elseAt, to: i, py: o.py, c: o.c });
        }
      }
    }
  }
  // a block that opens a brace a later block on the same macro closes (dbslower's `#ifdef THRESHOLD
  // if (delta >= THRESHOLD) { #endif ... #ifdef THRESHOLD } #endif`): the test holds where the macro is
  // not defined, as then the code between runs unconditionally: `if (!(X) || (test)) {` ... `}`
  const body = (b: { at: number; end: number }): string[] => lines.slice(b.at + 1, b.end).filter((x) => x.trim() && !/^\s*(\/\/|\/\*.*\*\/\s*$)/.test(x));
  const net = (b: { at: number; end: number }): number => blankLiterals(body(b).join('\n')).split('').reduce((n, ch) => n + (ch === '{' ? 1 : ch === '}' ? -1 : 0), 0);
  const paired = new Set<number>();
  for (const [k, a] of closedIfs.entries()) {
    if (net(a) === 0 || paired.has(k)) continue;
    const test = body(a).length === 1 ? /^\s*if\s*\((.*)\)\s*\{\s*$/.exec(body(a)[0]!) : null;
    const closer = closedIfs.findIndex((b, j) => j > k && !paired.has(j) && lines[b.at] === lines[a.at] && body(b).length === 1 && /^\s*\}\s*$/.test(body(b)[0]!));
    const c = /^if \((.*)\) \{$/.exec(lines[a.at]!)?.[1];
    if (net(a) !== 1 || !test || closer < 0 || !c) {
      const at = lines.slice(0, a.at).reduce((n, x) => n + x.length + 1, 0);
      errors.push({ at, why: `a block on ${c ?? 'a macro'} that ${net(a) > 0 ? 'opens' : 'closes'} a brace another block closes or opens` });
      continue;
    }
    const b = closedIfs[closer]!;
    paired.add(k).add(closer);
    // the lines stay where they were (each the Python's): the directives' lines emptied
    for (let i = a.at + 1; i < a.end; i++) if (lines[i]!.trim()) lines[i] = lines[i]!.replace(/^(\s*)if\s*\((.*)\)\s*\{\s*$/, (_m, ind: string, t: string) => `${ind}if (!(${c}) || (${t})) {`);
    lines[a.at] = '';
    lines[a.end] = '';
    lines[b.at] = '';
    lines[b.end] = '';
  }
  for (const [k, b] of closedIfs.entries()) if (!paired.has(k)) hoistDeclarations(lines, b, inFunction);
  const variants = mapVariants(lines, halves, plain, inFunction, branchAt, (line, why) => errors.push({ at: lines.slice(0, line).reduce((n, x) => n + x.length + 1, 0), why }));
  return { text: lines.join('\n'), blocks, errors, always, variants };
}

/**
 * `#ifdef BY_PROCESS u32 key = a; #else u32 key = b; #endif`, then a use of key:
 * as an if, the declarations would end with their braces. One the code after
 * the block reads is declared before the if (on the if's line, so lines stay
 * the Python's) and assigned in it.
 */
function hoistDeclarations(lines: string[], b: { at: number; end: number }, inFunction: boolean[]): void {
  let last = b.end + 1;
  while (last < lines.length && inFunction[last]) last++;
  const after = lines.slice(b.end + 1, last).join('\n');
  const types = new Map<string, string>();
  const edits: [number, string][] = [];
  let depth = 0;
  for (let i = b.at + 1; i < b.end; i++) {
    const l = lines[i]!;
    // a declaration of the block's own level, not one in a nested brace
    const d = depth === 0 ? /^(\s*)((?:const\s+)?(?:(?:struct|unsigned|signed|long)\s+)*\w+(?:\s*\*+\s*|\s+))(\w+)\s*=([^;]*;\s*)$/.exec(l) : null;
    if (d && !/^\s*(return|else)\b/.test(l) && new RegExp(`\\b${d[3]}\\b`).test(after)) {
      const type = d[2]!.trim();
      if (types.has(d[3]!) && types.get(d[3]!) !== type) return;
      types.set(d[3]!, type);
      edits.push([i, `${d[1]}${d[3]} =${d[4]}`]);
    }
    depth += (l.match(/\{/g) ?? []).length - (l.match(/\}/g) ?? []).length;
    if (/^\s*\}\s*else\s*(if\b.*)?\{\s*$/.test(l)) depth = 0;
  }
  for (const [i, l] of edits) lines[i] = l;
  if (types.size) lines[b.at] = `${[...types].map(([n, t]) => `${t}${t.endsWith('*') ? '' : ' '}${n};`).join(' ')} ${lines[b.at]!.trimStart()}`;
}

/** A map declared per option: the tool's name for it, and the object's maps, each with the Python condition choosing it (null: otherwise) */
export interface MapVariant { map: string; choices: { name: string; py: string | null }[] }

/** The map a BCC declaration names: BPF_HASH(name, ...), BPF_TABLE("hash", key, leaf, name, ...) */
export const declaredMap = (line: string): string | null => {
  const t = /^\s*BPF_(?:F_)?TABLE(?:_\w+)?\(\s*"[^"]*"\s*,[^,]+,[^,]+,\s*(\w+)/.exec(line);
  if (t) return t[1]!;
  const m = /^\s*BPF_[A-Z_]+\(\s*(\w+)/.exec(line);
  return m ? m[1]! : null;
};

/**
 * A map declared in both halves of a file-scope #if/#else (syscount's `data`, a
 * count or a count and a time): both declared, as NAME__lcc_then and
 * NAME__lcc_else, and each use in a function renamed by the half of a load-time
 * if on the same condition it sits in; a use outside such an if cannot say which.
 */
function mapVariants(lines: string[], halves: { from: number; elseAt: number; to: number; py: string; c: string }[], plain: { from: number; to: number; c: string }[], inFunction: boolean[],
  branchAt: (readonly { c: string; neg: boolean }[])[], error: (line: number, why: string) => void): MapVariant[] {
  const out: MapVariant[] = [];
  for (const h of halves) {
    const names = (from: number, to: number): Set<string> => new Set(lines.slice(from + 1, to).map(declaredMap).filter((n): n is string => n !== null));
    const inThen = names(h.from, h.elseAt);
    for (const map of names(h.elseAt, h.to)) {
      if (!inThen.has(map)) continue;
      const [then, otherwise] = [`${map}__lcc_then`, `${map}__lcc_else`];
      const v: MapVariant = { map, choices: [{ name: then, py: h.py }, { name: otherwise, py: null }] };
      const use = new RegExp(`(?<![.\\w>])${map}\\b`, 'g');
      for (let i = 0; i < lines.length; i++) {
        if (!use.test(lines[i]!)) continue;
        use.lastIndex = 0;
        let to: string | null = null;
        if (i > h.from && i < h.elseAt) to = then;
        else if (i > h.elseAt && i < h.to) to = otherwise;
        // a whole function under its own #if on the same condition (syscount's sys_enter under LATENCY)
        else if (plain.some((p) => p.c === h.c && i > p.from && i < p.to)) to = then;
        else if (inFunction[i]) {
          const b = [...branchAt[i]!].reverse().find((x) => x.c === h.c);
          if (b) to = b.neg ? otherwise : then;
          else error(i, `map ${map} is declared one way under #if on ${h.py} and another under its #else, and used here outside a block on the same condition`);
        }
        if (to) lines[i] = lines[i]!.replace(use, to);
      }
      out.push(v);
    }
  }
  return out;
}

/**
 * For each line of C: whether it starts inside a function body (not at file
 * scope, and not in a struct, union, enum or initializer there). A "{" opens a
 * body when, at file scope, the code before it ends with ")". Comments,
 * strings and preprocessor lines are skipped.
 */
export function inFunctionLines(text: string): boolean[] {
  return braceLines(text).map((l) => l.inFunction);
}

/** For each line of C: how many braces are open where it starts, and whether one of them is a function body's */
export function braceLines(text: string): { depth: number; inFunction: boolean }[] {
  const out: { depth: number; inFunction: boolean }[] = [];
  const stack: boolean[] = []; // per open brace: is it (in) a function body
  let last = '';
  // (a comment's or a string's braces are none: blanked on the whole text, as a comment may span lines)
  for (const code of blankLiterals(text).split('\n')) {
    out.push({ depth: stack.length, inFunction: stack.includes(true) });
    if (/^\s*#/.test(code)) continue;
    for (const ch of code) {
      if (ch === '{') stack.push(stack.includes(true) || (stack.length === 0 && last === ')'));
      else if (ch === '}') stack.pop();
      if (!/\s/.test(ch)) last = ch;
    }
  }
  return out;
}

/** The lines of C outside any #if/#ifdef/#ifndef block (the directives themselves left out) */
export function unconditionalLines(c: string): string {
  let depth = 0;
  return c.split('\n').filter((l) => {
    const d = /^\s*#\s*(if|ifdef|ifndef|endif)\b/.exec(l)?.[1];
    if (d === 'endif') depth--;
    else if (d) depth++;
    return !d && depth === 0 && !/^\s*#/.test(l);
  }).join('\n');
}
