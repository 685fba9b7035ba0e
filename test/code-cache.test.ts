// bin/lcc.js compiles the bundled CLI with the V8 code cache of the same
// build: it must be used when it matches, ignored when it does not, and
// running through it must behave as require() would (dynamic import included).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const BIN = path.join(ROOT, 'bin', 'lcc.js');
const BUNDLE = path.join(ROOT, 'dist', 'lcc.cjs');
const FIX = path.join(here, 'fixtures', 'gen');

const run = (bin: string, args: string[]): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(bin, args, { encoding: 'utf8', cwd: ROOT, env: { ...process.env, LCC_CODE_CACHE: 'report' } });

describe('the CLI runs with the code cache of its build', () => {
  it('is built with one, and uses it', () => {
    expect(fs.existsSync(`${BUNDLE}.cache`), 'npm run build makes dist/lcc.cjs.cache').toBe(true);
    const r = run(BIN, ['--help']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('lcc: code cache accepted');
  });

  it('generates through it what the library does, prettier (a dynamic import) included', () => {
    const out = path.join(here, '.out', 'code-cache', 'events.skel.ts');
    fs.rmSync(out, { force: true });
    const r = run(BIN, ['gen', path.relative(ROOT, path.join(FIX, 'events.bpf.c')), '--reference', '--runtime', '@lcc-ebpf/lbc', '--format', '-o', out]);
    expect(r.stderr).toContain('lcc: code cache accepted');
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(path.join(FIX, 'events.skel.ts'), 'utf8'));
  });

  it('ignores a cache made from another build, or one V8 refuses, and still runs', () => {
    const dir = fs.mkdtempSync(path.join(here, '.out', 'code-cache-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.mkdirSync(path.join(dir, 'dist'));
    for (const f of ['lcc.js', 'package.json']) fs.copyFileSync(path.join(ROOT, 'bin', f), path.join(dir, 'bin', f));
    fs.copyFileSync(BUNDLE, path.join(dir, 'dist', 'lcc.cjs'));
    const id = /^\/\/ lcc build (\w+)\n/.exec(fs.readFileSync(BUNDLE, 'utf8'))![1]!;
    const v8data = fs.readFileSync(`${BUNDLE}.cache`).subarray(id.length + 1);
    const cases: [string, Buffer][] = [
      ['stale', Buffer.concat([Buffer.from('0123456789abcdef\n'), v8data])],
      ['rejected', Buffer.concat([Buffer.from(`${id}\n`), Buffer.alloc(v8data.length, 0x5a)])],
    ];
    for (const [state, cache] of cases) {
      fs.writeFileSync(path.join(dir, 'dist', 'lcc.cjs.cache'), cache);
      const r = run(process.execPath, [path.join(dir, 'bin', 'lcc.js'), '--help']);
      expect(r.stderr).toContain(`lcc: code cache ${state}`);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('Usage: lcc [options] [command]');
    }
  });
});
