// lcc's command line as a user meets it: every command's --help comes from
// the definition the parser uses (so it lists every option the parser
// takes), help and --version exit 0, a usage error exits 2 with one line and
// where to look, and no user error prints a stack.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { program } from '../src/cli/main.js';
import { verifierReason } from '../lbc/src/errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const lcc = (...args: string[]) => spawnSync(process.execPath, ['--import', TSX, path.join(here, 'helpers', 'lcc.ts'), ...args], { encoding: 'utf8', cwd: os.tmpdir() });

/** Every command with its path of names: build, gen, ..., btf minimize. */
function commands(c: Command, prefix: string[] = []): [string[], Command][] {
  return c.commands.filter((s) => s.name() !== 'help').flatMap((s) => [[[...prefix, s.name()], s] as [string[], Command], ...commands(s, [...prefix, s.name()])]);
}

describe('lcc --help', () => {
  const all = commands(program(() => {}));

  it('knows every command', () => {
    expect(all.map(([n]) => n.join(' '))).toEqual(['build', 'gen', 'bundle', 'check', 'convert', 'serve', 'btf', 'btf minimize', 'doctor']);
  });

  for (const [names, cmd] of commands(program(() => {}))) {
    it(`lcc ${names.join(' ')} --help lists every option it takes, exit 0`, () => {
      const r = lcc(...names, '--help');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: lcc ${names.join(' ')} `));
      for (const o of cmd.options) expect(r.stdout, o.flags).toContain(o.flags);
      for (const a of cmd.registeredArguments) expect(r.stdout).toContain(a.name());
    });
  }

  it('lcc --help and lcc help CMD: exit 0; lcc --version: the package\'s', () => {
    expect(lcc('--help')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Usage: lcc \[options\] \[command\][\s\S]*bundle \[options\] \[entry\]/) });
    expect(lcc('help', 'gen')).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Usage: lcc gen \[options\] <file.bpf.c>/) });
    const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(lcc('--version')).toMatchObject({ status: 0, stdout: `${version}\n` });
  });
});

describe('lcc usage errors', () => {
  const cases: [string[], RegExp][] = [
    [['gen', 'x.bpf.c', '--bogus'], /^lcc gen: unknown option '--bogus' \(lcc gen --help lists its options\)\n$/],
    [['build'], /^lcc build: missing required argument 'file.bpf.c' \(lcc build --help lists its options\)\n$/],
    [['build', 'x.bpf.c', '--arch', 'mips'], /^lcc build: option '--arch <arch>' argument 'mips' is invalid\. Allowed choices are x86_64, arm64, x64, aarch64\. \(lcc build --help lists its options\)\n$/],
    [['build', 'x.bpf.c', '-o'], /^lcc build: option '-o, --out <file.bpf.o>' argument missing \(lcc build --help lists its options\)\n$/],
    [['btf', 'minimize', 'x.bpf.o'], /^lcc btf minimize: required option '--btf <vmlinux>' not specified \(lcc btf minimize --help lists its options\)\n$/],
    [['frobnicate'], /^lcc: unknown command 'frobnicate' \(lcc --help lists the commands\)\n$/],
    [['serve', '--listen'], /^lcc serve: option '-l, --listen <host:port>' argument missing \(lcc serve --help lists its options\)\n$/],
  ];
  for (const [args, message] of cases) {
    it(`lcc ${args.join(' ')}: exit 2, one line: what is wrong and where to look`, () => {
      const r = lcc(...args);
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(2);
    });
  }

  it('lcc alone: the help, on stderr, exit 2', () => {
    const r = lcc();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^Usage: lcc/);
  });

  it('a missing file is one line naming it, exit 1, no stack', () => {
    for (const args of [['gen', 'nope.bpf.c'], ['build', 'nope.bpf.c'], ['bundle', 'nope.ts'], ['check', 'nope.bpf.o'], ['convert', 'nope.py']]) {
      const r = lcc(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(/nope\.\w+/);
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
  });

  it('lcc bundle of an entry that does not use the runtime says so', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-bundle-'));
    fs.writeFileSync(path.join(dir, 'main.ts'), 'console.log(1);\n');
    const r = lcc('bundle', path.join(dir, 'main.ts'), '-o', path.join(dir, 'out'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/does not load the lbc runtime \(koffi\): nothing to bundle for a host/);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    fs.writeFileSync(path.join(dir, 'main.ts'), 'import { x } from "./nowhere.js";\nconsole.log(x);\n');
    const bad = lcc('bundle', path.join(dir, 'main.ts'), '-o', path.join(dir, 'out'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/main\.ts:1:\d+: Could not resolve "\.\/nowhere\.js"/);
    // a skeleton made with --reference whose object was never built: said, without lcc's own location
    fs.writeFileSync(path.join(dir, 'tool.skel.ts'), "export const source = new URL('./tool.bpf.o', import.meta.url).pathname;\n");
    fs.writeFileSync(path.join(dir, 'main.ts'), 'import { source } from "./tool.skel.js";\nconsole.log(source);\n');
    const unbuilt = lcc('bundle', path.join(dir, 'main.ts'), '-o', path.join(dir, 'out'));
    expect(unbuilt.status).toBe(1);
    expect(unbuilt.stderr).toBe(`lcc: bundle: ${path.join(dir, 'tool.skel.ts')}: its object ${path.join(dir, 'tool.bpf.o')} does not exist: run lcc build first\n`);
  });
});

describe('the verifier\'s reason', () => {
  it('is the line after the last instruction, with the source line it was at: not "processed N insns"', () => {
    const log = [
      'func#0 @0',
      '0: R1=ctx() R10=fp0',
      '; long x = bpf_ktime_get_ns(); @ bad.bpf.c:11',
      '0: (85) call bpf_ktime_get_ns#5      ; R0_w=scalar()',
      '; return *(int *)x; @ bad.bpf.c:12',
      '1: (61) r0 = *(u32 *)(r0 +0)',
      "R0 invalid mem access 'scalar'",
      'processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0',
    ].join('\n');
    expect(verifierReason(log)).toEqual({ reason: "R0 invalid mem access 'scalar'", source: 'bad.bpf.c:12: return *(int *)x;' });
  });

  it('finds a loop\'s refusal among the states printed around it', () => {
    const log = [
      '; for (;;) { @ loop.bpf.c:7',
      '3: (05) goto pc-1',
      'infinite loop detected at insn 3',
      'cur state: R1=ctx() R10=fp0',
      'processed 4 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0',
    ].join('\n');
    expect(verifierReason(log)).toEqual({ reason: 'infinite loop detected at insn 3', source: 'loop.bpf.c:7: for (;;) {' });
  });

  it('takes a BTF checker\'s message, which has no instructions', () => {
    expect(verifierReason('magic: 0xeb9f\nversion: 1\ninvalid func info rec size 8\n')).toMatchObject({ reason: 'invalid func info rec size 8' });
  });
});
