// The one C scanner, shared by lcc gen and lcc convert: C read lexically (comments, literals, brackets,
// calls' arguments), and, before tree-sitter, the BPF macros it cannot read lifted out of the text and
// function bodies blanked.
//
// tree-sitter-c parses `SEC("...")` and `LBC_HASH(m, struct k, u32, 64)` as
// broken calls with ERROR nodes, and its error recovery sometimes swallows the
// declaration next to them. So we find them lexically at file scope, record
// them with their positions, and blank them out (spaces, newlines kept) so
// that tree-sitter sees plain C whose line:column still match the user's file.
//
// lcc gen reads declarations, not statements: a function's body is blanked
// the same way (its braces kept), so tree-sitter neither parses it (half its
// work on a tool's source) nor recovers from errors in it. The event writes
// lcc looks for in bodies are read from the original text (parse.ts).

import { positions, type Pos } from './textpos.js';

export type { Pos };

export interface MacroCall {
  name: string;
  /** arguments as written, split at top-level commas, trimmed */
  args: string[];
  argPos: Pos[];
  pos: Pos;
  /** offset just past the call (and its `;` for LBC_ macros) */
  end: number;
  start: number;
}

export interface ScanResult {
  /** the source with every lifted macro replaced by blanks */
  text: string;
  /** LBC_* declarations at file scope */
  macros: MacroCall[];
  /** SEC("...") annotations: each applies to the declaration that contains or follows it */
  sections: MacroCall[];
  /** offsets of the `{` and `}` of every function body blanked in `text` */
  bodies: { open: number; close: number }[];
}

const SEMICOLON = /\s*;/y;
const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdent = (c: number): boolean => isIdentStart(c) || (c >= 48 && c <= 57);

/** Split `a, f(b, c), d` at top-level commas, skipping strings and nested brackets. */
export function splitArgs(text: string): { arg: string; offset: number }[] {
  const out: { arg: string; offset: number }[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") {
      i = skipQuoted(text, i);
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      out.push({ arg: text.slice(start, i), offset: start });
      start = i + 1;
    }
  }
  out.push({ arg: text.slice(start), offset: start });
  return out.map(({ arg, offset }) => {
    const lead = arg.length - arg.trimStart().length;
    return { arg: arg.trim(), offset: offset + lead };
  });
}

function skipQuoted(text: string, i: number): number {
  const q = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === q) return j;
  }
  return text.length;
}

/** The offset of the `)` matching the `(` at `open`, or -1. */
export function matchParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'") i = skipQuoted(text, i);
    else if (ch === '/' && text[i + 1] === '*') i = text.indexOf('*/', i + 2) < 0 ? text.length : text.indexOf('*/', i + 2) + 1;
    else if (ch === '/' && text[i + 1] === '/') i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i) - 1;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}

// The scanners below jump from token to token with regular expressions: a
// loop over every character runs in V8's interpreter in a one-shot process
// and cost lcc gen ~15 ms on a 2,000-line file.

/** The offset just past the comment or string/char literal at `at` (past `at` itself when there is none). */
function skipNonCode(text: string, at: number): number {
  const ch = text[at];
  if (ch === '"' || ch === "'") return skipQuoted(text, at) + 1;
  if (ch === '/' && text[at + 1] === '*') {
    const e = text.indexOf('*/', at + 2);
    return e < 0 ? text.length : e + 2;
  }
  if (ch === '/' && text[at + 1] === '/') return lineEnd(text, at);
  return at + 1;
}

/** The offset of the newline ending the (backslash-continued) line at `at`. */
function lineEnd(text: string, at: number): number {
  for (let nl = text.indexOf('\n', at); ; nl = text.indexOf('\n', nl + 1)) {
    if (nl < 0) return text.length;
    if (text[nl - 1] !== '\\' && !(text[nl - 1] === '\r' && text[nl - 2] === '\\')) return nl;
  }
}

const BRACE_TOKEN = /\/\*|\/\/|["'{}]|^[ \t]*#[ \t]*(\w*)/gm;

/**
 * The offset of the `}` matching the `{` at `open`, or -1. Of an #if's
 * branches only the first is counted: `#ifdef X / if (a) { / #else / if (b) {
 * / #endif` opens one block, not two.
 */
function matchBrace(text: string, open: number): number {
  let depth = 0;
  /** per open #if: whether the branch being read is one after its first */
  const skipping: boolean[] = [];
  let skipped = 0;
  BRACE_TOKEN.lastIndex = open;
  for (let m = BRACE_TOKEN.exec(text); m; m = BRACE_TOKEN.exec(text)) {
    const tok = m[0];
    if (m[1] !== undefined) {
      const d = m[1];
      if (d.startsWith('if')) skipping.push(false);
      else if ((d === 'else' || d.startsWith('elif')) && skipping.length && !skipping[skipping.length - 1]) {
        skipping[skipping.length - 1] = true;
        skipped++;
      } else if (d === 'endif' && skipping.length && skipping.pop()) skipped--;
      BRACE_TOKEN.lastIndex = lineEnd(text, m.index);
    } else if (tok === '{' || tok === '}') {
      if (skipped) continue;
      if (tok === '{') depth++;
      else if (--depth === 0) return m.index;
    } else {
      // a comment or a literal, skipped whole (in a dropped branch too: its `'` is no char literal's)
      BRACE_TOKEN.lastIndex = skipNonCode(text, m.index);
    }
  }
  return -1;
}

/**
 * Whether the `)` at `close` ends a parameter list: its `(` follows a name
 * (`f(...)`, `BPF_PROG(...)`), not `=` or `,` (a compound literal
 * `(struct x){...}` in an initializer) and not `__attribute__((...))`.
 */
function endsParameters(text: string, close: number): boolean {
  let depth = 0;
  let i = close;
  for (; i >= 0; i--) {
    if (text[i] === ')') depth++;
    else if (text[i] === '(' && --depth === 0) break;
  }
  let j = i - 1;
  while (j >= 0 && /\s/.test(text[j]!)) j--;
  let k = j;
  while (k >= 0 && isIdent(text.charCodeAt(k))) k--;
  const name = text.slice(k + 1, j + 1);
  return name !== '' && isIdentStart(name.charCodeAt(0)) && !/^(__attribute__|__attribute|sizeof|__typeof__|typeof)$/.test(name);
}

/** Spaces for every character but newlines (a run of spaces per line: a per-character replace was the scanner's slowest part). */
const blank = (s: string): string => {
  if (!s.includes('\n')) return ' '.repeat(s.length);
  return s.split('\n').map((line) => ' '.repeat(line.length)).join('\n');
};

/** Text with its comments, string/char literals and preprocessor lines blanked (offsets kept): what is left is code. */
export function codeOnly(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|^[ \t]*#(?:[^\n]*\\\n)*[^\n]*/gm, blank);
}

/** Text with its comments and string/char literals blanked (offsets and newlines kept); directives stay. */
export function blankLiterals(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, blank);
}

/**
 * The arguments of the call (or the members of the braces) whose opening bracket is at `open`, split at
 * its own commas, and the offset past its closing bracket. Read on the code-only copy of the text: a
 * comma or a bracket in a string, a character or a comment (bpf_trace_printk("a, b (%d)\n", x)) is
 * neither.
 */
export function callArgs(text: string, open: number): { args: string[]; end: number } | null {
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

export class ScanError extends Error {
  constructor(message: string, readonly pos: Pos) {
    super(message);
  }
}

/**
 * What scan() stops at: comments, literals, preprocessor lines, braces, `)`,
 * the macros it lifts, and the attribute-like macros of bpf_helpers.h that
 * stand where tree-sitter expects a type (`static __always_inline int
 * f(...)`), and the kernel's address-space annotations BCC's C keeps
 * (`const char __user *filename`), blanked like the others.
 */
const TOKEN = new RegExp([
  /\/\*|\/\/|["'{})]|^[ \t]*#/.source,
  /\b(SEC|LBC_[A-Z0-9_]+|_Static_assert|static_assert)(?=\s*\()/.source,
  /\b(?:__always_inline|__noinline|__weak|__hidden|__ksym|__kconfig|__maybe_unused|__unused|__inline|__user|__kernel|__force|__iomem|__rcu|__percpu)\b/.source,
].join('|'), 'gm');

export function scan(source: string, opts: { keepBodies?: boolean } = {}): ScanResult {
  const positionAt = positions(source);
  const macros: MacroCall[] = [];
  const sections: MacroCall[] = [];
  const bodies: { open: number; close: number }[] = [];
  let out = '';
  let copied = 0;
  let depth = 0;
  /** just past the last `)` at file scope: a `{` after it and blanks opens a function body */
  let afterParen = -1;
  const lift = (start: number, end: number): void => {
    out += source.slice(copied, start) + blank(source.slice(start, end));
    copied = end;
    TOKEN.lastIndex = end;
  };
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(source); m; m = TOKEN.exec(source)) {
    const i = m.index;
    const tok = m[0];
    const ch = tok[0]!;
    if (ch === '{') {
      if (!opts.keepBodies && depth === 0 && afterParen >= 0 && /^\s*$/.test(source.slice(afterParen, i)) && endsParameters(source, afterParen - 1)) {
        const close = matchBrace(source, i);
        if (close > 0) {
          // keep the braces: tree-sitter still sees a function definition
          lift(i + 1, close);
          TOKEN.lastIndex = close + 1;
          bodies.push({ open: i, close });
          continue;
        }
      }
      depth++;
    } else if (ch === '}') depth--;
    else if (ch === ')') afterParen = i + 1;
    // comments, literals and preprocessor lines (left to tree-sitter) hold nothing to lift
    else if (tok.endsWith('#')) TOKEN.lastIndex = lineEnd(source, i);
    else if (ch === '/' || ch === '"' || ch === "'") TOKEN.lastIndex = skipNonCode(source, i);
    else if (!m[1]) lift(i, i + tok.length); // an attribute macro
    else if (m[1] === '_Static_assert' || m[1] === 'static_assert') {
      // _Static_assert(...); at file scope: a compile-time check for clang, nothing for the skeleton
      if (depth !== 0) continue;
      const close = matchParen(source, source.indexOf('(', i));
      if (close < 0) throw new ScanError('unbalanced parentheses in _Static_assert(...)', positionAt(i));
      lift(i, source[close + 1] === ';' ? close + 2 : close + 1);
    } else {
      const name = m[1];
      // SEC() may stand inside a declaration at any depth of its own braces (maps);
      // LBC_ macros only at file scope, where they declare things
      if (name !== 'SEC' && depth !== 0) continue;
      const open = source.indexOf('(', i);
      const close = matchParen(source, open);
      if (close < 0) throw new ScanError(`unbalanced parentheses in ${name}(...)`, positionAt(i));
      let end = close + 1;
      if (name !== 'SEC') {
        SEMICOLON.lastIndex = end;
        const semi = SEMICOLON.exec(source);
        if (semi) end += semi[0].length;
      }
      const parts = splitArgs(source.slice(open + 1, close));
      (name === 'SEC' ? sections : macros).push({
        name,
        args: parts.map((p) => p.arg),
        argPos: parts.map((p) => positionAt(open + 1 + p.offset)),
        pos: positionAt(i),
        start: i,
        end,
      });
      lift(i, end);
    }
  }
  out += source.slice(copied);
  return { text: out, macros, sections, bodies };
}
