// lcc convert over BCC tools: per tool and in total, how many convert with
// nothing left for a person, compile (clang + skeleton), load (the verifier
// passes) and run (attach, say so, see this script's activity, and stop
// cleanly on Ctrl-C; the lines they printed are shown).
//   node dist/bench/convert.js [DIR]   (as root; npm run convert-report)
// Without DIR: Debian's bpfcc-tools (/usr/sbin/*-bpfcc) and their examples,
// copied to a temporary directory as NAME.py (with the examples' C files);
// where they are not installed, test/fixtures/convert.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { BpfObject } from '../lbc/src/index.js';
import { convert, ConvertError } from '../src/convert/index.js';
import { ROOT } from '../src/paths.js';

/** Debian's BCC tools and examples as .py files in one directory, or null where BCC is not installed */
function debianCorpus(): string | null {
  const tools = fs.existsSync('/usr/sbin') ? fs.readdirSync('/usr/sbin').filter((f) => f.endsWith('-bpfcc')) : [];
  if (!tools.length) return null;
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-bcc-corpus-'));
  for (const t of tools) {
    const text = fs.readFileSync(path.join('/usr/sbin', t), 'utf8');
    if (/^#!.*python/.test(text)) fs.writeFileSync(path.join(dest, `${t.replace(/-bpfcc$/, '')}.py`), text);
  }
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  const examples = '/usr/share/doc/bpfcc-tools/examples';
  for (const f of fs.existsSync(examples) ? walk(examples) : []) {
    const name = path.basename(f).replace(/\.gz$/, '');
    if (!/\.(py|c|h)$/.test(name) || fs.existsSync(path.join(dest, name))) continue;
    const body = f.endsWith('.gz') ? zlib.gunzipSync(fs.readFileSync(f)) : fs.readFileSync(f);
    fs.writeFileSync(path.join(dest, name), body);
  }
  return dest;
}
const corpus = process.argv[2] ? null : debianCorpus();
const dir = path.resolve(process.argv[2] ?? corpus ?? path.join(ROOT, 'test', 'fixtures', 'convert'));
// inside the package, so the converted code's `@lcc-ebpf/lbc` import resolves
// bench/out is ignored by git: a fresh clone has none
fs.mkdirSync(path.join(ROOT, 'bench', 'out'), { recursive: true });
const out = fs.mkdtempSync(path.join(ROOT, 'bench', 'out', 'convert-'));
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

interface Row { tool: string; refused: boolean; converted: boolean; left: number; compiles: boolean; typechecks: boolean; loads: boolean; runs: boolean; needsKprobes: boolean; note: string; ts?: string; fentryRefused?: boolean }

/**
 * Run a converted tool: once it says it is attached, some of everything tools
 * trace (execs, opens, syscalls), then Ctrl-C; a tool that never says so in
 * `seconds` is stopped and counts as not running.
 */
function runFor(cwd: string, name: string, seconds: number, args: string[] = []): Promise<{ code: number | null; lines: number; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, `${name}.ts`, ...args], { cwd });
    let stdout = '';
    let err = '';
    let attached = false;
    const deadline = setTimeout(() => child.kill('SIGKILL'), seconds * 1000);
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => {
      err += d;
      if (attached || !err.includes(`${name}: attached`)) return;
      attached = true;
      for (let i = 0; i < 5; i++) spawnSync('/bin/cat', ['/etc/hostname']);
      child.kill('SIGINT');
    });
    child.on('close', (code) => {
      clearTimeout(deadline);
      // a tool that stops before it attaches may say why on stdout (btrfsdist: "no btrfs_file_operations in /proc/kallsyms")
      const why = err.split('\n').find((l) => l && !l.includes(': attached')) ?? (attached ? '' : stdout.split('\n').find(Boolean) ?? '');
      resolve({ code: attached ? code : null, lines: stdout.trim().split('\n').filter(Boolean).length, err: why });
    });
  });
}

/** A veth pair of the report's own, for the tools that take a network device */
const DEV = ['lccrpt0', 'lccrpt1'] as const;
/** A cgroup of the report's own on the cgroup2 hierarchy (sockmap attaches to one), mounted where none is */
const CGROUP = ((): { root: string; dir: string; mounted: boolean } => {
  const root = fs.readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')).find((f) => f[2] === 'cgroup2')?.[1];
  const at = root ?? path.join(os.tmpdir(), `lcc-report-cgroup2-${process.pid}`);
  return { root: at, dir: path.join(at, `lcc-report-${process.pid}`), mounted: !root };
})();

/**
 * What the tools that require an argument are given, as a user of this
 * machine would run them: a device (the report's veths, its disk), a process
 * (this one), a function (libc's malloc), a cgroup. Tools without an entry run bare.
 */
const ARGS: Record<string, string[]> = {
  netqtop: ['-n', DEV[0], '-i', '1'],
  deadlock: [String(process.pid)],
  stacksnoop: ['vfs_read'],
  xdp_drop_count: ['-S', DEV[0]],
  xdp_macswap_count: ['-S', DEV[0]],
  xdp_redirect_cpu: [DEV[0], '0'],
  xdp_redirect_map: [DEV[0], DEV[1]],
  biolatpcts: [fs.readdirSync('/sys/block').find((d) => !/^(loop|ram|zram|dm-)/.test(d)) ?? 'vda'],
  mallocstacks: [String(process.pid)],
  strlen_snoop: [String(process.pid)],
  funcinterval: ['c:malloc'],
  funclatency: ['c:malloc'],
  funcslower: ['c:malloc'],
  net_monitor: [DEV[0]],
  dirtop: ['-d', `${path.join(ROOT, 'lbc')}/*`],
  sockmap: ['-c', CGROUP.dir],
  // the VM's console (no terminal is open here); -C: no `clear`
  ttysnoop: ['-C', '/dev/tty0'],
};

/**
 * BCC's networking demos that set up the machine's own eth0 (an ingress qdisc and filters, vxlan over it):
 * built and loaded, not run, so that the report changes nothing but its own veths and cgroup
 */
const HOST_NETWORK = ['monitor', 'tunnel', 'tunnel_mesh'];

async function main(): Promise<void> {
  spawnSync('ip', ['link', 'del', DEV[0]]);
  const veth = spawnSync('ip', ['link', 'add', DEV[0], 'type', 'veth', 'peer', 'name', DEV[1]], { encoding: 'utf8' });
  if (veth.status !== 0) throw new Error(`cannot make the report's veth pair: ${veth.stderr}`);
  for (const d of DEV) spawnSync('ip', ['link', 'set', d, 'up']);
  if (CGROUP.mounted) {
    fs.mkdirSync(CGROUP.root, { recursive: true });
    spawnSync('mount', ['-t', 'cgroup2', 'none', CGROUP.root]);
  }
  fs.mkdirSync(CGROUP.dir, { recursive: true });
  try {
    await report();
  } finally {
    spawnSync('ip', ['link', 'del', DEV[0]]);
    fs.rmdirSync(CGROUP.dir);
    if (CGROUP.mounted) spawnSync('umount', [CGROUP.root]);
  }
}

async function report(): Promise<void> {
  const tools = fs.readdirSync(dir).filter((f) => f.endsWith('.py')).sort();
  const rows: Row[] = [];
  for (const f of tools) {
    const name = f.replace(/\.py$/, '');
    const row: Row = { tool: f, refused: false, converted: false, left: 0, compiles: false, typechecks: false, loads: false, runs: false, needsKprobes: false, note: '' };
    rows.push(row);
    const dest = path.join(out, name);
    let r;
    try {
      r = await convert(path.join(dir, f), dest);
    } catch (e) {
      if (!(e instanceof ConvertError)) throw e;
      row.refused = true;
      row.note = e.message.split('\n')[0]!.replace(/^.*?error: /, '');
      continue;
    }
    row.left = r.unconverted;
    row.converted = r.unconverted === 0;
    row.ts = path.join(dest, `${r.name}.ts`);
    if (r.tool.pythonOnly) {
      // no BPF program (bpflist, tplist): nothing to build or load; it runs to its end by itself
      row.compiles = row.loads = true;
      const ran = spawnSync(process.execPath, ['--import', TSX, `${r.name}.ts`], { cwd: dest, encoding: 'utf8', timeout: 60_000 });
      row.runs = ran.status === 0;
      row.note = row.runs ? `${ran.stdout.trim().split('\n').filter(Boolean).length} lines of output (no BPF program)` : (ran.stderr.split('\n')[0] ?? `exit ${ran.status}`);
      continue;
    }
    const b = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'lcc.js'), 'build', `${r.name}.bpf.c`], { cwd: dest, encoding: 'utf8' });
    row.compiles = b.status === 0;
    if (!row.compiles) {
      row.note = (b.stderr.split('\n').find((l) => /error/.test(l)) ?? '').slice(0, 100);
      continue;
    }
    try {
      const obj = BpfObject.open(path.join(dest, `${r.name}.bpf.o`));
      try {
        obj.load();
        row.loads = true;
      } finally {
        obj.destroy();
      }
    } catch (e) {
      row.note = (e as Error).message.split('\n')[0]!.slice(0, 100);
      // the whole object does not load where the kernel refuses fentry/fexit, but a tool that chooses its
      // programs at run time (tcpcong's tracepoint where the kernel has one) may not load those: run it
      if (!/does not support fentry\/fexit/.test((e as Error).message)) continue;
      row.fentryRefused = true;
    }
    if (HOST_NETWORK.includes(name)) {
      row.note = "not run: it reconfigures the host's eth0 (tc qdiscs and filters, vxlan links on it), which the report leaves alone";
      continue;
    }
    const ran = await runFor(dest, r.name, 60, ARGS[name] ?? []);
    // runs: attached, ran and stopped cleanly; how much it printed depends on whether its events happened
    // a tool that lets Ctrl-C's KeyboardInterrupt end it exits 130 under Python too
    row.runs = ran.code === 0 || (ran.code === 130 && /^KeyboardInterrupt/.test(ran.err));
    row.needsKprobes = /does not support kprobes|fentry|EPERM.*tracing|kfunc/.test(ran.err);
    row.note = `${ARGS[name] ? `(${ARGS[name]!.join(' ')}) ` : ''}${row.runs ? `${ran.lines} lines of output` : ran.err || `exit ${ran.code}`}`;
  }
  // the converted programs, type-checked together as the tests type-check theirs (tsx runs a tool without)
  const checked = rows.filter((r) => r.ts && r.compiles);
  const tsconfig = path.join(out, 'tsconfig.json');
  fs.writeFileSync(tsconfig, JSON.stringify({ extends: path.join(ROOT, 'tsconfig.json'), compilerOptions: { noEmit: true, rootDir: ROOT, noUnusedLocals: false }, exclude: [], include: checked.map((r) => r.ts) }));
  const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { encoding: 'utf8', maxBuffer: 64 << 20 });
  for (const r of checked) {
    const err = tsc.stdout.split('\n').find((l) => l.startsWith(path.relative(process.cwd(), r.ts!)) || l.startsWith(r.ts!));
    r.typechecks = !err;
    if (err) r.note = `TS: ${err.replace(/^.*?: error /, '').slice(0, 120)}; ${r.note}`;
  }
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  console.log(`lcc convert on ${path.relative(process.cwd(), dir) || dir} (${os.hostname()}, kernel ${os.release()})`);
  console.table(rows.map((r) => ({ tool: r.tool, converted: r.refused ? 'refused' : r.converted ? 'yes' : `${r.left} left`, compiles: yes(r.compiles), 'type-checks': yes(r.typechecks), loads: yes(r.loads), runs: yes(r.runs), note: r.note })));
  const n = rows.length;
  const count = (k: keyof Row): number => rows.filter((r) => r[k] === true).length;
  console.log(`total: ${n} tools; converted ${count('converted')}/${n}, compiles ${count('compiles')}/${n}, type-checks ${count('typechecks')}/${n}, loads ${count('loads')}/${n}, runs ${count('runs')}/${n}`);
  const untyped = rows.filter((r) => r.converted && r.compiles && !r.typechecks).map((r) => r.tool);
  console.log(`converted and compiled, but not type-checking: ${untyped.length ? untyped.join(', ') : 'none'}`);
  const loaded = rows.filter((r) => r.loads);
  const kp = loaded.filter((r) => r.needsKprobes).length;
  console.log(`of the ${loaded.length} that load: ${kp} stop at a kprobe or fentry attach this kernel lacks; of the other ${loaded.length - kp}, ${loaded.filter((r) => !r.needsKprobes && r.runs).length} run`);
  const fentry = rows.filter((r) => r.fentryRefused);
  console.log(`of the ${fentry.length} whose fentry/fexit programs this kernel refuses at load, ${fentry.filter((r) => r.runs).length} run on the programs they choose here: ${fentry.filter((r) => r.runs).map((r) => r.tool).join(', ') || 'none'}`);
  fs.rmSync(out, { recursive: true, force: true });
  if (corpus) fs.rmSync(corpus, { recursive: true, force: true });
}

await main();
