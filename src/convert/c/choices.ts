// replace() choices at file scope: C the Python chooses by its options or by the kernel, where a choice made
// at load time cannot be code in a function: maps declared per option, a struct per choice of its members,
// a function per head, whole functions per alternative, macros the Python defines. Every alternative goes
// into the object; each program loads only under its condition.
import { andParts, excludes, LIST_MAX, negation, type Replacement } from '../python.js';
import { type Conversion, whenOf } from './conversion.js';
import { fileScopeNames, memberNames, unionOfDeclarations, wholeFunctions } from './declarations.js';
import { braceLines, declaredMap, directivesAround, inFunctionLines } from './preprocessor.js';
import { callArgs } from '../../cscan.js';
import { oneLine, tokenRe } from './text.js';

/** The bodies of the structs C casts a pointer to (`(struct s *)p`, `(s_t *)p`) */
function viewedStructs(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(typedef\s+)?struct\s+(\w+)?\s*\{([^{}]*)\}\s*(\w+)?/g)) {
    const [, typedef, tag, body, alias] = m;
    const names = [...(tag ? [`struct\\s+${tag}`] : []), ...(typedef && alias ? [alias] : [])];
    if (names.some((n) => new RegExp(`\\(\\s*(?:const\\s+)?${n}\\s*\\*\\s*\\)`).test(text))) out.push(body!);
  }
  return out;
}

/**
 * Python runs the replace()s in order and the first that runs takes the token:
 * an if/else-if chain in source order, ending at the first one made
 * unconditionally (or whose conditions only say that none of the earlier ones
 * ran: an else).
 */
export function replaceChain(reps: Replacement[]): { chain: { r: Replacement; parts: string[] }[]; fallback: Replacement | null; alts: Replacement[] } {
  const chain: { r: Replacement; parts: string[] }[] = [];
  // the paths of one text built with += (cpudist's storage_str): the last is what none before it was
  const paths = reps.every((r) => r.path && r.line === reps[0]!.line);
  for (const [i, r] of reps.entries()) {
    // a condition whose negation was one alternative's whole condition holds wherever that one did not
    // (funclatency's `else` of `if need_key`, readahead's `if X` after `if not X`)
    const parts = r.conds.filter((p) => !chain.some((c) => p === `not (${c.r.conds[c.r.conds.length - 1]})` || (c.parts.length === 1 && (p === `not (${c.parts[0]})` || c.parts[0] === `not (${p})`))));
    if (!parts.length || (paths && i === reps.length - 1)) return { chain, fallback: r, alts: [...chain.map((c) => c.r), r] };
    chain.push({ r, parts });
  }
  return { chain, fallback: null, alts: chain.map((c) => c.r) };
}

/** The Python condition under which alternative k of a chain holds: its own, and none before it did (k past the chain: the fallback's) */
function chainCond(chain: { parts: string[] }[], k: number): string {
  return [...chain.slice(0, k).map((c) => negation(c.parts.join(' and '))), ...(k < chain.length ? [chain[k]!.parts.join(' and ')] : [])].join(' and ');
}

/**
 * Whether replacement `b` was made under alternative `a`'s conditions (and maybe
 * more of its own): runqlat's STORE under the ifs that chose its STORAGE. An
 * alternative made under no condition says nothing of which code goes with it.
 */
const underAlternative = (a: Replacement, b: Replacement): boolean => a.conds.length > 0 && a.conds.every((c) => b.conds.includes(c));

/**
 * BPF_HASH(a, ...); BPF_HISTOGRAM(b); ...: the maps a replacement declares, each with its declaration as
 * written (spaces aside), or null when it is anything else
 */
function mapDeclarations(code: string): Map<string, string> | null {
  const stmts = code.split(';').map((x) => x.replace(/\s+/g, ' ').trim()).filter(Boolean);
  const names = stmts.map((st) => (/^BPF_[A-Z_]+\(.*\)$/s.test(st) ? declaredMap(st) : null));
  return stmts.length && names.every((n) => n !== null) ? new Map(names.map((n, i) => [n!, stmts[i]!])) : null;
}

/** The tool's replace() calls by token, each without the conditions of the piece its token sits in */
export function replacementsByToken(cx: Conversion): Map<string, Replacement[]> {
  const { tool, pieceCond } = cx;
  const byToken = new Map<string, Replacement[]>();
  // a condition of the piece a token sits in holds wherever that piece's programs load (tcpretrans' kprobe
  // piece, added `if args.lossprobe or not BPF.tracepoint_exists(...)`, and its IPV4_INIT under the same if):
  // the replacement does not choose by it
  const pieceConds = (token: string): Set<string> | null => {
    const at = [...cx.text.matchAll(tokenRe(token, 'g'))].map((m) => m.index!);
    const conds = at.map(pieceCond);
    return at.length && conds.every((c) => c !== null && c === conds[0]) ? new Set(andParts(conds[0]!)) : null;
  };
  for (const r0 of tool.replacements) {
    const implied = r0.conds.length ? pieceConds(r0.token) : null;
    const conds = implied ? r0.conds.filter((c) => !implied.has(c)) : r0.conds;
    const r = conds.length === r0.conds.length ? r0 : { ...r0, conds, cond: conds.length ? conds.join(' and ') : null };
    byToken.set(r.token, [...(byToken.get(r.token) ?? []), r]);
  }
  return byToken;
}

/** replace() tokens at file scope whose alternatives are all declared or all appended, each loaded under its condition */
export function chooseByReplace(cx: Conversion, byToken: Map<string, Replacement[]>, handled: Set<string>): void {
  const { report, globals, variants, views, alwaysBlocks, tool, lineIdxAt, pyLine, pieceCond, appendOnLinesOf, fail, condC, settingName, listSetting } = cx;
  // a token replaced by the same C whatever the options (kvmexit's FUNC_ENTRY, a raw tracepoint's head): in
  // place first, so that the tokens after it see the function it makes; not one whose C holds another
  // token (Python would have replaced that one already, or not yet)
  for (const [token, reps] of byToken) {
    const r = reps[0]!;
    if (reps.length !== 1 || r.conds.length || r.code === null || r.arg || r.list || !cx.text.includes(token)) continue;
    if ([...byToken.keys()].some((t) => t !== token && r.code!.includes(t))) continue;
    cx.text = cx.text.split(token).join(oneLine(r.code));
    report.push({ line: r.line, what: `text.replace("${token}", ...) → substituted`, converted: true });
    handled.add(token);
  }
  // maps declared per option at file scope (runqlat's STORAGE: a histogram by pid, by pidns, or
  // plain): every alternative declared, a map of several renamed per alternative, and the code
  // chosen by the same conditions (its STORE) naming the one of its alternative
  for (const [token, reps] of byToken) {
    const { chain, fallback, alts } = replaceChain(reps);
    if (!chain.length || !fallback || alts.some((r) => r.code === null || r.arg) || !cx.text.includes(token)) continue;
    const inFunction = inFunctionLines(cx.text);
    if (cx.text.split('\n').some((l, i) => l.includes(token) && inFunction[i])) continue;
    const maybe = alts.map((r) => mapDeclarations(r.code!));
    if (maybe.some((d) => d === null)) continue;
    // each alternative's maps, each with its declaration
    const texts = maybe as Map<string, string>[];
    // a map the alternatives declare alike keeps its name (funclatency's start); one declared two ways is
    // one map per way, named after the first alternative that declares it so
    const shared = [...new Set(texts.flatMap((t) => [...t.keys()]))].filter((m) => new Set(texts.map((t) => t.get(m)).filter((x) => x !== undefined)).size > 1);
    const own = (m: string, k: number): number => {
      const mine = texts[k]!.get(m);
      return mine === undefined ? texts.findIndex((t) => t.has(m)) : texts.findIndex((t) => t.get(m) === mine);
    };
    const rename = (code: string, k: number): string => shared.reduce((c: string, m) => c.replace(new RegExp(`(?<![.\\w>])${m}\\b`, 'g'), `${m}__lcc_${own(m, k)}`), code);
    let ok = true;
    for (const m of shared) {
      // the code that uses it: chosen by the same conditions, one use per alternative
      for (const [other, oreps] of byToken) {
        if (other === token) continue;
        for (const r of oreps) {
          if (r.code === null || !new RegExp(`(?<![.\\w>])${m}\\b`).test(r.code)) continue;
          const k = alts.findIndex((a) => underAlternative(a, r));
          if (k < 0) {
            fail(r.line, `replace("${other}") uses map ${m}, which replace("${token}") declares per option, under other conditions`, `choose ${other} under the same conditions as ${token}`);
            ok = false;
          }
        }
      }
    }
    if (!ok) {
      handled.add(token);
      continue;
    }
    for (const [other, oreps] of byToken) if (other !== token) for (const r of oreps) if (r.code !== null) {
      const k = alts.findIndex((a) => underAlternative(a, r));
      if (k >= 0) r.code = rename(r.code, k);
    }
    // each declaration once: the ones two alternatives make alike are one
    const decls = alts.flatMap((r, k) => rename(r.code!, k).split(';').map((x) => x.trim()).filter(Boolean).map((st) => `${st};`));
    const alike = (d: string): string => d.replace(/\s+/g, ' ');
    const once = decls.filter((d, i) => decls.findIndex((e) => alike(e) === alike(d)) === i);
    cx.text = cx.text.split(token).join(once.length < decls.length ? once.map(oneLine).join(' ') : alts.map((r, k) => oneLine(rename(r.code!, k))).join(' '));
    for (const m of shared) {
      // under conditions that do not declare it (cpudist's extension without -e) the tool never reads it:
      // its name there is the first copy's
      variants.push({ map: m, choices: alts.map((_r, k) => ({ name: `${m}__lcc_${own(m, k)}`, py: k < chain.length ? chain[k]!.parts.join(' and ') : null })) });
      report.push({ line: reps[0]!.line, what: `replace("${token}") declares map ${m} per option → ${[...new Set(alts.map((_r, k) => `${m}__lcc_${own(m, k)}`))].join(', ')}, all in the object; the tool reads the one its options chose`, converted: true });
    }
    if (!shared.length) report.push({ line: reps[0]!.line, what: `replace("${token}") declares maps per option → every one declared (an unused map costs nothing)`, converted: true });
    handled.add(token);
  }
  // `#define NAME %s` formatted with a value, in C an option puts at file scope (funclatency's TYPEDEF:
  // STACK_DEPTH, then the types it sizes): the macro the Python defines under that condition, its value the
  // setting, and the rest of the C a declaration like any
  for (const [token, reps] of byToken) {
    if (handled.has(token) || !cx.text.includes(token)) continue;
    const inFunction = inFunctionLines(cx.text);
    if (cx.text.split('\n').some((l, i) => tokenRe(token).test(l) && inFunction[i])) continue;
    for (const r of reps) {
      if (!r.arg || r.list || r.code === null || (r.code.match(/%[sdiu]|%l[du]/g) ?? []).length !== 1) continue;
      const def = /^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+(%[sdiu]|%l[du])[ \t]*$/m.exec(r.code);
      // (a define alone is the rule below's: a line replaced by a #define)
      if (!def || !r.conds.length || !(r.code.slice(0, def.index) + r.code.slice(def.index + def[0].length)).trim()) continue;
      tool.defines.push({ name: def[1]!, value: def[2]!, arg: r.arg, conds: r.conds, line: r.line });
      report.push({ line: r.line, what: `replace("${token}") with #define ${def[1]} ${def[2]} % ${r.arg} under ${r.cond} → the macro the Python defines under that condition`, converted: true });
      r.code = r.code.slice(0, def.index) + r.code.slice(def.index + def[0].length);
      r.arg = null;
    }
  }
  // declarations chosen by an option or the kernel at file scope or in a struct's body (tcpcong's
  // HIST_TABLE, SOCK_STORE_DEF, DEF_TEXT: a map and its key type, or members, or nothing): every
  // alternative declared, where no two declare one name differently; C that uses one alternative's
  // names runs only where that alternative was chosen, and an unused map or member costs nothing
  // (the struct bodies C casts pointers to, once: the replacements below leave which ones contain a token alone)
  const viewed = viewedStructs(cx.text);
  for (const [token, reps] of byToken) {
    if (handled.has(token) || !cx.text.includes(token)) continue;
    const { chain, fallback, alts } = replaceChain(reps);
    if (!chain.length || !fallback || alts.some((r) => r.code === null || r.arg)) continue;
    const inFunction = inFunctionLines(cx.text);
    const depth = braceLines(cx.text).map((l) => l.depth);
    const at = cx.text.split('\n').map((l, i) => (tokenRe(token).test(l) ? i : -1)).filter((i) => i >= 0);
    if (!at.length || at.some((i) => inFunction[i])) continue;
    const inBody = at.every((i) => depth[i]! > 0);
    if (!inBody && at.some((i) => depth[i]! > 0)) continue;
    // a struct the C casts a pointer to is a view of memory it does not own (runqlen's cfs_rq_partial, a
    // copy of the kernel's layout): a member more moves the ones after it. One struct per choice; each
    // read through a pointer to it reads at the offset the chosen one has (corePointerChains)
    if (inBody && viewed.some((body) => tokenRe(token).test(body))) {
      const def = new RegExp(`\\bstruct\\s+(\\w+)\\s*\\{[^{}]*\\b${token}\\b[^{}]*\\}\\s*;`).exec(cx.text);
      const codes = [...chain.map((c) => c.r.code!), fallback.code!];
      if (!def || cx.text.split(token).length !== 2 || !codes.every((c) => !c.trim() || memberNames(c) !== null)) continue;
      const tag = def[1]!;
      const names = codes.map((_c, k) => (k ? `${tag}__lcc_${k}` : tag));
      const copies = codes.map((c, k) => def[0].replace(token, k ? oneLine(c) : c).replace(`struct ${tag}`, `struct ${names[k]}`));
      cx.text = cx.text.slice(0, def.index) + copies[0] + ' ' + copies.slice(1).map(oneLine).join(' ') + cx.text.slice(def.index + def[0].length);
      views.set(tag, { conds: chain.map((c) => condC(c.parts)), names });
      report.push({ line: reps[0]!.line, what: `replace("${token}") chooses members of struct ${tag}, which the C casts kernel memory to, per ${chain.map((c) => c.parts.join(' and ')).join(' / ')} → a struct per choice (${names.join(', ')}); each member read through a pointer to it at the offset the chosen one has`, converted: true });
      handled.add(token);
      continue;
    }
    const union = unionOfDeclarations(alts.map((r) => r.code!).filter((c) => c.trim()), inBody ? memberNames : fileScopeNames);
    if (!union) continue;
    cx.text = cx.text.split(token).join(union.map(oneLine).join(' '));
    report.push({ line: reps[0]!.line, what: `replace("${token}") declares ${inBody ? 'members' : 'types and maps'} per ${chain.map((c) => c.parts.join(' and ')).join(' / ')} → all of them declared (each name once; what is not used costs nothing)`, converted: true });
    handled.add(token);
  }
  // a function head chosen by a condition (filelife's TRACE_CREATE_FUNC per kernel_struct_has_field,
  // kvmexit's FUNC_ENTRY a raw tracepoint or a tracepoint): the function once per head, each loaded
  // only under its condition, the tokens in its body chosen by the same conditions (GET_ER) each copy's
  // own; the copies after the first go after the text, their lines the original's
  const appended: { text: string; line: number; py: string }[] = [];
  for (const [token, reps] of byToken) {
    if (handled.has(token) || !cx.text.includes(token)) continue;
    const { chain, fallback, alts } = replaceChain(reps);
    // each alternative a function's head: `int f(...)` (the body follows the token), or the head and its body's first lines
    const head = (code: string): boolean => /^\s*[\w\s*]+\([^;{]*\)\s*(\{[\s\S]*)?$/.test(code);
    const occ = [...cx.text.matchAll(tokenRe(token, 'g'))].map((m) => m.index!);
    // or each a name in a head (readahead's KFUNC_PROBE(RA_FUNC), per the kernel's function): what is
    // before it on its line goes with each copy
    const lineStart = (o: number): number => cx.text.lastIndexOf('\n', o - 1) + 1;
    const named = alts.every((r) => r.code !== null && /^\s*\w+\s*$/.test(r.code)) && occ.every((o) => /^[ \t]*(?:\w+[ \t]*\([ \t]*|[\w \t*]*[ \t*])$/.test(cx.text.slice(lineStart(o), o)));
    if (!chain.length || !fallback || alts.some((r) => r.code === null || r.arg || /^\s*#|\/\//m.test(r.code) || !(named || head(r.code)))) continue;
    const inFunction = inFunctionLines(cx.text);
    // each head with what follows it: a function whose body ends in the text, the same end for every head
    // (the head alone, `int f(...)`, or the head and the body's first lines, filegone's `int f(...) {\n  u32 x;`)
    const extent = (o: number): number | null => {
      const tail = cx.text.slice(o + token.length);
      const ends = alts.map((alt) => {
        const t = alt.code! + tail;
        const brace = t.indexOf('{');
        const b = brace >= 0 && /\)\s*$/.test(t.slice(0, brace)) ? callArgs(t, brace) : null;
        return b && b.end > alt.code!.length ? b.end - alt.code!.length : -1;
      });
      return ends.every((e) => e >= 0 && e === ends[0]) ? o + token.length + ends[0]! : null;
    };
    if (!occ.length || !occ.every((o) => !inFunction[lineIdxAt(cx.text, o)] && extent(o) !== null)) continue;
    // alternative k holds when it does and none before it did
    const condPy = (k: number): string => chainCond(chain, k);
    for (const o of occ.reverse()) {
      const end = extent(o)!;
      const from = named ? lineStart(o) : o;
      // the piece's own condition (readahead's kfunc text, added where kfuncs work) holds for each copy too
      const inPiece = named ? pieceCond(o) : null;
      const py = (k: number): string => (inPiece ? `(${inPiece}) and (${condPy(k)})` : condPy(k));
      const copies = alts.map((alt) => {
        let b = cx.text.slice(o + token.length, end);
        for (const [other, oreps] of byToken) {
          const mine = oreps.find((r) => underAlternative(alt, r));
          if (other !== token && b.includes(other) && mine && mine.code !== null && !mine.arg) b = b.split(other).join(mine.code);
        }
        // the head on the token's line: the lines after it stay the Python's
        return `${cx.text.slice(from, o)}${alt.code!.replace(/\s*\n\s*/g, ' ').trim()}${b}`;
      });
      const line = pyLine(o);
      alwaysBlocks.push({ from: lineIdxAt(cx.text, o) - 1, to: lineIdxAt(cx.text, end) + 1, py: py(0) });
      // each copy appended under the #if blocks the head sits in (ttysnoop's, in an #else on the kernel's
      // version), their lines before it
      const within = directivesAround(cx.text, o);
      cx.text = cx.text.slice(0, from) + copies[0]! + cx.text.slice(end);
      copies.slice(1).forEach((c, i) => appended.push({ text: within.open.map((d) => `${d}\n`).join('') + c + within.open.filter((d) => /^#\s*if/.test(d)).map(() => '\n#endif').join(''), line: line - within.open.length, py: py(i + 1) }));
    }
    report.push({ line: reps[0]!.line, what: `replace("${token}") chooses a function's head → the function once per head, each loaded only under its condition (${alts.map((_r, k) => condPy(k) || 'otherwise').join(' / ')})`, converted: true });
    handled.add(token);
  }
  for (const a of appended) {
    const lineIdx = appendOnLinesOf(a.text, a.line);
    alwaysBlocks.push({ from: lineIdx - 1, to: lineIdx + a.text.split('\n').length, py: a.py });
  }
  const pieces: { text: string; line: number; py: string }[] = [];
  // whole functions, or nothing, at file scope, chosen by the options or the kernel (ext4dist's
  // EXT4_TRACE_READ_CODE, a read probe where the kernel lacks ext4_file_read_iter): every alternative's
  // functions after the text, each one's programs loaded only under its condition; a value formatted
  // into one (the address of ext4_file_operations) a setting
  for (const [token, reps] of byToken) {
    if (handled.has(token) || !cx.text.includes(token)) continue;
    const { chain, fallback, alts: chained } = replaceChain(reps);
    // if X / else (not (X)): each under its own condition, whichever comes first in the Python
    const pair = reps.length === 2 && reps.every((r) => r.conds.length === 1) && excludes(reps[0]!.conds[0]!, reps[1]!.conds[0]!);
    const alts = fallback ? chained : pair ? reps : [];
    if (!chain.length || !alts.length || alts.some((r) => r.code === null || (r.arg && !/^[^%]*(%[sdiu]|%l[du])[^%]*$/.test(r.code!)))) continue;
    const lines = cx.text.split('\n');
    const at = lines.map((l, i) => (l.includes(token) ? i : -1)).filter((i) => i >= 0);
    const depth = braceLines(cx.text).map((l) => l.depth);
    if (at.length !== 1 || depth[at[0]!] !== 0 || lines[at[0]!]!.trim() !== token) continue;
    const maybeFns = alts.map((r) => (r.code!.trim() ? wholeFunctions(r.code!) : []));
    if (maybeFns.some((f) => f === null) || !maybeFns.some((f) => f!.length)) continue;
    const fns = maybeFns as { name: string; isStatic: boolean }[][];
    // they go after the text: not where the C calls one of them (funclatency's stack_pop helpers)
    const elsewhere = [cx.text, ...[...byToken].filter(([t]) => t !== token).flatMap(([, rs]) => rs.map((x) => x.code ?? ''))].join('\n');
    if (fns.flat().some((f) => new RegExp(`\\b${f.name}\\s*\\(`).test(elsewhere))) {
      // static helpers the C calls (funclatency's stack_push/stack_pop): all in place, where no two
      // alternatives define one name; a helper no program calls is not compiled in
      const all = fns.flat();
      if (alts.some((r) => r.arg) || !all.every((f) => f.isStatic) || new Set(all.map((f) => f.name)).size !== all.length) continue;
      cx.text = cx.text.split(token).join(alts.map((r) => oneLine(r.code!)).join(' '));
      report.push({ line: reps[0]!.line, what: `replace("${token}") puts static functions at file scope per ${chain.map((c) => c.parts.join(' and ')).join(' / ')} → all of them defined (each called only where its alternative's code runs)`, converted: true });
      handled.add(token);
      continue;
    }
    const condPy = (k: number): string => (pair ? alts[k]!.conds[0]! : chainCond(chain, k));
    alts.forEach((r, k) => {
      if (!fns[k]!.length) return;
      let code = r.code!;
      if (r.arg) {
        const g = settingName(r.arg);
        globals.set(g, { name: g, ctype: '__s64', arg: r.arg, kind: 'value', when: whenOf(globals.get(g), r.conds) });
        code = code.replace(/%[sdiu]|%l[du]/g, g);
      }
      // after the text, on lines of their own (the tokens in them are in a function there), the lines the Python's
      pieces.push({ text: code, line: r.line, py: condPy(k) });
    });
    cx.text = cx.text.split(token).join('');
    report.push({ line: reps[0]!.line, what: `replace("${token}") puts whole functions or nothing at file scope per ${alts.map((_r, k) => condPy(k) || 'otherwise').join(' / ')} → each alternative's functions in the object, loaded only under its condition`, converted: true });
    handled.add(token);
  }
  for (const a of pieces) {
    const lineIdx = appendOnLinesOf(a.text, a.line);
    alwaysBlocks.push({ from: lineIdx - 1, to: lineIdx + a.text.split('\n').length, py: a.py });
  }
  // `#if UNIQUESET` with replace('UNIQUESET', '1') under a condition and '0' otherwise (capable): the
  // macro the Python defines under that condition, which the #if blocks below follow
  for (const [token, reps] of byToken) {
    if (handled.has(token) || !cx.text.includes(token)) continue;
    const uses = cx.text.split('\n').filter((l) => tokenRe(token).test(l));
    if (!/^\w+$/.test(token) || !uses.length || !uses.every((l) => new RegExp(`^\\s*#\\s*(?:el)?if\\s+${token}\\s*$`).test(l))) continue;
    const { alts } = replaceChain(reps);
    const ones = alts.filter((r) => r.code?.trim() === '1');
    if (ones.length !== 1 || alts.some((r) => !['0', '1'].includes(r.code?.trim() ?? '')) || ones[0]!.arg) continue;
    tool.defines.push({ name: token, value: '', arg: null, conds: ones[0]!.conds, line: ones[0]!.line });
    cx.text = cx.text.replace(new RegExp(`^(\\s*#\\s*)(el)?if\\s+${token}\\s*$`, 'gm'), (_m, head: string, el?: string) => (el ? `${head}elif defined(${token})` : `${head}ifdef ${token}`));
    handled.add(token);
  }
  // a line replaced by "#define X" under a condition and by nothing otherwise (dbslower's DEFINE_USDT,
  // "#define THRESHOLD %d" % threshold_ns): a macro the Python defines under that condition
  for (const [token, reps] of byToken) {
    if (handled.has(token) || !cx.text.includes(token)) continue;
    const uses = cx.text.split('\n').filter((l) => tokenRe(token).test(l));
    if (!uses.length || !uses.every((l) => l.trim() === token)) continue;
    const def = (r: Replacement): RegExpExecArray | null => /^\s*#\s*define\s+(\w+)(?:[ \t]+(.*?))?\s*$/.exec(r.code ?? '');
    const defs = reps.filter((r) => def(r));
    const rest = reps.filter((r) => !def(r));
    if (!defs.length || rest.some((r) => r.code?.trim() !== '' || r.arg) || defs.some((r) => !r.conds.length) || defs.some((r) => r.arg && !/%[sdiu]|%l[du]/.test(def(r)![2] ?? ''))) continue;
    for (const r of defs) {
      const [, name, value] = def(r)!;
      tool.defines.push({ name: name!, value: value ?? '', arg: r.arg, conds: r.conds, line: r.line });
    }
    cx.text = cx.text.replace(new RegExp(`^[ \\t]*${token}[ \\t]*$`, 'gm'), '');
    report.push({ line: reps[0]!.line, what: `replace("${token}") with a #define under ${defs.map((r) => r.cond).join(' / ')} → the macro${defs.length > 1 ? 's' : ''} the Python defines under ${defs.length > 1 ? 'those conditions' : 'that condition'}`, converted: true });
    handled.add(token);
  }
  // a C array the Python fills with a list it formats itself (dirtop's `u32 dir_ids[INODES_NUMBER] =
  // DIRECTORY_INODES;`, the string "{1,2,3}" and its length): a list set before load, which the array
  // names, its length the list's
  for (const m of [...cx.text.matchAll(/\b((?:unsigned\s+)?\w+)\s+(\w+)\s*\[\s*(\w+)\s*\]\s*=\s*(\w+)\s*;/g)].reverse()) {
    const [whole, , name, countTok, listTok] = m as unknown as [string, string, string, string, string];
    const [count, list] = [byToken.get(countTok), byToken.get(listTok)];
    const one = (reps?: Replacement[]): Replacement | null => (reps?.length === 1 && !reps[0]!.conds.length && reps[0]!.arg && /^%[sd]$/.test(reps[0]!.code ?? '') ? reps[0]! : null);
    const [c, l] = [one(count), one(list)];
    if (!c || !l || handled.has(countTok) || handled.has(listTok)) continue;
    const g = settingName(l.arg!);
    // the Python's own string, read as C reads an initializer: numbers between braces, by commas
    listSetting(g, `[int(x, 0) for x in str(${l.arg}).strip('{} ').split(',') if x.strip()]`);
    cx.text = cx.text.slice(0, m.index!) + `const volatile __s64 *${name} = ${g};` + cx.text.slice(m.index! + whole.length);
    cx.text = cx.text.split(countTok).join(`(${g}_n < ${LIST_MAX} ? ${g}_n : ${LIST_MAX})`);
    report.push({ line: l.line, what: `${name}[${countTok}] = ${listTok}, a list the Python formats as C → a list set before load (at most ${LIST_MAX}), and its length`, converted: true });
    handled.add(countTok).add(listTok);
  }
}

