// lcc build + lcc gen over directories of libbpf C that no one here wrote
// (BCC's libbpf-tools, libbpf-bootstrap's examples/c: copies kept outside the
// repository). Per file: does plain clang compile it with libbpf-bootstrap's
// include flags (the reference; a file it cannot compile is not counted),
// does `lcc build` compile it, does `lcc gen` make a skeleton whose every
// type, field, bitfield, map and global equals clang's BTF (gen refuses
// otherwise), does the TypeScript type-check; and lcc gen's time against
// `bpftool gen skeleton` on the same object.
//   node dist/bench/libbpf-corpus.js DIR...      (npm run build first; --json for one line)
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../src/paths.js';
import { findClang, systemIncludes, targetArch, vmlinuxDir } from '../src/clang/compile.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const dirs = args.filter((a) => a !== '--json').map((d) => path.resolve(d));
if (!dirs.length) {
  process.stderr.write('usage: libbpf-corpus DIR... (directories holding *.bpf.c)\n');
  process.exit(2);
}
const LCC = path.join(ROOT, 'bin', 'lcc.js');
// inside the package, so the skeletons' `@lcc-ebpf/lbc` import resolves for tsc
const OUT = fs.mkdtempSync(path.join(ROOT, 'bench', 'out', 'corpus-'));
const arch = targetArch();

interface Row { file: string; clang: boolean; build: boolean; gen: boolean; types: boolean; note: string; genMs: number; bpftoolMs: number }

const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const firstError = (s: string): string => (s.split('\n').find((l) => /error|cannot|unknown|refus/i.test(l)) ?? s.split('\n')[0] ?? '').trim().slice(0, 160);

function reference(src: string, out: string): boolean {
  const dir = path.dirname(src);
  const r = spawnSync(findClang(), [
    // an undeclared function is an error, as in clang 16 and later (and lcc build): clang 14 only
    // warns, and the object it makes then fails to load ("failed to find BTF for extern")
    '-g', '-O2', '-Werror=implicit-function-declaration', '-target', 'bpf', `-D__TARGET_ARCH_${arch}`, '-I', dir,
    ...(fs.existsSync(path.join(dir, arch)) ? ['-I', path.join(dir, arch)] : []),
    '-I', vmlinuxDir(), ...systemIncludes(), '-c', src, '-o', out,
  ], { encoding: 'utf8' });
  return r.status === 0;
}

function timed(cmd: string, argv: string[], runs = 3): { ok: boolean; ms: number; out: string } {
  let best = Infinity;
  let r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28 });
  for (let i = 0; i < runs && r.status === 0; i++) {
    const t0 = process.hrtime.bigint();
    r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28 });
    best = Math.min(best, ms(t0));
  }
  return { ok: r.status === 0, ms: r.status === 0 ? best : NaN, out: `${r.stdout}${r.stderr}` };
}

const rows: Row[] = [];
for (const dir of dirs) {
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.bpf.c')).sort()) {
    const src = path.join(dir, f);
    const name = `${path.basename(dir)}-${f.replace(/\.bpf\.c$/, '')}`;
    const row: Row = { file: path.relative(path.dirname(dir), src), clang: false, build: false, gen: false, types: false, note: '', genMs: NaN, bpftoolMs: NaN };
    rows.push(row);
    const ref = path.join(OUT, `${name}.ref.o`);
    row.clang = reference(src, ref);
    if (!row.clang) continue;
    const obj = path.join(OUT, `${name}.bpf.o`);
    const skel = path.join(OUT, `${name}.skel.ts`);
    // the source's own directory first, as its Makefile's -I$(ARCH)/ for a vmlinux.h kept there
    const b = spawnSync(process.execPath, [LCC, 'build', src, '-o', obj, '--no-gen', '--force', ...(fs.existsSync(path.join(dir, arch)) ? ['-I', path.join(dir, arch)] : [])], { encoding: 'utf8' });
    row.build = b.status === 0;
    if (!row.build) {
      row.note = `build: ${firstError(b.stderr)}`;
      continue;
    }
    const g = timed(process.execPath, [LCC, 'gen', src, '--object', obj, '-o', skel]);
    row.gen = g.ok;
    row.genMs = g.ms;
    if (!g.ok) row.note = `gen: ${firstError(g.out)}`;
    row.bpftoolMs = timed('bpftool', ['gen', 'skeleton', obj]).ms;
  }
}

// one tsc over every skeleton: which files have errors
const skels = rows.filter((r) => r.gen).map((r) => r.file);
if (skels.length) {
  fs.writeFileSync(path.join(OUT, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')] },
    include: ['*.skel.ts'],
  }));
  const t = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', OUT], { encoding: 'utf8' });
  const bad = new Set([...`${t.stdout}`.matchAll(/^([^(\s]+\.skel\.ts)\(/gm)].map((m) => path.basename(m[1]!)));
  for (const r of rows.filter((x) => x.gen)) {
    const base = `${path.basename(path.dirname(path.join(path.dirname(dirs[0]!), r.file)))}-${path.basename(r.file).replace(/\.bpf\.c$/, '')}.skel.ts`;
    r.types = !bad.has(base);
    if (!r.types) r.note = `tsc: ${firstError(t.stdout.split('\n').filter((l) => l.includes(base)).join('\n'))}`;
  }
}

const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[s.length >> 1]! : NaN;
};
const counted = rows.filter((r) => r.clang);
const whole = counted.filter((r) => r.build && r.gen && r.types);
const summary = {
  files: rows.length, clangCompiles: counted.length, lccBuilds: counted.filter((r) => r.build).length,
  genEqualsBtf: counted.filter((r) => r.gen).length, typeChecks: whole.length,
  genMedianMs: Math.round(median(counted.map((r) => r.genMs))), bpftoolMedianMs: Math.round(median(counted.map((r) => r.bpftoolMs))),
};
if (json) process.stdout.write(`${JSON.stringify({ summary, rows })}\n`);
else {
  for (const r of rows) {
    const mark = !r.clang ? 'not compiled by clang' : r.build && r.gen && r.types ? 'ok' : 'FAIL';
    process.stdout.write(`${mark.padEnd(22)} ${r.file.padEnd(40)} ${Number.isFinite(r.genMs) ? `gen ${r.genMs.toFixed(0).padStart(4)} ms  bpftool ${Number.isFinite(r.bpftoolMs) ? `${r.bpftoolMs.toFixed(0).padStart(3)} ms` : 'fails'}` : ''} ${r.note}\n`);
  }
  process.stdout.write(`\n${JSON.stringify(summary)}\n`);
}
execFileSync('rm', ['-rf', OUT]);
process.exitCode = whole.length === counted.length ? 0 : 1;
