// C text helpers the rewrite rules share: where a program starts, a replace() token, what braces an offset
// sits in, C on one line, the newlines a rewrite keeps (lexical reading of C is the scanner's: src/cscan.ts).
import { blankLiterals } from '../../cscan.js';

/** The SEC() name of the program the offset is in (the last one before it), or ''. */
export function sectionAt(text: string, off: number): string {
  const at = text.lastIndexOf('SEC("', off);
  return at < 0 ? '' : text.slice(at + 5, text.indexOf('"', at + 5));
}

/** A token of the Python's replace() in C: whole, where its ends are word characters (`##QUEUE##` has none) */
export function tokenRe(token: string, flags = ''): RegExp {
  const quoted = token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${/^\w/.test(token) ? '\\b' : ''}${quoted}${/\w$/.test(token) ? '\\b' : ''}`, flags);
}

/**
 * What braces each offset of C sits in: none (file scope), a function's body, or a type's (a struct, a
 * typedef, an initializer): the outermost brace decides, a function's when `)` comes before it
 */
export function braceKinds(text: string): (off: number) => 'file' | 'function' | 'type' {
  const blank = blankLiterals(text);
  const kind: ('file' | 'function' | 'type')[] = [];
  let depth = 0;
  let outer: 'function' | 'type' = 'type';
  for (let i = 0; i < blank.length; i++) {
    const ch = blank[i];
    if (ch === '{') {
      if (depth++ === 0) outer = /\)\s*$/.test(blank.slice(Math.max(0, i - 200), i)) ? 'function' : 'type';
    } else if (ch === '}') depth = Math.max(0, depth - 1);
    kind.push(depth ? outer : 'file');
  }
  return (off) => kind[off] ?? 'file';
}

/**
 * C on one line, where a token stood: its line comments made block comments first (opensnoop's full-path
 * code has `{ // relative path`, which would swallow the rest of the line)
 */
export function oneLine(code: string): string {
  // (a string literal's // is not a comment)
  return code.replace(/"(?:\\.|[^"\\\n])*"|\/\/([^\n]*)/g, (m, c: string | undefined) => (c === undefined ? m : `/*${c.replace(/\*\//g, '* /')} */`)).replace(/\n/g, ' ');
}

/** The newlines of C a rewrite took out: what keeps each line of the text the Python's line */
export const keepLines = (removed: string): string => '\n'.repeat(removed.split('\n').length - 1);
