// Settings: what the Python decides by its options becomes const volatile globals the .ts sets before load.
// replace() tokens in code, "#define X" the Python writes (and #ifdef X on it), the kernel's version, lines
// the Python takes out, values formatted several to a string, lists and masks; and the globals' declarations.
import { BtfKind } from '../../../lbc/src/pure.js';
import { LIST_MAX, type Define, type Replacement } from '../python.js';
import { type CResult, type Conversion, SIZED_MAX, STR_MAX, whenOf } from './conversion.js';
import { replaceChain } from './choices.js';
import { KERNEL_MACROS, vmlinuxBtf } from './kernel.js';
import { BTF_SINCE, ifdefToIf, inFunctionLines, kernelVersionBlocks } from './preprocessor.js';
import { findMember, memberDecl } from './reads.js';
import { callArgs } from '../../cscan.js';
import { braceKinds, oneLine, tokenRe } from './text.js';

/**
 * The maps BPF_* declarations size with `name` (one of their arguments), and
 * the text with that argument 1 there: the size is set before load.
 */
function sizeArgs(text: string, name: string): { maps: string[]; text: string } {
  const found: { open: number; map: string }[] = [];
  // a declaration starts a line, or follows another on it (the alternatives of a per-option STORAGE)
  for (const m of text.matchAll(/(?:^|;)[ \t]*(BPF_\w+)\s*\(/gm)) {
    const open = m.index! + m[0].length - 1;
    const call = callArgs(text, open);
    if (!call?.args.some((x) => x.trim() === name)) continue;
    const map = (m[1] === 'BPF_TABLE' || m[1] === 'BPF_TABLE_PINNED' ? call.args[3] : call.args[0])?.trim();
    if (map) found.push({ open, map });
  }
  let out = text;
  for (const { open } of [...found].reverse()) {
    const call = callArgs(out, open)!;
    out = `${out.slice(0, open + 1)}${call.args.map((x) => (x.trim() === name ? '1' : x)).join(', ')})${out.slice(call.end)}`;
  }
  return { maps: found.map((f) => f.map), text: out };
}

/**
 * The declarations at the top level of each alternative that `usedAfter` says C after the choice reads
 * (what hoistDeclarations does for the halves of an #ifdef, for the code a replace() chooses):
 * each declared once before the choice and zeroed, as `= {}` and `= {0}` zero it, its initialiser an assignment
 * where it was. Null when
 * there are none, or two alternatives declare one name with two types.
 */
function hoistChoiceDeclarations(codes: string[], usedAfter: (name: string) => boolean): { decls: string[]; codes: string[] } | null {
  const decls = new Map<string, string>();
  const out = codes.map((code) => {
    let depth = 0;
    let last = 0;
    // one declarator, maybe a pointer, maybe initialised; or several without initialisers (funclatency's
    // `u64 ip, start_ts;`), each hoisted or left where it was
    const re = /((?:const\s+)?(?:struct\s+\w+|unsigned\s+\w+|\w+))\s+(?:(\*\s*)?(\w+)\s*(?:=\s*([^;]*))?|((?:\*\s*)?\w+(?:\s*,\s*(?:\*\s*)?\w+)+))\s*;/g;
    for (let m = re.exec(code); m; m = re.exec(code)) {
      for (const ch of code.slice(last, m.index)) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
      last = m.index;
      const [whole, type, star, one, init, list] = m as unknown as [string, string, string | undefined, string | undefined, string | undefined, string | undefined];
      const before = code.slice(0, m.index).trimEnd();
      // a declaration starts a statement, at the alternative's own level
      if (depth !== 0 || (before && !/[;{}]$/.test(before)) || /^(return|else|goto|case|do|if|while|for|sizeof)$/.test(type)) continue;
      const declarators = (list ?? `${star ?? ''}${one}`).split(',').map((d) => ({ ptr: d.includes('*'), name: d.replace('*', '').trim() }));
      const hoisted = declarators.filter((d) => usedAfter(d.name));
      if (!hoisted.length) continue;
      for (const d of hoisted) {
        const t = d.ptr ? `${type} *` : type;
        if (decls.has(d.name) && decls.get(d.name) !== t) return null;
        decls.set(d.name, t);
      }
      const kept = declarators.filter((d) => !hoisted.includes(d));
      const assign = list !== undefined
        ? (kept.length ? `${type} ${kept.map((d) => `${d.ptr ? '*' : ''}${d.name}`).join(', ')};` : '')
        : init === undefined || /^\{\s*(?:0\s*,?\s*)?\}$/.test(init.trim()) ? '' : `${one} = ${init.trim()};`;
      code = `${code.slice(0, m.index)}${assign}${code.slice(m.index + whole.length)}`;
      re.lastIndex = m.index + assign.length;
      last = m.index;
    }
    return code;
  });
  if (out.some((c) => c === null) || !decls.size) return null;
  return { decls: [...decls].map(([name, type]) => `${type}${type.endsWith('*') ? '' : ' '}${name}; __builtin_memset(&${name}, 0, sizeof(${name}));`), codes: out as string[] };
}

/**
 * replace() tokens the choices at file scope left: C in functions chosen by the options (an if per
 * alternative on load-time bools), values formatted in (settings), members chosen by name, map sizes
 * set before load, a member a kernel has or not (bpf_core_field_exists with a flavor)
 */
export function settingsFromReplacements(cx: Conversion, byToken: Map<string, Replacement[]>, handled: Set<string>): void {
  const { report, globals, resizes, flavors, fail, condC, settingName, listSetting } = cx;
  for (const [token, reps] of byToken) {
    if (handled.has(token)) continue;
    const at = cx.text.indexOf(token);
    if (at < 0) {
      report.push({ line: reps[0]!.line, what: `replace("${token}", ...) matches nothing in the BPF text`, converted: true });
      continue;
    }
    // BPF.kernel_struct_has_field(b'S', b'NEW') choosing between two member names: CO-RE decides at load time
    const ksf = /kernel_struct_has_field\(\s*b?["'](\w+)["']\s*,\s*b?["'](\w+)["']\s*\)(\s*==\s*1)?$/;
    // the innermost condition decides (the outer ones, tcpconnect's args.dns, only say whether the piece is there)
    const last = (r: Replacement): string | null => r.conds[r.conds.length - 1] ?? null;
    const pos = reps.find((r) => last(r) && ksf.test(last(r)!) && !last(r)!.startsWith('not ('));
    const neg = reps.find((r) => last(r)?.startsWith('not (') && ksf.test(last(r)!.slice(5, -1)));
    const memberPath = /^\w+(?:->\w+)*$/;
    if (pos && neg && memberPath.test(pos.code ?? '') && memberPath.test(neg.code ?? '')) {
      const sname = ksf.exec(last(pos)!)![1]!;
      const flavor = `${sname}___lcc_old`;
      // the member each way starts from, as this kernel's BTF (which the C compiles against) has it or not
      const btf = vmlinuxBtf();
      const st = btf?.find(sname, BtfKind.Struct)[0];
      const has = (p: string): boolean => !!(btf && st && findMember(btf, st, p.split('->')[0]!));
      const [here, gone] = has(pos.code!) ? [pos.code!, neg.code!] : [neg.code!, pos.code!];
      // one of the two is this kernel's; the other, a single member of older (or newer) kernels, gets a flavor
      if (!has(here) || has(gone) || gone.includes('->')) {
        fail(pos.line, `replace("${token}") under "if ${pos.cond}": neither ${pos.code} nor ${neg.code} is a single member this kernel lacks`, 'use bpf_core_field_exists() with a ___flavor struct by hand');
        continue;
      }
      // the members read past it (req->__RQ_DISK__->major) are steps of the same read
      const read = (v: string, p: string, tail: string[]): string => (p === gone ? `BPF_CORE_READ((struct ${flavor} *)${v}, ${[p, ...tail].join(', ')})` : `BPF_CORE_READ(${v}, ${[...p.split('->'), ...tail].join(', ')})`);
      let n = 0;
      // a member of an embedded struct (tcpconnect's msghdr->msg_iter.TYPE_FIELD): read through its address
      cx.text = cx.text.replace(new RegExp(`\\b(\\w+(?:->\\w+|\\.\\w+)*)\\.${token}\\b`, 'g'), (_m, base: string) => `(&${base})->${token}`);
      // bpf_probe_read_kernel(&state, sizeof(long), &prev->STATE_FIELD) (runqslower): the read is the assignment
      cx.text = cx.text.replace(new RegExp(`\\bbpf_probe_read(?:_kernel)?\\(\\s*&\\s*(\\w+)\\s*,[^,;]*,\\s*(?:\\([^()]*\\)\\s*)?&\\s*(\\w+)->${token}\\s*\\)`, 'g'), (_m, dst: string, v: string) => `${dst} = ${v}->${token}`);
      cx.text = cx.text.replace(new RegExp(`(\\b\\w+|\\(&[\\w.>-]+\\))->${token}\\b((?:->\\w+)*)`, 'g'), (_m, v: string, rest: string) => {
        n++;
        const tail = rest.split('->').filter(Boolean);
        const test = pos.code === gone ? `((struct ${flavor} *)${v})->${gone}` : `${v}->${pos.code!.split('->')[0]}`;
        return `(bpf_core_field_exists(${test}) ? ${read(v, pos.code!, tail)} : ${read(v, neg.code!, tail)})`;
      });
      // the member it replaces in older kernels holds what the other way reaches (a pointer, a number)
      if (n && !flavors.some((f) => f.startsWith(`struct ${flavor} `))) flavors.push(`struct ${flavor} {\n\t${memberDecl(btf!, st!, here.split('->'), gone)};\n} __attribute__((preserve_access_index));`);
      report.push({ line: pos.line, what: `kernel_struct_has_field(${sname}, ${ksf.exec(last(pos)!)![2]}) choosing ${pos.code} or ${neg.code} → bpf_core_field_exists() with a ${flavor} flavor: one object for both kernels`, converted: n > 0 });
      if (!n) fail(pos.line, `replace("${token}") of a member name used other than as ->${token}`, 'use bpf_core_field_exists() with a ___flavor struct by hand');
      continue;
    }
    const { chain, fallback } = replaceChain(reps);
    const bad = [...chain.map((c) => c.r), ...(fallback ? [fallback] : [])].find((r) => r.code === null);
    if (bad) {
      fail(bad.line, `text.replace("${token}", ${bad.py.replace(/^.*?replace\(\s*["'][^"']*["']\s*,\s*/, '').slice(0, 60)}): a replacement lcc cannot express as a load-time setting`, 'write the filter in C against a const volatile global and set it from the option');
      continue;
    }
    const subst = (r: Replacement): string => {
      if (!r.arg) return r.code!;
      if (r.list) {
        // the copies Python would join, as a bounded loop over the list set before load
        const g = settingName(r.arg);
        listSetting(g, r.arg, whenOf(globals.get(g), r.conds));
        const each = r.code!.replace(/%[sdiu]|%l[du]/g, '__lcc_v');
        return `({ bool __lcc_r = ${r.list === '&&' ? 'true' : 'false'}; for (int __lcc_i = 0; __lcc_i < ${LIST_MAX} && __lcc_i < ${g}_n; __lcc_i++) { __s64 __lcc_v = ${g}[__lcc_i]; __lcc_r = __lcc_r ${r.list} (${each}); } __lcc_r; })`;
      }
      const g = settingName(r.arg);
      // a string the C declares from the option (virtiostat's `char filter_driver[] = "%s";`): a char array
      // set before load, copied where the declaration was
      const declared = /\bchar\s+(\w+)\s*\[\s*\]\s*=\s*"%s"\s*;/g;
      if (declared.test(r.code!)) {
        globals.set(g, { name: g, ctype: 'char', arg: r.arg, kind: 'string', when: whenOf(globals.get(g), r.conds) });
        // (each byte read through volatile: a plain copy of a const array clang folds to its initial zeros)
        const code = r.code!.replace(declared, (_m, v: string) => `char ${v}[${STR_MAX}]; for (int __lcc_b = 0; __lcc_b < ${STR_MAX}; __lcc_b++) ${v}[__lcc_b] = ${g}[__lcc_b];`);
        if (!/%[sdiu]|%l[du]/.test(code)) {
          report.push({ line: r.line, what: `a string declared from ${r.arg} ("%s") → a char array set before load (at most ${STR_MAX - 1} bytes), copied into the declaration`, converted: true });
          return code;
        }
      }
      // options argparse keeps as strings are still numbers in C (pids, ports) unless the code quotes them
      const quoted = /"[^"]*%[sd][^"]*"/.test(r.code!);
      globals.set(g, { name: g, ctype: '__s64', arg: r.arg, kind: 'value', when: whenOf(globals.get(g), r.conds) });
      if (quoted) fail(r.line, `${r.arg} formatted into a C string`, 'compare strings in C against a const volatile char array set from the option');
      return r.code!.replace(/%[sdiu]|%l[du]/g, g);
    };
    // a choice made at load time is code in a function: a token at file scope (a declaration, a whole
    // function) or a choice by what the kernel has (its types decide what compiles) is not
    if (chain.length) {
      // (a member the kernel has or not, kernel_struct_has_field, is a setting like any: where its C does not
      // compile against this kernel's types, convert leaves that choice out and BPF() refuses it)
      const kernelCond = chain.flatMap((c) => c.parts).find((p) => /tracepoint_exists|ksymname|get_kprobe_functions|support_\w+\(/.test(p));
      if (kernelCond) {
        fail(reps[0]!.line, `replace("${token}") under "if ${kernelCond}"`, 'the kernel decides this one: use bpf_core_field_exists() / bpf_core_type_exists() in C, or choose the program to load in user space');
        continue;
      }
      const inFunction = inFunctionLines(cx.text);
      const outside = cx.text.split('\n').some((l, i) => l.includes(token) && !inFunction[i]);
      if (outside) {
        fail(reps[0]!.line, `replace("${token}") chosen by ${chain.map((c) => c.parts.join(' and ')).join(' / ')} outside a function (a declaration or a signature)`, 'write every variant in C and choose in code, or load one program of several (autoload) from user space');
        continue;
      }
    }
    // a map's size from an option: a placeholder in C, the size set before load
    if (!chain.length && fallback?.arg && /^%[sdiu]$|^%l[du]$/.test(fallback.code ?? '')) {
      const sized = sizeArgs(cx.text, token);
      if (sized.maps.length && sized.maps.length === cx.text.split(token).length - 1) {
        for (const map of sized.maps) {
          resizes.push({ map, arg: fallback.arg });
          report.push({ line: fallback.line, what: `text.replace("${token}", ...) sizes map ${map}: set from ${fallback.arg} before load (skel.obj.setMaxEntries)`, converted: true });
        }
        cx.text = sized.text;
        continue;
      }
    }
    const dflt = fallback ? subst(fallback) : '';
    // (null: already put in place, one way per place)
    let code: string | null;
    // code (a filter statement) or a value: an empty replacement is a statement left out
    const codes = reps.map((r) => (r.code ?? '').trim());
    const statement = codes.some((c) => /[;{}]/.test(c)) || codes.every((c) => c === '');
    const conds = chain.map(({ r, parts }) => ({ r, c: condC(parts) }));
    // a member name chosen by an option (biolatpcts' rq->__START_TIME_FIELD__): each use reads the member chosen
    const uses = cx.text.split(token).length - 1;
    const memberUses = [...cx.text.matchAll(new RegExp(`\\b(\\w+)\\s*(->|\\.)\\s*${token}\\b`, 'g'))];
    if (conds.length && uses && memberUses.length === uses && reps.every((r) => !r.arg && /^\w+$/.test((r.code ?? '').trim()))) {
      const last = fallback ? fallback.code!.trim() : conds[conds.length - 1]!.r.code!.trim();
      const alts = fallback ? conds : conds.slice(0, -1);
      cx.text = cx.text.replace(new RegExp(`\\b(\\w+)\\s*(->|\\.)\\s*${token}\\b`, 'g'), (_m, base: string, op: string) =>
        `(${alts.map(({ r, c }) => `${c} ? ${base}${op}${r.code!.trim()} : `).join('')}${base}${op}${last})`);
      report.push({ line: reps[0]!.line, what: `text.replace("${token}", ...) chooses a member by the options → each use reads the chosen one`, converted: true });
      continue;
    }
    if (!conds.length) code = dflt;
    else if (statement) {
      // variables a choice declares and C after it reads (tcpretrans' IPV4_INIT declares data4, IPV4_CORE
      // submits it): declared before the if, so that they outlive its braces
      // what runs after it: the rest of its function, and the code of the tokens there
      // each place the token is (tcpcong's STATE_KEY, in two functions) has its own rest
      const alts = [...conds.map(({ r }) => subst(r)), dflt];
      const places: number[] = [];
      for (let o = cx.text.indexOf(token); o >= 0; o = cx.text.indexOf(token, o + token.length)) places.push(o);
      for (const o of places.reverse()) {
        const at = o + token.length;
        let end = at;
        for (let depth = 0; end < cx.text.length && depth >= 0; end++) depth += cx.text[end] === '{' ? 1 : cx.text[end] === '}' ? -1 : 0;
        const rest = cx.text.slice(at, end);
        const after = [rest, ...[...byToken].filter(([t]) => t !== token && rest.includes(t)).flatMap(([, rs]) => rs.map((x) => x.code ?? ''))].join('\n');
        // not where the same function holds the token again: the declarations would meet
        const hoisted = !rest.includes(token) ? hoistChoiceDeclarations(alts, (v) => tokenRe(v).test(after)) : null;
        const [bodies, decls] = hoisted ? [hoisted.codes, hoisted.decls] : [alts, []];
        const here = decls.join(' ') + (decls.length ? ' ' : '') + conds.map(({ c }, i) => `${i ? ' else ' : ''}if (${c}) { ${bodies[i]} }`).join('') + (bodies.at(-1)!.trim() ? ` else { ${bodies.at(-1)} }` : '');
        cx.text = cx.text.slice(0, o) + oneLine(here) + cx.text.slice(at);
      }
      code = null;
    } else {
      code = `(${conds.map(({ r, c }) => `${c} ? (${subst(r)})`).join(' : ')} : (${dflt.trim() || '0'}))`;
    }
    if (code !== null) cx.text = cx.text.split(token).join(oneLine(code));
    const names = [...new Set(conds.flatMap(({ c }) => c.split(' && ').map((x) => x.replace(/^!/, ''))))];
    report.push({ line: reps[0]!.line, what: `text.replace("${token}", ...) → ${names.length ? `load-time setting${names.length > 1 ? 's' : ''} ${names.join(', ')} set from the options` : 'substituted'}`, converted: true });
  }
  // a number's suffix after the token (MINBLOCK_US_VALUEULL) is the setting's now: it is a 64-bit variable
  for (const g of globals.values()) {
    if (g.kind === 'value') cx.text = cx.text.replace(new RegExp(`\\b${g.name}(?:[uU](?:ll|LL|l|L)?|(?:ll|LL|l|L)[uU]?)\\b`, 'g'), g.name);
  }
}

/**
 * `#if LINUX_VERSION_CODE < KERNEL_VERSION(a, b, c)`: BCC compiles for the kernel it runs on, lcc one
 * object for every kernel with BTF. Older than 5.4 none is (decided here, #if 0 or 1); else the kernel's
 * version decides at load time, as an option's #define would. Then "#define X" from the Python: kept
 * where it is fixed, else a setting, and #ifdef X in function bodies an if on it. The defines that stay
 * #defines, and the kernel versions compared at load.
 */
export function settingsFromDefines(cx: Conversion): { staticDefs: string[]; kernelVersions: CResult['kernelVersions'] } {
  const { report, globals, resizes, variants, refusals, alwaysBlocks, tool, lineIdxAt, pyLine, fail, condC, settingName } = cx;
  const versions = kernelVersionBlocks(cx.text, new Set(tool.kernelNotBefore));
  cx.text = versions.text;
  for (const v of versions.decided) report.push({ line: pyLine(v.at), what: `#if ${v.test} → #if ${v.value ? 1 : 0}: ${v.why ?? `every kernel with BTF (${BTF_SINCE.join('.')} on) is newer`}`, converted: true });
  for (const [mname, [a, b, c]] of versions.atLoad) report.push({ line: pyLine(cx.text.indexOf(mname)), what: `#if LINUX_VERSION_CODE against KERNEL_VERSION(${a}, ${b}, ${c}) → the running kernel's version, compared before load (BPF.kernel_before)`, converted: true });
  // (BPF as the tool names it: `from bcc import BPF`, or bcc.BPF)
  const bpfName = tool.root.descendantsOfType('import_from_statement').some((n) => /^from\s+bcc\s+import\b[\s\S]*\bBPF\b/.test(n.text)) ? 'BPF' : 'bcc.BPF';
  const kernelVersions = new Map([...versions.atLoad].map(([mname, v]) => [mname, { v, py: `${bpfName}.kernel_before(${v.join(', ')})` }]));
  const versionDefs: Define[] = [...kernelVersions].map(([mname, { py }]) => ({ name: mname, value: '', arg: null, conds: [py], line: pyLine(cx.text.indexOf(mname)) }));

  // "#define X" from the Python → settings, #ifdef X in function bodies → if
  const byName = new Map<string, Define[]>();
  for (const d of [...tool.defines, ...versionDefs]) byName.set(d.name, [...(byName.get(d.name) ?? []), d]);
  const staticDefs: string[] = [];
  const chosen = new Map<string, { c: string; py: string }>();

  const values = new Map<string, { value: string; d: Define }>();
  for (const [mname, defs] of byName) {
    const d = defs[0]!;
    if (defs.length === 1 && !d.conds.length && !d.arg) {
      staticDefs.push(`#define ${mname}${d.value ? ` ${d.value}` : ''}`);
      report.push({ line: d.line, what: `#define ${mname} → kept as a #define`, converted: true });
      continue;
    }
    if (defs.length > 1) {
      fail(d.line, `#define ${mname} made in ${defs.length} places`, `define ${mname} once, or write the choice in C against a const volatile global`);
      continue;
    }
    chosen.set(mname, { c: d.conds.length ? condC(d.conds) : '1', py: d.conds.length ? d.conds.map((c) => `(${c})`).join(' and ') : 'True' });
    let value = d.value;
    if (d.arg) {
      const g = settingName(d.arg);
      globals.set(g, { name: g, ctype: '__s64', arg: d.arg, kind: 'value', when: whenOf(globals.get(g), d.conds) });
      value = value.replace(/%[sdiu]|%l[du]/g, g);
    }
    values.set(mname, { value, d });
  }
  if (chosen.size) {
    const fixedNames = new Set([...staticDefs.map((l) => l.split(/\s+/)[1]!), ...tool.cflags.map((f) => /^-D(\w+)/.exec(f)?.[1] ?? '')]);
    const res = ifdefToIf(cx.text, chosen, fixedNames);
    for (const e of res.errors) fail(pyLine(e.at), e.why, 'write the choice in C: if () on the const volatile global that carries it');
    if (!res.errors.length) {
      cx.text = res.text;
      alwaysBlocks.push(...res.always);
      variants.push(...res.variants);
      for (const v of res.variants) report.push({ line: pyLine(Math.max(cx.text.indexOf(v.choices[0]!.name), 0)), what: `map ${v.map}, declared one way under #if and another under #else → ${v.choices.map((c) => c.name).join(' and ')}, both in the object; the tool reads the one ${v.choices[0]!.py} chooses`, converted: true });
    }
    for (const [mname, { value, d }] of values) {
      // a computed value that sizes maps (MAX_PID from /proc/sys/kernel/pid_max): each map sized before load
      if (d.arg && value !== d.value) {
        const sized = sizeArgs(cx.text, mname);
        for (const map of sized.maps) {
          resizes.push({ map, arg: d.arg });
          report.push({ line: d.line, what: `${mname} (${d.arg}) sizes map ${map}: set before load (skel.obj.setMaxEntries)`, converted: true });
        }
        cx.text = sized.text;
      }
      // the macro's value where the code reads it; a value from a setting is no constant, so not at file scope (a map's size)
      let uses = 0;
      let outside = -1;
      let at = 0;
      const inFunction = inFunctionLines(cx.text);
      const lines = cx.text.split('\n').map((l, i) => {
        const lineAt = at;
        at += l.length + 1;
        if (/^\s*#/.test(l)) return l;
        return l.replace(new RegExp(`\\b${mname}\\b`, 'g'), () => {
          uses++;
          if (!inFunction[i] && value !== d.value && outside < 0) outside = lineAt;
          return value ? `(${value})` : '1';
        });
      });
      // an int option sizing types (an array in a struct): the types compiled at the option's default, or at
      // SIZED_MAX where it has none; the code reads the setting, and BPF() refuses a value they cannot hold
      const opt = d.arg ? tool.options.find((o) => `args.${o.dest}` === d.arg && o.type === 'int') : undefined;
      // every use outside a function is inside braces there: a type's body (a map's size is not)
      const kinds = braceKinds(cx.text);
      const placed = [...cx.text.matchAll(new RegExp(`\\b${mname}\\b`, 'g'))].filter((m) => !/^\s*#/.test(cx.text.split('\n')[lineIdxAt(cx.text, m.index!)]!));
      if (outside >= 0 && opt && placed.every((m) => kinds(m.index!) !== 'file')) {
        const size = /^\d+$/.test(opt.default ?? '') ? Number(opt.default) : SIZED_MAX;
        for (const m of placed.reverse()) cx.text = cx.text.slice(0, m.index!) + (kinds(m.index!) === 'type' ? String(size) : `(${value})`) + cx.text.slice(m.index! + mname.length);
        refusals.push({ cond: [...d.conds, `${d.arg} > ${size}`].map((c) => `(${c})`).join(' and '), why: `${opt.flags.join('/')} above ${size}: lcc convert compiled the types ${mname} sizes at ${size}`, line: d.line });
        report.push({ line: d.line, what: `#define ${mname} ${d.arg} sizes types → compiled at ${size}${opt.default ? " (the option's default)" : ''}; the code reads the setting, and a larger value is refused at load`, converted: true });
        continue;
      }
      if (outside >= 0) {
        fail(pyLine(outside), `${mname}, computed by the Python (${d.arg}), is used outside a function (a map's size?)`, 'give it a fixed value here and resize the map before load: skel.obj.setMaxEntries(name, n)');
        continue;
      }
      cx.text = lines.join('\n');
      const blocks = res.blocks.get(mname) ?? 0;
      const exists = chosen.get(mname)!.c;
      report.push({
        line: d.line,
        what: `#define ${mname}${d.value ? ` ${d.value}` : ''}${d.conds.length ? ` when ${d.conds.join(' and ')}` : ''} → ${[blocks ? `${blocks} #if block${blocks > 1 ? 's' : ''} on it as if (${exists})` : '', value !== d.value ? `its value from the setting ${value}` : '', uses ? `${uses} use${uses > 1 ? 's' : ''}` : ''].filter(Boolean).join(', ') || 'not used'}`,
        converted: !res.errors.length,
      });
    }
  }
  return { staticDefs, kernelVersions };
}

/** lines the Python takes out under a condition: statements run only where it does not hold */
export function lineFilterSettings(cx: Conversion): void {
  const { report, tool, pyLineOfIdx, fail, condC } = cx;
  // lines the Python takes out under a condition ('\n'.join(x for x in text.split('\n') if 'MARK' not in x)):
  // a statement runs only where the condition does not hold; a declaration (a struct's member) stays, as
  // an unused member costs nothing
  for (const f of tool.lineFilters) {
    const inFn = inFunctionLines(cx.text);
    // where the lines stay: where the Python's condition does not hold
    const taken = condC(f.conds);
    const kept = /^!\w+$/.test(taken) ? taken.slice(1) : `!(${taken})`;
    const lines = cx.text.split('\n');
    let declarations = 0;
    let guarded = 0;
    for (const [i, l] of lines.entries()) {
      if (!tokenRe(f.marker).test(l)) continue;
      const stmt = /^(\s*)([^/]*?;)\s*(\/\/.*|\/\*.*\*\/)?\s*$/.exec(l);
      if (!inFn[i]) declarations++;
      else if (stmt && !/[{}]/.test(stmt[2]!)) {
        lines[i] = `${stmt[1]}if (${kept}) { ${stmt[2]} }${stmt[3] ? ` ${stmt[3]}` : ''}`;
        guarded++;
      } else fail(pyLineOfIdx(i), `a line ${f.marker} marks, taken out under ${f.conds.join(' and ')}, is not one statement`, 'write the choice in C against a setting');
    }
    cx.text = lines.join('\n');
    report.push({ line: f.line, what: `lines marked ${f.marker}, taken out under ${f.conds.join(' and ') || 'always'} → ${guarded} statement${guarded === 1 ? '' : 's'} run only otherwise, ${declarations} declaration${declarations === 1 ? '' : 's'} kept`, converted: true });
  }
}

/** the settings the Python side marked in the text (LCCARG, LCCMASK, LCCLIST): values, masks and lists set before load */
export function settingsFromMarkers(cx: Conversion): void {
  const { report, globals, refusals, tool, settingName, listSetting } = cx;
  // values formatted several to a string (memleak's "size < %d || size > %d" % (min_size, max_size)):
  // a setting each, wherever the replacements put them
  cx.text = cx.text.replace(/\u0000LCCARG(\d+)\u0000/g, (_m, k: string) => {
    const arg = tool.formatArgs[Number(k)]!;
    const g = settingName(arg);
    globals.set(g, { name: g, ctype: '__s64', arg, kind: 'value' });
    return g;
  });
  // C per choice an option's list may hold (nflatency's NFPROTO_%s), each under its bit of a mask set
  // before load. A choice naming a constant this kernel does not have (NFPROTO_DECNET, gone since 6.1) is
  // C BCC's compile refuses against its headers, where the list holds it: BPF() refuses it
  const maskC = new Map<number, string>();
  cx.text = cx.text.replace(/\u0000LCCMASK(\d+)\u0000/g, (_m, k: string) => {
    if (maskC.has(Number(k))) return maskC.get(Number(k))!;
    const m = tool.masks[Number(k)]!;
    const opt = tool.options.find((o) => `args.${o.dest}` === m.list);
    globals.set(m.name, { name: m.name, ctype: '__s64', arg: m.arg, kind: 'value' });
    const btf = vmlinuxBtf();
    const terms: string[] = [];
    const gone: string[] = [];
    // the name the choice completes: the word around the template's place
    const place = /%[sdiu]|%l[du]/.exec(m.template)!;
    const [pre, post] = [/\w*$/.exec(m.template.slice(0, place.index))![0], /^\w*/.exec(m.template.slice(place.index + place[0].length))![0]];
    for (const [i, c] of m.choices.entries()) {
      const code = m.template.replace(place[0], c);
      const word = pre + c + post;
      const known = !btf || btf.enumerator(word) !== undefined || word in KERNEL_MACROS || new RegExp(`^\\s*#\\s*define\\s+${word}\\b`, 'm').test(cx.text);
      if (!known) {
        gone.push(c);
        refusals.push({ cond: `${JSON.stringify(c)} in (${m.list} or [])`, why: `${opt?.flags.join('/') ?? m.list} ${c}: this kernel has no ${word} (BCC's compile against its headers fails the same way)`, line: m.line });
        continue;
      }
      terms.push(m.op === '||' ? `((${m.name} >> ${i}) & 1 && (${code}))` : `(!((${m.name} >> ${i}) & 1) || (${code}))`);
    }
    report.push({ line: m.line, what: `"${m.op === '||' ? ' || ' : ' && '}".join(...) of ${m.template} over ${m.list}, each one of its choices → the C per choice, each under its bit of ${m.name} set before load${gone.length ? `; ${gone.join(', ')} refused at BPF() (this kernel lacks the constant)` : ''}`, converted: true });
    maskC.set(Number(k), terms.length ? `(${terms.join(` ${m.op} `)})` : m.op === '||' ? '0' : '1');
    return maskC.get(Number(k))!;
  });
  // C repeated over lists (tcpsubnet's template per subnet): each token's values a list set before load
  cx.text = cx.text.replace(/\u0000LCCLIST(N?)(\d+)\u0000/g, (_m, count: string, k: string) => {
    const { name, arg } = tool.listArgs[Number(k)]!;
    listSetting(name, arg);
    return count ? `(${name}_n < ${LIST_MAX} ? ${name}_n : ${LIST_MAX})` : `${name}[__lcc_e]`;
  });
}

/** the settings' const volatile declarations, and the tool's cflags as #define and #pragma lines */
export function settingDeclarations(cx: Conversion): { globalDecls: string[]; cflagDefs: string[] } {
  const { report, globals, tool } = cx;
  const globalDecls = [...globals.values()].map((g) => (g.kind === 'list'
    ? `const volatile __s64 ${g.name}[${LIST_MAX}] = {};\nconst volatile __s64 ${g.name}_n = 0;`
    : g.kind === 'string' ? `const volatile char ${g.name}[${STR_MAX}] = {};`
    : `const volatile ${g.ctype} ${g.name} = ${g.ctype === 'bool' ? 'false' : '0'};`));
  const cflagDefs = tool.cflags.map((f) => {
    const d = /^-D(\w+)(?:=(.*))?$/.exec(f);
    // a warning flag only changes what clang says: the same, said in the file
    const w = /^-W(no-)?([\w-]+)$/.exec(f);
    if (f === '-w') return '#pragma clang diagnostic ignored "-Weverything"';
    if (w) return `#pragma clang diagnostic ${w[1] ? 'ignored' : 'warning'} "-W${w[2]}"`;
    if (!d) {
      report.push({ line: 0, what: `cflag ${f} dropped`, action: 'lcc build takes -D only', converted: false });
      return '';
    }
    return `#define ${d[1]} ${d[2] ?? '1'}`;
  }).filter(Boolean);
  if (cflagDefs.length) report.push({ line: 0, what: `cflags ${tool.cflags.join(' ')} → #define and #pragma clang diagnostic lines`, converted: true });
  return { globalDecls, cflagDefs };
}

