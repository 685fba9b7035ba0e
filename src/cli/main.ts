// The lcc command line. Every command is defined once (program()): commander
// parses with that definition and writes its --help. Help and --version exit
// 0; a usage error exits 2 with one line and where to look; expected
// failures (bad input, kernel refusals) print a message and exit 1; only a
// bug in lcc itself prints a stack.
import { Command, CommanderError, Option } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
// Subcommands load what they need when they run: `lcc gen` must not pay for
// koffi and libbpf, nor `lcc doctor` for tree-sitter.
import { LbcError } from '../../lbc/src/pure.js';
import { CompileError } from '../clang/diagnostics.js';
import { GenError } from '../gen/parse.js';
import { ROOT } from '../paths.js';

class CliError extends Error {}

interface GenValues { out?: string; object?: string; reference?: boolean; btf?: string; runtime?: string; define?: string[]; model?: boolean; format?: boolean }

async function gen(src: string, values: GenValues): Promise<void> {
  if (!fs.existsSync(src)) throw new CliError(`gen: ${src} does not exist`);
  const defines = Object.fromEntries((values.define ?? []).map((d) => {
    const i = d.indexOf('=');
    return i < 0 ? [d, '1'] : [d.slice(0, i), d.slice(i + 1)];
  }));
  const { generate, model: genModel } = await import('../gen/index.js');
  const { writeAtomic } = await import('../fsutil.js');
  if (values.model) {
    process.stdout.write(`${JSON.stringify(genModel(src, { btf: values.btf, defines }), null, 2)}\n`);
    return;
  }
  const r = await generate(src, {
    out: values.out, object: values.object, reference: values.reference, btf: values.btf,
    runtime: values.runtime, defines, format: values.format,
  });
  writeAtomic(r.out, r.code);
  // not process.stdout: creating that stream costs a cold `lcc gen` ~10 ms
  fs.writeSync(1, `${r.out}\n`);
}

interface BuildValues {
  out?: string; skel?: string; gen: boolean; reference?: boolean; btf?: string; arch?: string; remote?: string;
  define?: string[]; include?: string[]; force?: boolean; check?: boolean; watch?: boolean;
}

/** Build, say what was written; the object's path. */
async function build(src: string, values: BuildValues): Promise<string> {
  if (!fs.existsSync(src)) throw new CliError(`build: ${src} does not exist`);
  const { build: run } = await import('../build/build.js');
  const { formatDiagnostics } = await import('../clang/diagnostics.js');
  const r = await run(src, {
    out: values.out, skel: values.gen ? values.skel : null, reference: values.reference, btf: values.btf, arch: values.arch,
    remote: values.remote ?? (process.env.LCC_SERVER || undefined), defines: values.define, includeDirs: values.include, force: values.force,
  });
  process.stderr.write(formatDiagnostics(r.warnings));
  const how = r.upToDate ? ' (up to date)' : r.via === 'remote' ? ` (compile service: ${r.cache || 'compiled'})` : '';
  process.stdout.write(`${r.object}${how}\n${r.skel ? `${r.skel}${r.skelRemade ? ' (made again: lcc or its options changed)' : ''}\n` : ''}`);
  return r.object;
}

interface ServeValues {
  listen?: string; workers?: string; queue?: string; timeout?: string; maxRequest?: string; memory?: string; cache?: string;
  cacheSize?: string; maxObject?: string; btfX86_64?: string; btfArm64?: string; unsandboxed?: boolean;
}

async function serve(values: ServeValues): Promise<void> {
  const listen = values.listen ?? '127.0.0.1:7878';
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new CliError(`serve: --listen ${listen}: use HOST:PORT, e.g. 127.0.0.1:7878`);
  const num = (v: string | undefined, what: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new CliError(`serve: ${what} must be a positive number, got ${v}`);
    return n;
  };
  const mib = (v: string | undefined, what: string): number | undefined => {
    const n = num(v, what);
    return n === undefined ? undefined : n * 2 ** 20;
  };
  const { CompileService } = await import('../serve/server.js');
  let service;
  try {
    service = new CompileService({
      host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]), workers: num(values.workers, '--workers'), queue: num(values.queue, '--queue'),
      timeoutSeconds: num(values.timeout, '--timeout'), cache: values.cache, unsandboxed: values.unsandboxed,
      cacheBytes: mib(values.cacheSize, '--cache-size'), maxObjectBytes: mib(values.maxObject, '--max-object'),
      limits: { maxRequestBytes: num(values.maxRequest, '--max-request'), memory: (num(values.memory, '--memory') ?? 2048) * 2 ** 20 },
      btf: { x86_64: values.btfX86_64, arm64: values.btfArm64 },
      log: (l) => process.stderr.write(`${new Date().toISOString()} ${l}\n`),
    });
  } catch (e) {
    throw new CliError(`serve: ${(e as Error).message}`);
  }
  const a = await service.listen().catch((e: Error) => {
    throw new CliError(`serve: cannot listen on ${listen}: ${e.message}`);
  });
  process.stdout.write(`lcc serve: listening on http://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port} (POST /v1/compile, GET /healthz)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      void service.close().then(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function btfMinimize(positionals: string[], values: { btf: string; out: string }): Promise<void> {
  const { minimizeBtf, MinimizeError } = await import('../btf/minimize.js');
  let r;
  try {
    r = minimizeBtf(positionals, values.btf);
  } catch (e) {
    if (e instanceof MinimizeError || e instanceof LbcError) throw new CliError(`btf minimize: ${e.message}`);
    throw e;
  }
  // a relocation the target cannot answer would fail the load there: say so now
  for (const u of r.unmatched) process.stderr.write(`lcc: warning: ${u}\n`);
  const { writeAtomic } = await import('../fsutil.js');
  writeAtomic(values.out, r.bytes);
  process.stdout.write(`${values.out}: ${r.types} types, ${r.bytes.length} bytes for ${r.relocations} CO-RE relocations\n`);
}

async function convertTool(py: string, values: { out?: string }): Promise<number> {
  const { convert, ConvertError, lineRef } = await import('../convert/index.js');
  let r;
  try {
    r = await convert(py, values.out);
  } catch (e) {
    if (e instanceof ConvertError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const rel = path.relative(process.cwd(), r.dir) || '.';
  process.stdout.write(`${r.files.map((f) => path.relative(process.cwd(), f)).join('\n')}\n`);
  if (r.unconverted) {
    process.stderr.write(`lcc convert: ${r.unconverted} construct${r.unconverted > 1 ? 's' : ''} left for a person: see ${rel}/CONVERSION.md\n`);
    for (const u of r.report.filter((x) => !x.converted)) process.stderr.write(`  ${lineRef(r.tool, u.line)}: ${u.what}\n`);
    return CONVERT_PARTLY;
  }
  // the output is a package of its own: these work wherever it was written
  process.stderr.write(`next: cd ${rel} && npm install${r.tool.pythonOnly ? '' : ' && npm run build'} && sudo npm start -- --help\n`);
  return 0;
}

/** lcc convert's exit status when the tool was written with spots left for a person (1: nothing could be written). */
const CONVERT_PARTLY = 3;

async function runDoctor(values: { json?: boolean }): Promise<number> {
  const { doctor, formatDoctor, doctorFailed } = await import('./doctor.js');
  const r = await doctor();
  process.stdout.write(values.json ? `${JSON.stringify(r, null, 2)}\n` : formatDoctor(r));
  return doctorFailed(r) ? 1 : 0;
}

async function bundle(entry: string | undefined, values: { out: string; name?: string; platform?: string[]; executable?: boolean }): Promise<void> {
  const { bundleApp, BundleError, BUNDLE_PLATFORMS } = await import('../bundle/bundle.js');
  const from = entry ?? (fs.existsSync('src/main.ts') ? 'src/main.ts' : undefined);
  if (!from) throw new CliError('bundle: which entry? there is no src/main.ts here: lcc bundle path/to/main.ts');
  for (const p of values.platform ?? []) {
    if (!(BUNDLE_PLATFORMS as readonly string[]).includes(p)) throw new CliError(`bundle: --platform ${p}: use ${BUNDLE_PLATFORMS.join(' or ')}`);
  }
  try {
    const r = await bundleApp({ entry: from, outDir: values.out, name: values.name, platforms: values.platform as never, executable: values.executable });
    const rel = path.relative(process.cwd(), r.file) || r.file;
    process.stdout.write(`${rel} (${(r.bytes / 1024).toFixed(0)} kB; koffi for ${r.natives.join(', ')})\n`);
    process.stderr.write(values.executable
      ? `a ${r.natives[0]} host runs it as ./${path.basename(r.file)} (it needs libbpf.so.1; not node, npm or a compiler)\n`
      : `a host runs it with node ${path.basename(r.file)}: copy ${path.relative(process.cwd(), values.out) || '.'}/ whole (it needs libbpf.so.1, no npm, no compiler)\n`);
  } catch (e) {
    if (e instanceof BundleError) throw new CliError(`bundle: ${e.message}`);
    throw e;
  }
}

async function check(objects: string[], values: { btf?: string; json?: boolean }): Promise<number> {
  const { checkObjects, formatChecks } = await import('../check/check.js');
  const r = checkObjects(objects, { btfPath: values.btf });
  process.stdout.write(values.json ? `${JSON.stringify(r, null, 2)}\n` : formatChecks(r));
  return r.every((p) => p.ok) ? 0 : 1;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** A usage error as one line: what is wrong, and where the right usage is. */
const usageLine = (cmd: string, what: string) => (text: string, write: (s: string) => void): void =>
  write(`${cmd}: ${text.replace(/^error: /, '').trimEnd()} (${cmd} --help lists ${what})\n`);

/** The version lcc reports: its package's. */
function version(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * Every command, its arguments and options, defined once: commander parses
 * with this and writes each command's --help from it. `run` receives the exit
 * status of the command that ran.
 */
export function program(done: (code: number) => void): Command {
  const lcc = new Command('lcc')
    .description('lcc, the libbpf Compiler Collection for TypeScript: typed CO-RE eBPF apps that load in milliseconds')
    .version(version(), '-V, --version', 'print lcc\'s version')
    .helpOption('-h, --help', 'print this help')
    .addHelpCommand('help [command]', 'print the help of a command')
    .exitOverride();
  /** A subcommand: errors say its name, and point at its own --help. */
  const sub = (name: string, description: string): Command => {
    const c = lcc.command(name).description(description).helpOption('-h, --help', 'print this help');
    return c.configureOutput({ outputError: usageLine(`lcc ${name}`, 'its options') });
  };
  lcc.configureOutput({ outputError: usageLine('lcc', 'the commands') });
  /** An action whose promise gives the exit status (none: 0). */
  const act = <A extends unknown[]>(f: (...args: A) => Promise<number | void>) => async (...args: A): Promise<void> => {
    done((await f(...args)) ?? 0);
  };

  sub('build', 'compile a CO-RE object and its typed skeleton; nothing runs when no input changed')
    .argument('<file.bpf.c>', 'the BPF C source')
    .option('-o, --out <file.bpf.o>', 'the object (default: beside the source)')
    .option('--skel <file.skel.ts>', 'the skeleton (default: beside the source)')
    .option('--no-gen', 'the object only, no skeleton')
    .option('--reference', 'the skeleton loads the object by path at run time instead of embedding it')
    .option('--btf <file>', 'the kernel BTF that defines the kernel types (default: /sys/kernel/btf/vmlinux)')
    .addOption(new Option('--arch <arch>', 'the target architecture').choices(['x86_64', 'arm64', 'x64', 'aarch64']))
    .option('--remote <url>', 'compile on an lcc serve (also LCC_SERVER)')
    .option('-D, --define <name[=value]>', 'a macro, as clang -D (repeatable)', collect)
    .option('-I, --include <dir>', 'a header directory, searched before the system\'s (repeatable)', collect)
    .option('--force', 'compile even when nothing changed')
    .option('--check', 'then load every program into this kernel\'s verifier without attaching (lcc check)')
    .option('--watch', 'build again whenever the source or a header it includes changes')
    .action(act((file: string, o: BuildValues) => (o.watch ? watchBuild(file, o) : buildAndCheck(file, o))));

  sub('gen', 'a typed TypeScript skeleton for a .bpf.c and its object')
    .argument('<file.bpf.c>', 'the BPF C source')
    .option('-o, --out <file.skel.ts>', 'the skeleton (default: beside the source)')
    .option('--object <file.bpf.o>', 'the compiled object to embed (default: beside the source)')
    .option('--reference', 'load the object by path at run time instead of embedding it')
    .option('--btf <file>', 'the kernel BTF that defines the kernel types')
    .option('--runtime <module>', 'the module the skeleton imports the runtime from (default: @lcc-ebpf/lbc)')
    .option('-D, --define <name[=value]>', 'a macro, as clang -D (repeatable)', collect)
    .option('--model', 'print what was understood as JSON instead')
    .option('--format', 'format the skeleton with prettier')
    .action(act(gen));

  sub('bundle', 'what a host needs to run the app: one .cjs file with its objects, and koffi\'s native part')
    .argument('[entry]', 'the app\'s entry (default: src/main.ts)')
    .option('-o, --out <dir>', 'the directory to write', 'bundle')
    .option('--name <name>', 'the file name, without .cjs (default: the package\'s name)')
    .option('--platform <platform>', 'a platform to carry koffi for: linux_x64, linux_arm64 (repeatable; default both)', collect)
    .option('--executable', 'one executable file instead, node included (Node\'s single executable applications), for this machine\'s platform')
    .action(act(bundle));

  sub('check', 'load every program of objects into this kernel\'s verifier, one at a time, without attaching (like veristat)')
    .argument('<objects...>', 'compiled .bpf.o files')
    .option('--btf <file>', 'the BTF to relocate against, for a kernel without its own')
    .option('--json', 'print the results as JSON')
    .action(act(check));

  sub('convert', 'a BCC Python tool as an lcc app: NAME.bpf.c, NAME.h, NAME.ts, CONVERSION.md and its package.json')
    .argument('<tool.py>', 'the BCC tool')
    .option('-o, --out <dir>', 'the directory to write (default: the tool\'s name)')
    .addHelpText('after', `\nExit status: 0 converted whole; ${CONVERT_PARTLY} written, with spots left for a person (CONVERSION.md lists them, the C has an #error at each); 1 nothing written (not a BCC tool, unreadable Python).`)
    .action(act(convertTool));

  sub('serve', 'the compile service: lcc build --remote sends it sources, it returns objects')
    .option('-l, --listen <host:port>', 'where to listen', '127.0.0.1:7878')
    .option('--workers <n>', 'compiles at once (default: the CPUs)')
    .option('--queue <n>', 'requests waiting at most')
    .option('--timeout <seconds>', 'a compile\'s time limit')
    .option('--max-request <bytes>', 'the largest request body')
    .option('--memory <MiB>', 'a compile\'s memory limit', '2048')
    .option('--cache <dir>', 'where compiled objects are kept')
    .option('--cache-size <MiB>', 'the cache\'s quota (least recently used objects go first)')
    .option('--max-object <MiB>', 'the largest object kept')
    .option('--btf-x86_64 <file>', 'kernel BTF for x86_64 targets')
    .option('--btf-arm64 <file>', 'kernel BTF for arm64 targets')
    .option('--unsandboxed', 'run clang without bubblewrap (only where bubblewrap cannot run)')
    .action(act(serve));

  const btf = sub('btf', 'BTF tools');
  btf.command('minimize')
    .description('the minimal BTF those objects\' CO-RE relocations need, for kernels without BTF of their own')
    .helpOption('-h, --help', 'print this help')
    .configureOutput({ outputError: usageLine('lcc btf minimize', 'its options') })
    .argument('<objects...>', 'compiled .bpf.o files')
    .requiredOption('--btf <vmlinux>', 'the target kernel\'s BTF (its /sys/kernel/btf/vmlinux, or a vmlinux with .BTF)')
    .requiredOption('-o, --out <file.btf>', 'where to write the minimized BTF')
    .action(act(btfMinimize));

  sub('doctor', 'what this machine can do: the build side (clang, headers) and the kernel side, probed for real')
    .option('--json', 'print the report as JSON')
    .action(act(runDoctor));
  return lcc;
}

async function buildAndCheck(file: string, o: BuildValues): Promise<number> {
  const object = await build(file, o);
  // into this kernel, relocated against its own BTF: --btf names the kernel the object is built for
  return o.check ? check([object], {}) : 0;
}

/** lcc build --watch: a build now, then one after each change of the source or a header it includes. */
async function watchBuild(file: string, o: BuildValues): Promise<number> {
  const { watchSources } = await import('../build/watch.js');
  const once = async (): Promise<void> => {
    try {
      await buildAndCheck(file, o);
    } catch (e) {
      // a failed build is reported and watched on: the next save may fix it
      if (!(await report(e, 'build'))) throw e;
    }
  };
  await once();
  await watchSources(file, o.include ?? [], once, (l) => process.stderr.write(`${l}\n`));
  return 0;
}

/** An expected failure printed as one message; false for a bug (the caller rethrows: a stack). */
async function report(e: unknown, cmd: string): Promise<boolean> {
  if (e instanceof GenError) {
    process.stderr.write(`${e.message}\n`);
    return true;
  }
  if (e instanceof CompileError) {
    const { formatDiagnostics } = await import('../clang/diagnostics.js');
    process.stderr.write(`lcc: ${e.message}\n${e.diagnostics.length ? formatDiagnostics(e.diagnostics) : e.raw}`);
    return true;
  }
  if (e instanceof CliError || e instanceof LbcError) {
    const m = (e as Error).message;
    process.stderr.write(`lcc: ${m.startsWith(`${cmd}:`) ? m : `${cmd ? `${cmd}: ` : ''}${m}`}\n`);
    return true;
  }
  return false;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const lcc = program((c) => (code = c));
  if (!argv.length) {
    process.stderr.write(lcc.helpInformation());
    return 2;
  }
  try {
    await lcc.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too; anything else the parser refused is a usage error
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    }
    const cmd = argv[0] === 'btf' ? 'btf minimize' : argv[0] ?? '';
    if (await report(e, cmd)) return 1;
    throw e;
  }
}
