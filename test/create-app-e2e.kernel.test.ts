// A scaffold as a user gets it: `create-lcc-app` (the real command) → npm
// install → npm test, which builds the object and skeleton and runs the tool
// against the kernel, asserting it printed what it traced. Against this
// checkout (file: dependencies); from the packages' `npm pack` tarballs on a
// machine whose compiler is `false`, then bundled and run as a host runs it
// (PATH with node alone, no node_modules); and built through the compile
// service on a PATH without clang.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKernelTests } from './helpers/kernel.js';
import { kprobesAvailable } from '../lbc/src/features.js';
import { startServe } from '../src/serve/spawn.js';
import { watch, type Watched } from './helpers/ready.js';

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

async function scaffold(name: string, flags: string[], bin = BIN, deps = ['--lbc', `file:${path.join(ROOT, 'lbc')}`, '--lcc', `file:${ROOT}`], env = process.env): Promise<string> {
  await sh(process.execPath, [bin, path.join(work, name), '--yes', ...deps, ...flags], work, env);
  const dir = path.join(work, name);
  await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], dir, env);
  return dir;
}

/** The events app attaches, prints the exec the test causes, and ends 0 on Ctrl-C. */
async function tracesAnExec(child: ChildProcess): Promise<Watched> {
  const w = watch(child);
  try {
    await w.until('Hit Ctrl-C to end');
    // activity the tool traces: an exec (the test's own PATH has /bin/true)
    spawnSync('/bin/true');
    await w.until(/^\d+\.\d+\s+\d+\s+\d+\s+\d+\s+true$/m);
  } finally {
    child.kill('SIGINT');
  }
  expect(await w.closed).toBe(0);
  return w;
}

/** A directory whose only program is node: PATH for a host that has nothing else. */
function nodeOnly(): string {
  const bin = path.join(work, 'node-only');
  fs.mkdirSync(bin, { recursive: true });
  if (!fs.existsSync(path.join(bin, 'node'))) fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  return bin;
}

describe.runIf(runKernelTests)('create-lcc-app scaffolds build and run', () => {
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('checks hooks against this kernel: --list-hooks, did you mean, kprobes where they cannot attach', async () => {
    const list = spawnSync(process.execPath, [BIN, '--list-hooks'], { encoding: 'utf8' });
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/^sched\/sched_switch$/m);
    expect(list.stderr).toMatch(kprobesAvailable() ? /kprobes attach here/ : /kprobes cannot attach here/);
    const typo = spawnSync(process.execPath, [BIN, 'typo', '--yes', '--hook', 'sched/sched_process_exce'], { encoding: 'utf8', cwd: work });
    expect(typo.stderr).toMatch(/no tracepoint sched:sched_process_exce; did you mean sched:sched_process_exec/);
    expect(typo.status).toBe(2);
    const kp = spawnSync(process.execPath, [BIN, 'kp', '--yes', '--hook', 'kprobe/do_sys_openat2'], { encoding: 'utf8', cwd: work });
    if (kprobesAvailable()) expect(kp.status).toBe(0);
    else {
      expect(kp.stderr).toMatch(/cannot attach kprobes .*use a tracepoint instead, e\.g\. .*syscalls:sys_enter_openat/);
      expect(kp.status).toBe(2);
      // for another kernel: the check is switched off, not worked around
      expect(spawnSync(process.execPath, [BIN, 'kp', '--yes', '--no-check-hook', '--hook', 'kprobe/do_sys_openat2'], { encoding: 'utf8', cwd: work }).status).toBe(0);
    }
    expect(fs.existsSync(path.join(work, 'typo'))).toBe(false);
  });

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

  it('from the packages\' tarballs with no compiler: install, build, bundle; the bundle runs on a host with node alone, the executable on one without', async () => {
    const packs = path.join(work, 'packs');
    fs.mkdirSync(packs, { recursive: true });
    const tgz: Record<string, string> = {};
    for (const [name, dir] of [['lbc', 'lbc'], ['lcc', '.'], ['create', 'generators/create-lcc-app'], ['pingtrace', 'examples/pingtrace']] as const) {
      const out = JSON.parse(await sh('npm', ['pack', path.join(ROOT, dir), '--json', '--pack-destination', packs], work)) as { filename: string; files: { path: string }[] }[];
      tgz[name] = path.join(packs, out[0]!.filename);
      // what a package carries: its built files, not the repository's sources or tests
      expect(out[0]!.files.map((f) => f.path).filter((f) => /^(test|src\/|bench)/.test(f)), name).toEqual([]);
    }
    // CC and CXX are `false`: any native addon built from source on install fails the test
    const env = { ...process.env, CC: 'false', CXX: 'false' };
    const tools = path.join(work, 'create-from-tarball');
    fs.mkdirSync(tools, { recursive: true });
    await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--prefix', tools, tgz.create!, tgz.pingtrace!], work, env);
    // the scaffolder and pingtrace have nothing to install but themselves
    expect(fs.readdirSync(path.join(tools, 'node_modules')).sort()).toEqual(['.bin', '.package-lock.json', '@lcc-ebpf']);
    const pingHelp = await sh(path.join(tools, 'node_modules', '.bin', 'pingtrace'), ['--help'], work, env);
    expect(pingHelp).toMatch(/^Usage: pingtrace TARGET/);
    const dir = await scaffold('tartool', ['--template', 'events'], path.join(tools, 'node_modules', '.bin', 'create-lcc-app'), ['--lbc', `file:${tgz.lbc}`, '--lcc', `file:${tgz.lcc}`], env);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    // the runtime at run time, the toolchain at build time
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@lcc-ebpf/lbc', 'commander']);
    expect(pkg.devDependencies['@lcc-ebpf/lcc']).toBe(`file:${tgz.lcc}`);
    expect(fs.lstatSync(path.join(dir, 'node_modules', '@lcc-ebpf', 'lcc')).isSymbolicLink()).toBe(false);
    expect(fs.existsSync(path.join(dir, 'node_modules', 'tree-sitter'))).toBe(false);
    expect(await sh('npm', ['run', 'bundle'], dir, env)).toContain('bundle/tartool.cjs');

    // the host: the bundle directory alone, PATH with node alone
    const host = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-host-'));
    fs.cpSync(path.join(dir, 'bundle'), host, { recursive: true });
    expect(fs.readdirSync(host).sort()).toEqual(['koffi', 'tartool.cjs']);
    const hostEnv = { PATH: nodeOnly() };
    expect(await sh('node', [path.join(host, 'tartool.cjs'), '--version'], host, hostEnv)).toBe('0.1.0\n');
    expect(await sh('node', [path.join(host, 'tartool.cjs'), '--help'], host, hostEnv)).toMatch(/--pid <pid>[\s\S]*--duration <seconds>/);
    await expect(sh('node', [path.join(host, 'tartool.cjs'), '--pid', 'x'], host, hostEnv)).rejects.toThrow(/exited 2[\s\S]*option '-p, --pid <pid>' argument 'x' is invalid/);
    await tracesAnExec(spawn('node', [path.join(host, 'tartool.cjs')], { cwd: host, env: hostEnv, stdio: ['ignore', 'pipe', 'pipe'] }));
    fs.rmSync(host, { recursive: true, force: true });

    // further: one executable, node inside; the host's PATH is empty
    expect(await sh('npx', ['lcc', 'bundle', '--executable', '-o', 'exe'], dir, env)).toContain('exe/tartool');
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-host-'));
    fs.copyFileSync(path.join(dir, 'exe', 'tartool'), path.join(bare, 'tartool'));
    fs.chmodSync(path.join(bare, 'tartool'), 0o755);
    const x = await tracesAnExec(spawn(path.join(bare, 'tartool'), [], { cwd: bare, env: { PATH: '' }, stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(x.stderr).not.toMatch(/warning|SEA/i);
    fs.rmSync(bare, { recursive: true, force: true });
  }, 600_000);

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
      const env = { ...process.env, PATH: nodeOnly(), LCC_SERVER: url };
      const lcc = path.join(dir, 'node_modules', '@lcc-ebpf', 'lcc', 'bin', 'lcc.js');
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
