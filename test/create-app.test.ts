// create-lcc-app run as a user runs it (the built bin, a process): every
// template from flags, goldens of what it writes, --help, and refusals of bad
// input with one line and exit 2, leaving nothing behind. The scaffold's
// install → build → run is in create-app-e2e.kernel.test.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { parseHook } from '../generators/create-lcc-app/src/templates.js';
import { checkHook, nearest, type KernelHooks } from '../generators/create-lcc-app/src/hooks.js';
import { program } from '../generators/create-lcc-app/src/cli.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = path.resolve(here, '..', 'generators', 'create-lcc-app', 'bin.js');
const GOLDEN = path.join(here, 'fixtures', 'create-app');
const UPDATE = !!process.env.UPDATE_GOLDEN;

function files(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

function golden(variant: string, dir: string): void {
  const want = path.join(GOLDEN, variant);
  if (UPDATE || !fs.existsSync(want)) {
    fs.rmSync(want, { recursive: true, force: true });
    for (const f of files(dir)) {
      fs.mkdirSync(path.dirname(path.join(want, f)), { recursive: true });
      fs.copyFileSync(path.join(dir, f), path.join(want, f));
    }
  }
  expect(files(dir)).toEqual(files(want));
  for (const f of files(want)) {
    expect(fs.readFileSync(path.join(dir, f), 'utf8'), `${variant}/${f} differs: rerun with UPDATE_GOLDEN=1 if intended`).toBe(fs.readFileSync(path.join(want, f), 'utf8'));
  }
}

function run(args: string[], cwd: string): { code: number | null; out: string; err: string } {
  // stdin not a terminal: questions cannot be asked
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// fixed dependency specs keep the goldens independent of where the checkout lives
const DEPS = ['--lbc', 'file:../lbc', '--lcc', 'file:../lcc'];

const VARIANTS: [string, string[]][] = [
  ['events-ringbuf', ['--template', 'events', '--yes']],
  ['events-perf', ['--template', 'events', '--event', 'perf', '--hook', 'sched:sched_process_fork', '--yes']],
  ['hist', ['--template', 'hist', '--yes']],
  ['counter', ['--template', 'counter', '--hook', 'tp_btf/sched_switch', '--description', 'context switches per process', '--yes']],
];

describe('create-lcc-app', () => {
  for (const [variant, flags] of VARIANTS) {
    it(`scaffolds ${variant} from flags alone`, () => {
      const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-create-'));
      const r = run(['mytool', ...flags, ...DEPS], cwd);
      expect(r.code, r.err).toBe(0);
      // the path as given, no colours into a pipe, no framework's words
      expect(r.out).toContain('cd mytool\n');
      expect(r.out + r.err).not.toMatch(/\x1b\[|yeoman|occured/);
      golden(variant, path.join(cwd, 'mytool'));
    });
  }

  it('echoes an absolute path as given, and answers --help after a name instead of asking', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-create-'));
    const abs = path.join(cwd, 'deep', 'abstool');
    const r = run([abs, '--yes', ...DEPS], os.tmpdir());
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`cd ${abs}\n`);
    const help = run(['x', '--help'], cwd);
    expect(help).toMatchObject({ code: 0, out: expect.stringMatching(/^Usage: create-lcc-app/) });
    expect(fs.existsSync(path.join(cwd, 'x'))).toBe(false);
  });

  it('on a terminal, asks what no flag answered: arrows and Enter choose, Enter takes a default, Ctrl-C writes nothing', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-create-'));
    const PTY = path.join(here, 'helpers', 'pty-answer.py');
    const ask = (answers: [string, string][], ...args: string[]): string =>
      spawnSync('python3', [PTY, JSON.stringify(answers), process.execPath, BIN, ...args], { cwd, encoding: 'utf8' }).stdout;
    const DOWN = '\u001b[B';
    const out = ask([['Project name', 'asked\r'], ['What should the tool do?', `${DOWN}\r`], ['Start timing at', '\r'], ['Stop timing at', '\r'], ['Description', 'my latency\r']], ...DEPS);
    expect(out, out).toMatch(/asked is ready \(hist, raw_syscalls\/sys_enter\)[\s\S]*\nexit 0\n$/);
    const pkg = JSON.parse(fs.readFileSync(path.join(cwd, 'asked', 'package.json'), 'utf8')) as { description: string };
    expect(pkg.description).toBe('my latency');
    expect(fs.readFileSync(path.join(cwd, 'asked', 'src', 'asked.bpf.c'), 'utf8')).toContain('SEC("tracepoint/raw_syscalls/sys_exit")');
    // Ctrl-C at a question: nothing written
    const cancelled = ask([['What should the tool do?', '\u0003']], 'never', ...DEPS);
    expect(cancelled).toMatch(/cancelled: nothing was written[\s\S]*\nexit 1\n$/);
    expect(fs.existsSync(path.join(cwd, 'never'))).toBe(false);
  });

  it('--help lists every option the parser takes, and exits 0', () => {
    const r = run(['--help'], os.tmpdir());
    expect(r.code).toBe(0);
    const cmd = program(async () => {});
    for (const o of cmd.options) expect(r.out).toContain(o.long!);
    expect(r.out).toMatch(/Templates:\n\s+events/);
    // the version it says is its package's (a bump of one without the other fails here)
    const version = (JSON.parse(fs.readFileSync(path.join(path.dirname(BIN), 'package.json'), 'utf8')) as { version: string }).version;
    expect(run(['--version'], os.tmpdir())).toMatchObject({ code: 0, out: `${version}\n` });
  });

  it('refuses bad input with one line and exit 2, writing nothing', () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-create-'));
    const cases: [string[], RegExp][] = [
      [['My Tool', '--yes'], /cannot name a tool: use lower-case letters/],
      [['t', '--yes', '--template', 'nope'], /argument 'nope' is invalid. Allowed choices are events, hist, counter/],
      [['t', '--yes', '--hook', 'not a hook'], /hook "not a hook" is not a hook lcc can attach/],
      [['t', '--yes', '--event', 'pipe'], /Allowed choices are ringbuf, perf/],
      [['t', '--bogus'], /unknown option '--bogus'/],
      [['--yes'], /which project\?/],
      // no terminal and no flag: say which flag
      [['t'], /--template is needed and there is no terminal to ask on: use --yes \(defaults\) or --template/],
    ];
    for (const [args, message] of cases) {
      const r = run(args, cwd);
      expect(r.err, args.join(' ')).toMatch(message);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.err.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(fs.readdirSync(cwd)).toEqual([]);
    fs.mkdirSync(path.join(cwd, 't'));
    fs.writeFileSync(path.join(cwd, 't', 'keep'), 'x');
    expect(run(['t', '--yes'], cwd)).toMatchObject({ code: 1, err: expect.stringMatching(/t exists and is not an empty directory/) });
  });

  it('reads hooks the way users write them', () => {
    const table: [string, string][] = [
      ['sched/sched_switch', 'tracepoint/sched/sched_switch'],
      ['sched:sched_switch', 'tracepoint/sched/sched_switch'],
      ['tracepoint/net/net_dev_queue', 'tracepoint/net/net_dev_queue'],
      ['tp_btf/sched_wakeup', 'tp_btf/sched_wakeup'],
      ['raw_tp/sys_enter', 'raw_tp/sys_enter'],
      ['kprobe/tcp_sendmsg', 'kprobe/tcp_sendmsg'],
    ];
    for (const [text, section] of table) expect(parseHook(text).section).toBe(section);
  });

  it('checks hooks against the kernel: did you mean, and kprobes where they cannot attach', () => {
    const k: KernelHooks = { events: ['sched:sched_process_exec', 'sched:sched_process_exit', 'sched:sched_switch', 'syscalls:sys_enter_openat', 'syscalls:sys_exit_openat'], kprobes: false };
    expect(() => checkHook(parseHook('sched/sched_process_exce'), k)).toThrow(/no tracepoint sched:sched_process_exce; did you mean sched:sched_process_exec/);
    expect(() => checkHook(parseHook('tp_btf/sched_swich'), k)).toThrow(/did you mean tp_btf\/sched_switch/);
    expect(() => checkHook(parseHook('kprobe/do_sys_openat2'), k)).toThrow(/cannot attach kprobes .*use a tracepoint instead, e\.g\. syscalls:sys_enter_openat/);
    expect(() => checkHook(parseHook('sched/sched_switch'), k)).not.toThrow();
    expect(() => checkHook(parseHook('kprobe/do_sys_openat2'), { ...k, kprobes: true })).not.toThrow();
    expect(nearest('abc', ['xyz'])).toEqual([]);
  });
});
