// Before tree-sitter: lift the BPF macros it cannot read out of the text.
//
// tree-sitter-c parses `SEC("...")` and `LBC_HASH(m, struct k, u32, 64)` as
// broken calls with ERROR nodes, and its error recovery sometimes swallows the
// declaration next to them. So we find them lexically at file scope, record
// them with their positions, and blank them out (spaces, newlines kept) so
// that tree-sitter sees plain C whose line:column still match the user's file.

import { positions, type Pos } from '../textpos.js';

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
}

const LIFTED = /(SEC|LBC_[A-Z0-9_]+)\s*\(/y;
/**
 * Attribute-like macros of bpf_helpers.h that stand where tree-sitter expects
 * a type (`static __always_inline int f(...)`): blanked like the others.
 */
const ATTRIBUTE_MACROS = /(__always_inline|__noinline|__weak|__hidden|__ksym|__kconfig|__maybe_unused|__unused|__inline)\b/y;
const SEMICOLON = /\s*;/y;
const STATIC_ASSERT = /(_Static_assert|static_assert)\s*\(/y;
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
function matchParen(text: string, open: number): number {
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

const blank = (s: string): string => s.replace(/[^\n]/g, ' ');

export class ScanError extends Error {
  constructor(message: string, readonly pos: Pos) {
    super(message);
  }
}

export function scan(source: string): ScanResult {
  const positionAt = positions(source);
  const macros: MacroCall[] = [];
  const sections: MacroCall[] = [];
  let out = '';
  let copied = 0;
  let depth = 0;
  let lineStart = true;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === '\n') {
      lineStart = true;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') continue;
    if (ch === '#' && lineStart) {
      // a preprocessor line (with continuations): leave it to tree-sitter
      while (i < source.length && !(source[i] === '\n' && source[i - 1] !== '\\')) i++;
      lineStart = true;
      continue;
    }
    lineStart = false;
    if (ch === '/' && source[i + 1] === '*') {
      const e = source.indexOf('*/', i + 2);
      i = e < 0 ? source.length : e + 1;
      continue;
    }
    if (ch === '/' && source[i + 1] === '/') {
      const e = source.indexOf('\n', i);
      i = e < 0 ? source.length : e - 1;
      continue;
    }
    if (ch === '"' || ch === "'") {
      i = skipQuoted(source, i);
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    const c0 = source.charCodeAt(i);
    if (!isIdentStart(c0) || (i > 0 && isIdent(source.charCodeAt(i - 1)))) continue;
    // every name we lift starts with one of these: skip the rest without a regex
    if (c0 !== 95 /* _ */ && c0 !== 115 /* s */ && c0 !== 83 /* S */ && c0 !== 76 /* L */) {
      while (i + 1 < source.length && isIdent(source.charCodeAt(i + 1))) i++;
      continue;
    }
    ATTRIBUTE_MACROS.lastIndex = i;
    const attr = ATTRIBUTE_MACROS.exec(source);
    if (attr) {
      out += source.slice(copied, i) + blank(attr[0]);
      copied = i + attr[0].length;
      i = copied - 1;
      continue;
    }
    // _Static_assert(...); at file scope: a compile-time check for clang, nothing for the skeleton
    STATIC_ASSERT.lastIndex = i;
    if (depth === 0 && STATIC_ASSERT.test(source)) {
      const close = matchParen(source, source.indexOf('(', i));
      if (close < 0) throw new ScanError('unbalanced parentheses in _Static_assert(...)', positionAt(i));
      const end = source[close + 1] === ';' ? close + 2 : close + 1;
      out += source.slice(copied, i) + blank(source.slice(i, end));
      copied = end;
      i = end - 1;
      continue;
    }
    LIFTED.lastIndex = i;
    const m = LIFTED.exec(source);
    if (!m) {
      while (i + 1 < source.length && isIdent(source.charCodeAt(i + 1))) i++;
      continue;
    }
    const name = m[1]!;
    // SEC() may stand inside a declaration at any depth of its own braces (maps);
    // LBC_ macros only at file scope, where they declare things
    if (name !== 'SEC' && depth !== 0) continue;
    const open = i + m[0].length - 1;
    const close = matchParen(source, open);
    if (close < 0) throw new ScanError(`unbalanced parentheses in ${name}(...)`, positionAt(i));
    let end = close + 1;
    if (name !== 'SEC') {
      SEMICOLON.lastIndex = end;
      const semi = SEMICOLON.exec(source);
      if (semi) end += semi[0].length;
    }
    const inner = source.slice(open + 1, close);
    const parts = splitArgs(inner);
    const call: MacroCall = {
      name,
      args: parts.map((p) => p.arg),
      argPos: parts.map((p) => positionAt(open + 1 + p.offset)),
      pos: positionAt(i),
      start: i,
      end,
    };
    (name === 'SEC' ? sections : macros).push(call);
    out += source.slice(copied, i) + blank(source.slice(i, end));
    copied = end;
    i = end - 1;
  }
  out += source.slice(copied);
  return { text: out, macros, sections };
}
