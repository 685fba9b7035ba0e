// The lcc command line. Expected failures (bad input, kernel refusals) print
// a message and exit 1; only a bug in lcc itself prints a stack.
import { parseArgs } from 'node:util';
import * as fs from 'node:fs';
import * as path from 'node:path';
// Subcommands load what they need when they run: `lcc gen` must not pay for
// koffi and libbpf, nor `lcc doctor` for tree-sitter.
import { LbcError } from '../../lbc/src/pure.js';
import { CompileError } from '../clang/diagnostics.js';
import { GenError } from '../gen/parse.js';

class CliError extends Error {}

const USAGE = `usage: lcc <command> [options]

commands:
  build FILE.bpf.c [-o OUT.bpf.o] [--skel FILE.skel.ts | --no-gen] [--reference]
                   [--btf FILE] [--arch x86_64|arm64] [--remote URL] [-D NAME[=VALUE]] [-I DIR] [--force]
                     compile a CO-RE object and its typed skeleton; nothing runs when no
                     input changed; --remote (or LCC_SERVER) compiles on an lcc serve
  gen FILE.bpf.c [-o FILE.skel.ts] [--object FILE.bpf.o] [--reference] [--btf FILE]
                 [--runtime MODULE] [-D NAME[=VALUE]] [--model] [--format]
                     typed TypeScript skeleton; --model prints what was understood as JSON
  serve [--listen HOST:PORT] [--workers N] [--queue N] [--timeout S] [--max-request BYTES]
        [--memory MIB] [--cache DIR] [--cache-size MIB] [--max-object MIB] [--btf-arm64 FILE] [--btf-x86_64 FILE]
        [--unsandboxed]
                     the compile service (loopback:7878 by default; clang runs in bubblewrap)
  btf minimize OBJ.bpf.o... --btf VMLINUX -o OUT.btf
                     the minimal BTF those objects' CO-RE relocations need, for kernels
                     without BTF of their own (load with it: open(..., { btfPath }))
  convert TOOL.py [-o DIR]
                     a BCC Python tool as an lcc app: NAME.bpf.c, NAME.h, NAME.ts, CONVERSION.md
  doctor [--json]    what this kernel supports, probed for real
`;

/** The usage lines of one command, from the usage text. */
function usageOf(cmd: string): string {
  const lines = USAGE.split('\n');
  const i = lines.findIndex((l) => l.trimStart().startsWith(`${cmd} `) || l.trim() === cmd);
  if (i < 0) return `lcc ${cmd} ...`;
  const out = [`lcc ${lines[i]!.trim()}`];
  for (let j = i + 1; j < lines.length && /^\s{10,}\S/.test(lines[j]!) && !/^\s{21}/.test(lines[j]!); j++) out.push(`    ${lines[j]!.trim()}`);
  return out.join('\n');
}

async function gen(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' }, object: { type: 'string' }, reference: { type: 'boolean' },
      btf: { type: 'string' }, runtime: { type: 'string' }, define: { type: 'string', short: 'D', multiple: true },
      model: { type: 'boolean' }, format: { type: 'boolean' },
    },
  });
  const src = positionals[0];
  if (!src) throw new CliError('gen: which .bpf.c? e.g. lcc gen src/tool.bpf.c');
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

async function build(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' }, skel: { type: 'string' }, 'no-gen': { type: 'boolean' }, reference: { type: 'boolean' },
      btf: { type: 'string' }, arch: { type: 'string' }, remote: { type: 'string' }, define: { type: 'string', short: 'D', multiple: true },
      include: { type: 'string', short: 'I', multiple: true }, force: { type: 'boolean' },
    },
  });
  const src = positionals[0];
  if (!src) throw new CliError('build: which .bpf.c? e.g. lcc build src/tool.bpf.c');
  if (!fs.existsSync(src)) throw new CliError(`build: ${src} does not exist`);
  const { build: run } = await import('../build/build.js');
  const { formatDiagnostics } = await import('../clang/diagnostics.js');
  const r = await run(src, {
    out: values.out, skel: values['no-gen'] ? null : values.skel, reference: values.reference, btf: values.btf, arch: values.arch,
    remote: values.remote ?? (process.env.LCC_SERVER || undefined), defines: values.define, includeDirs: values.include, force: values.force,
  });
  process.stderr.write(formatDiagnostics(r.warnings));
  const how = r.upToDate ? ' (up to date)' : r.via === 'remote' ? ` (compile service: ${r.cache || 'compiled'})` : '';
  process.stdout.write(`${r.object}${how}\n${r.skel ? `${r.skel}${r.skelRemade ? ' (made again: lcc or its options changed)' : ''}\n` : ''}`);
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      listen: { type: 'string', short: 'l' }, workers: { type: 'string' }, queue: { type: 'string' }, timeout: { type: 'string' },
      'max-request': { type: 'string' }, memory: { type: 'string' }, cache: { type: 'string' },
      'cache-size': { type: 'string' }, 'max-object': { type: 'string' },
      'btf-x86_64': { type: 'string' }, 'btf-arm64': { type: 'string' }, unsandboxed: { type: 'boolean' },
    },
  });
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
      cacheBytes: mib(values['cache-size'], '--cache-size'), maxObjectBytes: mib(values['max-object'], '--max-object'),
      limits: { maxRequestBytes: num(values['max-request'], '--max-request'), memory: (num(values.memory, '--memory') ?? 2048) * 2 ** 20 },
      btf: { x86_64: values['btf-x86_64'], arm64: values['btf-arm64'] },
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

async function btf(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'minimize') throw new CliError('btf: the subcommand is minimize: lcc btf minimize x.bpf.o --btf VMLINUX -o x.btf');
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { btf: { type: 'string' }, out: { type: 'string', short: 'o' } } });
  if (!positionals.length) throw new CliError('btf minimize: which object? e.g. lcc btf minimize x.bpf.o --btf vmlinux -o x.btf');
  if (!values.btf) throw new CliError('btf minimize: --btf FILE: the target kernel\'s BTF (its /sys/kernel/btf/vmlinux, or a vmlinux with .BTF)');
  if (!values.out) throw new CliError('btf minimize: -o FILE: where to write the minimized BTF');
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

async function convertTool(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { out: { type: 'string', short: 'o' } } });
  const py = positionals[0];
  if (!py) throw new CliError('convert: which BCC tool? e.g. lcc convert tools/execsnoop.py -o execsnoop/');
  const { convert, ConvertError, lineRef } = await import('../convert/index.js');
  let r;
  try {
    r = convert(py, values.out);
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
    return 1;
  }
  process.stderr.write(`next: cd ${rel} && lcc build ${r.name}.bpf.c && sudo node --import tsx ${r.name}.ts\n`);
  return 0;
}

async function runDoctor(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const { doctor, formatDoctor } = await import('./doctor.js');
  const r = doctor();
  process.stdout.write(values.json ? `${JSON.stringify(r, null, 2)}\n` : formatDoctor(r));
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'build': await build(rest); break;
      case 'gen': await gen(rest); break;
      case 'doctor': await runDoctor(rest); break;
      case 'serve': await serve(rest); break;
      case 'btf': await btf(rest); break;
      case 'convert': return await convertTool(rest);
      case undefined: case '-h': case '--help': case 'help':
        process.stdout.write(USAGE);
        return cmd ? 0 : 2;
      default:
        throw new CliError(`unknown command "${cmd}"\n\n${USAGE}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof GenError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    if (e instanceof CompileError) {
      const { formatDiagnostics } = await import('../clang/diagnostics.js');
      process.stderr.write(`lcc: ${e.message}\n${e.diagnostics.length ? formatDiagnostics(e.diagnostics) : e.raw}`);
      return 1;
    }
    // what the option parser refuses (an unknown option, a missing value) is a usage error
    if (/^ERR_PARSE_ARGS_/.test((e as { code?: string }).code ?? '')) {
      process.stderr.write(`lcc: ${(e as Error).message}\n${cmd ? `usage: ${usageOf(cmd)}\n` : ''}`);
      return 2;
    }
    if (e instanceof CliError || e instanceof LbcError) {
      process.stderr.write(`lcc: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
