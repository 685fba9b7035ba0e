// What lcc says when the kernel refuses, checked against the kernel: lcc
// check and lcc build --check (every program through the verifier, nothing
// attached), the runtime's verifier error (the reason line, its source line,
// the whole log in a real file), lcc doctor's build side and exit status, a
// missing privilege said once, and lcc build --watch.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runKernelTests } from './helpers/kernel.js';
import { watch } from './helpers/ready.js';
import { BpfObject, VerifierError } from '../lbc/src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const LCC = ['--import', TSX, path.join(here, 'helpers', 'lcc.ts')];
const env = { ...process.env, LCC_CACHE_DIR: path.join(ROOT, 'test', '.out', 'build-cache') };
const lcc = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [...LCC, ...args], { encoding: 'utf8', cwd, env });

// the same user without a capability: a checkout in a private (0700) directory stays readable
const NO_CAPS = ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all'];

function workdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-check-'));
  fs.copyFileSync(path.join(here, 'fixtures', 'check', 'refused.bpf.c'), path.join(dir, 'refused.bpf.c'));
  return dir;
}

describe.runIf(runKernelTests)('refusals, said so a person can act', () => {
  it('lcc check: each program on its own, the refusal\'s reason, source line and whole log; exit 1', () => {
    const dir = workdir();
    expect(lcc(dir, 'build', 'refused.bpf.c', '--no-gen').status).toBe(0);
    const r = lcc(dir, 'check', 'refused.bpf.o');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^refused\.bpf\.o good \(tracepoint\/syscalls\/sys_enter_getpid\): ok, \d+ insns processed$/m);
    expect(r.stdout).toMatch(/^refused\.bpf\.o bad \(tracepoint\/syscalls\/sys_enter_getppid\): REFUSED: R0 invalid mem access 'scalar'\n  at refused\.bpf\.c:13: return \*\(int \*\)x;\n  the whole verifier log: (\S+)$/m);
    const log = /the whole verifier log: (\S+)/.exec(r.stdout)![1]!;
    expect(fs.readFileSync(log, 'utf8')).toMatch(/R0 invalid mem access 'scalar'[\s\S]*processed \d+ insns/);
    expect(r.stdout).toMatch(/^1 of 2 programs refused$/m);
    const json = JSON.parse(lcc(dir, 'check', 'refused.bpf.o', '--json').stdout) as { program: string; ok: boolean }[];
    expect(json.map((p) => [p.program, p.ok])).toEqual([['good', true], ['bad', false]]);
  });

  it('lcc build --check fails the build\'s exit status on a refusal, and passes a good object', () => {
    const dir = workdir();
    const r = lcc(dir, 'build', 'refused.bpf.c', '--check');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/REFUSED: R0 invalid mem access/);
    fs.writeFileSync(path.join(dir, 'refused.bpf.c'), fs.readFileSync(path.join(dir, 'refused.bpf.c'), 'utf8').replace('return *(int *)x;', 'return x > 0;'));
    const ok = lcc(dir, 'build', 'refused.bpf.c', '--check');
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/all 2 programs pass the verifier/);
  });

  it('the runtime\'s verifier error: the reason (not "processed N insns"), the source line, the log in a real file; no "permission denied"', () => {
    const dir = workdir();
    expect(lcc(dir, 'build', 'refused.bpf.c', '--no-gen').status).toBe(0);
    const obj = BpfObject.open(path.join(dir, 'refused.bpf.o'));
    let err: unknown;
    try {
      obj.load();
    } catch (e) {
      err = e;
    } finally {
      obj.destroy();
    }
    expect(err).toBeInstanceOf(VerifierError);
    const v = err as VerifierError;
    expect(v.message.split('\n')[0]).toBe("object refused: the verifier rejected program bad: R0 invalid mem access 'scalar'");
    expect(v.message).toMatch(/\n {2}at refused\.bpf\.c:13: return \*\(int \*\)x;\n {2}the whole verifier log \(\d+ lines\): \S+lcc-verifier-refused-bad-\d+\.log$/);
    expect(v.message).not.toMatch(/permission denied|EACCES/i);
    expect(fs.readFileSync(v.logFile!, 'utf8')).toBe(v.log);
  });

  it('lcc doctor: the build side too; exit 0 when everything required is there', () => {
    const r = lcc(ROOT, 'doctor');
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^build clang\s+ok\s+.*clang version/m);
    expect(r.stdout).toMatch(/^build libbpf headers\s+ok\s+\S+\/bpf\/bpf_helpers\.h/m);
    // fentry's EPERM as root is the kernel lacking trampolines, not a missing privilege
    expect(r.stdout).not.toMatch(/not root/);
  });

  it('lcc doctor without privileges: said once, first; no probe run; exit 1', () => {
    const r = spawnSync('setpriv', [...NO_CAPS, process.execPath, path.join(ROOT, 'bin', 'lcc.js'), 'doctor'], { encoding: 'utf8', cwd: os.tmpdir(), env });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout.split('\n')[1]).toMatch(/^run privileges\s+MISSING\s+uid \d+ has neither CAP_SYS_ADMIN nor CAP_BPF\+CAP_PERFMON: .*sudo lcc doctor/);
    expect(r.stdout).not.toMatch(/RLIMIT_MEMLOCK|^prog /m);
    expect((r.stdout.match(/privilege/g) ?? []).length).toBe(2); // the row, and the probes' "need the privileges above"
  });

  it('an app without the privilege: the one cause, said once, not libbpf\'s RLIMIT_MEMLOCK story', () => {
    const dir = workdir();
    expect(lcc(dir, 'build', 'refused.bpf.c', '--no-gen').status).toBe(0);
    const r = spawnSync('setpriv', [...NO_CAPS, process.execPath, '--import', TSX, path.join(here, 'helpers', 'load-object.ts'), path.join(dir, 'refused.bpf.o')], { encoding: 'utf8', cwd: os.tmpdir(), env });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toBe('object refused: this process may not load eBPF programs (it has neither CAP_SYS_ADMIN nor CAP_BPF+CAP_PERFMON)\n  hint: run it as root (sudo), or give it CAP_BPF and CAP_PERFMON\n');
    // lcc check says it once too, not once per program
    const check = spawnSync('setpriv', [...NO_CAPS, process.execPath, '--import', TSX, path.join(here, 'helpers', 'lcc.ts'), 'check', path.join(dir, 'refused.bpf.o')], { encoding: 'utf8', cwd: os.tmpdir(), env });
    expect(check.status).toBe(1);
    expect(check.stdout).toBe('');
    expect(check.stderr).toBe('lcc: check: this process may not load eBPF programs (it has neither CAP_SYS_ADMIN nor CAP_BPF+CAP_PERFMON)\n  hint: run it as root (sudo), or give it CAP_BPF and CAP_PERFMON\n');
  });

  it('lcc build --watch builds again when the source changes, and stops on Ctrl-C', async () => {
    const dir = workdir();
    fs.writeFileSync(path.join(dir, 'refused.bpf.c'), fs.readFileSync(path.join(dir, 'refused.bpf.c'), 'utf8').replace('return *(int *)x;', 'return x > 0;'));
    const child = spawn(process.execPath, [...LCC, 'build', 'refused.bpf.c', '--watch'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const w = watch(child);
    try {
      await w.until('watching', { stream: 'stderr' });
      expect(w.stdout).toMatch(/^refused\.bpf\.o$/m);
      const first = fs.statSync(path.join(dir, 'refused.bpf.o')).mtimeMs;
      // an error is reported and the watch goes on
      fs.writeFileSync(path.join(dir, 'refused.bpf.c'), fs.readFileSync(path.join(dir, 'refused.bpf.c'), 'utf8').replace('return x > 0;', 'return x > 0'));
      await w.until(/refused\.bpf\.c:\d+:\d+: error: expected ';'/, { stream: 'stderr' });
      fs.writeFileSync(path.join(dir, 'refused.bpf.c'), fs.readFileSync(path.join(dir, 'refused.bpf.c'), 'utf8').replace('return x > 0', 'return x > 1;'));
      await w.until(() => fs.statSync(path.join(dir, 'refused.bpf.o')).mtimeMs > first && w.stdout.split('refused.bpf.o\n').length > 2);
    } finally {
      child.kill('SIGINT');
    }
    expect(await w.closed).toBe(0);
  });
});
