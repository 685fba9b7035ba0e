// The C rewrites of lcc convert, one construct per row: kernel pointer chains
// (against this kernel's BTF) and preprocessor blocks chosen at load time.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Btf } from '../lbc/src/btf.js';
import { coreTracepointRecord } from '../src/convert/c/kernel.js';
import { directivesAround, ifdefToIf, inFunctionLines, kernelVersionBlocks } from '../src/convert/c/preprocessor.js';
import { corePointerChains } from '../src/convert/c/reads.js';
import { parsePythonTool } from '../src/convert/python.js';
import { convert } from '../src/convert/index.js';
import { fileScopeNames, memberNames, unionOfDeclarations } from '../src/convert/c/declarations.js';
import { runKernelTests } from './helpers/kernel.js';
import { translatePython } from '../src/convert/py/translate.js';

const btf = Btf.parse(fs.readFileSync('/sys/kernel/btf/vmlinux'), 'vmlinux');

/** `body` inside a function that has the usual kernel pointers, rewritten. */
function chains(body: string, head = 'int f'): string {
  const text = `${head}(struct task_struct *t, struct sock *sk, struct local *l, loff_t *pos) {\n${body}\n}\n`;
  const { edits } = corePointerChains(text, new Set(['local']), btf, 'struct local { u64 ts; struct file *fp; struct local *next; };');
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out.split('\n')[1]!;
}

describe('kernel pointer chains → BPF_CORE_READ', () => {
  it("a uprobe's pointer arguments are the process's memory: no kernel read of *p", () => {
    expect(chains('u64 off = *pos;', 'SEC("uprobe") int f')).toBe('u64 off = *pos;');
  });

  it("a declaration with the kernel's address-space mark (ttysnoop's const char __user *buf) is no read of *buf", () => {
    expect(chains('const loff_t __user *pos; u64 off = *pos;')).toBe('const loff_t __user *pos; u64 off = ({ __typeof__(*pos) __lcc_v; bpf_probe_read_kernel(&__lcc_v, sizeof(__lcc_v), &(*pos)); __lcc_v; });');
  });

  it.each([
    ['int x = t->real_parent->tgid;', 'int x = BPF_CORE_READ(t, real_parent, tgid);'],
    // "." inside a segment stays in it
    ['u16 f = sk->__sk_common.skc_family;', 'u16 f = BPF_CORE_READ(sk, __sk_common.skc_family);'],
    ['u32 a = t->mm->arg_start + t->signal->nr_threads;', 'u32 a = BPF_CORE_READ(t, mm, arg_start) + BPF_CORE_READ(t, signal, nr_threads);'],
    // a member of an anonymous union inside a struct reached by "."
    ['u32 d = sk->__sk_common.skc_daddr;', 'u32 d = BPF_CORE_READ(sk, __sk_common.skc_daddr);'],
    // ends in an array: its address, nothing read
    ['bpf_probe_read_kernel(&a, 16, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32);', 'bpf_probe_read_kernel(&a, 16, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr32);'],
    // ends in an array behind a pointer: read the pointer, take the member's address
    ['bpf_probe_read_kernel_str(&c, 16, t->real_parent->comm);', 'bpf_probe_read_kernel_str(&c, 16, BPF_CORE_READ(t, real_parent)->comm);'],
    // an element of an array is a value
    ['char c0 = t->real_parent->comm[0];', 'char c0 = BPF_CORE_READ(t, real_parent, comm[0]);'],
    // addresses, sizes, the tool's own structs and writes are left alone
    ['bpf_probe_read_kernel(&p, 4, &t->pid);', 'bpf_probe_read_kernel(&p, 4, &t->pid);'],
    ['int n = sizeof(t->comm);', 'int n = sizeof(t->comm);'],
    ['int v = l->a->b;', 'int v = l->a->b;'],
    ['t->pid = 1;', 't->pid = 1;'],
    // a kernel pointer kept in the tool's own struct (a map value's struct file *fp): read from there,
    // the member itself outside the macro (CO-RE relocates only what the kernel's BTF knows)
    ['struct dentry *de = l->fp->f_path.dentry;', 'struct dentry *de = ({ __typeof__(l->fp) __lcc_p = l->fp; BPF_CORE_READ(__lcc_p, f_path.dentry); });'],
    ['u64 ts = l->ts + l->next->ts;', 'u64 ts = l->ts + l->next->ts;'],
    // *p and p[i] on kernel memory: a probe read of the value; writes and addresses left alone
    ['u64 off = *pos;', 'u64 off = ({ __typeof__(*pos) __lcc_v; bpf_probe_read_kernel(&__lcc_v, sizeof(__lcc_v), &(*pos)); __lcc_v; });'],
    ['u8 b = ((u8 *)sk)[13];', 'u8 b = ({ __typeof__(((u8 *)sk)[13]) __lcc_v; bpf_probe_read_kernel(&__lcc_v, sizeof(__lcc_v), &(((u8 *)sk)[13])); __lcc_v; });'],
    ['*pos = 0;', '*pos = 0;'],
    // a cast tree-sitter-c reads as a product (u8 is no type it knows): bindsnoop's bitfield byte
    ['u8 b = (u8) *(&sk->sk_rcvbuf) & 0xFF;', 'u8 b = (u8) ({ __typeof__(*(&sk->sk_rcvbuf)) __lcc_v; bpf_probe_read_kernel(&__lcc_v, sizeof(__lcc_v), &(*(&sk->sk_rcvbuf))); __lcc_v; }) & 0xFF;'],
    ['u64 n = (x) * (sk->sk_rcvbuf);', 'u64 n = (x) * (BPF_CORE_READ(sk, sk_rcvbuf));'],
    ['bpf_probe_read_kernel(&x, 8, &pos[1]);', 'bpf_probe_read_kernel(&x, 8, &pos[1]);'],
  ])('%s', (body, want) => {
    expect(chains(body)).toBe(want);
  });
});

describe('#if blocks on macros chosen at load time → if', () => {
  const conds = new Map([['FILTER', { c: 'lcc_has_pid', py: 'args.pid' }], ['LATENCY', { c: '!lcc_has_count', py: 'not args.count' }]]);
  const run = (src: string): ReturnType<typeof ifdefToIf> => ifdefToIf(src, conds, new Set(['FIXED']));
  it.each([
    ['#ifdef FILTER / #endif', 'int f() {\n#ifdef FILTER\n  x();\n#endif\n}', 'int f() {\nif (lcc_has_pid) {\n  x();\n}\n}'],
    ['#ifndef with #else', 'int f() {\n#ifndef FILTER\n  a();\n#else\n  b();\n#endif\n}', 'int f() {\nif (!lcc_has_pid) {\n  a();\n} else {\n  b();\n}\n}'],
    ['defined() with ||, && and a fixed macro', 'int f() {\n#if defined(FILTER) || (defined(LATENCY) && defined(FIXED))\n  a();\n#endif\n}',
      'int f() {\nif ((lcc_has_pid) || ((!lcc_has_count) && 1)) {\n  a();\n}\n}'],
    ['#elif in a chain it owns', 'int f() {\n#ifdef FILTER\n  a();\n#elif defined(LATENCY)\n  b();\n#endif\n}', 'int f() {\nif (lcc_has_pid) {\n  a();\n} else if (!lcc_has_count) {\n  b();\n}\n}'],
    ['other conditionals pass through, nested', 'int f() {\n#ifdef OTHER\n#ifdef FILTER\n  a();\n#endif\n#else\n  b();\n#endif\n}', 'int f() {\n#ifdef OTHER\nif (lcc_has_pid) {\n  a();\n}\n#else\n  b();\n#endif\n}'],
  ])('%s', (_name, src, want) => {
    const r = run(src);
    expect(r.errors).toEqual([]);
    expect(r.text).toBe(want);
    expect(r.text.split('\n')).toHaveLength(src.split('\n').length);
  });

  it('keeps a block in a struct whole (a member that is there either way), and converts the one in the function after it', () => {
    const r = run('struct data_t {\n  u32 pid;\n#ifdef FILTER\n  int stack_id;\n#endif\n};\nint f() {\n#ifdef FILTER\n  x();\n#endif\n}');
    expect(r.errors).toEqual([]);
    expect(r.text).toBe('struct data_t {\n  u32 pid;\n\n  int stack_id;\n\n};\nint f() {\nif (lcc_has_pid) {\n  x();\n}\n}');
  });

  it('keeps a file-scope block whole, and says under which condition its programs load', () => {
    const r = run('#ifdef LATENCY\nLBC_HASH(start, u32, u64, 10);\nint g() { return 0; }\n#endif\nint f() { return 1; }');
    expect(r.errors).toEqual([]);
    expect(r.text).toBe('\nLBC_HASH(start, u32, u64, 10);\nint g() { return 0; }\n\nint f() { return 1; }');
    expect(r.always).toEqual([{ from: 0, to: 3, py: '(not args.count)' }]);
  });

  it('keeps both halves of a file-scope #if/#else: a map declared in both becomes two, each use in a function named by the half of the if it sits in', () => {
    const src = [
      '#ifdef LATENCY', 'BPF_HASH(start, u64, u64);', 'BPF_HASH(data, u32, struct data_t);', '#else', 'BPF_HASH(data, u32, u64);', '#endif',
      '#ifdef LATENCY', 'int enter(void *ctx) { start.update(&id, &t); return 0; }', '#endif',
      'int exit(void *ctx) {', '#ifdef LATENCY', '  struct data_t *val = data.lookup(&key);', '#else', '  u64 *val = data.lookup(&key);', '#endif', '  return 0;', '}',
    ].join('\n');
    const r = run(src);
    expect(r.errors).toEqual([]);
    expect(r.variants).toEqual([{ map: 'data', choices: [{ name: 'data__lcc_then', py: '(not args.count)' }, { name: 'data__lcc_else', py: null }] }]);
    expect(r.text.split('\n')).toEqual([
      '', 'BPF_HASH(start, u64, u64);', 'BPF_HASH(data__lcc_then, u32, struct data_t);', '', 'BPF_HASH(data__lcc_else, u32, u64);', '',
      '', 'int enter(void *ctx) { start.update(&id, &t); return 0; }', '',
      'int exit(void *ctx) {', 'if (!lcc_has_count) {', '  struct data_t *val = data__lcc_then.lookup(&key);', '} else {', '  u64 *val = data__lcc_else.lookup(&key);', '}', '  return 0;', '}',
    ]);
    // the else half's programs load when the condition does not hold
    expect(r.always.map((a) => a.py)).toEqual(['(not args.count)', 'not ((not args.count))', '(not args.count)']);
  });

  it('a test whose brace one block opens and a later block on the same macro closes (dbslower\'s THRESHOLD) holds only where the macro is defined', () => {
    const r = run('int f() {\n#ifdef FILTER\n  if (delta >= T) {\n#endif\n  send();\n#ifdef FILTER\n  }\n#endif\n  return 0;\n}');
    expect(r.errors).toEqual([]);
    expect(r.text).toBe('int f() {\n\n  if (!(lcc_has_pid) || (delta >= T)) {\n\n  send();\n\n  }\n\n  return 0;\n}');
    // one that opens a brace no such block closes is not something lcc guesses at
    const lone = run('int f() {\n#ifdef FILTER\n  if (delta >= T) {\n#endif\n  send();\n  }\n  return 0;\n}');
    expect(lone.errors.map((e) => e.why)).toEqual(['a block on lcc_has_pid that opens a brace another block closes or opens']);
  });

  it('declares before the if a variable each half declares and the code after it reads (syscount\'s key)', () => {
    const r = run('int f() {\n#ifdef FILTER\n  u32 key = a;\n  u64 *val = 0;\n#else\n  u32 key = b;\n#endif\n  return key;\n}');
    expect(r.errors).toEqual([]);
    expect(r.text).toBe('int f() {\nu32 key; if (lcc_has_pid) {\n  key = a;\n  u64 *val = 0;\n} else {\n  key = b;\n}\n  return key;\n}');
  });

  it.each([
    ['a map of both halves used outside an if on their condition', '#ifdef FILTER\nBPF_HASH(m, u32, u32);\n#else\nBPF_HASH(m, u32, u64);\n#endif\nint f() {\n  m.lookup(&k);\n}', /map m is declared one way under #if on \(args.pid\) and another under its #else, and used here outside a block on the same condition/],
    ['a third set of declarations at file scope', '#ifdef FILTER\nint a;\n#elif defined(OTHER)\nint b;\n#endif', /a third set of declarations at file scope/],
    ['a macro\'s value in #if', 'int f() {\n#if FILTER > 2\n  a();\n#endif\n}', /#if FILTER > 2: a condition lcc can turn into if only when it is made of defined/],
  ])('refuses %s, naming the line', (_name, src, why) => {
    const r = run(src);
    expect(r.errors.map((e) => e.why).join('\n')).toMatch(why);
  });
});

describe('#if LINUX_VERSION_CODE: BCC compiles for the kernel it runs on, lcc for every kernel with BTF', () => {
  it('a test every kernel with BTF (5.4 on) answers alike is decided; any other is a macro of the version, defined where the kernel is older', () => {
    const r = kernelVersionBlocks([
      '#if LINUX_VERSION_CODE < KERNEL_VERSION(4, 11, 0)',
      '#elif LINUX_VERSION_CODE >= KERNEL_VERSION(5, 14, 0) // iter_type',
      '#endif',
      '#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 4, 0)',
      '  #if LINUX_VERSION_CODE <= KERNEL_VERSION(5, 10, 10)',
      '#if LINUX_VERSION_CODE > KERNEL_VERSION(6, 1, 300)',
    ].join('\n'));
    expect(r.text.split('\n')).toEqual([
      '#if 0 /* LINUX_VERSION_CODE < KERNEL_VERSION(4, 11, 0) */',
      '#elif !defined(__LCC_KERNEL_BEFORE_5_14_0) /* LINUX_VERSION_CODE >= KERNEL_VERSION(5, 14, 0) */',
      '#endif',
      '#if 1 /* LINUX_VERSION_CODE >= KERNEL_VERSION(5, 4, 0) */',
      // <= a.b.c is older than a.b.c+1; a patch level past 255 is 255, as KERNEL_VERSION has it
      '  #ifdef __LCC_KERNEL_BEFORE_5_10_11 /* LINUX_VERSION_CODE <= KERNEL_VERSION(5, 10, 10) */',
      '#ifndef __LCC_KERNEL_BEFORE_6_1_301 /* LINUX_VERSION_CODE > KERNEL_VERSION(6, 1, 300) */',
    ]);
    expect([...r.atLoad]).toEqual([['__LCC_KERNEL_BEFORE_5_14_0', [5, 14, 0]], ['__LCC_KERNEL_BEFORE_5_10_11', [5, 10, 11]], ['__LCC_KERNEL_BEFORE_6_1_301', [6, 1, 301]]]);
    // the older half of one left out (its C does not compile here): decided as for this kernel
    expect(kernelVersionBlocks('#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 14, 0)', new Set(['__LCC_KERNEL_BEFORE_5_14_0'])).text).toBe('#if 0 /* LINUX_VERSION_CODE < KERNEL_VERSION(5, 14, 0) */');
  });

  it('the directives in force at a place: each open block\'s #if, and the #elif and #else lines before the place', () => {
    const text = '#ifdef A\nx\n#endif\n#if B\n#ifdef C\n#else\nint f(void)\n#endif\n#endif\n';
    expect(directivesAround(text, text.indexOf('int f')).open).toEqual(['#if B', '#ifdef C', '#else']);
    expect(directivesAround(text, text.indexOf('x')).open).toEqual(['#ifdef A']);
    expect(directivesAround(text, text.length).open).toEqual([]);
  });
});

describe('which lines are in a function body', () => {
  it.each([
    ['a function', 'int f(int a)\n{\n  return a;\n}\nint x;', [false, false, true, true, false]],
    ['a struct, an initializer and a map at file scope', 'struct s {\n  int a;\n};\nint v[] = {\n  1 };\nLBC_HASH(m, u32, u64, 1);', [false, false, false, false, false, false]],
    ['braces in comments, strings and directives', 'int f() { /* { */\n  char *s = "}";\n#define X {\n  return 0;\n}\nint y;', [false, true, true, true, true, false]],
    ['a block in a function', 'int f() {\n  if (a) {\n    b();\n  }\n}', [false, true, true, true, true]],
    ['a comment over several lines, its braces none', '/*\n * if (x) {\n */\nint y;\nint f() {\n  return 0;\n}', [false, false, false, false, false, true, true]],
  ])('%s', (_name, text, want) => {
    expect(inFunctionLines(text)).toEqual(want);
  });
});

describe('the BPF text as the Python builds it', () => {
  const tool = (py: string): ReturnType<typeof parsePythonTool> => parsePythonTool('t.py', `from bcc import BPF\nimport bcc\n${py}\n`);

  it('"""...%s...""" % value: each place a token the value replaces, as replace() would', () => {
    const t = tool('addr = "0x10"\nbpf_text = """int f(void *ctx) { void *p = (void *)%s; return %d; }""" % (addr, 7)\nb = BPF(text=bpf_text)');
    // a number known now is the text's own
    expect(t.pieces.map((p) => p.text)).toEqual(['int f(void *ctx) { void *p = (void *)LCC_TEXT_ARG_0; return 7; }']);
    expect(t.replacements.map((r) => [r.token, r.code, r.arg])).toEqual([['LCC_TEXT_ARG_0', '%s', 'addr']]);
  });

  it("text = head + body of the module's strings (tcpcong's bpf_head_text + bpf_ca_tp_body_text): each a piece at its own lines, under the if around it", () => {
    const t = tool('head = """int a;"""\nbody = """int b;"""\nextra = """int c;"""\nif x:\n    bpf_text = head + body\nelse:\n    bpf_text = head + extra\n    bpf_text += body\nb = BPF(text=bpf_text)');
    // head both ways is one piece, under no condition; body where x holds, and after extra where it does not
    expect(t.pieces.map((p) => [p.text, p.line, p.cond])).toEqual([['int a;', 3, null], ['int b;', 4, 'x'], ['int c;', 5, 'not (x)'], ['int b;', 4, 'not (x)']]);
    expect(t.unknown).toEqual([]);
  });

  it("a function of the tool that joins a template over a list by hand (offwaketime's build_filter) is the join: the template per element, the list set before load", () => {
    const t = tool([
      'def build_filter(filter_name, values):',
      '    filter_string = "((%s == %d)" % (filter_name, values[0])',
      '    for val in values[1:]:',
      '        filter_string += " || (%s == %d )" % (filter_name , val)',
      '    filter_string += ")"',
      '    return filter_string',
      'if args.tgid:',
      '    thread_filter = build_filter("tgid", args.tgid)',
      'else:',
      "    thread_filter = '1'",
      'bpf_text = """int f(void *ctx) { return THREAD_FILTER; }"""',
      'bpf_text = bpf_text.replace("THREAD_FILTER", thread_filter)',
      'b = BPF(text=bpf_text)',
    ].join('\n'));
    expect(t.replacements.map((r) => [r.code, r.arg, r.list ?? null, r.cond])).toEqual([['1', null, null, 'not (args.tgid)'], ['(tgid == %d )', 'args.tgid', '||', 'args.tgid']]);
    // another shape (a second statement in the loop) is not this one
    const other = tool('def f(n, vs):\n    s = "(%s == %d" % (n, vs[0])\n    for v in vs[1:]:\n        s += " || %s == %d" % (n, v)\n        print(v)\n    s += ")"\n    return s\nbpf_text = """int g(void *ctx) { return X; }"""\nbpf_text = bpf_text.replace("X", f("pid", args.pid))\nb = BPF(text=bpf_text)');
    expect(other.replacements.map((r) => r.code)).toEqual([null]);
  });

  it('a number the module sets once is known at convert time (an array size); one set twice is a value', () => {
    const t = tool('QUERY_MAX = 128\nbpf_text = """char q[""" + str(QUERY_MAX) + """]; int n = %d;""" % QUERY_MAX\nb = BPF(text=bpf_text)');
    expect(t.pieces.map((p) => p.text)).toEqual(['char q[128]; int n = 128;']);
    expect(t.replacements).toEqual([]);
    const twice = tool('N = 128\nif x:\n    N = 64\nbpf_text = """int n = %d;""" % N\nb = BPF(text=bpf_text)');
    expect(twice.replacements.map((r) => [r.code, r.arg])).toEqual([['%d', 'N']]);
    const inFunction = tool('N = 128\ndef f():\n    global N\n    N = 1\nbpf_text = """int n = """ + str(N) + """;"""\nb = BPF(text=bpf_text)');
    expect(inFunction.replacements.map((r) => [r.code, r.arg])).toEqual([['%s', 'N']]);
  });

  it("replace() with pieces joined by +: one value formatted among them; a literal's own % is not a place for it", () => {
    const t = tool("bpf_text = 'STORE'\nbpf_text = bpf_text.replace('STORE', 'key.slot = delta / %d;' % factor + 'dist.increment(key);')\nb = BPF(text=bpf_text)");
    expect(t.replacements.map((r) => [r.code, r.arg])).toEqual([['key.slot = delta / %d;dist.increment(key);', 'factor']]);
    const odd = tool("bpf_text = 'STORE'\nbpf_text = bpf_text.replace('STORE', 'x = y % 2;' + 'z = %d;' % f)\nb = BPF(text=bpf_text)");
    expect(odd.replacements.map((r) => r.code)).toEqual([null]);
  });

  it('text + value + text: the value a token (a map size set before load); a string assigned once is its text', () => {
    const t = tool('import sys\nstacks = "1024"\nif len(sys.argv) > 1:\n    stacks = sys.argv[1]\nhead = "BPF_HASH(calls, int);"\nb = BPF(text=head + """BPF_STACK_TRACE(st, """ + stacks + """);""")');
    expect(t.pieces.map((p) => p.text)).toEqual(['BPF_HASH(calls, int);BPF_STACK_TRACE(st, LCC_TEXT_ARG_0);']);
    expect(t.replacements.map((r) => [r.token, r.code, r.arg])).toEqual([['LCC_TEXT_ARG_0', '%s', 'stacks']]);
  });

  it('C joined over an option list: the template once per element, the list set before load', () => {
    const rep = (src: string): unknown => tool(`${src}\nb = BPF(text=bpf_text)`).replacements.map((r) => [r.code, r.arg, r.list ?? null]);
    expect(rep('bpf_text = "F"\nbpf_text = bpf_text.replace("F", " || ".join("tgid == " + str(p) for p in args.pid))')).toEqual([['tgid == %s', 'args.pid', '||']]);
    expect(rep('bpf_text = "F"\nbpf_text = bpf_text.replace("F", " && ".join(map(lambda t: "pid != %d" % t, args.tid)))')).toEqual([['pid != %d', 'args.tid', '&&']]);
    expect(rep('bpf_text = "F"\nbpf_text = bpf_text.replace("F", "pid != " + " && pid != ".join(args.tids))')).toEqual([['pid != %s', 'args.tids', '&&']]);
    // a piece of a name (nflatency's NFPROTO_%s) is no number: not a list of values
    expect(rep('bpf_text = "F"\nbpf_text = bpf_text.replace("F", " || ".join(map(lambda x: "pf == NFPROTO_%s" % x, args.proto)))')).toEqual([[null, null, null]]);
    // a number from the command line (strlen_snoop's PID)
    expect(rep('import sys\npid = sys.argv[1]\nbpf_text = "if (pid != PID) return 0;"\nbpf_text = bpf_text.replace("PID", pid)')).toEqual([['%s', 'sys.argv[1]', null]]);
    // a text built with += (cpudist's storage_str): one text per path through its ifs, the last what none before it was
    const steps = 's = ""\nif args.x:\n    s += "BPF_HASH(a);"\nelif args.y:\n    s += "BPF_HASH(b);"\nif args.z:\n    s += "BPF_ARRAY(c, u64, 1);"\nbpf_text = "S"\nbpf_text = bpf_text.replace("S", s)';
    const paths = tool(`${steps}\nb = BPF(text=bpf_text)`).replacements;
    expect(paths.map((r) => [r.code, r.conds, r.path])).toEqual([
      ['BPF_HASH(a);BPF_ARRAY(c, u64, 1);', ['args.x', 'args.z'], true],
      ['BPF_HASH(b);BPF_ARRAY(c, u64, 1);', ['not (args.x)', 'args.y', 'args.z'], true],
      ['BPF_ARRAY(c, u64, 1);', ['not (args.x)', 'not (args.y)', 'args.z'], true],
      ['BPF_HASH(a);', ['args.x', 'not (args.z)'], true],
      ['BPF_HASH(b);', ['not (args.x)', 'args.y', 'not (args.z)'], true],
      ['', ['not (args.x)', 'not (args.y)', 'not (args.z)'], true],
    ]);
    // steps in a loop: which of them run is not the source's to say
    expect(rep('s = ""\nfor x in args.x:\n    s += "BPF_HASH(a);"\nbpf_text = "S"\nbpf_text = bpf_text.replace("S", s)')).toEqual([[null, null, null]]);
  });

  it("a join over an option's choices, each a piece of a C name (nflatency's NFPROTO_%s), is C per choice the module lists, under a mask", () => {
    const src = (choices: string): string => `P = {0: "UNSPEC", 2: "IPV4"}\nparser.add_argument("-p", "--proto", action="append", choices=${choices})\nbpf_text = "F"\nbpf_text = bpf_text.replace("F", " || ".join(map(lambda x: "pf == NFPROTO_%s" % x, args.proto)))\nb = BPF(text=bpf_text)`;
    for (const choices of ['P.values()', 'list(P.values())', '["UNSPEC", "IPV4"]']) {
      const t = tool(src(choices));
      expect(t.replacements.map((r) => [r.code, r.arg])).toEqual([['\u0000LCCMASK0\u0000', null]]);
      expect(t.masks).toEqual([{ name: 'lcc_proto_mask', arg: 'sum(1 << k for k, c in enumerate(["UNSPEC", "IPV4"]) if c in (args.proto or []))', list: 'args.proto', choices: ['UNSPEC', 'IPV4'], template: 'pf == NFPROTO_%s', op: '||', line: 6 }]);
    }
    // choices the module does not spell out (computed at run time): no C lcc can write for each
    expect(tool(src('sorted(os.listdir("/"))')).replacements.map((r) => r.code)).toEqual([null]);
  });

  it("a function that returns a module string replaced (nflatency's build_src), its text added to in steps (s = \"%s ...\" % (s, x)), is the text and a choice per path", () => {
    const t = tool([
      'T = "A COND B"',
      'def build(args):',
      '    s = ""',
      '    if args.x:',
      '        pred = "1"',
      '        s = "if (!(%s)) return 0;" % pred',
      '    if args.y:',
      '        pred = "2"',
      '        s = "%s if (!(%s)) return 1;" % (s, pred)',
      '    return T.replace("COND", s)',
      'args = parser.parse_args()',
      'b = BPF(text=build(args))',
    ].join('\n'));
    expect(t.pieces.map((p) => p.text)).toEqual(['A COND B']);
    // each path through the ifs, the pred each step reads the one set just before it
    expect(t.replacements.map((r) => [r.code, r.conds])).toEqual([
      ['if (!(1)) return 0; if (!(2)) return 1;', ['args.x', 'args.y']],
      [' if (!(2)) return 1;', ['not (args.x)', 'args.y']],
      ['if (!(1)) return 0;', ['args.x', 'not (args.y)']],
      ['', ['not (args.x)', 'not (args.y)']],
    ]);
    // a call that passes other names than the function's parameters: its values are not the BPF() call's to read
    // (the rest of the tool converted all the same: its C an #error at the BPF() line, the call left for a person)
    const lost = tool('T = "A COND B"\ndef build(a):\n    return T.replace("COND", str(a.n))\nb = BPF(text=build(args))');
    expect(lost.pieces.map((p) => p.text)).toEqual([expect.stringMatching(/^#error "lcc convert could not follow the BPF text given at t\.py:6: write the C here/)]);
    expect(lost.unknown.map((u) => [u.line, u.why])).toEqual([[6, 'BPF(text=...) of an expression lcc cannot follow']]);
  });

  it("a string joined over a list, then formatted into C, is C (bindsnoop's sports_if): the list set before load, never the string as a number", () => {
    const rep = (src: string): unknown => tool(`${src}\nb = BPF(text=bpf_text)`).replacements.map((r) => [r.code, r.arg]);
    const t = tool([
      'bpf_text = "F"',
      'if args.port:',
      '    sports = [int(p) for p in args.port.split(",")]',
      '    sports_if = " && ".join(["sport != %d" % sport for sport in sports])',
      '    bpf_text = bpf_text.replace("F", "if (%s) { return 0; }" % sports_if)',
      'b = BPF(text=bpf_text)',
    ].join('\n'));
    expect(t.replacements.map((r) => [r.code, r.arg])).toEqual([[
      'if (({ bool __lcc_r = true; for (int __lcc_e = 0; __lcc_e < \u0000LCCLISTN0\u0000; __lcc_e++) { __s64 __lcc_v = \u0000LCCLIST0\u0000; __lcc_r = __lcc_r && (sport != __lcc_v); } __lcc_r; })) { return 0; }', null,
    ]]);
    expect(t.listArgs).toEqual([{ name: 'lcc_sports', arg: 'sports' }]);
    // the element through a function of it (tcpconnect's ntohs(dport)): the list of what it computes
    expect(rep('bpf_text = "F"\nbpf_text = bpf_text.replace("F", " && ".join(["dport != %d" % ntohs(d) for d in ds]))')).toEqual([['dport != %d', '[ntohs(d) for d in (ds or [])]']]);
    // a string lcc cannot follow, formatted in: left for a person, not made a number
    expect(rep('bpf_text = "F"\nf = ",".join(x for x in y if x)\nbpf_text = bpf_text.replace("F", "if (%s) return 0;" % f)')).toEqual([[null, null]]);
  });

  it('C a variable holds per condition (runqlat\'s pid = "tgid", or "pid" with -L) is C per condition, under the ifs around it', () => {
    const t = tool('bpf_text = "STORE"\nif args.pids or args.tids:\n    pid = "tgid"\n    if args.tids:\n        pid = "pid"\n    bpf_text = bpf_text.replace("STORE", "key.id = " + pid + ";")\nb = BPF(text=bpf_text)');
    expect(t.replacements.map((r) => [r.code, r.arg, r.conds])).toEqual([
      ['key.id = pid;', null, ['args.pids or args.tids', 'args.tids']],
      ['key.id = tgid;', null, ['args.pids or args.tids']],
    ]);
  });

  it("a string of a dict the module sets once (tcpconnect's struct_init['ipv4']['count']) is its literal", () => {
    const t = tool("init = {'v4': {'count': 'c4;', 'trace': 't4;'}}\nbpf_text = 'CODE'\nif args.count:\n    bpf_text = bpf_text.replace('CODE', init['v4']['count'])\nelse:\n    bpf_text = bpf_text.replace('CODE', init['v4']['trace'])\nb = BPF(text=bpf_text)");
    expect(t.replacements.map((r) => [r.code, r.conds])).toEqual([['c4;', ['args.count']], ['t4;', ['not (args.count)']]]);
  });

  it("a piece's own replace()s before it joins the text (tcpconnect's dns_bpf_text) are the text's", () => {
    const t = tool("bpf_text = 'A'\ndns = 'x.FIELD;'\nif args.dns:\n    dns = dns.replace('FIELD', 'iter_type')\n    bpf_text += dns\nb = BPF(text=bpf_text)");
    expect(t.pieces.map((p) => [p.text, p.cond])).toEqual([['A', null], ['x.FIELD;', 'args.dns']]);
    expect(t.replacements.map((r) => [r.token, r.code, r.conds])).toEqual([['FIELD', 'iter_type', ['args.dns']]]);
  });

  it('a condition every lcc kernel meets (raw tracepoints) is folded: its replacement always made, its negation\'s never', () => {
    const t = tool("raw = BPF.support_raw_tracepoint()\nbpf_text = 'ARG0'\nif not raw:\n    bpf_text = bpf_text.replace('ARG0', 'struct pt_regs *ctx')\nelse:\n    bpf_text = bpf_text.replace('ARG0', 'struct bpf_raw_tracepoint_args *ctx')\nb = BPF(text=bpf_text)");
    expect(t.replacements.map((r) => [r.code, r.conds])).toEqual([['struct bpf_raw_tracepoint_args *ctx', []]]);
  });

  it('a syscall name set again for each syscall (shmsnoop): each attach call reads the one in force', () => {
    const t = tool('b = BPF(text="int f(void *ctx) { return 0; }")\nfn = b.get_syscall_fnname("shmget")\nb.attach_kretprobe(event=fn, fn_name="f")\nfn = b.get_syscall_fnname("shmat")\nb.attach_kretprobe(event=fn, fn_name="f")');
    expect(t.attaches.map((a) => a.syscall)).toEqual(['shmget', 'shmat']);
  });

  it("a value set in a try whose handlers raise again (kvmexit's func_entry) is the try's; one whose handler goes on is not", () => {
    const src = (handler: string): string => `bpf_text = "T"\ntry:\n    if args.x:\n        f = "A"\n    else:\n        f = "B"\nexcept Exception as e:\n    ${handler}\nbpf_text = bpf_text.replace("T", f)\nb = BPF(text=bpf_text)`;
    expect(tool(src('raise Exception("no: %s" % e)')).replacements.map((r) => [r.code, r.conds])).toEqual([['B', ['not (args.x)']], ['A', ['args.x']]]);
    // otherwise f is whatever it holds when BPF() runs: a value, not C chosen per condition
    expect(tool(src('f = "C"')).replacements.map((r) => [r.code, r.arg])).toEqual([['%s', 'f']]);
  });

  it("a function of the tool that builds the text and returns it (exitsnoop's _embedded_c): its replace() pairs, its own variables, and a choice made only where the tool leaves before BPF()", () => {
    const t = tool([
      'class G():',
      '    args = None',
      'def make(args):',
      '    c = "DEBUG FILTER SIDE"',
      '    if G.args.pid:',
      '        flt = "tgid != %s" % G.args.pid',
      '    else:',
      '        flt = "0" if G.args.all else "pid != tgid"',
      '    subs = [',
      '        ("DEBUG", "" if not G.args.ebpf else comment()),',
      '        ("FILTER", flt),',
      '        ("SIDE", "a" if G.args.left else "b"),',
      '    ]',
      '    for old, new in subs:',
      '        c = c.replace(old, new)',
      '    return c',
      'def init():',
      '    c = make(G.args)',
      '    if G.args.ebpf:',
      '        return c',
      '    return BPF(text=c)',
    ].join('\n'));
    expect(t.unknown).toEqual([]);
    expect(t.pieces.map((p) => p.text)).toEqual(['DEBUG FILTER SIDE']);
    expect(t.exitGuards).toEqual(['G.args.ebpf']);
    expect(t.replacements.map((r) => [r.token, r.code, r.arg, r.cond])).toEqual([
      // the comment only --ebpf prints is no choice: BPF() never sees it
      ['DEBUG', '', null, null],
      // the latest assignment first, as a chain reads; the else's own choice holds under the else: both conditions
      ['FILTER', '0', null, 'not (G.args.pid) and G.args.all'],
      ['FILTER', 'pid != tgid', null, 'not (G.args.pid) and not (G.args.all)'],
      ['FILTER', 'tgid != %s', 'G.args.pid', 'G.args.pid'],
      ['SIDE', 'a', null, 'G.args.left'],
      ['SIDE', 'b', null, 'not (G.args.left)'],
    ]);
  });

  it("a literal with its replace()s chained on it (dbslower's program = literal.replace(...)) is the text and its replacements", () => {
    const t = tool('program = """A B""".replace("A", "x").replace("B", "1" if args.y else "0")\nb = BPF(text=program)');
    expect(t.pieces.map((p) => p.text)).toEqual(['A B']);
    expect(t.replacements.map((r) => [r.token, r.code, r.cond])).toEqual([['B', '1', 'args.y'], ['B', '0', 'not (args.y)'], ['A', 'x', null]]);
  });

  it("#defines a string of the module's holds, put before the text under a condition (compactsnoop's EXTENDED), and its #undef twin (NO_EXTENDED): the macro under that condition", () => {
    const t = tool('EXT = "#define EXTRA 1\\n"\nNO_EXT = "#ifdef EXTRA\\n#undef EXTRA\\n#endif\\n"\nbpf_text = "int x;"\nif args.e:\n    bpf_text = EXT + bpf_text\nelse:\n    bpf_text = NO_EXT + bpf_text\nb = BPF(text=bpf_text)');
    expect(t.unknown).toEqual([]);
    expect(t.defines.map((d) => [d.name, d.value, d.conds])).toEqual([['EXTRA', '1', ['args.e']]]);
  });

  it("attach calls in a helper the tool calls with literals (memleak's attach_probes(sym, fn_prefix=None)): one per call, `if p is None: p = q` followed", () => {
    const t = tool([
      'bpf_text = "int x;"',
      'b = BPF(text=bpf_text)',
      'def attach_probes(sym, fn_prefix=None, can_fail=False):',
      '    if fn_prefix is None:',
      '        fn_prefix = sym',
      '    b.attach_uprobe(name="c", sym=sym, fn_name=fn_prefix + "_enter", pid=1)',
      '    b.attach_uretprobe(name="c", sym=sym, fn_name=fn_prefix + "_exit", pid=1)',
      'attach_probes("malloc")',
      'attach_probes("valloc", can_fail=True)',
      'attach_probes("posix_memalign", "memalign")',
    ].join('\n'));
    expect(t.unknown).toEqual([]);
    expect(t.attaches.map((a) => `${a.kind} ${a.fn} ${a.target}`)).toEqual([
      'uprobe malloc_enter malloc', 'uprobe valloc_enter valloc', 'uprobe memalign_enter posix_memalign',
      'uretprobe malloc_exit malloc', 'uretprobe valloc_exit valloc', 'uretprobe memalign_exit posix_memalign',
    ]);
  });

  it('bcc.BPF(...) is the BPF() call as BPF(...) is', () => {
    expect(tool('b = bcc.BPF(text="int f(void *ctx) { return 0; }")').pieces.map((p) => p.text)).toEqual(['int f(void *ctx) { return 0; }']);
  });
});

describe('the C a tool writes, converted whole', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-units-'));
  // the tracepoint formats of test/fixtures/tracefs: the same on any host, as any user
  const tracefs = process.env.LCC_TRACEFS;
  beforeAll(() => void (process.env.LCC_TRACEFS = path.join(path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'tracefs')));
  afterAll(() => {
    if (tracefs === undefined) delete process.env.LCC_TRACEFS;
    else process.env.LCC_TRACEFS = tracefs;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  /** A tool whose BPF text is `c`, its replace() lines after; the C convert wrote, and what it left */
  const convertSnippet = async (c: string, py = '', cflags = ''): Promise<{ c: string; h: string; ts: string; left: string[]; done: string[] }> => {
    const name = `t${fs.readdirSync(dir).length}`;
    fs.writeFileSync(path.join(dir, `${name}.py`), `from bcc import BPF\nimport argparse\nparser = argparse.ArgumentParser()\nparser.add_argument("-u", "--unique", action="store_true")\nparser.add_argument("--size", type=int, default=64)\nargs = parser.parse_args()\nbpf_text = """\n${c}\n"""\n${py}\nb = BPF(text=bpf_text${cflags ? `, cflags=${cflags}` : ''})\n`);
    const r = await convert(path.join(dir, `${name}.py`), path.join(dir, name));
    const read = (f: string): string => fs.readFileSync(path.join(dir, name, f), 'utf8');
    return { c: read(`${name}.bpf.c`), h: read(`${name}.h`), ts: read(`${name}.ts`), left: r.report.filter((x) => !x.converted).map((x) => x.what), done: r.report.filter((x) => x.converted).map((x) => x.what) };
  };
  const probe = 'TRACEPOINT_PROBE(sched, sched_process_exec) {\n    u32 k = 0;\n    COUNT\n    return 0;\n}';

  it("an option's C that this kernel's types cannot take (exitsnoop's --timespec) is left out, and BPF() refuses that option with clang's reason", async () => {
    const r = await convertSnippet('BPF_HASH(counts, u32);\n' + probe.replace('COUNT', 'counts.increment(k, STEP);'),
      'bpf_text = bpf_text.replace("STEP", "1" if not args.unique else "k.tv_sec")');
    expect(r.left).toEqual([]);
    expect(r.c).toContain('lbc_map_increment(counts, k, 1);');
    expect(r.done.join('\n')).toMatch(/replace\("STEP"\) under not \(not args.unique\): its C does not compile against this kernel's types \(member reference base type 'u32'.*\) → left out; BPF\(\) refuses that choice at load/);
    expect(r.ts).toMatch(/refuse: \[\s*\[\s*py\.truthy\(!!py\.truthy\(args\.unique\)\),\s*"member reference base type 'u32'/);
  });

  it('a line replaced by a #define under a condition and by nothing otherwise (dbslower\'s DEFINE_USDT) is a macro the Python defines: its #ifdef blocks follow the option', async () => {
    const r = await convertSnippet(`DEFINE_UNIQ\nBPF_HASH(counts, u32);\n${probe.replace('COUNT', '#ifdef UNIQ\n    counts.increment(k);\n#endif')}`,
      'bpf_text = bpf_text.replace("DEFINE_UNIQ", "#define UNIQ" if args.unique else "")');
    expect(r.left).toEqual([]);
    expect(r.c).not.toContain('DEFINE_UNIQ');
    expect(r.c).toMatch(/if \(lcc_has_unique\) \{\n\s+lbc_map_increment\(counts, k, 1\);\n\}/);
  });

  it("declarations an option chooses at file scope or in a struct (tcpcong's HIST_TABLE, SOCK_STORE_DEF, DEF_TEXT) are all declared; the code that uses them follows the option", async () => {
    const r = await convertSnippet(`struct val_t {\n    u64 ts;\n    MEMBERS\n};\nBPF_HASH(vals, u32, struct val_t);\nTABLES\n${probe.replace('COUNT', 'struct val_t v = {};\n    STORE\n    vals.update(&k, &v);')}`, [
      'if args.unique:',
      '    bpf_text = bpf_text.replace("MEMBERS", "")',
      '    bpf_text = bpf_text.replace("TABLES", "typedef struct hkey { u32 k; } hkey_t;\\nBPF_HISTOGRAM(dist, hkey_t);")',
      '    bpf_text = bpf_text.replace("STORE", "hkey_t key = {0}; key.k = k; dist.increment(key);")',
      'else:',
      '    bpf_text = bpf_text.replace("MEMBERS", "u64 count, bytes; char comm[16];")',
      '    bpf_text = bpf_text.replace("TABLES", "")',
      '    bpf_text = bpf_text.replace("STORE", "v.count = 1;")',
    ].join('\n'));
    expect(r.left).toEqual([]);
    expect(r.h).toMatch(/struct val_t \{\n\s+u64 ts;\n\s+u64 count, bytes; char comm\[16\];\n\};/);
    expect(r.c).toMatch(/typedef struct hkey \{ u32 k; \} hkey_t;\s*LBC_\w+\(dist, hkey_t/);
    expect(r.c).toContain('if (lcc_has_unique) { hkey_t key = {0}; key.k = k; lbc_map_increment(dist, key, 1); } else { v.count = 1; }');
    // two alternatives that declare one name differently: not both declared (the choice stays the option's)
    const clash = await convertSnippet(`TABLES\n${probe.replace('COUNT', '')}`, 'bpf_text = bpf_text.replace("TABLES", "BPF_HASH(dist, u32);" if args.unique else "BPF_HASH(dist, u64);")');
    expect(clash.c).not.toMatch(/dist, u32[\s\S]*dist, u64/);
  });

  it("an array the Python fills with a list it formats as C (dirtop's `u32 dir_ids[INODES_NUMBER] = DIRECTORY_INODES;`) is a list set before load, its length the list's", async () => {
    const r = await convertSnippet(probe.replace('COUNT', 'u32 ids[ID_COUNT] = ID_LIST;\n    for (int i = 0; i < ID_COUNT; i++) { if (ids[i] == k) return 1; }'),
      ['def get_ids():', '    return "{" + ",".join(str(x) for x in [3, 5]) + "}", 2', 'ids, n = get_ids()', 'bpf_text = bpf_text.replace("ID_LIST", ids)', 'bpf_text = bpf_text.replace("ID_COUNT", str(len(ids.split(","))))'].join('\n'));
    expect(r.left).toEqual([]);
    expect(r.c).toContain('const volatile __s64 lcc_ids[16] = {};');
    expect(r.c).toContain('const volatile __s64 *ids = lcc_ids;');
    expect(r.c).toContain('for (int i = 0; i < (lcc_ids_n < 16 ? lcc_ids_n : 16); i++)');
    // the Python's string, read as C reads an initializer
    expect(r.ts).toMatch(/lcc_ids:\s*Array\.from\(py\.iter\(py\.split\(py\.strip\(str\(ids\), '\{\} '\), ','\)\)\)/);
  });

  it("a perf output the C never submits to (net_monitor's skb_events) is declared with no record, and nothing is left", async () => {
    const r = await convertSnippet(`BPF_PERF_OUTPUT(unused);\nBPF_HASH(counts, u32);\n${probe.replace('COUNT', 'counts.increment(k);')}`);
    expect(r.left).toEqual([]);
    expect(r.c).toContain('LBC_PERF_OUTPUT(unused, char, 64);');
    expect(r.done.join('\n')).toContain('BPF_PERF_OUTPUT(unused) is never submitted to → declared, with no record');
  });

  it("whole functions or nothing at file scope, chosen by what the kernel has (ext4dist's EXT4_TRACE_READ_CODE), with a value formatted in: each loaded under its condition; fn_name a variable set per condition attaches the one named", async () => {
    const r = await convertSnippet(`BPF_HASH(counts, u32);\n${probe.replace('COUNT', 'counts.increment(k);')}\nEXTRA_CODE`, [
      'if BPF.tracepoint_exists("sched", "sched_process_fork"):',
      '    extra = ""',
      '    fn = "tracepoint__sched__sched_process_exec"',
      'else:',
      '    fn = "on_fork"',
      '    extra = """',
      'int on_fork(struct pt_regs *ctx) {',
      '    u32 k = %s;',
      '    counts.increment(k);',
      '    return 0;',
      '}""" % args.size',
      'bpf_text = bpf_text.replace("EXTRA_CODE", extra)',
      'b = BPF(text=bpf_text)',
      'b.attach_kprobe(event="do_fork", fn_name=fn)',
    ].join('\n'));
    expect(r.left).toEqual([]);
    expect(r.c).toMatch(/SEC\("kprobe\/do_fork"\) int BPF_KPROBE\(on_fork\)\s*\{\s*u32 k = lcc_size;/);
    expect(r.ts).toMatch(/on_fork: py\.truthy\(!py\.truthy\(BPF\.tracepoint_exists\('sched', 'sched_process_fork'\)\)\)/);
    expect(r.ts).toContain("b.attach_kprobe({ event: 'do_fork', fn_name: fn });");
  });

  it("an option that sizes a record (sslsniff's --max-buffer-size) is the record's size at the option's default; the code reads the setting, and BPF() refuses a larger value", async () => {
    const r = await convertSnippet('#define BUF SIZE\nstruct rec_t {\n    u32 len;\n    char buf[BUF];\n};\nBPF_PERF_OUTPUT(events);\n' + probe.replace('COUNT', 'struct rec_t r = {};\n    r.len = BUF;\n    events.perf_submit(args, &r, sizeof(r));'),
      'bpf_text = bpf_text.replace("SIZE", str(args.size))');
    expect(r.left).toEqual([]);
    expect(r.h).toContain('#define BUF 64');
    expect(r.c).toContain('r.len = lcc_size;');
    expect(r.ts).toMatch(/refuse: \[\s*\[\s*py\.truthy\(args\.size > 64\),\s*"--size above 64: lcc convert compiled its record at the option's default"/);
  });

  it("a program the tool loads by type (load_func(\"f\", BPF.XDP), the type a name set once) gets that type's section, reads its packet directly, and a macro the module's constants decide (ctxtype under mode == BPF.XDP) is known", async () => {
    const name = `t${fs.readdirSync(dir).length}`;
    fs.writeFileSync(path.join(dir, `${name}.py`), [
      'from bcc import BPF',
      'import sys',
      'mode = BPF.XDP',
      'if mode == BPF.XDP:',
      '    ctxtype = "xdp_md"',
      'else:',
      '    ctxtype = "__sk_buff"',
      'b = BPF(text=QQQ',
      'BPF_ARRAY(counts, long, 256);',
      'int prog(struct CTXTYPE *ctx) {',
      '    void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;',
      '    struct ethhdr *eth = data;',
      '    if ((void *)(eth + 1) > data_end) return XDP_PASS;',
      '    u32 k = eth->h_proto & 0xff;',
      '    long *v = counts.lookup(&k);',
      '    if (v) __sync_fetch_and_add(v, 1);',
      '    return XDP_PASS;',
      '}',
      'QQQ, cflags=["-DCTXTYPE=%s" % ctxtype])',
      'fn = b.load_func("prog", mode)',
      'b.attach_xdp(sys.argv[1], fn, 0)',
    ].join('\n').replace(/QQQ/g, '"'.repeat(3)));
    const r = await convert(path.join(dir, `${name}.py`), path.join(dir, name));
    expect(r.report.filter((x) => !x.converted).map((x) => x.what)).toEqual([]);
    const c = fs.readFileSync(path.join(dir, name, `${name}.bpf.c`), 'utf8');
    expect(c).toContain('SEC("xdp") int prog(struct CTXTYPE *ctx)');
    expect(c).toMatch(/#define CTXTYPE xdp_md/);
    expect(c).toContain('(void *)(long)ctx->data');
    expect(c).toContain('eth->h_proto & 0xff');
    expect(c).not.toContain('BPF_CORE_READ');
    // attached by the tool's attach_xdp, not by its name
    expect(fs.readFileSync(path.join(dir, name, `${name}.ts`), 'utf8')).toMatch(/auto: \[\]/);
  });

  it("socket maps (BPF_SOCKHASH, BPF_SOCKMAP) and their methods, in programs the tool loads by type through its object (bpf.SOCK_OPS, bpf.SK_MSG): lbc.h's maps, the helpers with the map after the context, the contexts read directly", async () => {
    const name = `t${fs.readdirSync(dir).length}`;
    fs.writeFileSync(path.join(dir, `${name}.py`), [
      'from bcc import BPF',
      'bpf = BPF(text=QQQ',
      'struct pair_key { u32 ip; u32 port; };',
      'BPF_SOCKHASH(by_key, struct pair_key, 512);',
      'BPF_SOCKMAP(by_index, 8);',
      'int ops(struct bpf_sock_ops *skops) {',
      '    struct pair_key k = { .ip = skops->local_ip4, .port = skops->local_port };',
      '    by_key.sock_hash_update(skops, &k, BPF_NOEXIST);',
      '    u32 i = 0;',
      '    by_index.sock_map_update(skops, &i, BPF_ANY);',
      '    return 0;',
      '}',
      'int msg(struct sk_msg_md *m) {',
      '    struct pair_key k = { .ip = m->remote_ip4, .port = m->remote_port };',
      '    if (m->family == 2) return by_index.msg_redirect_map(m, 0, BPF_F_INGRESS);',
      '    return by_key.msg_redirect_hash(m, &k, BPF_F_INGRESS);',
      '}',
      'QQQ)',
      'f = bpf.load_func("ops", bpf.SOCK_OPS)',
      'g = bpf.load_func("msg", bpf.SK_MSG)',
    ].join('\n').replace(/QQQ/g, '"'.repeat(3)));
    const r = await convert(path.join(dir, `${name}.py`), path.join(dir, name));
    expect(r.report.filter((x) => !x.converted).map((x) => x.what)).toEqual([]);
    const c = fs.readFileSync(path.join(dir, name, `${name}.bpf.c`), 'utf8');
    expect(c).toContain('LBC_SOCKHASH(by_key, struct pair_key, 512);');
    expect(c).toContain('LBC_SOCKMAP(by_index, 8);');
    expect(c).toContain('SEC("sockops") int ops(struct bpf_sock_ops *skops)');
    expect(c).toContain('SEC("sk_msg") int msg(struct sk_msg_md *m)');
    expect(c).toContain('bpf_sock_hash_update(skops, &by_key, &k, BPF_NOEXIST)');
    expect(c).toContain('bpf_sock_map_update(skops, &by_index, &i, BPF_ANY)');
    expect(c).toContain('bpf_msg_redirect_map(m, &by_index, 0, BPF_F_INGRESS)');
    expect(c).toContain('bpf_msg_redirect_hash(m, &by_key, &k, BPF_F_INGRESS)');
    expect(c).toContain('skops->local_ip4');
    expect(c).not.toContain('BPF_CORE_READ');
  });

  it("the rest of BCC's maps (local storage, queues and stacks, perf counter arrays, maps of maps, LPM tries, cgroup arrays) and their methods: lbc.h's maps, libbpf's helpers with the map first", async () => {
    const r = await convertSnippet([
      'BPF_TASK_STORAGE(per_task, u64);',
      'BPF_INODE_STORAGE(per_inode, int);',
      'BPF_SK_STORAGE(per_sock, u32);',
      'BPF_CGROUP_STORAGE(per_cgroup, u64);',
      'BPF_QUEUE(fifo, u64, 128);',
      'BPF_STACK(lifo, u32, 4);',
      'BPF_PERF_ARRAY(cycles, 64);',
      'BPF_ARRAY(inner, u64, 1);',
      'BPF_ARRAY_OF_MAPS(outer, "inner", 2);',
      'BPF_HASH_OF_MAPS(by_pid, u32, "inner", 16);',
      'BPF_ARRAY_OF_MAPS(early, "later", 2);',
      'BPF_LPM_TRIE(nets);',
      'BPF_CGROUP_ARRAY(cgroups, 4);',
      'BPF_HASH(later, u32, u64);',
      'TRACEPOINT_PROBE(sched, sched_process_exec) {',
      '    u64 zero = 0, v = 1;',
      '    u64 *n = per_task.task_storage_get(bpf_get_current_task_btf(), &zero, BPF_LOCAL_STORAGE_GET_F_CREATE);',
      '    per_task.task_storage_delete(bpf_get_current_task_btf());',
      '    fifo.push(&v, 0);',
      '    fifo.pop(&v);',
      '    u32 w = 0;',
      '    lifo.push(&w, BPF_EXIST);',
      '    lifo.peek(&w);',
      '    u64 t = cycles.perf_read(CUR_CPU_IDENTIFIER);',
      '    struct bpf_perf_event_value val = {};',
      '    cycles.perf_counter_value(CUR_CPU_IDENTIFIER, &val, sizeof(val));',
      '    int k = 0;',
      '    void *m = outer.lookup(&k);',
      '    if (cgroups.check_current_task(0) != 1) return 0;',
      '    return 0;',
      '}',
    ].join('\n'));
    expect(r.left).toEqual([]);
    for (const decl of [
      'LBC_TASK_STORAGE(per_task, u64);', 'LBC_INODE_STORAGE(per_inode, int);', 'LBC_SK_STORAGE(per_sock, u32);', 'LBC_CGROUP_STORAGE(per_cgroup, u64);',
      'LBC_QUEUE(fifo, u64, 128);', 'LBC_LIFO(lifo, u32, 4);', 'LBC_PERF_ARRAY(cycles, 64);',
      'LBC_ARRAY_OF_MAPS(outer, inner, 2);', 'LBC_HASH_OF_MAPS(by_pid, u32, inner, 16);',
      'LBC_LPM_TRIE(nets, u64, u64, 10240);', 'LBC_CGROUP_ARRAY(cgroups, 4);',
    ]) expect(r.c).toContain(decl);
    for (const call of [
      'bpf_task_storage_get(&per_task, bpf_get_current_task_btf(), &zero, BPF_LOCAL_STORAGE_GET_F_CREATE)', 'bpf_task_storage_delete(&per_task, bpf_get_current_task_btf())',
      'bpf_map_push_elem(&fifo, &v, 0)', 'bpf_map_pop_elem(&fifo, &v)', 'bpf_map_push_elem(&lifo, &w, BPF_EXIST)', 'bpf_map_peek_elem(&lifo, &w)',
      'bpf_perf_event_read(&cycles, CUR_CPU_IDENTIFIER)', 'bpf_perf_event_read_value(&cycles, CUR_CPU_IDENTIFIER, &val, sizeof(val))',
      'bpf_map_lookup_elem(&outer, &k)', 'bpf_current_task_under_cgroup(&cgroups, 0)',
    ]) expect(r.c).toContain(call);
    expect(r.c).toContain('#define CUR_CPU_IDENTIFIER BPF_F_CURRENT_CPU');
    // C names the inner map's type: a map of maps BCC names before its inner map is declared after it
    expect(r.c).toMatch(/^\n?LBC_HASH\(later, u32, u64, 10240\); LBC_ARRAY_OF_MAPS\(early, later, 2\);$/m);
    const missing = await convertSnippet('BPF_ARRAY_OF_MAPS(outer, "nowhere", 2);\n' + probe.replace('COUNT', ''));
    expect(missing.left).toEqual(['a map of maps whose values are like nowhere, which the BPF text does not declare']);
    const flagged = await convertSnippet('BPF_QUEUE(q, u64, 8, BPF_F_NUMA_NODE);\n' + probe.replace('COUNT', ''));
    expect(flagged.left).toEqual(['BPF_QUEUE(q, u64, 8, BPF_F_NUMA_NODE): a queue or stack with map flags (BPF_F_NUMA_NODE)']);
  });

  it("a struct of the tool laid over kernel memory whose members a compile check chooses (runqlen's cfs_rq_partial): a struct per choice, each member read where the chosen one has it; the check is whether the kernel's types have the member", async () => {
    const name = `t${fs.readdirSync(dir).length}`;
    fs.writeFileSync(path.join(dir, `${name}.py`), [
      'from bcc import BPF',
      'def has_weight():',
      '    check = QQQ',
      '#include <linux/sched.h>',
      'unsigned long dummy(struct sched_entity *entity)',
      '{',
      '    return entity->runnable_weight;',
      '}',
      'QQQ',
      '    try:',
      '        t = BPF(text=check)',
      '        return True',
      '    except:',
      '        return False',
      'bpf_text = QQQ',
      'struct q_partial {',
      '    struct load_weight load;',
      '    WEIGHT_FIELD',
      '    unsigned int nr_running;',
      '};',
      'BPF_ARRAY(lens, u32, 1);',
      'int do_perf_event(struct bpf_perf_event_data *ctx)',
      '{',
      '    struct task_struct *task = (struct task_struct *)bpf_get_current_task();',
      '    struct q_partial *q = (struct q_partial *)task->se.cfs_rq;',
      '    u32 len = q->nr_running;',
      '    lens.update(&len, &len);',
      '    return 0;',
      '}',
      'QQQ',
      'if has_weight():',
      '    bpf_text = bpf_text.replace("WEIGHT_FIELD", "unsigned long runnable_weight;")',
      'else:',
      '    bpf_text = bpf_text.replace("WEIGHT_FIELD", "")',
      'b = BPF(text=bpf_text)',
      'b.attach_perf_event(ev_type=1, ev_config=0, fn_name="do_perf_event", sample_period=0, sample_freq=99)',
    ].join('\n').replace(/QQQ/g, '"'.repeat(3)));
    const r = await convert(path.join(dir, `${name}.py`), path.join(dir, name));
    expect(r.report.filter((x) => !x.converted).map((x) => x.what)).toEqual([]);
    const c = fs.readFileSync(path.join(dir, name, `${name}.bpf.c`), 'utf8');
    const h = fs.readFileSync(path.join(dir, name, `${name}.h`), 'utf8');
    expect(`${h}\n${c}`).toMatch(/struct q_partial \{\s*struct load_weight load;\s*unsigned long runnable_weight;\s*unsigned int nr_running;\s*\}/);
    expect(c).toMatch(/struct q_partial__lcc_1 \{\s*struct load_weight load;\s*unsigned int nr_running; \}/);
    expect(c).toContain('(struct q_partial *)BPF_CORE_READ(task, se.cfs_rq)');
    expect(c).toContain('bpf_probe_read_kernel(&__lcc_v, sizeof(__lcc_v), (void *)((char *)q + ((lcc_if_has_weight) ? __builtin_offsetof(struct q_partial, nr_running) : __builtin_offsetof(struct q_partial__lcc_1, nr_running))))');
    const ts = fs.readFileSync(path.join(dir, name, `${name}.ts`), 'utf8');
    expect(ts).toContain("t = bcc.BPF.member_check([['sched_entity', 'runnable_weight']]);");
    expect(ts).toMatch(/lcc_if_has_weight: py\.truthy\(has_weight\(\)\)/);
  });

  it("a kprobe's sixth argument (virtiostat's gfp), which libbpf before 1.2 does not read, and scatterlist.h's inline functions: it compiles", async () => {
    const r = await convertSnippet([
      'BPF_HASH(last, u32, u64);',
      'int kprobe__virtqueue_add_sgs(struct pt_regs *ctx, struct virtqueue *vq, struct scatterlist **sgs, unsigned int out_sgs, unsigned int in_sgs, void *data, gfp_t gfp)',
      '{',
      '    struct scatterlist sg;',
      '    bpf_probe_read_kernel(&sg, sizeof(sg), sgs);',
      '    u32 k = sg_is_last(&sg) ? 1 : sg_is_chain(&sg) ? 2 : 0;',
      '    u64 v = gfp + (u64)sg_chain_ptr(&sg);',
      '    last.update(&k, &v);',
      '    return 0;',
      '}',
    ].join('\n'));
    expect(r.left).toEqual([]);
    expect(r.c).toContain('BPF_KPROBE(kprobe__virtqueue_add_sgs, struct virtqueue *vq, struct scatterlist **sgs, unsigned int out_sgs, unsigned int in_sgs, void *data, gfp_t gfp)');
    expect(r.c).toMatch(/#define sg_is_last\(sg\)/);
  });

  it("a join over an option's choices into C names (nflatency's NFPROTO_%s): C per choice under its bit of a mask set before load; a choice whose constant this kernel lacks, refused at BPF()", async () => {
    const r = await convertSnippet(probe.replace('COUNT', 'if (!(FILT)) return 0;'), [
      'S = {1: "ESTABLISHED", 10: "LISTEN", 99: "GONE"}',
      'parser.add_argument("-s", "--state", action="append", choices=S.values())',
      'args = parser.parse_args()',
      'bpf_text = bpf_text.replace("FILT", " || ".join("k == TCP_%s" % s for s in args.state))',
    ].join('\n'));
    expect(r.left).toEqual([]);
    expect(r.c).toContain('const volatile __s64 lcc_state_mask = 0;');
    expect(r.c).toContain('if (!((((lcc_state_mask >> 0) & 1 && (k == TCP_ESTABLISHED)) || ((lcc_state_mask >> 1) & 1 && (k == TCP_LISTEN))))) return 0;');
    expect(r.c).not.toContain('TCP_GONE');
    expect(r.ts).toContain('lcc_state_mask:');
    expect(r.ts).toMatch(/refuse: \[\s*\[\s*py\.truthy\(\s*py\.contains\(/);
    expect(r.ts).toContain('"-s/--state GONE: this kernel has no TCP_GONE (BCC\'s compile against its headers fails the same way)"');
    expect(r.done.some((d) => /each one of its choices → the C per choice, each under its bit of lcc_state_mask set before load; GONE refused at BPF\(\)/.test(d))).toBe(true);
  });

  it("#if LINUX_VERSION_CODE (ttysnoop's): a function for older kernels loads on them, a head chosen in the #else loads only on newer ones, and an older half whose C this kernel's types refuse is refused at BPF() on those kernels", async () => {
    const r = await convertSnippet([
      '#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 10, 11)',
      'TRACEPOINT_PROBE(sched, sched_process_exec) { return 0; }',
      '#else',
      'HEAD',
      '{',
      '    struct iov_iter *from = (struct iov_iter *)args;',
      '#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 14, 0)',
      '    if (from->type != 1) return 0;',
      '#else',
      '    if (from->iter_type != 1) return 0;',
      '#endif',
      '    return 0;',
      '}',
      '#endif',
    ].join('\n'), 'if args.unique:\n    bpf_text = bpf_text.replace("HEAD", "TRACEPOINT_PROBE(sched, sched_process_fork)")\nelse:\n    bpf_text = bpf_text.replace("HEAD", "TRACEPOINT_PROBE(sched, sched_switch)")');
    expect(r.left).toEqual([]);
    expect(r.c).toContain('#if 0 /* LINUX_VERSION_CODE < KERNEL_VERSION(5, 14, 0) */');
    const ts = r.ts.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/,? \)/g, ')');
    expect(ts).toContain('tracepoint__sched__sched_process_exec: py.truthy(BPF.kernel_before(5, 10, 11))');
    expect(ts).toContain('tracepoint__sched__sched_process_fork: py.truthy(py.and(args.unique, () => !py.truthy(BPF.kernel_before(5, 10, 11))))');
    expect(ts).toContain('tracepoint__sched__sched_switch: py.truthy(!py.truthy(args.unique) && !py.truthy(BPF.kernel_before(5, 10, 11)))');
    expect(r.ts).toMatch(/py\.truthy\(BPF\.kernel_before\(5, 14, 0\)\),\s*"a kernel before 5\.14\.0: no member named 'type' in 'struct iov_iter'/);
  });

  it('a brace or comma in a comment or a string is no end of a struct or an argument: the struct goes to the header whole, the call keeps its arguments', async () => {
    const r = await convertSnippet('struct rec {\n    u32 pid; // the pid } of the task, or {its, tgid}\n    u64 ts;\n};\nBPF_HASH(recs, u32, struct rec);\n' + probe.replace('COUNT', 'struct rec v = {};\n    __builtin_memcpy(&v, "}, (", 3);\n    recs.update(&k, &v);'));
    expect(r.left).toEqual([]);
    expect(r.h).toMatch(/struct rec \{\n {4}u32 pid; \/\/ the pid \} of the task, or \{its, tgid\}\n {4}u64 ts;\n\};/);
    expect(r.c).toContain('__builtin_memcpy(&v, "}, (", 3);');
  });

  it("several values formatted into one replacement (memleak's size filter, \"%d .. %d\" % (min_size, max_size)) are a setting each", async () => {
    const r = await convertSnippet('BPF_HASH(counts, u32);\n' + probe.replace('COUNT', 'FILT\n    counts.increment(k);'),
      'limit = 7\nbpf_text = bpf_text.replace("FILT", "if (k < %d || k > %d) return 0;" % (args.size, limit))');
    expect(r.left).toEqual([]);
    expect(r.c).toContain('if (k < lcc_size || k > lcc_limit) return 0;');
    expect(r.ts).toMatch(/lcc_size: args\.size \?\? 0, lcc_limit: limit \?\? 0/);
  });

  it.runIf(runKernelTests)("a piece the tool adds only where a tracepoint exists (memleak's kmalloc_node) is left out on a kernel without it", async () => {
    const r = await convertSnippet('BPF_HASH(counts, u32);\n' + probe.replace('COUNT', 'counts.increment(k);'),
      'if BPF.tracepoint_exists("lcc_nosuch", "event"):\n    bpf_text += "TRACEPOINT_PROBE(lcc_nosuch, event) { return 0; }"');
    expect(r.left).toEqual([]);
    expect(r.c).not.toContain('lcc_nosuch');
    expect(r.done.join('\n')).toMatch(/tracepoint_exists\("lcc_nosuch", "event"\) → left out: this kernel has no lcc_nosuch:event/);
  });

  it("code chosen by a member the kernel has or not (kernel_struct_has_field), whole statements: a setting, and the choice this kernel's types cannot take refused at BPF()", async () => {
    const r = await convertSnippet('BPF_HASH(counts, u32);\n' + probe.replace('COUNT', 'struct request *rq = (struct request *)bpf_get_current_task();\n    READ\n    counts.increment(k);'),
      'if BPF.kernel_struct_has_field(b"request", b"rq_disk") == 1:\n    bpf_text = bpf_text.replace("READ", "k = rq->rq_disk ? 1 : 0;")\nelse:\n    bpf_text = bpf_text.replace("READ", "k = rq->part ? 2 : 0;")');
    expect(r.left).toEqual([]);
    // (more than a member path differs, so it is no one read with a flavor) this kernel's request has no
    // rq_disk (gone in 5.16): that choice is left out, and refused where a kernel has it
    expect(r.c).toMatch(/k = BPF_CORE_READ\(rq, part\) \? 2 : 0;/);
    expect(r.c).not.toMatch(/rq_disk/);
    expect(r.ts).toMatch(/refuse: \[\s*\[\s*py\.truthy\([^\]]*kernel_struct_has_field\(/);
    expect(r.done.join('\n')).toMatch(/under BPF\.kernel_struct_has_field\(b"request", b"rq_disk"\) == 1: its C does not compile against this kernel's types \(no member named 'rq_disk'/);
  });

  it('code whose choices differ only in a member path kernel_struct_has_field chooses: one CO-RE read of either member, nothing refused', async () => {
    const r = await convertSnippet('BPF_HASH(counts, u32);\n' + probe.replace('COUNT', 'struct task_struct *t = (struct task_struct *)bpf_get_current_task();\n    READ\n    counts.increment(k);'),
      'if BPF.kernel_struct_has_field(b"task_struct", b"state") == 1:\n    bpf_text = bpf_text.replace("READ", "k = t->state;")\nelse:\n    bpf_text = bpf_text.replace("READ", "k = t->__state;")');
    expect(r.left).toEqual([]);
    expect(r.c).toMatch(/k = \(bpf_core_field_exists\(\(\(struct task_struct___lcc_old \*\)t\)->state\) \? BPF_CORE_READ\(\(struct task_struct___lcc_old \*\)t, state\) : BPF_CORE_READ\(t, __state\)\);/);
    expect(r.ts).not.toMatch(/refuse:/);
  });

  it('a warning flag is the same #pragma clang diagnostic in the file', async () => {
    const r = await convertSnippet(probe.replace('COUNT', 'counts.increment(k);').replace(/^/, 'BPF_HASH(counts, u32);\n'), '', '["-w", "-Wno-unused-value", "-Wshadow"]');
    expect(r.left).toEqual([]);
    expect(r.c).toContain('#pragma clang diagnostic ignored "-Weverything"\n#pragma clang diagnostic ignored "-Wunused-value"\n#pragma clang diagnostic warning "-Wshadow"');
  });

  it('#if TOKEN with replace(TOKEN, "1") under a condition and "0" otherwise is a macro the Python defines: its blocks follow the option', async () => {
    const r = await convertSnippet(`#if UNIQ\nBPF_HASH(seen, u32);\n#endif\nBPF_HASH(counts, u32);\n${probe.replace('COUNT', '#if UNIQ\n    seen.increment(k);\n#endif\n    counts.increment(k);')}`,
      'if args.unique:\n    bpf_text = bpf_text.replace("UNIQ", "1")\nelse:\n    bpf_text = bpf_text.replace("UNIQ", "0")');
    expect(r.left).toEqual([]);
    expect(r.c).toContain('const volatile bool lcc_has_unique = false;');
    expect(r.c).toMatch(/if \(lcc_has_unique\) \{\n\s+lbc_map_increment\(seen, k, 1\);\n\}/);
  });

  it('a member chosen per option in a struct the C views memory through (a pointer cast to it) is no function head: a struct per choice, the function untouched', async () => {
    const r = await convertSnippet(`struct view_s {\n    long a;\n    EXTRA\n    u32 b;\n};\nBPF_HASH(counts, u32);\n${probe.replace('COUNT', 'counts.increment(k);\n    struct view_s *p = (struct view_s *)bpf_get_current_task();')}`,
      'if args.unique:\n    bpf_text = bpf_text.replace("EXTRA", "long c;")\nelse:\n    bpf_text = bpf_text.replace("EXTRA", "")');
    expect(r.left).toEqual([]);
    expect(r.done.join('\n')).toMatch(/replace\("EXTRA"\) chooses members of struct view_s, which the C casts kernel memory to, per args.unique → a struct per choice \(view_s, view_s__lcc_1\)/);
    expect(r.c.match(/tracepoint__sched__sched_process_exec\(/g)).toHaveLength(1);
  });

  it('one function the options attach as a kprobe or a tracepoint: a copy per kind, each loaded with its attach call', async () => {
    const r = await convertSnippet('BPF_HASH(counts, u32);\nint on_call(struct pt_regs *ctx)\n{\n    u32 k = 0;\n    counts.increment(k);\n    return 0;\n}',
      'b = BPF(text=bpf_text)\nif args.unique:\n    b.attach_tracepoint(tp="sched:sched_switch", fn_name="on_call")\nelse:\n    b.attach_kprobe(event="vfs_read", fn_name="on_call")'.replace('b = BPF(text=bpf_text)\n', ''));
    expect(r.left).toEqual([]);
    expect(r.c).toMatch(/SEC\("tracepoint"\) int on_call\(void \*ctx\)/);
    expect(r.c).toMatch(/SEC\("kprobe\/vfs_read"\) int BPF_KPROBE\(on_call_2\)/);
  });

  it("a kernel struct's partial copy whose other members sit under #if is dropped for vmlinux.h's; a #define sizing a nested member goes to the header", async () => {
    const r = await convertSnippet([
      '#define MAX_STR 64',
      'struct mnt_namespace {',
      '#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)',
      '    atomic_t count;',
      '#endif',
      '    struct ns_common ns;',
      '};',
      'struct data_t {',
      '    union {',
      '        struct { u32 ns; } enter;',
      '        char str[MAX_STR];',
      '    };',
      '};',
      'BPF_PERF_OUTPUT(events);',
      'TRACEPOINT_PROBE(sched, sched_process_exec) {',
      '    struct data_t data = {};',
      '    events.perf_submit(args, &data, sizeof(data));',
      '    return 0;',
      '}',
    ].join('\n'));
    expect(r.left).toEqual([]);
    expect(r.c).not.toMatch(/struct mnt_namespace \{/);
    expect(r.h).toMatch(/#define MAX_STR 64[\s\S]*struct data_t \{/);
  });
});

describe('names the translation keeps apart', () => {
  it("a tool's `import bcc` is its own name, not the runtime module the translation imports as bcc", () => {
    const t = translatePython('import bcc\nprint(bcc.utils)\n', 't.py', { bpf: () => 'null', imports: [] });
    expect(t.ts).toMatch(/bcc_ = bcc;/);
    expect(t.ts).toMatch(/print\(bcc_\.utils\)/);
    expect(t.ts).not.toMatch(/\bbcc = bcc;/);
  });
});

describe('what C a replace() substitutes declares (src/convert/c/declarations.ts)', () => {
  it('names at file scope: maps, typedefs and struct tags; anything else is null', () => {
    expect([...fileScopeNames('typedef struct k { u32 a; } k_t;\nBPF_HISTOGRAM(dist, k_t);')!.keys()]).toEqual(['k_t', 'struct k', 'dist']);
    expect([...fileScopeNames('BPF_TABLE("hash", u32, u64, counts, 128);')!.keys()]).toEqual(['counts']);
    expect(fileScopeNames('int f(void) { return 0; }')).toBeNull();
    expect(fileScopeNames('#define X 1')).toBeNull();
  });
  it('members: several per declaration, arrays, bitfields, pointers; a statement is null', () => {
    expect([...memberNames('u64 a, b; char comm[TASK_COMM_LEN]; u8 f:5; struct sock *sk;')!.keys()]).toEqual(['a', 'b', 'comm', 'f', 'sk']);
    expect(memberNames('x = 1;')).toBeNull();
  });
  it('the union keeps each name once, and refuses one name declared two ways', () => {
    expect(unionOfDeclarations(['BPF_HASH(a, u32);', 'BPF_HASH(a, u32);', 'BPF_HASH(b, u32);'], fileScopeNames)).toEqual(['BPF_HASH(a, u32);', 'BPF_HASH(b, u32);']);
    expect(unionOfDeclarations(['BPF_HASH(a, u32);', 'BPF_HASH(a, u64);'], fileScopeNames)).toBeNull();
  });
});

describe("a tracepoint this machine lacks: its record by CO-RE (coreTracepointRecord)", () => {
  const text = (body: string): string => `TRACEPOINT_PROBE(random, urandom_read) ${body}`;
  const from = 'TRACEPOINT_PROBE(random, urandom_read)'.length;
  it('each field the body reads as a number: a flavor of trace_event_raw_EV, and each read relocated with its size and sign', () => {
    const r = coreTracepointRecord(text('{\n    u64 n = args->got_bits + args->pool_left;\n    if (args->got_bits == 8) return 1;\n    return 0;\n}'), from, 'urandom_read')!;
    expect(r.fields).toEqual(['got_bits', 'pool_left']);
    expect(r.decl).toContain('struct trace_event_raw_urandom_read___lcc {\n\tlong long got_bits;\n\tlong long pool_left;\n} __attribute__((preserve_access_index));');
    expect(r.body).toContain('u64 n = ((long long)BPF_CORE_READ_BITFIELD_PROBED(args, got_bits)) + ((long long)BPF_CORE_READ_BITFIELD_PROBED(args, pool_left));');
    expect(r.body).toContain('if (((long long)BPF_CORE_READ_BITFIELD_PROBED(args, got_bits)) == 8)');
  });
  it('a field used other than as a number (its address, an element, a member, written) leaves it for a person', () => {
    for (const use of ['&args->comm', 'args->comm[0]', 'args->s.x', 'args->n = 1', 'args->n++']) expect(coreTracepointRecord(text(`{ long v = (long)(${use}); return 0; }`), from, 'urandom_read'), use).toBeNull();
  });
});
