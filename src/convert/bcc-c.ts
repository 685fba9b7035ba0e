// BCC's C dialect → libbpf CO-RE C on lbc.h. Each rewrite is recorded with the
// line of the Python file it came from; what cannot be rewritten becomes an
// #error at the top of the output, so a half-converted tool never compiles
// into something silently wrong. The rules are in c/, one file per family.
import * as path from 'node:path';
import type { PyTool } from './python.js';
import { chooseByReplace, replacementsByToken } from './c/choices.js';
import { Conversion, type CResult, type PieceStart } from './c/conversion.js';
import { KERNEL_MACROS } from './c/kernel.js';
import { rewriteMaps } from './c/maps.js';
import { rewriteProbes } from './c/probes.js';
import { rewriteMemoryAccess } from './c/reads.js';
import { lineFilterSettings, settingDeclarations, settingsFromDefines, settingsFromMarkers, settingsFromReplacements } from './c/settings.js';
import { typesToHeader } from './c/types.js';

/** `sk->sk_family` and friends: member names net/sock.h and net/inet_sock.h define as macros. */
const MEMBER_MACROS: Record<string, string> = Object.fromEntries([
  ...['num', 'dport', 'daddr', 'rcv_saddr', 'family', 'state', 'reuse', 'reuseport', 'bound_dev_if', 'v6_daddr', 'v6_rcv_saddr',
    'prot', 'net', 'hash', 'portpair', 'addrpair', 'refcnt', 'cookie', 'incoming_cpu', 'flags', 'node', 'nulls_node', 'bind_node', 'ipv6only', 'net_refcnt']
    .map((f) => [`sk_${f}`, `__sk_common.skc_${f}`]),
  ...['daddr', 'rcv_saddr', 'dport', 'num'].map((f) => [`inet_${f}`, `sk.__sk_common.skc_${f}`]),
]);

/**
 * BCC's C → CO-RE C on lbc.h and the tool's NAME.h: each family of rules in turn (see Conversion), then
 * the object's head (settings, kernel macros vmlinux.h lacks, #errors for what is left for a person).
 */
export function convertC(tool: PyTool, name: string, text: string, pieceStarts: PieceStart[]): CResult {
  const cx = new Conversion(tool, name, text, pieceStarts);
  const { report, errors, globals, flavors, structs, headerParts, headerDefs, maps, programs, tpStructs, pyLine, fail } = cx;
  const byToken = replacementsByToken(cx);
  const handled = new Set<string>();
  chooseByReplace(cx, byToken, handled);
  settingsFromReplacements(cx, byToken, handled);
  const { staticDefs, kernelVersions } = settingsFromDefines(cx);
  // includes: lbc.h has them all
  cx.text = cx.text.replace(/^[ \t]*#[ \t]*include[ \t]*[<"]([^>"]+)[>"][^\n]*\n?/gm, (m, inc: string, off: number) => {
    report.push({ line: pyLine(off), what: `#include <${inc}> → lbc.h (vmlinux.h has the kernel's types)`, converted: true });
    return m.endsWith('\n') ? '\n' : '';
  });
  lineFilterSettings(cx);
  typesToHeader(cx);
  rewriteMaps(cx);
  rewriteProbes(cx);
  const packetPreamble = rewriteMemoryAccess(cx);
  settingsFromMarkers(cx);
  const { globalDecls, cflagDefs } = settingDeclarations(cx);
  text = cx.text;
  // a program left inside a preprocessor block lcc did not choose may not be in the object at all
  const open: string[] = [];
  for (const l of text.split('\n')) {
    const d = /^\s*#\s*(if|ifdef|ifndef|endif)\b(.*)$/.exec(l);
    if (d?.[1] === 'endif') open.pop();
    else if (d) open.push(`#${d[1]}${d[2]}`.trim());
    const sec = /SEC\("[^"]+"\)\s*int\s+(?:BPF_\w+\()?(\w+)/.exec(l);
    const p = sec && open.length ? programs.find((x) => x.name === sec[1]) : undefined;
    if (p) {
      p.underDirective = open[open.length - 1];
      fail(pyLine(text.indexOf(l)), `${p.name} is compiled only under ${p.underDirective}, a macro lcc does not see defined`, 'define the macro as the original does (a #define lcc can follow), or remove the #if');
    }
  }
  // BCC compiles against kernel headers; vmlinux.h has their types but not their macros: the ones used
  const compat = Object.entries(KERNEL_MACROS).filter(([m]) => new RegExp(`\\b${m}\\b`).test(`${text}\n${headerParts.join('\n')}\n${headerDefs.join('\n')}`));
  const members = Object.entries(MEMBER_MACROS).filter(([m]) => new RegExp(`((->|\\.)\\s*|BPF_CORE_READ\\([^;]*,\\s*)${m}\\b`).test(text));
  if (compat.length || members.length) report.push({ line: 0, what: `kernel header macros vmlinux.h lacks, defined: ${[...compat, ...members].map(([m]) => m).join(', ')}`, converted: true });
  // bcc.containers.filter_by_containers(): --cgroupmap/--mntnsmap name maps the user pinned; the .ts reuses them
  const containers = tool.containers ? [
    '/* BCC\'s filter_by_containers(): the cgroups (--cgroupmap) or mount namespaces (--mntnsmap) in maps a',
    ' * user pinned; user space reuses those maps before load and switches the checks on */',
    'const volatile bool lcc_filter_cgroup = false;',
    'const volatile bool lcc_filter_mntns = false;',
    'LBC_HASH(cgroupset, u64, u64, 1);',
    'LBC_HASH(mount_ns_set, u64, u32, 1);',
    'static __always_inline int container_should_be_filtered(void)',
    '{',
    '\tif (lcc_filter_cgroup) {',
    '\t\tu64 cgroupid = bpf_get_current_cgroup_id();',
    '\t\tif (!bpf_map_lookup_elem(&cgroupset, &cgroupid))',
    '\t\t\treturn 1;',
    '\t}',
    '\tif (lcc_filter_mntns) {',
    '\t\tstruct task_struct *task = (struct task_struct *)bpf_get_current_task();',
    '\t\tu64 ns_id = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);',
    '\t\tif (!bpf_map_lookup_elem(&mount_ns_set, &ns_id))',
    '\t\t\treturn 1;',
    '\t}',
    '\treturn 0;',
    '}',
    '',
  ] : [];
  if (tool.containers) {
    report.push({ line: tool.containers.line, what: 'filter_by_containers(args) → container_should_be_filtered() on maps pinned by the user (--cgroupmap, --mntnsmap), reused before load', converted: true });
    maps.push({ name: 'cgroupset', macro: 'LBC_HASH', key: 'u64', value: 'u64', kind: 'hash' }, { name: 'mount_ns_set', macro: 'LBC_HASH', key: 'u64', value: 'u32', kind: 'hash' });
  }
  const usdt = /\bbpf_usdt_readarg(?:_p)?\s*\(/.test(text);
  if (usdt) report.push({ line: tool.bpfLine, what: "bpf_usdt_readarg(n, ctx, &v) → libbpf's bpf_usdt_arg(ctx, n - 1, ...) (usdt.bpf.h: libbpf reads each probe's argument specs when it attaches)", converted: true });
  const head = [
    `// Converted from ${path.basename(tool.file)} by lcc convert: CO-RE C on lbc.h. See CONVERSION.md.`,
    ...errors.map((e) => `#error "lcc convert could not convert ${e.replace(/"/g, "'")}: see CONVERSION.md"`),
    ...cflagDefs,
    ...staticDefs,
    '#include "lbc.h"',
    ...(usdt ? [
      '#include <bpf/usdt.bpf.h>',
      "/* BCC's USDT argument reads (1-based) on libbpf's bpf_usdt_arg() (0-based) */",
      '#define bpf_usdt_readarg(n, ctx, addr) ({ long __lcc_v = 0; int __lcc_r = bpf_usdt_arg(ctx, (n) - 1, &__lcc_v); *(addr) = (typeof(*(addr)))__lcc_v; __lcc_r; })',
      '#define bpf_usdt_readarg_p(n, ctx, buf, len) ({ long __lcc_v = 0; int __lcc_r = bpf_usdt_arg(ctx, (n) - 1, &__lcc_v); if (!__lcc_r) __lcc_r = bpf_probe_read_user(buf, len, (void *)__lcc_v); __lcc_r; })',
    ] : []),
    ...(compat.length ? ['/* kernel header macros the tool uses (vmlinux.h has no macros) */', ...compat.map(([m, v]) => `#ifndef ${m}\n#define ${m}${v}\n#endif`)] : []),
    `#include "${name}.h"`,
    ...packetPreamble,
    ...(members.length ? ['/* struct sock / inet_sock member names that are macros in the kernel\'s headers */', ...members.map(([m, v]) => `#define ${m} ${v}`)] : []),
    '',
    ...(flavors.length ? ['/* older kernels\' layouts, for bpf_core_field_exists() */', ...flavors, ''] : []),
    ...(globalDecls.length ? ['/* settings from the command line, set before load */', ...globalDecls, ''] : []),
    ...containers,
  ];
  const hasLicense = /SEC\("license"\)/.test(text);
  const bpfC = `${head.join('\n')}${text.replace(/^\n+/, '').replace(/\n{3,}/g, '\n\n').trimEnd()}\n${hasLicense ? '' : '\nchar LICENSE[] SEC("license") = "GPL";\n'}`;
  const guard = `__${name.toUpperCase().replace(/\W/g, '_')}_H`;
  const header = [
    `// Types shared by ${name}.bpf.c and its user space; converted from ${path.basename(tool.file)} by lcc convert.`,
    `#ifndef ${guard}`, `#define ${guard}`, '', ...(headerDefs.length ? [...headerDefs, ''] : []), ...headerParts.flatMap((h) => [h, '']), ...tpStructs.flatMap((t) => [t, '']), `#endif /* ${guard} */`, '',
  ].join('\n');
  return { bpfC, header, programs, maps, globals: [...globals.values()], structs, resizes: cx.resizes, variants: cx.variants, refusals: cx.refusals, kernelVersions, report };
}


/** A member by name, looking into anonymous structs and unions as C does. */
