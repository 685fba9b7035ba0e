// lcc convert on BCC-style tools written for this project (test/fixtures/convert):
// goldens of the four files, every rewrite reported on its Python line. Bad
// input: refused with file:line, or converted around with an #error that names
// the line. (Building, loading and running them: convert.kernel.test.ts.)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../src/convert/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const FIX = path.join(here, 'fixtures', 'convert');
const GOLDEN = path.join(FIX, 'golden');
// inside the repository, so the converted code's `@lcc-ebpf/lbc` import resolves to this package
const OUT = path.join(here, '.out', 'convert');
const UPDATE = !!process.env.UPDATE_GOLDEN;
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const TOOLS = ['execwatch', 'syscount_top', 'syslat', 'openwatch', 'cpusample', 'switchstate', 'mallocsum', 'execcount', 'forkwatch', 'tcpwatch', 'sigwatch', 'rqdisk', 'pidsys', 'anonrec', 'percall', 'headpick', 'stepcall', 'pyaudit', 'openpick', 'tailexec', 'commpick', 'rawpick', 'fncount', 'statepick', 'verpick', 'mapkinds', 'cgpick'];

function lcc(args: string[], cwd = ROOT): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', TSX, path.join(here, 'helpers', 'lcc.ts'), ...args], { cwd, encoding: 'utf8' });
}

describe('lcc convert', () => {
  // the tracepoint formats of test/fixtures/tracefs: the same output on any host, and as any user
  const tracefs = process.env.LCC_TRACEFS;
  beforeAll(() => void (process.env.LCC_TRACEFS = path.join(here, 'fixtures', 'tracefs')));
  afterAll(() => void (tracefs === undefined ? delete process.env.LCC_TRACEFS : (process.env.LCC_TRACEFS = tracefs)));

  for (const tool of TOOLS) {
    it(`${tool}.py: the four files match their goldens`, async () => {
      const r = await convert(path.join(FIX, `${tool}.py`), path.join(OUT, tool));
      expect(r.unconverted, r.report.filter((x) => !x.converted).map((x) => x.what).join('\n')).toBe(0);
      for (const f of [`${tool}.bpf.c`, `${tool}.h`, `${tool}.ts`, 'CONVERSION.md']) {
        const got = fs.readFileSync(path.join(OUT, tool, f), 'utf8').replace(new RegExp(FIX.replace(/[/.]/g, '\\$&'), 'g'), '<fixtures>');
        const want = path.join(GOLDEN, tool, f);
        if (UPDATE || !fs.existsSync(want)) {
          fs.mkdirSync(path.dirname(want), { recursive: true });
          fs.writeFileSync(want, got);
        }
        expect(got, `${tool}/${f} differs: rerun with UPDATE_GOLDEN=1 if intended`).toBe(fs.readFileSync(want, 'utf8'));
      }
    });
  }

  it('reads a tool padded with 20,000 comment lines in linear time, to the same program', async () => {
    // tree-sitter-python alone takes minutes on this (quadratic in a run of comments after an
    // indented block); the deadline below only turns that into a failure
    const src = fs.readFileSync(path.join(FIX, 'syslat.py'), 'utf8');
    const lines = src.split('\n');
    const at = lines.findIndex((l) => l.startsWith('try:')) + 3; // after `except KeyboardInterrupt:`'s indented block
    const padded = [...lines.slice(0, at), ...Array.from({ length: 20_000 }, (_, i) => `${i % 2 ? '    ' : ''}# padding ${i} "quotes" 'and' #hashes`), ...lines.slice(at)].join('\n');
    const dir = path.join(OUT, 'padded');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'syslat.py'), padded);
    const r = await convert(path.join(dir, 'syslat.py'), path.join(dir, 'out'));
    expect(r.unconverted).toBe(0);
    const plain = await convert(path.join(FIX, 'syslat.py'), path.join(OUT, 'syslat-plain'));
    for (const f of ['syslat.bpf.c', 'syslat.h']) expect(fs.readFileSync(path.join(dir, 'out', f), 'utf8')).toBe(fs.readFileSync(path.join(OUT, 'syslat-plain', f), 'utf8'));
    expect(r.files.length).toBe(plain.files.length);
  }, 20_000);

  it('reports every rewrite with the line of the Python it came from', async () => {
    const r = await convert(path.join(FIX, 'execwatch.py'), path.join(OUT, 'execwatch'));
    const py = fs.readFileSync(path.join(FIX, 'execwatch.py'), 'utf8').split('\n');
    const at = (what: RegExp): number => r.report.find((x) => what.test(x.what))!.line;
    expect(py[at(/BPF_PERF_OUTPUT/) - 1]).toContain('BPF_PERF_OUTPUT(events)');
    expect(py[at(/TRACEPOINT_PROBE/) - 1]).toContain('TRACEPOINT_PROBE(sched, sched_process_exec)');
    expect(py[at(/kernel pointer chain/) - 1]).toContain('task->real_parent->tgid');
    expect(py[at(/^events\.perf_submit/) - 1]).toContain('events.perf_submit');
  });

  it('with BPF(src_file=...), the C file\'s own lines are reported against it', async () => {
    const r = await convert(path.join(FIX, 'forkwatch.py'), path.join(OUT, 'forkwatch'));
    const c = fs.readFileSync(path.join(FIX, 'forkwatch.c'), 'utf8').split('\n');
    const md = fs.readFileSync(path.join(OUT, 'forkwatch', 'CONVERSION.md'), 'utf8');
    for (const [re, text] of [[/forkwatch\.c:(\d+): BPF_PERF_OUTPUT/, 'BPF_PERF_OUTPUT(forks)'], [/forkwatch\.c:(\d+): forks\.perf_submit/, 'forks.perf_submit'], [/forkwatch\.c:(\d+): TRACEPOINT_PROBE/, 'TRACEPOINT_PROBE(sched, sched_process_fork)']] as const) {
      const line = Number(re.exec(md)?.[1]);
      expect(c[line - 1], String(re)).toContain(text);
    }
    expect(r.unconverted).toBe(0);
  });

  it('reads C the tool opens itself, by an absolute path or a module constant (deadlock\'s open(...).read(), netqtop\'s src_file=EBPF_FILE): the same program as src_file', async () => {
    const dir = fs.mkdtempSync(path.join(OUT, 'opened-'));
    const cfile = path.join(FIX, 'forkwatch.c');
    const base = fs.readFileSync(path.join(FIX, 'forkwatch.py'), 'utf8');
    const call = /BPF\(src_file\s*=\s*"forkwatch\.c"\)/;
    expect(base).toMatch(call);
    fs.writeFileSync(path.join(dir, 'byconst.py'), base.replace(call, 'BPF(src_file=EBPF_FILE)').replace(/^from bcc import/m, `EBPF_FILE = "${cfile}"\nfrom bcc import`));
    fs.writeFileSync(path.join(dir, 'byopen.py'), base.replace(call, `BPF(text=text)`).replace(/^(b = BPF\(text=text\))/m, `with open("${cfile}") as f:\n    text = f.read()\n$1`));
    const want = (await convert(path.join(FIX, 'forkwatch.py'), path.join(OUT, 'forkwatch'))).files.find((f) => f.endsWith('.bpf.c'))!;
    for (const t of ['byconst', 'byopen']) {
      const r = await convert(path.join(dir, `${t}.py`), path.join(dir, t));
      expect(r.unconverted, t).toBe(0);
      // the same C, and its lines reported against the C file
      const body = (f: string): string => fs.readFileSync(f, 'utf8').split('\n').slice(1).join('\n').replace(/forkwatch|byconst|byopen/g, 'TOOL');
      expect(body(path.join(dir, t, `${t}.bpf.c`)), t).toBe(body(want));
      expect(fs.readFileSync(path.join(dir, t, 'CONVERSION.md'), 'utf8')).toMatch(/forkwatch\.c:\d+: TRACEPOINT_PROBE/);
    }
  });

  it('types a perf record by the declaration in the function that submits it, not by a name another function declares (tcpconnect\'s two `data`)', async () => {
    const dir = fs.mkdtempSync(path.join(OUT, 'submit-'));
    const q = '"""';
    fs.writeFileSync(path.join(dir, 'twodata.py'), [
      'from bcc import BPF',
      `b = BPF(text=${q}`,
      'struct rec_t { u32 pid; };',
      'BPF_PERF_OUTPUT(events);',
      'BPF_PERCPU_ARRAY(scratch, struct rec_t, 1);',
      'TRACEPOINT_PROBE(sched, sched_process_exec) {',
      '    int zero = 0;',
      '    struct rec_t *data = scratch.lookup(&zero);',
      '    if (!data) return 0;',
      '    data->pid = bpf_get_current_pid_tgid() >> 32;',
      '    events.perf_submit(args, data, sizeof(*data));',
      '    return 0;',
      '}',
      'TRACEPOINT_PROBE(sched, sched_process_fork) {',
      '    void *data = 0;',
      '    return data != 0;',
      '}',
      `${q})`,
      'def show(cpu, data, size):',
      '    print(b["events"].event(data).pid)',
      'b["events"].open_perf_buffer(show)',
      'b.perf_buffer_poll()',
    ].join('\n'));
    const r = await convert(path.join(dir, 'twodata.py'), path.join(dir, 'twodata'));
    expect(r.report.filter((x) => !x.converted)).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'twodata', 'twodata.bpf.c'), 'utf8')).toContain('LBC_PERF_OUTPUT(events, struct rec_t, 64);');
    expect(fs.readFileSync(path.join(dir, 'twodata', 'twodata.ts'), 'utf8')).toMatch(/events: RecT\b/);
  });

  it('refuses what is not a BCC tool, and Python it cannot parse, naming the line', async () => {
    const bad = path.join(here, 'fixtures', 'convert-bad');
    const notBcc = lcc(['convert', path.join(bad, 'notbcc.py'), '-o', path.join(OUT, 'bad-notbcc')]);
    expect(notBcc.status).toBe(1);
    expect(notBcc.stderr).toMatch(/notbcc\.py: error: not a BCC tool: it never imports bcc/);
    const broken = lcc(['convert', path.join(bad, 'broken.py'), '-o', path.join(OUT, 'bad-broken')]);
    expect(broken.status).toBe(1);
    expect(broken.stderr).toMatch(/broken\.py:3: error: cannot parse this Python/);
    expect(broken.stderr).not.toMatch(/\n\s+at /);
    for (const d of ['bad-notbcc', 'bad-broken']) expect(fs.existsSync(path.join(OUT, d))).toBe(false);
  });

  it('converts a tool that loads no BPF program (bpflist, tplist) to its Python alone: a package with no C and nothing to build, that runs', async () => {
    const out = path.join(OUT, 'py-bpfcount');
    const r = lcc(['convert', path.join(here, 'fixtures', 'convert-py', 'bpfcount.py'), '-o', out], ROOT);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/next: cd \S+ && npm install && sudo npm start/);
    expect(fs.readdirSync(out).sort()).toEqual(['CONVERSION.md', 'bpfcount.ts', 'package.json']);
    const pkg = JSON.parse(fs.readFileSync(path.join(out, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts).toEqual({ start: 'tsx bpfcount.ts', bundle: 'lcc bundle bpfcount.ts -o bundle' });
    expect(fs.readFileSync(path.join(out, 'CONVERSION.md'), 'utf8')).toMatch(/## Left for a person \(0\)/);
    // its own process holds no BPF object: the header alone, as python3 prints it
    const ran = spawnSync(process.execPath, ['--import', TSX, 'bpfcount.ts'], { cwd: out, encoding: 'utf8' });
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe('KIND   COUNT\n');
  });

  it('checks the C it writes with clang, and reports an error on the Python line it came from', async () => {
    const bad = path.join(here, 'fixtures', 'convert-bad');
    const r = lcc(['convert', path.join(bad, 'cerror.py'), '-o', path.join(OUT, 'bad-cerror')], ROOT);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/cerror\.py:10: the converted C does not compile: indirection requires pointer operand .*\(clang, cerror\.bpf\.c:\d+\)/);
    expect(fs.readFileSync(path.join(OUT, 'bad-cerror', 'CONVERSION.md'), 'utf8')).toMatch(/## Left for a person \(1\)/);
  });

  it('without clang, checks the C\'s syntax with tree-sitter: the same line', async () => {
    const bad = path.join(here, 'fixtures', 'convert-bad');
    const r = await convert(path.join(bad, 'csyntax.py'), path.join(OUT, 'bad-csyntax-ts'), { check: 'syntax' });
    expect(r.report.filter((x) => !x.converted).map((x) => [x.line, x.what])).toEqual([[10, expect.stringMatching(/^the converted C does not compile: syntax error .*\(tree-sitter, csyntax\.bpf\.c:\d+\)$/)]]);
    const withClang = await convert(path.join(bad, 'csyntax.py'), path.join(OUT, 'bad-csyntax'));
    expect(withClang.report.filter((x) => !x.converted).map((x) => [x.line, x.what])).toEqual([[10, expect.stringMatching(/^the converted C does not compile: expected expression \(clang, csyntax\.bpf\.c:\d+\)$/)]]);
    // and every fixture that converts whole passes the same check
    for (const tool of TOOLS) expect((await convert(path.join(FIX, `${tool}.py`), path.join(OUT, `syntax-${tool}`), { check: 'syntax' })).unconverted, tool).toBe(0);
  });

  it('converts the rest of a tool it cannot take whole, with an #error at each spot left for a person', async () => {
    const bad = path.join(here, 'fixtures', 'convert-bad');
    // written, with spots left: its own exit status, not a failure's
    const r = lcc(['convert', path.join(bad, 'partial.py'), '-o', path.join(OUT, 'bad-partial')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/partial\.py:15: BPF_TABLE_PINNED/);
    expect(r.stderr).toMatch(/partial\.py:27: text\.replace\("CPU_FILTER", cpu_filter\(\)\)/);
    expect(r.stderr).toMatch(/partial\.py:29: Python not translated: eval\(\)/);
    const md = fs.readFileSync(path.join(OUT, 'bad-partial', 'CONVERSION.md'), 'utf8');
    expect(md).toMatch(/## Left for a person \(3\)/);
    expect(md).toMatch(/partial\.py:23: counts\.increment/);
    const c = fs.readFileSync(path.join(OUT, 'bad-partial', 'partial.bpf.c'), 'utf8');
    expect(c).toMatch(/^#error "lcc convert could not convert .*partial\.py:15: BPF_TABLE_PINNED/m);
  });
});
