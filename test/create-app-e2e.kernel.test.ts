// A scaffold as a user gets it: `create-lcc-app` (the real command) → npm
// install → npm test, which builds the object and skeleton and runs the tool
// against the kernel, asserting it printed what it traced. Once against this
// checkout (file: dependency), once against `npm pack`'s tarball, and once
// built through the compile service on a PATH without clang.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKernelTests } from './helpers/kernel.js';
import { startServe } from '../src/serve/spawn.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'generators', 'create-lcc-app', 'bin.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-app-'));

/**
 * Run a command and return its stdout. Asynchronous on purpose: npm install and
 * npm test take long enough that a synchronous spawn would starve vitest's
 * worker RPC (it reports a timeout and fails the run).
 */
function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} in ${cwd} exited ${code}\n${out}\n${err}`));
    });
  });
}

async function scaffold(name: string, flags: string[]): Promise<string> {
  await sh(process.execPath, [BIN, path.join(work, name), '--yes', ...flags], work);
  const dir = path.join(work, name);
  await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], dir);
  return dir;
}

describe.runIf(runKernelTests)('create-lcc-app scaffolds build and run', () => {
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  for (const [name, flags] of [
    ['ringtool', ['--template', 'events']],
    ['perftool', ['--template', 'events', '--event', 'perf', '--hook', 'sched:sched_process_fork']],
    ['histtool', ['--template', 'hist']],
    ['counttool', ['--template', 'counter']],
  ] as const) {
    it(`${name}: npm install && npm test (build, then run against the kernel)`, async () => {
      const dir = await scaffold(name, [...flags]);
      const out = await sh('npm', ['test'], dir);
      expect(out).toMatch(/^# pass 1$/m);
      expect(out).toMatch(/^# fail 0$/m);
      expect(fs.existsSync(path.join(dir, 'src', `${name}.skel.ts`))).toBe(true);
      // a second build changes nothing
      expect(await sh('npm', ['run', 'build'], dir)).toContain(`src/${name}.bpf.o (up to date)`);
    }, 240_000);
  }

  it('installs lcc from the tarball npm pack makes', async () => {
    await sh('npm', ['pack', ROOT, '--pack-destination', work], work);
    const tgz = fs.readdirSync(work).find((f) => /^lcc-.*\.tgz$/.test(f))!;
    const dir = await scaffold('tartool', ['--template', 'events', '--lcc', `file:${path.join(work, tgz)}`]);
    expect(fs.lstatSync(path.join(dir, 'node_modules', 'lcc')).isSymbolicLink()).toBe(false);
    expect(await sh('npm', ['test'], dir)).toMatch(/^# pass 1$/m);
  }, 300_000);

  describe('built by the compile service on a host without clang', () => {
    let stop = (): void => {};
    let url = '';
    beforeAll(async () => {
      ({ url, stop } = await startServe([path.join(ROOT, 'bin', 'lcc.js')], path.join(work, 'serve-cache')));
    });
    afterAll(() => stop());
    const health = async (): Promise<{ compiles: number; cacheHits: number }> => (await fetch(`${url}/healthz`)).json() as never;

    it('npm run build with LCC_SERVER, no clang on PATH, then runs', async () => {
      const dir = await scaffold('remotetool', ['--template', 'counter']);
      // PATH holds node alone: lcc build must not look for clang, bpftool or headers
      const bin = path.join(work, 'node-only');
      fs.mkdirSync(bin, { recursive: true });
      if (!fs.existsSync(path.join(bin, 'node'))) fs.symlinkSync(process.execPath, path.join(bin, 'node'));
      const env = { ...process.env, PATH: bin, LCC_SERVER: url };
      const lcc = path.join(dir, 'node_modules', 'lcc', 'bin', 'lcc.js');
      expect(spawnSync('sh', ['-c', 'command -v clang'], { env, encoding: 'utf8' }).status).not.toBe(0);
      expect(await sh(process.execPath, [lcc, 'build', 'src/remotetool.bpf.c'], dir, env)).toContain('(compile service: miss)');
      await sh(process.execPath, [path.join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], dir, env);
      expect(await sh(process.execPath, ['--test', 'test/'], dir, env)).toMatch(/^# pass 1$/m);
      expect((await health()).compiles).toBe(1);
      // another host asking for the same object gets it from the cache, without clang
      fs.rmSync(path.join(dir, 'src', 'remotetool.bpf.o'));
      expect(await sh(process.execPath, [lcc, 'build', 'src/remotetool.bpf.c'], dir, env)).toContain('(compile service: hit)');
      expect(await health()).toMatchObject({ compiles: 1, cacheHits: 1 });
    }, 240_000);
  });
});
