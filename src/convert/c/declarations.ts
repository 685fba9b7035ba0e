// What a piece of C that a BCC tool substitutes at file scope or in a struct
// body declares: the names, so that the alternatives an option chooses
// between can all be declared at once when none declares a name another
// declares differently (tcpcong's HIST_TABLE, SOCK_STORE_DEF, DEF_TEXT).
import { blankLiterals } from '../../cscan.js';

/** The statements of `code` at brace depth 0, split at their semicolons (found with comments and strings blanked), comments left out */
function topStatements(code: string): string[] | null {
  const blank = blankLiterals(code);
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < blank.length; i++) {
    const ch = blank[i];
    if (ch === '{' || ch === '(') depth++;
    else if (ch === '}' || ch === ')') depth--;
    else if (ch === ';' && depth === 0) {
      out.push(code.slice(from, i).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, ' ').trim());
      from = i + 1;
    }
    if (depth < 0) return null;
  }
  // what follows the last semicolon must be nothing: a declaration ends in one
  if (depth !== 0 || blank.slice(from).trim()) return null;
  return out.filter(Boolean);
}

/**
 * The names file-scope C declares, each with its declaration's text: BCC's map
 * macros, `typedef struct T {...} name`, `struct T {...}`. Null when the code
 * holds anything else (a function, a directive, a statement).
 */
export function fileScopeNames(code: string): Map<string, string> | null {
  if (/^\s*#/m.test(code)) return null;
  const stmts = topStatements(code);
  if (!stmts) return null;
  const names = new Map<string, string>();
  for (const st of stmts) {
    const text = st.replace(/\s+/g, ' ');
    const map = /^BPF_(?:F_)?TABLE(?:_\w+)?\(\s*"[^"]*"\s*,[^,]+,[^,]+,\s*(\w+)/.exec(text) ?? /^BPF_[A-Z_]+\(\s*(\w+)/.exec(text);
    const typedef = /^typedef\s+(?:struct|union|enum)\s*(\w+)?\s*\{.*\}\s*(\w+)$/.exec(text);
    const tagged = /^(?:struct|union|enum)\s+(\w+)\s*\{.*\}$/.exec(text);
    if (map && text.endsWith(')')) names.set(map[1]!, text);
    else if (typedef) {
      names.set(typedef[2]!, text);
      if (typedef[1]) names.set(`struct ${typedef[1]}`, text);
    } else if (tagged) names.set(`struct ${tagged[1]}`, text);
    else return null;
  }
  return names;
}

/** The members a list of member declarations declares (`u64 a, b; char c[16]; u8 d:5;`), or null when it is anything else */
export function memberNames(code: string): Map<string, string> | null {
  const stmts = topStatements(code);
  if (!stmts) return null;
  const names = new Map<string, string>();
  for (const st of stmts) {
    const text = st.replace(/\s+/g, ' ');
    const m = /^((?:(?:unsigned|signed|const|volatile|struct|union|enum)\s+)*\w+(?:\s*\*+\s*|\s+))(\w+\s*(?:\[[^\]]*\])?\s*(?::\s*\d+)?(?:\s*,\s*\**\s*\w+\s*(?:\[[^\]]*\])?\s*(?::\s*\d+)?)*)$/.exec(text);
    if (!m) return null;
    for (const d of m[2]!.split(',')) names.set(/(\w+)/.exec(d.replace(/^\s*\**/, ''))![1]!, `${m[1]!.trim()} ${d.trim()}`);
  }
  return names;
}

/**
 * The alternatives' declarations, all at once: each name declared once (where
 * two alternatives declare it alike, the first's), or null where two declare
 * one name differently (then the choice is the option's to make).
 */
export function unionOfDeclarations(alternatives: string[], names: (code: string) => Map<string, string> | null): string[] | null {
  const seen = new Map<string, string>();
  const kept: string[] = [];
  for (const code of alternatives) {
    const declared = names(code);
    if (!declared) return null;
    let fresh = false;
    for (const [name, text] of declared) {
      const before = seen.get(name);
      if (before !== undefined && before !== text) return null;
      if (before === undefined) fresh = true;
      seen.set(name, text);
    }
    // an alternative that declares only what another already did, alike, adds nothing
    if (fresh) kept.push(code);
  }
  return kept;
}

/** The functions `code` defines (each static or not), when it is nothing but whole function definitions (else null) */
export function wholeFunctions(code: string): { name: string; isStatic: boolean }[] | null {
  const blank = blankLiterals(code);
  const names: { name: string; isStatic: boolean }[] = [];
  let i = 0;
  for (;;) {
    const head = /^\s*((?:static\s+|inline\s+|__always_inline\s+)*)[\w\s*]*?\b(\w+)\s*\(([^;{}]*)\)\s*\{/.exec(blank.slice(i));
    if (!head) break;
    let end = i + head[0].length;
    for (let depth = 1; depth > 0 && end < blank.length; end++) depth += blank[end] === '{' ? 1 : blank[end] === '}' ? -1 : 0;
    if (blank[end - 1] !== '}') return null;
    names.push({ name: head[2]!, isStatic: /\bstatic\b/.test(head[1]!) });
    i = end;
    // a `;` after a function's brace is C's empty declaration
    while (/^\s*;/.test(blank.slice(i))) i = blank.indexOf(';', i) + 1;
  }
  return names.length && !blank.slice(i).trim() ? names : null;
}
