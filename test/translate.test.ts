// The Python translator, construct by construct: each fixture in
// test/fixtures/translate is a Python program; python3 runs it, lcc translates
// it, node runs the translation, and the two must print the same thing (stdout,
// stderr, exit status). The translations must also type-check, and what cannot be
// translated must fail the type-check at its line.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translatePython } from '../src/convert/py/translate.js';
import { formatTs } from '../src/prettier.js';
import { ROOT } from '../src/paths.js';
import { watch } from './helpers/ready.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/translate');
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-translate-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Translate a fixture and bundle it as <name>.py.mjs, so that its argv[0] is the script's name as Python's is */
async function translated(name: string): Promise<{ ts: string; js: string; spots: { line: number; why: string }[] }> {
  const file = path.join(FIXTURES, name);
  const t = translatePython(fs.readFileSync(file, 'utf8'), name);
  const ts = await formatTs(t.ts);
  const tsFile = path.join(dir, name.replace(/\.py$/, '.ts'));
  fs.writeFileSync(tsFile, ts);
  const js = path.join(dir, `${name}.mjs`);
  await build({
    entryPoints: [tsFile], bundle: true, platform: 'node', format: 'esm', outfile: js, logLevel: 'silent',
    alias: { '@lcc-ebpf/lbc/py': path.join(ROOT, 'lbc/src/py/index.ts') },
    banner: { js: "import { createRequire as __lccRequire } from 'node:module'; const require = __lccRequire(import.meta.url);" },
  });
  return { ts, js, spots: t.spots };
}

const ENV = { ...process.env, COLUMNS: '80', PYTHONIOENCODING: 'utf-8', TZ: 'UTC' };

function both(name: string, js: string, args: string[]): { py: ReturnType<typeof spawnSync>; ts: ReturnType<typeof spawnSync> } {
  const cwd = path.dirname(js);
  // Python runs a copy beside the bundle: both see the same argv[0]
  fs.copyFileSync(path.join(FIXTURES, name), path.join(cwd, name));
  const py = spawnSync(PYTHON, [name, ...args], { cwd, env: ENV, encoding: 'utf8' });
  const ts = spawnSync(process.execPath, [js, ...args], { cwd, env: ENV, encoding: 'utf8' });
  return { py, ts };
}

const CASES: [string, string[][]][] = [
  ['functions.py', [[]]],
  ['classes.py', [[]]],
  ['control.py', [[]]],
  ['exceptions.py', [[]]],
  ['strings.py', [[]]],
  ['numbers.py', [[]]],
  ['collections_.py', [[]]],
  ['generators.py', [[]]],
  ['stdlib.py', [[]]],
  ['events.py', [[]]],
  ['argparse_.py', [['-p', '181', '-T', '--count', '3', '5', 'a', 'b'], [], ['--help'], ['-x', '-s'], ['-p', '-3'], ['--count', 'x'], ['-u', 'sec']]],
];

describe('lcc convert translates Python: python3 and node print the same', () => {
  for (const [name, argSets] of CASES) {
    it(`${name}: ${argSets.map((a) => a.join(' ') || '(no arguments)').join('; ')}`, async () => {
      const t = await translated(name);
      expect(t.spots, 'nothing left untranslated').toEqual([]);
      for (const args of argSets) {
        const { py, ts } = both(name, t.js, args);
        expect(py.status, `python3 ${name} ${args.join(' ')}: ${py.stderr}`).not.toBe(null);
        expect({ stdout: ts.stdout, stderr: ts.stderr, status: ts.status }, `${name} ${args.join(' ')}`).toEqual({ stdout: py.stdout, stderr: py.stderr, status: py.status });
      }
    });
  }

  it('waits where Python blocks: SIGINT is a KeyboardInterrupt out of sleep(), a SIGTERM handler runs and exits, atexit runs', async () => {
    const t = await translated('signals.py');
    expect(t.spots).toEqual([]);
    const run = async (cmd: string, args: string[], sig: NodeJS.Signals): Promise<{ out: string; code: number }> => {
      const child = spawn(cmd, args, { cwd: dir, env: ENV });
      const w = watch(child);
      await w.until('ready\n');
      child.kill(sig);
      const code = await w.closed;
      return { out: w.stdout, code };
    };
    fs.copyFileSync(path.join(FIXTURES, 'signals.py'), path.join(dir, 'signals.py'));
    for (const [mode, sig] of [['int', 'SIGINT'], ['term', 'SIGTERM']] as const) {
      const py = await run(PYTHON, ['signals.py', mode], sig);
      const ts = await run(process.execPath, [t.js, mode], sig);
      expect(py.out).toContain(mode === 'int' ? 'interrupted' : 'got signal 15');
      expect(ts).toEqual(py);
    }
  });

  it('the translations type-check; what it cannot translate fails the type-check at that line, naming the Python line', async () => {
    const bad = [
      'import numpy',
      'def f(x):',
      '    match x:',
      '        case 1:',
      '            return 1',
      'print(f(1))',
      '',
    ].join('\n');
    const t = translatePython(bad, 'bad.py');
    expect(t.spots.map((s) => s.line)).toEqual([1, 3]);
    expect(t.spots[0]!.why).toMatch(/numpy/);
    fs.writeFileSync(path.join(dir, 'bad.ts'), await formatTs(t.ts));
    for (const [name] of [...CASES, ['signals.py']]) await translated(name);
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      extends: path.join(ROOT, 'tsconfig.json'),
      compilerOptions: { noEmit: true, rootDir: '/', paths: { '@lcc-ebpf/lbc/py': [path.join(ROOT, 'lbc/src/py/index.ts')] }, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')] },
      include: [path.join(dir, '*.ts')],
      exclude: [],
    }));
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    const errors = tsc.stdout.split('\n').filter((l) => /error TS/.test(l));
    // every error is in bad.ts, at an LCC_UNTRANSLATED spot that names bad.py's line
    expect(errors.length, tsc.stdout).toBeGreaterThan(0);
    const badTs = fs.readFileSync(path.join(dir, 'bad.ts'), 'utf8').split('\n');
    const elsewhere = errors.filter((e) => {
      const m = /bad\.ts\((\d+),\d+\): error TS2304: Cannot find name 'LCC_UNTRANSLATED'/.exec(e);
      return !m || !/bad\.py:(1|3): /.test(badTs[Number(m[1]) - 1]!);
    });
    expect(elsewhere).toEqual([]);
  }, 60_000);
});
