// Types: the tool's structs go to NAME.h (shared with user space), with the enums and macros they are
// written with; a partial copy of a kernel struct is dropped for vmlinux.h's own, read with CO-RE.
import { BtfKind } from '../../../lbc/src/pure.js';
import type { Conversion } from './conversion.js';
import { vmlinuxBtf } from './kernel.js';
import { inFunctionLines, unconditionalLines } from './preprocessor.js';
import { blankLiterals, callArgs } from '../../cscan.js';
import { keepLines } from './text.js';

/** struct definitions → NAME.h, with the enums and constants they are written with */
export function typesToHeader(cx: Conversion): void {
  const { report, globals, refusals, structs, headerParts, headerDefs, tool, name, lineIdxAt, pyLine, fail } = cx;
  cx.text = cx.text.replace(/^enum\s+(\w+)\s*\{[^}]*\}\s*;/gm, (m, ename: string, off: number) => {
    headerDefs.push(m.replace(/\n\s*\n/g, '\n'));
    report.push({ line: pyLine(off), what: `enum ${ename} → ${name}.h (shared with user space)`, converted: true });
    return keepLines(m);
  });
  // whole bodies, nested unions and structs included (mountsnoop's data_t sizes a member of a union by MAX_STR_LEN)
  const structBodies = [...cx.text.matchAll(/^struct\s+\w+\s*(?=\{)/gm)].map((m) => {
    const body = callArgs(cx.text, m.index! + m[0].length);
    return body ? cx.text.slice(m.index!, body.end) : '';
  }).join('\n');
  const sizedBySetting: [string, string][] = [];
  cx.text = cx.text.replace(/^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+([^\n]*\S)[ \t]*$/gm, (m, mname: string, value: string, off: number) => {
    if (!new RegExp(`\\b${mname}\\b`).test(structBodies) || /\\$/.test(value)) return m;
    // an option sizing a record (sslsniff's --max-buffer-size): the record is compiled at the option's
    // default, the code reads the setting, and BPF() refuses a value the record cannot hold
    const g = globals.get(value.trim());
    // (a number, or a string option holding one by default: ttysnoop's --datasize, default "256")
    const opt = g?.kind === 'value' && g.arg ? tool.options.find((o) => `args.${o.dest}` === g.arg && ((o.type === 'int' && /^\d+$/.test(o.default ?? '')) || (o.type === 'str' && /^(["'])\d+\1$/.test(o.default ?? '')))) : undefined;
    if (g && opt) {
      const dflt = opt.default!.replace(/["']/g, '');
      headerDefs.push(`#define ${mname} ${dflt}`);
      sizedBySetting.push([mname, g.name]);
      refusals.push({ cond: opt.type === 'str' ? `int(${g.arg}) > ${dflt}` : `${g.arg} > ${dflt}`, why: `${opt.flags.join('/')} above ${dflt}: lcc convert compiled its record at the option's default`, line: pyLine(off) });
      report.push({ line: pyLine(off), what: `#define ${mname} ${g.arg} sizes a record → ${name}.h at the option's default, ${dflt}; the code reads the setting, and a larger value is refused at load`, converted: true });
      return '';
    }
    headerDefs.push(`#define ${mname} ${value}`);
    report.push({ line: pyLine(off), what: `#define ${mname} → ${name}.h (a struct there is sized by it)`, converted: true });
    return '';
  });
  const linesInFn = inFunctionLines(cx.text);
  for (const [mname, g] of sizedBySetting) cx.text = cx.text.split('\n').map((l, i) => (linesInFn[i] ? l.replace(new RegExp(`\\b${mname}\\b`, 'g'), g) : l)).join('\n');
  cx.text = cx.text.replace(/^struct\s+(\w+)\s*\{/gm, (m, sname: string, off: number) => `\u0000STRUCT${sname}\u0000${pyLine(off)}\u0000{`);
  for (;;) {
    const i = cx.text.indexOf('\u0000STRUCT');
    if (i < 0) break;
    const m = /^\u0000STRUCT(\w+)\u0000(-?\d+)\u0000/.exec(cx.text.slice(i))!;
    const brace = i + m[0].length;
    const body = callArgs(cx.text, brace);
    const semi = body ? cx.text.indexOf(';', body.end) : -1;
    if (!body || semi < 0) {
      fail(Number(m[2]), `struct ${m[1]} ${body ? 'has no ";" after its definition' : 'is not closed'}`, 'check the braces and the ";" of the definition');
      cx.text = `${cx.text.slice(0, i)}struct ${m[1]} ${cx.text.slice(brace)}`;
      continue;
    }
    let end = body.end;
    const tail = cx.text.slice(end, semi).trim();
    if (tail) {
      // struct x { ... } var;: keep in place
      cx.text = `${cx.text.slice(0, i)}struct ${m[1]} ${cx.text.slice(brace)}`;
      continue;
    }
    end = semi + 1;
    // BCC tools copy the part of a private kernel struct they read (struct mnt_namespace, nameidata):
    // vmlinux.h has the whole one, which CO-RE relocates; the copy would redefine it
    const kernel = vmlinuxBtf()?.find(m[1]!, BtfKind.Struct)[0];
    // members under an #if (mountsnoop's `#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0) atomic_t count;`)
    // are the older kernels' part of the copy: the members it always has say which struct it is
    const always = unconditionalLines(blankLiterals(cx.text.slice(brace + 1, body.end - 1)));
    const fields = [...always.matchAll(/(\w+)\s*(?:\[[^\]]*\])?\s*;/g)].map((f) => f[1]!);
    if (kernel && fields.length && fields.every((f) => (kernel.members ?? []).some((km) => km.name === f))) {
      report.push({ line: Number(m[2]), what: `struct ${m[1]}: the tool's partial copy of a kernel struct dropped; vmlinux.h's own one is read with CO-RE`, converted: true });
      cx.text = cx.text.slice(0, i) + keepLines(cx.text.slice(i, end)) + cx.text.slice(end);
      continue;
    }
    structs.push(m[1]!);
    headerParts.push(`struct ${m[1]} ${cx.text.slice(brace, body.end)};`);
    report.push({ line: Number(m[2]), what: `struct ${m[1]} → ${name}.h (shared with user space)`, converted: true });
    cx.text = cx.text.slice(0, i) + keepLines(cx.text.slice(i, end)) + cx.text.slice(end);
  }
  // struct { ... } data = ...; in a function (trace_perf_output's record): named in NAME.h, so that a
  // perf buffer knows its record's type and user space has it
  const inFn = inFunctionLines(cx.text);
  cx.text = cx.text.replace(/\bstruct\s*\{([^{}]*)\}\s*(\w+)\s*(?=[=;])/g, (m, body: string, v: string, off: number) => {
    if (!inFn[lineIdxAt(cx.text, off)]) return m;
    let sname = `${v}_t`;
    while (structs.includes(sname) || new RegExp(`\\bstruct\\s+${sname}\\b`).test(cx.text)) sname = `lcc_${sname}`;
    structs.push(sname);
    headerParts.push(`struct ${sname} {${body}};`);
    report.push({ line: pyLine(off), what: `struct { ... } ${v} → struct ${sname} in ${name}.h (a named type user space can read)`, converted: true });
    return `struct ${sname} ${v}${keepLines(m)}`;
  });
}

