// clang's diagnostics parsed into a table, and lcc build's all-or-nothing
// outputs (the rest of lcc build, run as a user runs it, is in build.kernel.test.ts).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDiagnostics } from '../src/clang/diagnostics.js';

describe('clang diagnostics', () => {
  it('parses file:line:col, severity, message and the excerpt under it', () => {
    const text = [
      'In file included from src/t.bpf.c:2:',
      'src/t.h:3:1: error: unknown type name \'foo\'',
      'foo x;',
      '^',
      'src/t.bpf.c:9:5: warning: unused variable \'y\' [-Wunused-variable]',
      '        int y;',
      '            ^',
      '/usr/include/bpf/bpf_helpers.h:10:2: note: expanded from macro \'SEC\'',
      '1 warning and 1 error generated.',
      '2 errors generated.',
    ].join('\n');
    expect(parseDiagnostics(text)).toEqual([
      { file: 'src/t.h', line: 3, column: 1, severity: 'error', message: "unknown type name 'foo'", context: ['foo x;', '^'] },
      { file: 'src/t.bpf.c', line: 9, column: 5, severity: 'warning', message: "unused variable 'y' [-Wunused-variable]", context: ['        int y;', '            ^'] },
      { file: '/usr/include/bpf/bpf_helpers.h', line: 10, column: 2, severity: 'note', message: "expanded from macro 'SEC'", context: ['1 warning and 1 error generated.'] },
    ]);
  });
});

describe('lcc build writes nothing unless the whole step succeeded', () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const ROOT = path.resolve(here, '..');
  const lcc = (cwd: string, ...args: string[]) =>
    spawnSync(process.execPath, ['--import', pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, path.join(here, 'helpers', 'lcc.ts'), ...args], { encoding: 'utf8', cwd, env: { ...process.env, LCC_CACHE_DIR: path.join(ROOT, 'test', '.out', 'build-cache') } });
  const dir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-build-'));

  it('an empty source: said as such, and no object is left', () => {
    const d = dir();
    fs.writeFileSync(path.join(d, 't.bpf.c'), '');
    const r = lcc(d, 'build', 't.bpf.c');
    expect(r.stderr).toMatch(/^t\.bpf\.c: error: no BPF programs, maps or globals here: there is nothing to load\n  hint: write a program/);
    expect(r.status).toBe(1);
    expect(fs.readdirSync(d)).toEqual(['t.bpf.c']);
  }, 60_000);

  it('a skeleton lcc refuses after clang compiled: the last good object and skeleton stay as they were', () => {
    const d = dir();
    const good = '#include "lbc.h"\nSEC("tracepoint/syscalls/sys_enter_getpid") int on_getpid(void *ctx) { return 0; }\nchar LICENSE[] SEC("license") = "GPL";\n';
    fs.writeFileSync(path.join(d, 't.bpf.c'), good);
    expect(lcc(d, 'build', 't.bpf.c').status).toBe(0);
    const before = ['t.bpf.o', 't.skel.ts'].map((f) => fs.readFileSync(path.join(d, f)));
    fs.writeFileSync(path.join(d, 't.bpf.c'), good.replace('tracepoint/syscalls', 'tracepiont/syscalls'));
    const r = lcc(d, 'build', 't.bpf.c');
    expect(r.stderr).toMatch(/^t\.bpf\.c:2:\d+: error: unknown section SEC\("tracepiont\/syscalls\/sys_enter_getpid"\)/);
    expect(r.status).toBe(1);
    expect(['t.bpf.o', 't.skel.ts'].map((f) => fs.readFileSync(path.join(d, f)))).toEqual(before);
    expect(fs.readdirSync(d).sort()).toEqual(['t.bpf.c', 't.bpf.o', 't.skel.ts']);
  }, 60_000);
});

describe('lcc build refuses what would only fail on the host', () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const ROOT = path.resolve(here, '..');
  it('a misspelt helper is an error at its line (clang 14 only warns; the load would fail with "failed to find BTF for extern")', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-build-'));
    fs.writeFileSync(path.join(d, 't.bpf.c'), '#include "lbc.h"\nSEC("tracepoint/syscalls/sys_enter_getpid") int on_getpid(void *ctx)\n{\n\treturn bpf_get_current_pid_tgidd() > 0;\n}\nchar LICENSE[] SEC("license") = "GPL";\n');
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, path.join(here, 'helpers', 'lcc.ts'), 'build', 't.bpf.c'],
      { encoding: 'utf8', cwd: d, env: { ...process.env, LCC_CACHE_DIR: path.join(ROOT, 'test', '.out', 'build-cache') } });
    expect(r.stderr).toMatch(/^t\.bpf\.c:4:9: error: implicit declaration of function 'bpf_get_current_pid_tgidd'/m);
    expect(r.status).toBe(1);
    expect(fs.readdirSync(d)).toEqual(['t.bpf.c']);
  }, 60_000);
});
