// The tools lcc convert made of test/fixtures/convert: the C compiles and its
// skeleton generates, the TypeScript type-checks, the object loads, and the
// converted tools print what the originals would while this test causes the
// events.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BpfMap, BpfObject, codec, kprobesAvailable, NotSupportedError } from '../lbc/src/index.js';
import { convert } from '../src/convert/index.js';
import { eventually, freePort, perfEvents, procState, runKernelTests } from './helpers/kernel.js';
import { runToEnd, watch, type Watched } from './helpers/ready.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const FIX = path.join(here, 'fixtures', 'convert');
// inside the repository, so the converted code's `@lcc-ebpf/lbc` import resolves to this package
const OUT = path.join(here, '.out', 'convert');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const TOOLS = ['execwatch', 'syscount_top', 'syslat', 'openwatch', 'cpusample', 'switchstate', 'mallocsum', 'execcount', 'forkwatch', 'tcpwatch', 'sigwatch', 'rqdisk', 'pidsys', 'anonrec', 'percall', 'headpick', 'stepcall', 'pyaudit', 'openpick', 'tailexec', 'commpick', 'rawpick', 'fncount', 'statepick', 'verpick', 'mapkinds', 'cgpick'];

function lcc(args: string[], cwd = ROOT): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', TSX, path.join(here, 'helpers', 'lcc.ts'), ...args], { cwd, encoding: 'utf8' });
}

interface Run { code: number; out: string; err: string }

// a test that failed or timed out while its tool ran must not leave the tool attached
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const c of running) c.kill('SIGKILL');
});

/**
 * Run a converted tool as a user would: wait for its "attached" line, cause
 * `activity`, then wait for `until` on stdout when given; then end it with
 * Ctrl-C (SIGINT: it prints what it prints at exit). Waits for facts, never
 * for time.
 */
async function run(tool: string, args: string[], activity: () => unknown, opts: { until?: RegExp | (() => RegExp) } = {}): Promise<Run> {
  const child = spawn(process.execPath, ['--import', TSX, `${tool}.ts`, ...args], { cwd: path.join(OUT, tool) });
  running.add(child);
  child.on('close', () => running.delete(child));
  const w = watch(child);
  try {
    await w.until(`${tool}: attached`, { stream: 'stderr' });
    await activity();
    if (opts.until) await w.until(typeof opts.until === 'function' ? opts.until() : opts.until);
    child.kill('SIGINT');
  } catch (e) {
    // a tool that failed to start says why in its exit code and stderr; anything else is the test's
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      throw e;
    }
  }
  return { code: await w.closed, out: w.stdout, err: w.stderr };
}

/**
 * A python3 that prints its pid, runs `code` once told to (a line on its stdin), prints "done" and waits
 * in a read; its pid once it has said it
 */
async function toldPython(code: string): Promise<{ proc: ChildProcess; pw: Watched; pid: string }> {
  const proc = spawn('/usr/bin/python3', ['-c', `import os, sys, time\nprint(os.getpid(), flush=True)\nsys.stdin.readline()\n${code}\nprint("done", flush=True)\nsys.stdin.read()`]);
  running.add(proc);
  const pw = watch(proc);
  await pw.until('\n');
  return { proc, pw, pid: pw.stdout.trim() };
}

/** One connection on loopback to `port`, from a listener python3 opens there, then both ends and the listener closed */
function loopbackConnect(port: number): void {
  const r = spawnSync('/usr/bin/python3', ['-c', [
    'import socket',
    'l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)',
    `l.bind(('127.0.0.1', ${port})); l.listen()`,
    `c = socket.create_connection(('127.0.0.1', ${port})); a, _ = l.accept()`,
    'c.close(); a.close(); l.close()',
  ].join('\n')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`loopback connection on ${port}: ${r.stderr}`);
}

/**
 * A python3 process whose second thread makes 50 getppid() calls each time it is told to (go()), and
 * prints its thread id once they are done
 */
function syscallThread(): { proc: ChildProcess; w: Watched; pid: number; go: () => Promise<void> } {
  const proc = spawn('/usr/bin/python3', ['-c', [
    'import os, sys, threading',
    'def work():',
    '    while sys.stdin.readline():',
    '        for _ in range(50): os.getppid()',
    '        print(threading.get_native_id(), flush=True)',
    't = threading.Thread(target=work); t.start(); t.join()',
  ].join('\n')], { stdio: ['pipe', 'pipe', 'ignore'] });
  running.add(proc);
  const w = watch(proc);
  let asked = 0;
  const go = async (): Promise<void> => {
    proc.stdin!.write('go\n');
    asked++;
    await w.until((out) => out.trim().split('\n').filter(Boolean).length >= asked);
    // and until the thread is back asleep in its read: its syscalls after the print (that read's entry) are
    // made, so what a tool reads after this (its rows, then its total) counts the same syscalls
    const tid = w.stdout.trim().split('\n').at(-1)!;
    expect(await eventually(() => procState(proc.pid!, tid) === 'S', 10_000), `thread ${tid} back in its read`).toBe(true);
  };
  return { proc, w, pid: proc.pid!, go };
}

/** The rows NUMBER COUNT a tool printed */
const rows = (out: string): Map<number, number> => new Map([...out.matchAll(/^(\d+)\s+(\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]));

describe.runIf(runKernelTests)('converted tools build, load and run', () => {
  it('the C of a tool converted in part refuses to compile until a person finishes it, on the Python line', async () => {
    const dir = path.join(OUT, 'bad-partial-build');
    await convert(path.join(here, 'fixtures', 'convert-bad', 'partial.py'), dir);
    const b = lcc(['build', 'partial.bpf.c', '--no-gen'], dir);
    expect(b.status).toBe(1);
    expect(b.stderr).toMatch(/partial\.bpf\.c:2:2: error: "lcc convert could not convert .*partial\.py:27/);
  });

  it('a converted tool is a package of its own: the next step lcc convert prints works outside this repository', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-converted-'));
    const r = lcc(['convert', path.join(FIX, 'execwatch.py'), '-o', path.join(dir, 'execwatch')], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('next: cd execwatch && npm install && npm run build && sudo npm start -- --help\n');
    const tool = path.join(dir, 'execwatch');
    const npm = (...args: string[]): void => {
      const x = spawnSync('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: tool, encoding: 'utf8' });
      expect(x.status, `npm ${args.join(' ')}: ${x.stdout}${x.stderr}`).toBe(0);
    };
    npm('install');
    npm('run', 'build');
    // npm start runs the package's start script with its node_modules/.bin first on PATH: run
    // that command so that Ctrl-C reaches the tool and its exit status is the tool's, not npm's
    const start = (JSON.parse(fs.readFileSync(path.join(tool, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    expect(start).toBe('tsx execwatch.ts');
    const child = spawn(path.join(tool, 'node_modules', '.bin', 'tsx'), ['execwatch.ts', '-T'], { cwd: tool, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const w = watch(child);
    try {
      await w.until('execwatch: attached', { stream: 'stderr' });
      spawnSync('/bin/true');
      await w.until(/\btrue\b/);
    } finally {
      child.kill('SIGINT');
    }
    expect(await w.closed, w.stderr).toBe(0);
    running.delete(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 240_000);

  it('every converted tool compiles, generates its skeleton and type-checks', async () => {
    for (const tool of TOOLS) {
      await convert(path.join(FIX, `${tool}.py`), path.join(OUT, tool));
      const b = await runToEnd(process.execPath, ['--import', TSX, path.join(here, 'helpers', 'lcc.ts'), 'build', `${tool}.bpf.c`], { cwd: path.join(OUT, tool) });
      expect(b.status, `${tool}: ${b.stderr}`).toBe(0);
    }
    const tsconfig = path.join(OUT, 'tsconfig.json');
    fs.writeFileSync(tsconfig, JSON.stringify({
      extends: path.join(ROOT, 'tsconfig.json'),
      compilerOptions: { noEmit: true, rootDir: ROOT, noUnusedLocals: false },
      // the base config excludes test/.out, where these live
      exclude: [],
      include: TOOLS.map((t) => path.join(OUT, t, `${t}.ts`)),
    }));
    const tsc = await runToEnd(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig]);
    expect(tsc.status, tsc.stdout).toBe(0);
  }, 120_000);

  it('every object passes the verifier; a fentry/fexit program, which this kernel cannot load, is refused saying so', async () => {
    const refused: string[] = [];
    for (const tool of TOOLS) {
      // each program the kernel refuses for a feature it lacks is switched off, and the rest loaded again
      for (const off = new Set<string>(); ;) {
        const obj = BpfObject.open(path.join(OUT, tool, `${tool}.bpf.o`));
        try {
          for (const name of off) obj.program(name).autoload = false;
          obj.load();
          break;
        } catch (e) {
          const name = /load program (\w+) \((fentry|fexit)\//.exec((e as Error).message)?.[1];
          if (!(e instanceof NotSupportedError) || !name || off.has(name) || !/fentry\/fexit BPF trampolines/.test((e as Error).message)) throw e;
          off.add(name);
          refused.push(`${tool}: ${name}`);
        } finally {
          obj.destroy();
        }
      }
    }
    // openpick's kfunc head and nothing else, and only on a kernel without trampolines (as here)
    expect(refused.filter((r) => r !== 'openpick: kretfunc____x64_sys_openat')).toEqual([]);
  });

  it('execwatch prints each exec with its parent, and -p filters in the kernel', async () => {
    const all = await run('execwatch', ['-T'], () => spawnSync('/bin/true'));
    expect(all.code, all.err).toBe(0);
    expect(all.out).toMatch(/^TIME\(s\)\s+COMM\s+PID\s+PPID/);
    expect(all.out).toMatch(new RegExp(`^\\d+\\.\\d{3}\\s+true\\s+\\d+\\s+${process.pid}\\s*$`, 'm'));
    const other = await run('execwatch', ['-p', '1'], () => spawnSync('/bin/true'));
    expect(other.out).not.toMatch(new RegExp(`\\s${process.pid}\\s*$`, 'm'));
  }, 30_000);

  it('execwatch --cgroupmap: only execs in the cgroups of a map the user pinned (BCC\'s filter_by_containers)', async () => {
    // a cgroup of our own, and a map with its id pinned the way BCC's docs make one
    const cg = fs.mkdtempSync('/sys/fs/cgroup/unified/lcc-convert-');
    const pin = `/sys/fs/bpf/lcc-cgmap-${process.pid}`;
    fs.rmSync(pin, { force: true });
    try {
      const made = spawnSync('bpftool', ['map', 'create', pin, 'type', 'hash', 'key', '8', 'value', '8', 'entries', '128', 'name', 'cgroupset'], { encoding: 'utf8' });
      expect(made.status, made.stderr).toBe(0);
      const set = BpfMap.fromPinned(pin, { key: codec.u64, value: codec.u64 });
      set.set(fs.statSync(cg, { bigint: true }).ino, 1n);
      set.close();
      let inside = 0;
      let outside = 0;
      const r = await run('execwatch', ['--cgroupmap', pin], () => {
        inside = spawnSync('/bin/sh', ['-c', `echo $$ > ${cg}/cgroup.procs && exec /bin/true`]).pid ?? 0;
        outside = spawnSync('/bin/true').pid ?? 0;
      });
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(new RegExp(`^true\\s+${inside}\\s+${process.pid}\\s*$`, 'm'));
      expect(r.out).not.toMatch(new RegExp(`^\\S+\\s+${outside}\\s`, 'm'));
      const missing = await run('execwatch', ['--cgroupmap', `${pin}-missing`], () => undefined);
      expect(missing.code).toBe(1);
      expect(missing.err).toMatch(/execwatch: map cgroupset: no map pinned at \S+-missing.*ENOENT/s);
    } finally {
      fs.rmSync(pin, { force: true });
      fs.rmdirSync(cg);
    }
  }, 30_000);

  it('syscount_top prints the busiest processes every interval', async () => {
    const r = await run('syscount_top', ['-i', '1', '-T', '3'], () => {
      for (let i = 0; i < 50; i++) fs.statSync('/');
    }, { until: /^PID\s+CALLS$[\s\S]*^PID\s+CALLS$/m });
    expect(r.code, r.err).toBe(0);
    expect(r.out.match(/^PID\s+CALLS$/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(r.out).toMatch(/^\d+\s+([1-9]\d*|\d+\.\dk)$/m); // human() of the original, translated
  }, 30_000);

  it('syslat prints a log2 histogram on exit, in the unit the option chose', async () => {
    const us = await run('syslat', [], () => spawnSync('/bin/true'));
    expect(us.code, us.err).toBe(0);
    expect(us.out).toMatch(/usecs\s+: count\s+distribution\n\s+0 -> 1\s+: \d+/);
    expect(us.out).toMatch(/\|\*+\s*\|/);
    const ms = await run('syslat', ['-m'], () => spawnSync('/bin/true'));
    expect(ms.out).toMatch(/msecs\s+: count\s+distribution/);
  }, 30_000);

  it('cpusample samples with a perf event; its optional kprobes attach, or fail naming the missing feature', async () => {
    const r = await run('cpusample', ['-F', '199'], () => {
      const end = Date.now() + 300;
      while (Date.now() < end); // be on a CPU to be sampled
    });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^PID\s+SAMPLES$/m);
    expect(r.out).toMatch(new RegExp(`^${process.pid}\\s+[1-9]\\d*$`, 'm'));
    const reads = await run('cpusample', ['--reads'], () => spawnSync('/bin/cat', ['/etc/hostname']));
    if (kprobesAvailable()) expect(reads.code, reads.err).toBe(0);
    else {
      expect(reads.code).toBe(1);
      expect(reads.err).toMatch(/^cpusample: attach read_entry to kprobe[ /]vfs_read .*this kernel does not support kprobes \(CONFIG_KPROBES/m);
    }
    const c = fs.readFileSync(path.join(OUT, 'cpusample', 'cpusample.bpf.c'), 'utf8');
    expect(c).toContain('int BPF_KPROBE(read_entry, unsigned long arg1, unsigned long arg2, unsigned long arg3)');
    expect(c).toContain('u64 count = arg3;');
    expect(c).toContain('int BPF_KRETPROBE(read_return, long lcc_ret)');
  }, 30_000);

  it('switchstate reads task_struct\'s state through CO-RE, whichever name this kernel uses', async () => {
    const r = await run('switchstate', [], () => spawnSync('/bin/sleep', ['0.2']));
    expect(r.code, r.err).toBe(0);
    const count = (label: string): number => Number(new RegExp(`^${label}\\s+(\\d+)$`, 'm').exec(r.out)?.[1] ?? -1);
    expect(count('PREEMPTED')).toBeGreaterThanOrEqual(0);
    expect(count('BLOCKED')).toBeGreaterThan(0); // sleep(0.2) blocks at least once
    const c = fs.readFileSync(path.join(OUT, 'switchstate', 'switchstate.bpf.c'), 'utf8');
    expect(c).toContain('bpf_core_field_exists(prev->__state) ? BPF_CORE_READ(prev, __state) : BPF_CORE_READ((struct task_struct___lcc_old *)prev, state)');
    // prev->state, as tools written before 5.14 read it, beside __state in the same switch: always the same
    expect(count('NAMES AGREE'), r.out).toBeGreaterThan(0);
    expect(count('NAMES DIFFER'), r.out).toBe(0);
    expect(c).toContain('bpf_core_field_exists(((struct task_struct___lcc_renamed *)prev)->state) ? BPF_CORE_READ((struct task_struct___lcc_renamed *)prev, state) : BPF_CORE_READ((struct task_struct *)prev, __state)');
  }, 30_000);

  it('rqdisk counts block requests by disk through rq_disk or q->disk, whichever this kernel has, and -b filters in the kernel', async () => {
    // direct writes to a file on a disk: each is one block request of the size written
    const file = path.join(os.homedir(), `.lcc-rqdisk-${process.pid}`);
    const writes = (): void => {
      const w = spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=16k', 'count=16', 'oflag=direct,sync'], { encoding: 'utf8' });
      expect(w.status, w.stderr).toBe(0);
    };
    try {
      writes();
      const dev = fs.statSync(file).dev;
      // the disk the file is on: the whole disk's first minor, as gendisk has it (a partition's is above it)
      const major = Math.floor(dev / 256) & 0xfff;
      const r = await run('rqdisk', [], writes);
      expect(r.code, r.err).toBe(0);
      const rows = [...r.out.matchAll(/^\s*(\d+):(\d+)\s+(\d+)$/gm)].map((m) => ({ major: Number(m[1]), count: Number(m[3]) }));
      expect(rows.find((x) => x.major === major)?.count, r.out).toBeGreaterThanOrEqual(16);
      // no request is 1 GiB long
      const none = await run('rqdisk', ['-b', String(1 << 30)], writes);
      expect(none.code, none.err).toBe(0);
      expect(none.out).not.toMatch(/^\s*\d+:\d+\s+\d+$/m);
      // -d: the disk filter, formatted from the member path per kernel and the disk's numbers; -B
      // (a ##BYTES## token): bytes, at least the 16 writes of 16 KiB
      const sys = fs.realpathSync(`/sys/dev/block/${major}:${(dev & 0xff) | ((dev >> 12) & 0xfff00)}`);
      const disk = path.basename(fs.existsSync(path.join(sys, 'partition')) ? path.dirname(sys) : sys);
      const bytes = await run('rqdisk', ['-d', disk, '-B'], writes);
      expect(bytes.code, bytes.err).toBe(0);
      const byDisk = [...bytes.out.matchAll(/^\s*(\d+):(\d+)\s+(\d+)$/gm)];
      expect(byDisk.length, bytes.out).toBe(1);
      expect(Number(byDisk[0]![1]), bytes.out).toBe(major);
      expect(Number(byDisk[0]![3]), bytes.out).toBeGreaterThanOrEqual(16 * 16384);
      // a device no request goes to: nothing counted
      const other = await run('rqdisk', ['-d', 'null'], writes);
      expect(other.code, other.err).toBe(0);
      expect(other.out).not.toMatch(/^\s*\d+:\d+\s+\d+$/m);
    } finally {
      fs.rmSync(file, { force: true });
    }
    const c = fs.readFileSync(path.join(OUT, 'rqdisk', 'rqdisk.bpf.c'), 'utf8');
    expect(c).toContain('BPF_CORE_READ(rq, q, disk, major)');
  }, 30_000);

  it('pidsys filters in the kernel by option lists, set before load as arrays: only the listed, never the excluded', async () => {
    // three shells that make their syscalls only when told to, after the tool is attached
    const shells = [0, 1, 2].map(() => spawn('/bin/sh', ['-c', 'read x; for i in 1 2 3 4; do /bin/true; done; echo done; read y'], { stdio: ['pipe', 'pipe', 'ignore'] }));
    try {
      const [a, b, c] = shells.map((s) => s.pid!) as [number, number, number];
      const r = await run('pidsys', ['-p', `${a},${b}`, '-x', String(b)], async () => {
        // each says done once its four /bin/true have run: its syscalls are in
        await Promise.all(shells.map((s) => {
          const said = watch(s).until('done');
          s.stdin!.write('go\n');
          return said;
        }));
      });
      expect(r.code, r.err).toBe(0);
      const counted = rows(r.out);
      expect(counted.get(a), r.out).toBeGreaterThan(4); // its forks, waits, reads
      expect(counted.has(b), r.out).toBe(false); // listed, and excluded
      expect(counted.has(c), r.out).toBe(false); // not listed
      expect([...counted.keys()]).toEqual([a]);
    } finally {
      for (const s of shells) s.kill('SIGKILL');
    }
  }, 30_000);

  it('percall keys its map as the options choose (one declaration per option, replace() at file scope), by the C a variable holds (tgid or pid)', async () => {
    const { proc, w, pid, go } = syscallThread();
    const threads = await run('percall', ['-p', String(pid), '-k', '-T'], go);
    expect(threads.code, threads.err).toBe(0);
    const tid = Number(w.stdout.trim().split('\n')[0]);
    expect(tid).not.toBe(pid);
    // keyed by thread: the second thread's 50 getppid() and its write, under its own id
    expect(rows(threads.out).get(tid), threads.out).toBeGreaterThanOrEqual(51);
    expect(rows(threads.out).has(pid), threads.out).toBe(false);
    const procs = await run('percall', ['-p', String(pid), '-k'], go);
    expect(procs.code, procs.err).toBe(0);
    expect([...rows(procs.out).keys()], procs.out).toEqual([pid]);
    expect(rows(procs.out).get(pid)).toBeGreaterThanOrEqual(51);
    proc.kill();
  }, 60_000);

  it('stepcall runs each path of the text its options build with += (cpudist\'s storage_str and store_str): per thread or per process, with and without the total', async () => {
    const { proc, w, pid, go } = syscallThread();
    const total = (out: string): number | null => (/^total (\d+)$/m.exec(out) ? Number(/^total (\d+)$/m.exec(out)![1]) : null);
    for (const [opts, perThread, withTotal] of [[['-T', '-e'], true, true], [['-e'], false, true], [['-T'], true, false], [[], false, false]] as const) {
      const r = await run('stepcall', ['-p', String(pid), ...opts], go);
      expect(r.code, r.err).toBe(0);
      const tid = Number(w.stdout.trim().split('\n')[0]);
      const counted = rows(r.out);
      // per thread: the second thread's 50 getppid() and its write under its own id; per process, under the pid
      expect([...counted.keys()].includes(perThread ? tid : pid), `${opts.join(' ')}: ${r.out}`).toBe(true);
      expect(counted.has(perThread ? pid : tid), `${opts.join(' ')}: ${r.out}`).toBe(false);
      expect(counted.get(perThread ? tid : pid)!, r.out).toBeGreaterThanOrEqual(51);
      // the total counts the same syscalls as the rows
      expect(total(r.out), `${opts.join(' ')}: ${r.out}`).toBe(withTotal ? [...counted.values()].reduce((a, b) => a + b, 0) : null);
    }
    proc.kill();
  }, 90_000);

  it('pyaudit attaches to USDT probes of a python3 process (enable_probe, BPF(usdt_contexts=...)) and reads their arguments, a register and memory, as BCC does on the same process', async () => {
    // python3's audit and gc__start probes have semaphores: python fires them only while a tool is attached
    const proc = spawn('/usr/bin/python3', ['-c', 'import sys, gc\nfor l in sys.stdin:\n    for _ in range(int(l)): sys.audit("lcc.usdt"); gc.collect(2)\n    print("done", flush=True)'], { stdio: ['pipe', 'pipe', 'ignore'] });
    running.add(proc);
    const w = watch(proc);
    let rounds = 0;
    const go = async (): Promise<void> => {
      proc.stdin!.write('5\n');
      rounds++;
      await w.until((out) => out.split('done\n').length - 1 >= rounds);
    };
    const mine = (out: string): string[] => out.split('\n').filter((l) => l.startsWith(`${proc.pid} `)).map((l) => l.replace(/\s+/g, ' ').trim());
    const lcc = await run('pyaudit', [String(proc.pid)], go, { until: /(lcc\.usdt[\s\S]*){5}/ });
    expect(lcc.code, lcc.err).toBe(0);
    expect(mine(lcc.out).filter((l) => l.endsWith(' lcc.usdt'))).toHaveLength(5);
    expect(mine(lcc.out).filter((l) => l.endsWith(' gc generation 2')).length).toBeGreaterThanOrEqual(5);
    // BCC on the fixture itself, after lcc's tool is gone (one uprobe per instruction at a time: see convert-bcc)
    const bcc = spawn('/usr/bin/python3', [path.join(here, 'fixtures', 'convert', 'pyaudit.py'), String(proc.pid)], { env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    running.add(bcc);
    const bw = watch(bcc);
    await bw.until('EVENT\n');
    // BCC prints its header after it attaches but before it opens its perf buffer (one perf event per CPU):
    // ready once it holds the two probes' perf events and the buffer's, and waits in its poll
    const want = 2 + os.availableParallelism();
    expect(await eventually(() => perfEvents(bcc.pid!) >= want && procState(bcc.pid!) === 'S', 60_000), `BCC's pyaudit ready: ${bw.stderr}`).toBe(true);
    await go();
    await bw.until(/(lcc\.usdt[\s\S]*){5}/);
    bcc.kill('SIGINT');
    await bw.closed;
    expect(mine(bw.stdout).filter((l) => l.endsWith(' lcc.usdt'))).toEqual(mine(lcc.out).filter((l) => l.endsWith(' lcc.usdt')));
    expect(lcc.out.split('\n')[0]).toBe(bw.stdout.split('\n')[0]);
    proc.kill();
  }, 120_000);

  it('anonrec prints each exec from a record declared as an anonymous struct, and counts with lock_xadd', async () => {
    let pid = 0;
    const r = await run('anonrec', [], () => {
      pid = spawnSync('/bin/true').pid ?? 0;
    }, { until: () => new RegExp(`^exec ${pid}$`, 'm') });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(new RegExp(`^exec ${pid}$`, 'm'));
    const counted = Number(/^counted (\d+)$/m.exec(r.out)?.[1] ?? -1);
    expect(counted).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('headpick loads the copy of its function whose head this kernel chose (kernel_struct_has_field), and its attach call attaches that one, once', async () => {
    let pid = 0;
    const r = await run('headpick', [], () => {
      pid = spawnSync('/bin/true').pid ?? 0;
    });
    expect(r.code, r.err).toBe(0);
    // task_struct has __state here, not state: the second head, on_exec_2, counted the exec once
    expect(r.out).toMatch(new RegExp(`^${pid}\\s+1$`, 'm'));
  }, 30_000);

  it('rawpick loads the raw tracepoint whose name this kernel has, from the branch BPF() was called in, and not the kprobe of the other', async () => {
    let pid = 0;
    const r = await run('rawpick', [], () => {
      pid = spawnSync('/bin/true').pid ?? 0;
    });
    expect(r.code, r.err).toBe(0);
    // sched_process_exec is here: the exec counted once, under the child's pid
    expect(r.out).toMatch(new RegExp(`^${pid}\\s+1$`, 'm'));
    // the fork copy, had it loaded too, would count this process, the child's parent
    expect(r.out).not.toMatch(new RegExp(`^${process.pid}\\s`, 'm'));
  }, 30_000);

  it('fncount loads one program per function given, of the 16 the loop of its Python was compiled into, each attached by its formatted name', async () => {
    // a python3 that calls getpid() three times and getppid() twice when told to
    const { proc, pw, pid } = await toldPython('for _ in range(3): os.getpid()\nfor _ in range(2): os.getppid()');
    let loaded: string[] = [];
    const r = await run('fncount', ['-p', pid, 'c:getpid', 'c:getppid'], async () => {
      // the programs in the kernel while it runs: the two it attaches, not the fourteen copies no function asked for
      const progs = JSON.parse(spawnSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' }).stdout || '[]') as { name?: string }[];
      loaded = progs.map((p) => p.name ?? '').filter((n) => /^count_\d+$/.test(n)).sort();
      proc.stdin!.write('go\n');
      await pw.until('done');
    });
    proc.kill();
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^c:getpid\s+3$/m);
    expect(r.out).toMatch(/^c:getppid\s+2$/m);
    expect(loaded).toEqual(['count_0', 'count_1']);
  }, 30_000);

  it('statepick counts the TCP states asked for, by the choices its Python joins into C names, and refuses one this kernel has no constant for', async () => {
    const port = await freePort();
    const r = await run('statepick', ['-P', String(port), '-s', 'ESTABLISHED', '-s', 'SYN_SENT', '-s', 'LISTEN'], () => loopbackConnect(port));
    expect(r.code, r.err).toBe(0);
    // the listener's LISTEN, the client's SYN_SENT, both ends' ESTABLISHED; no other state (CLOSE, the FIN states)
    expect(r.out.trim().split('\n').slice(1)).toEqual(['ESTABLISHED  2', 'SYN_SENT     1', 'LISTEN       1']);
    // -x joins with && over the other option's mask: everything but what it names
    const x = await run('statepick', ['-P', String(port), '-x', 'ESTABLISHED', '-x', 'CLOSE'], () => loopbackConnect(port));
    expect(x.code, x.err).toBe(0);
    expect(x.out).toMatch(/^SYN_SENT\s+1$/m);
    expect(x.out).toMatch(/^LISTEN\s+1$/m);
    expect(x.out).not.toMatch(/^(ESTABLISHED|CLOSE)\s/m);
    const gone = await run('statepick', ['-P', String(port), '-s', 'GONE'], () => undefined);
    expect(gone.code).not.toBe(0);
    expect(gone.err).toContain('-s/--state GONE: this kernel has no TCP_GONE');
  }, 30_000);

  it('verpick takes the halves of its #if LINUX_VERSION_CODE blocks this kernel\'s version chooses, at load: the function for 5.5 on, task_struct\'s __state', async () => {
    // a python3 that sleeps 5 times when told to, then waits in a read: 6 switches out while interruptible
    const { proc, pw, pid } = await toldPython('for _ in range(5): time.sleep(0.001)');
    const r = await run('verpick', ['-p', pid], async () => {
      proc.stdin!.write('go\n');
      await pw.until('done');
      expect(await eventually(() => procState(Number(pid)) === 'S', 10_000)).toBe(true);
    });
    proc.kill();
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^sleeps 6$/m);
  }, 30_000);

  it("mapkinds keeps a process's getppid() calls in BCC's less common maps: task storage, a queue, a stack, a map of maps the tool fills, a perf counter array it opens", async () => {
    const { proc, pw, pid } = await toldPython('for _ in range(5): os.getppid()');
    const r = await run('mapkinds', ['-p', pid], async () => {
      proc.stdin!.write('go\n');
      await pw.until('done');
    });
    proc.kill();
    expect(r.code, r.err).toBe(0);
    // the task's own count numbers the calls: in order from the queue, the last three newest first from the stack
    expect(r.out).toMatch(/^order 1 2 3 4 5$/m);
    expect(r.out).toMatch(/^recent 5 4 3$/m);
    // through the inner map the tool stored in both maps of maps, and with the CPU clock counter read each time
    expect(r.out).toMatch(/^counted 10$/m);
    expect(r.out).toMatch(/^clocked 5$/m);
    // BCC on the fixture itself, on a process of its own making the same calls: the same lines
    const other = await toldPython('for _ in range(5): os.getppid()');
    const bcc = spawn('/usr/bin/python3', [path.join(FIX, 'mapkinds.py'), '-p', other.pid], { env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    running.add(bcc);
    const bw = watch(bcc);
    // (printed after BPF() attached its tracepoint and the tool opened its counters)
    await bw.until('Hit Ctrl-C to end.\n');
    other.proc.stdin!.write('go\n');
    await other.pw.until('done');
    bcc.kill('SIGINT');
    expect(await bw.closed, bw.stderr).toBe(0);
    other.proc.kill();
    expect(r.out).toBe(bw.stdout);
    // a hardware counter: where the machine has no PMU (a VM's "cpu" event source), open_perf_event refuses
    // it with the kernel's reason, as BCC's does (BCC prints perf_event_open's strerror); else it counts
    const cycles = await run('mapkinds', ['-p', pid, '--cycles'], () => undefined);
    if (fs.existsSync('/sys/bus/event_source/devices/cpu')) expect(cycles.code, cycles.err).toBe(0);
    else {
      expect(cycles.code).not.toBe(0);
      expect(cycles.err).toMatch(/^mapkinds: bpf_open_perf_event failed: perf_event_open\(type 0, config 0\) on CPU \d+: ENOENT/m);
      expect(cycles.err).not.toMatch(/^\s+at /m);
    }
  }, 120_000);

  it('cgpick counts the execs under a cgroup it stores by path in a cgroup array (check_current_task), as BCC does', async () => {
    const cg = fs.mkdtempSync('/sys/fs/cgroup/unified/lcc-cgpick-');
    try {
      // a shell that moves itself into the cgroup, then execs; and an exec outside it
      const inside = (): number => spawnSync('/bin/sh', ['-c', `echo $$ > ${cg}/cgroup.procs && exec /bin/true`]).pid ?? 0;
      let pid = 0;
      const r = await run('cgpick', [cg], () => {
        pid = inside();
        spawnSync('/bin/true');
      });
      expect(r.code, r.err).toBe(0);
      expect(r.out.match(/^exec .*$/gm)).toEqual([`exec ${pid} 1`]);
      // -p: the whole pid as the trie's prefix; another pid's exec is not counted
      const other = await run('cgpick', [cg, '-p', '1'], () => void inside());
      expect(other.code, other.err).toBe(0);
      expect(other.out.match(/^exec .*$/gm)).toBeNull();
      // BCC on the fixture itself, against the same activity
      const bcc = spawn('/usr/bin/python3', [path.join(FIX, 'cgpick.py'), cg], { env: { ...process.env, PYTHONUNBUFFERED: '1' } });
      running.add(bcc);
      const bw = watch(bcc);
      // (printed after BPF() attached its tracepoint and the tool stored the cgroup)
      await bw.until('Hit Ctrl-C to end.\n');
      const bccPid = inside();
      spawnSync('/bin/true');
      bcc.kill('SIGINT');
      expect(await bw.closed, bw.stderr).toBe(0);
      expect(bw.stdout.replace(`exec ${bccPid} `, 'exec PID ')).toBe(r.out.replace(`exec ${pid} `, 'exec PID '));
    } finally {
      fs.rmdirSync(cg);
    }
  }, 120_000);

  it('mallocsum sums malloc() sizes from a uprobe on the libc ldconfig names, and -p filters in the kernel', async () => {
    let lsPid = 0;
    const r = await run('mallocsum', [], () => {
      lsPid = spawnSync('/bin/ls', ['-la', '/usr/bin']).pid ?? 0;
    });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^PID\s+BYTES$/m);
    expect(r.out).toMatch(new RegExp(`^${lsPid}\\s+[1-9]\\d*$`, 'm'));
    let other = 0;
    const filtered = await run('mallocsum', ['-p', '1'], () => {
      other = spawnSync('/bin/ls', ['-la', '/usr/bin']).pid ?? 0;
    });
    expect(filtered.code, filtered.err).toBe(0);
    expect(filtered.out).not.toMatch(new RegExp(`^${other}\\s`, 'm'));
  }, 30_000);

  it('execcount: replacement values from variables set under option conditions become settings', async () => {
    const uid = process.getuid!();
    const execs = (out: string): number => Number(new RegExp(`^${uid}\\s+(\\d+)$`, 'm').exec(out)?.[1] ?? 0);
    const mine = await run('execcount', ['-p', String(process.pid), '-d'], () => {
      for (let i = 0; i < 3; i++) spawnSync('/bin/true');
    });
    expect(mine.code, mine.err).toBe(0);
    expect(execs(mine.out)).toBe(6); // three children of this process, weight 2
    const none = await run('execcount', ['-p', '1'], () => spawnSync('/bin/true'));
    expect(none.code, none.err).toBe(0);
    expect(execs(none.out)).toBe(0);
  }, 30_000);

  it('tailexec: BPF_PROG_ARRAY filled with the fd of a program the tool loads by type, and the tail call into it; netaddr prints the keys as BCC\'s netaddr does', async () => {
    const r = await run('tailexec', [], () => {
      for (let i = 0; i < 3; i++) spawnSync('/bin/true');
    });
    expect(r.code, r.err).toBe(0);
    // the exec tracepoint's program jumps to count_exec: its keys counted, never its own (0.0.0.0)
    expect(r.out).toBe('00-1B-77-49-54-FF\n127.0.0.1       1\n');
  }, 30_000);

  it('commpick: a string option formatted into a C string declaration is a char array set before load; one too long for it is refused', async () => {
    const r = await run('commpick', ['-c', 'true'], () => {
      for (let i = 0; i < 2; i++) spawnSync('/bin/true');
      spawnSync('/bin/ls', ['/']);
    });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('execs: 2\n');
    const long = spawnSync(process.execPath, ['--import', TSX, 'commpick.ts', '-c', 'x'.repeat(70)], { cwd: path.join(OUT, 'commpick'), encoding: 'utf8' });
    expect(long.status).toBe(1);
    expect(long.stderr).toMatch(/lcc_comm: at most 63 bytes \(lcc convert sized it\), got 70/);
  }, 30_000);

  it('forkwatch (BPF text from src_file) prints each fork', async () => {
    let child = 0;
    const r = await run('forkwatch', [], () => {
      child = spawnSync('/bin/true').pid ?? 0;
    });
    expect(r.code, r.err).toBe(0);
    // the parent column is the forking thread's id (vitest may run this file in a worker thread); comm may hold spaces
    expect(r.out).toMatch(new RegExp(`\\s\\d+\\s+${child}\\s*$`, 'm'));
  }, 30_000);

  it('tcpwatch prints IPv4 and IPv6 addresses as inet_ntop does, filters by port and family in the kernel, and sums up', async () => {
    // a listener and a connection on 127.0.0.1 and on ::1; the listening ports, printed
    let ports: string[] = [];
    const connect = (base = 0): void => {
      ports = spawnSync('python3', ['-c', [
        'import socket',
        'for i, (fam, addr) in enumerate(((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"))):',
        `    s = socket.socket(fam); s.bind((addr, ${base} + i if ${base} else 0)); s.listen(); p = s.getsockname()[1]`,
        '    c = socket.create_connection((addr, p)); a, _ = s.accept(); c.close(); a.close(); s.close(); print(p)',
      ].join('\n')], { encoding: 'utf8' }).stdout.trim().split('\n');
    };
    const row = (addr: string, port: string, from: string, to: string): RegExp =>
      new RegExp(`^\\d+\\s+\\S.{0,11}\\s+${addr.replace(/\./g, '\\.')}\\s+\\d+\\s+${addr.replace(/\./g, '\\.')}\\s+${port}\\s+${from} -> ${to}$`, 'm');
    const all = await run('tcpwatch', ['-s'], connect);
    expect(all.code, all.err).toBe(0);
    expect(ports).toHaveLength(2);
    expect(all.out).toMatch(/^PID\s+COMM\s+LADDR\s+LPORT\s+RADDR\s+RPORT\s+TRANSITION$/m);
    // the client's side of each connection: its remote port is the listener's
    expect(all.out).toMatch(row('127.0.0.1', ports[0]!, 'SYN_SENT', 'ESTABLISHED'));
    expect(all.out).toMatch(row('::1', ports[1]!, 'SYN_SENT', 'ESTABLISHED'));
    // the summary, per local port in numeric order (Python's int keys), CLOSE left out
    expect(all.out).toMatch(new RegExp(`^port ${ports[0]}: listen(,[a-z_0-9]+)*$`, 'm'));
    const summary = [...all.out.matchAll(/^port (\d+):/gm)].map((m) => Number(m[1]));
    expect(summary).toEqual([...summary].sort((a, b) => a - b));
    expect(all.out).toMatch(kprobesAvailable() ? /^connect\/accept calls: [1-9]\d* ok, \d+ failed$/m : /^connect\/accept calls: 0 ok, 0 failed$/m);
    // -4: no IPv6 rows; -P: only the connection on that port
    const v4 = await run('tcpwatch', ['-4'], connect);
    expect(v4.code, v4.err).toBe(0);
    expect(v4.out).toMatch(row('127.0.0.1', ports[0]!, 'SYN_SENT', 'ESTABLISHED'));
    expect(v4.out).not.toMatch(/::1/);
    const base = 20000 + (process.pid % 20000);
    const one = await run('tcpwatch', ['-P', String(base)], () => connect(base));
    expect(one.code, one.err).toBe(0);
    expect(ports).toEqual([String(base), String(base + 1)]);
    expect(one.out).toMatch(row('127.0.0.1', ports[0]!, 'SYN_SENT', 'ESTABLISHED'));
    expect(one.out).not.toMatch(new RegExp(`\\s${base + 1}\\s`));
    const c = fs.readFileSync(path.join(OUT, 'tcpwatch', 'tcpwatch.bpf.c'), 'utf8');
    expect(c).toContain('SEC("ksyscall/connect") int BPF_KSYSCALL(syscall__connect, int fd, struct sockaddr *uaddr, int addrlen)');
    expect(c).toContain('bpf_probe_read_user(&family, sizeof(family), &uaddr->sa_family);');
    expect(c).toContain('SEC("kretsyscall") int BPF_KRETPROBE(trace_return, long lcc_ret)');
    const ts = fs.readFileSync(path.join(OUT, 'tcpwatch', 'tcpwatch.ts'), 'utf8');
    // BCC's own call: the kernel's name for the syscall is looked up where the tool runs
    expect(ts).toContain("b.attach_kretprobe({ event: b.get_syscall_fnname('accept4'), fn_name: 'trace_return' });");
  }, 30_000);

  it('sigwatch: macros the Python defines become settings, #ifdef blocks become if, a whole probe loads only with -c', async () => {
    // from this process: SIGWINCH, which sleep ignores (result 1), then SIGTERM, delivered (result 0)
    let target = 0;
    const signal = async (): Promise<void> => {
      const child = spawn('/bin/sleep', ['5']);
      const gone = new Promise((r) => child.on('exit', r));
      target = child.pid!;
      process.kill(target, 'SIGWINCH');
      process.kill(target, 'SIGTERM');
      await gone; // delivered: the kernel's signal_deliver ran before the process could exit
    };
    const me = process.pid;
    const line = (sig: number, result: number): RegExp => new RegExp(`^${me}\\s+\\S.*\\s${target}\\s+${sig}\\s+${result}$`, 'm');
    const all = await run('sigwatch', ['-p', String(me)], signal);
    expect(all.code, all.err).toBe(0);
    expect(all.out).toMatch(/^PID\s+COMM\s+TPID\s+SIG\s+RESULT$/m);
    expect(all.out).toMatch(line(28, 1));
    expect(all.out).toMatch(line(15, 0));
    expect(all.out.trim().split('\n').every((l, i) => i === 0 || l.startsWith(`${me} `))).toBe(true); // FILTER_PID
    const failed = await run('sigwatch', ['-p', String(me), '-x'], signal);
    expect(failed.out).toMatch(line(28, 1));
    expect(failed.out).not.toMatch(line(15, 0)); // #ifndef ALL_RESULTS: only what was not delivered
    const term = await run('sigwatch', ['-p', String(me), '-s', '15'], signal);
    expect(term.out).toMatch(line(15, 0));
    expect(term.out).not.toMatch(line(28, 1)); // the elif chain's first branch: a condition that is not a bare option
    const counted = await run('sigwatch', ['-c', '-q'], signal);
    expect(counted.code, counted.err).toBe(0);
    expect(counted.out).not.toMatch(/^PID/m); // QUIET: "if args.quiet and args.count"
    // the signal_deliver probe, loaded only with -c: a fatal SIGTERM is delivered as the group exit's SIGKILL
    expect(counted.out).toMatch(/^signal 9: [1-9]\d*$/m);
    const plain = await run('sigwatch', ['-q'], signal);
    expect(plain.out).not.toMatch(/^signal \d+:/m);
    // --counts-size sizes the map before load: three signals delivered, as many counted as it holds
    const handled = async (): Promise<void> => {
      // a process that handles two signals and says so; each is sent once the line before it is whole.
      // Python runs a handler between bytecodes, not inside a blocking call: a signal that came just
      // before a signal.pause() would never be handled, so the idle loop wakes every 10 ms
      const child = spawn('python3', ['-c', 'import signal, time\nfor s in (signal.SIGUSR1, signal.SIGUSR2): signal.signal(s, lambda n, f: print(n, flush=True))\nprint("ready", flush=True)\nwhile True: time.sleep(0.01)']);
      const w = watch(child);
      await w.until('ready\n');
      for (const [sig, n] of [['SIGUSR1', 10], ['SIGUSR2', 12]] as const) {
        child.kill(sig);
        await w.until(`\n${n}\n`); // whole: a handler that runs inside a print writes between its writes
      }
      child.kill('SIGTERM');
      await w.closed;
    };
    const counts = async (size: string[]): Promise<number> => (await run('sigwatch', ['-c', '-q', ...size], handled)).out.match(/^signal \d+: \d+$/gm)?.length ?? 0;
    expect(await counts([])).toBeGreaterThanOrEqual(3);
    expect(await counts(['--counts-size', '1'])).toBe(1);
    const c = fs.readFileSync(path.join(OUT, 'sigwatch', 'sigwatch.bpf.c'), 'utf8');
    expect(c).not.toMatch(/^\s*#\s*(if|ifdef|ifndef|else|endif)\b/m);
    expect(c).toContain('if (lcc_args_sig <= 0 || lcc_args_sig > (lcc_max_sig))'); // the computed cflag (args->sig read once)
    const ts = fs.readFileSync(path.join(OUT, 'sigwatch', 'sigwatch.ts'), 'utf8');
    // set where the original called BPF(): the probe's condition and the map's size, from its options
    expect(ts).toContain('autoload: { tracepoint__signal__signal_deliver: py.truthy(');
    expect(ts).toContain('maxEntries: { counts: args.counts_size }');
  }, 60_000);

  it('openwatch prefers the tracepoint where kprobes are unavailable, and prints the files opened', async () => {
    const r = await run('openwatch', ['-n', 'cat'], () => spawnSync('/bin/cat', ['/etc/hostname']));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^PID\s+COMM\s+FLAGS PATH$/m);
    expect(r.out).toMatch(/^\d+\s+cat\s+[0-9a-f]+ \/etc\/hostname$/m);
    expect(r.out).not.toMatch(/^\d+\s+(?!cat\b)\S+\s+[0-9a-f]+ \//m); // -n cat filtered the rest
    // the original's own choice, made at run time as it made it
    const ts = fs.readFileSync(path.join(OUT, 'openwatch', 'openwatch.ts'), 'utf8');
    expect(ts).toMatch(/if \(!py\.truthy\(BPF\.tracepoint_exists\('syscalls', 'sys_enter_openat'\)\)\)/);
  }, 30_000);

  /**
   * A BCC tool of `c` (its BPF text) and `py` (what follows BPF()), which prints "exec PID ..." per perf
   * event: converted (with `convertEnv` set meanwhile), built, and run while /bin/true runs; its C, the
   * pid of /bin/true and what it printed
   */
  async function execTool(name: string, c: string[], py: string[], print: string, convertEnv: Record<string, string> = {}): Promise<{ c: string; pid: number; out: Run }> {
    const dir = path.join(OUT, name);
    const src = path.join(OUT, `${name}-src`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, `${name}.py`), [
      'from bcc import BPF', 'b = BPF(text="""', ...c, '""")', ...py,
      'def show(cpu, data, size):', '    e = b["events"].event(data)', `    print(${print})`,
      'b["events"].open_perf_buffer(show)', 'while 1:', '    try:', '        b.perf_buffer_poll()', '    except KeyboardInterrupt:', '        exit()',
    ].join('\n'));
    const saved = Object.fromEntries(Object.keys(convertEnv).map((k) => [k, process.env[k]]));
    Object.assign(process.env, convertEnv);
    try {
      const r = await convert(path.join(src, `${name}.py`), dir);
      expect(r.report.filter((x) => !x.converted)).toEqual([]);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
    const b = lcc(['build', `${name}.bpf.c`], dir);
    expect(b.status, b.stderr).toBe(0);
    let pid = 0;
    const out = await run(name, [], () => {
      pid = spawnSync('/bin/true').pid ?? 0;
    }, { until: () => new RegExp(`^exec ${pid}\\b`, 'm') });
    expect(out.code, out.err).toBe(0);
    return { c: fs.readFileSync(path.join(dir, `${name}.bpf.c`), 'utf8'), pid, out };
  }

  it("a TRACEPOINT_PROBE converted where the tracepoint's format is missing (urandomread's random:urandom_read) reads args->f by CO-RE: on a kernel with the tracepoint, its fields' values", async () => {
    // a tracefs with no events: the converter sees no format for sched_process_exec, as on a kernel without it
    const { c, pid, out } = await execTool('tpcore', [
      'struct rec_t { u32 pid; int old_pid; };',
      'BPF_PERF_OUTPUT(events);',
      'TRACEPOINT_PROBE(sched, sched_process_exec) {',
      '    struct rec_t r = {};',
      '    r.pid = args->pid;',
      '    r.old_pid = args->old_pid;',
      '    events.perf_submit(args, &r, sizeof(r));',
      '    return 0;',
      '}',
    ], [], '"exec %d %d" % (e.pid, e.old_pid)', { LCC_TRACEFS: fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-no-tracefs-')) });
    expect(c).toContain('BPF_CORE_READ_BITFIELD_PROBED(args, pid)');
    expect(out.out).toMatch(new RegExp(`^exec ${pid} ${pid}$`, 'm'));
  }, 60_000);

  it("a function attach_tracepoint() attaches that takes the tool's own record (urandomread-explicit's struct urandom_read_args) reads the record as the tool lays it out", async () => {
    const { c, pid, out } = await execTool('tpown', [
      'struct exec_args {',
      '    u64 __unused__;',
      '    u32 filename_loc;',
      '    int pid;',
      '    int old_pid;',
      '};',
      'struct rec_t { u32 pid; };',
      'BPF_PERF_OUTPUT(events);',
      'int on_exec(struct exec_args *args) {',
      '    struct rec_t r = {};',
      '    r.pid = args->pid;',
      '    events.perf_submit(args, &r, sizeof(r));',
      '    return 0;',
      '}',
    ], ['b.attach_tracepoint(tp="sched:sched_process_exec", fn_name="on_exec")'], '"exec %d" % e.pid');
    expect(c).toContain('SEC("tracepoint/sched/sched_process_exec") int on_exec(struct exec_args *args)');
    expect(out.out).toMatch(new RegExp(`^exec ${pid}$`, 'm'));
  }, 60_000);

  it("C a function of the tool repeats per element of a list (tcpsubnet's generate_bpf_subnets) is the template once, in a loop over lists set before load: each element's values, in order", async () => {
    const dir = path.join(OUT, 'perparent');
    const src = path.join(OUT, 'perparent-src');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'perparent.py'), [
      'from bcc import BPF',
      'from time import sleep',
      'import argparse',
      'parser = argparse.ArgumentParser()',
      'parser.add_argument("ppids")',
      'args = parser.parse_args()',
      'text = """',
      'struct key_t { u32 index; };',
      'BPF_HASH(counts, struct key_t, u64);',
      'TRACEPOINT_PROBE(sched, sched_process_exec) {',
      '    struct task_struct *t = (struct task_struct *)bpf_get_current_task();',
      '    u32 ppid = t->real_parent->tgid;',
      '    int done = 0;',
      '    __PARENTS__',
      '    return 0;',
      '}',
      '"""',
      'def parents_c(ppids):',
      '    template = """',
      '    if (!done && ppid == __PPID__) {',
      '        struct key_t key = {.index = __POS__};',
      '        counts.increment(key);',
      '        done = 1;',
      '    }',
      '    """',
      "    out = ''",
      '    for i, p in enumerate(ppids):',
      '        branch = template',
      '        branch = branch.replace("__PPID__", str(p))',
      '        branch = branch.replace("__POS__", str(i + 10))',
      '        out += branch',
      '    return out',
      'ppids = [int(x) for x in args.ppids.split(",")]',
      'text = text.replace("__PARENTS__", parents_c(ppids))',
      'b = BPF(text=text)',
      'try:',
      '    sleep(99999)',
      'except KeyboardInterrupt:',
      '    pass',
      'for k, v in sorted(b["counts"].items(), key=lambda kv: kv[0].index):',
      '    print("%d %d" % (k.index, v.value))',
    ].join('\n'));
    const r = await convert(path.join(src, 'perparent.py'), dir);
    expect(r.report.filter((x) => !x.converted)).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'perparent.bpf.c'), 'utf8')).toMatch(/for \(int __lcc_e = 0; __lcc_e < \(lcc_ppid_n < 16 \? lcc_ppid_n : 16\); __lcc_e\+\+\)/);
    const b = lcc(['build', 'perparent.bpf.c'], dir);
    expect(b.status, b.stderr).toBe(0);
    // this process third in the list: its three children's execs counted under index 12, none elsewhere
    const out = await run('perparent', [`1,2,${process.pid}`], () => {
      for (let i = 0; i < 3; i++) spawnSync('/bin/true');
    });
    expect(out.code, out.err).toBe(0);
    expect(out.out).toMatch(/^12 3$/m);
    expect(out.out).not.toMatch(/^1[01] /m);
  }, 60_000);
});
