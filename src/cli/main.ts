// The lcc command line. Expected failures (bad input, kernel refusals) print
// a message and exit 1; only a bug in lcc itself prints a stack.
import { parseArgs } from 'node:util';
import * as fs from 'node:fs';
// Subcommands load what they need when they run: `lcc gen` must not pay for
// koffi and libbpf, nor `lcc doctor` for tree-sitter.
import { LbcError } from '../../lbc/src/errors.js';
import { CompileError } from '../build/compile.js';
import { GenError } from '../gen/parse.js';

class CliError extends Error {}

const USAGE = `usage: lcc <command> [options]

commands:
  build FILE.bpf.c [-o OUT.bpf.o] [--btf FILE] [--arch x86_64|arm64]
                     compile a CO-RE object (rebuilds only when the source is newer)
  gen FILE.bpf.c [-o FILE.skel.ts] [--object FILE.bpf.o] [--reference] [--btf FILE]
                 [--runtime MODULE] [-D NAME[=VALUE]] [--model] [--format]
                     typed TypeScript skeleton; --model prints what was understood as JSON
  doctor [--json]    what this kernel supports, probed for real
`;

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
  const { generate, model: genModel, writeAtomic } = await import('../gen/index.js');
  if (values.model) {
    process.stdout.write(`${JSON.stringify(genModel(src, { btf: values.btf, defines }), null, 2)}\n`);
    return;
  }
  const r = await generate(src, {
    out: values.out, object: values.object, reference: values.reference, btf: values.btf,
    runtime: values.runtime, defines, format: values.format,
  });
  writeAtomic(r.out, r.code);
  process.stdout.write(`${r.out}\n`);
}

async function build(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, btf: { type: 'string' }, arch: { type: 'string' } },
  });
  const src = positionals[0];
  if (!src) throw new CliError('build: which .bpf.c? e.g. lcc build src/tool.bpf.c');
  if (!fs.existsSync(src)) throw new CliError(`build: ${src} does not exist`);
  const { compile } = await import('../build/compile.js');
  const out = values.out ?? src.replace(/\.c$/, '.o');
  const upToDate = fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(src).mtimeMs;
  if (!upToDate) compile(src, { out, btf: values.btf, arch: values.arch });
  process.stdout.write(`${out}\n`);
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
      process.stderr.write(`lcc: ${e.message}\n${e.diagnostics}`);
      return 1;
    }
    if (e instanceof CliError || e instanceof LbcError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`lcc: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
