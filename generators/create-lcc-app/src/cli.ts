// create-lcc-app: a new lcc app from a template. The command line is defined
// once (commander: parsing and --help); what no flag answered is asked on a
// terminal (clack), and without one the run stops naming the flag. The
// project is written all or none.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Command, CommanderError, Option } from 'commander';
import { writeFilesAtomic } from '../../../src/fsutil.js';
import { packageSpecs } from '../../../src/packages.js';
import { checkHook, readKernel } from './hooks.js';
import { appTemplates, checkout, scaffold, type Answers } from './scaffold.js';
import { checkName, EVENT_KINDS, parseHook, ScaffoldError, TEMPLATES, type EventKind, type TemplateName } from './templates.js';

interface Flags {
  template?: string; event?: string; hook?: string; endHook?: string; description?: string;
  lbc?: string; lcc?: string; yes?: boolean; install?: boolean; listHooks?: boolean; checkHook: boolean;
}

/** A missing answer on a run that cannot ask (exit 2, like any usage error). */
class NeedsAnswer extends Error {}

const VERSION = '0.1.0';

export function program(run: (dir: string | undefined, flags: Flags) => Promise<void>): Command {
  return new Command('create-lcc-app')
    .description('make a new lcc eBPF app: a .bpf.c, its typed TypeScript user space, a test and a deploy bundle')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .argument('[dir]', 'the new project: a name, or a path whose last part is the name')
    .addOption(new Option('-t, --template <name>', 'what the tool does').choices(Object.keys(TEMPLATES)))
    .addOption(new Option('--event <kind>', 'events template: how events reach user space').choices([...EVENT_KINDS]))
    .option('--hook <hook>', 'where the tool attaches: category/name (a tracepoint), tp_btf/NAME, raw_tp/NAME or kprobe/FUNCTION')
    .option('--end-hook <hook>', 'hist template: where timing ends')
    .option('--description <text>', 'one line for package.json, --help and the README')
    .option('--lbc <spec>', 'the npm spec of the runtime dependency (default: this checkout, or the registry\'s)')
    .option('--lcc <spec>', 'the npm spec of the toolchain dev dependency (default: this checkout, or the registry\'s)')
    .option('-y, --yes', 'take the default for every question no flag answered')
    .option('--install', 'run npm install in the new project')
    .option('--no-check-hook', 'accept hooks this machine\'s kernel lacks (the app is for another kernel)')
    .option('--list-hooks', 'print the tracepoints this kernel has, and exit')
    .addHelpText('after', `\nTemplates:\n${Object.entries(TEMPLATES).map(([k, t]) => `  ${k.padEnd(8)} ${t.description} (default hook ${t.hook})`).join('\n')}\n\nExample:\n  npx @lcc-ebpf/create mytool --template hist --yes`)
    // a usage error is one line: what is wrong, and where the right usage is
    .configureOutput({ outputError: (text, write) => write(`create-lcc-app: ${text.replace(/^error: /, '').trimEnd()} (create-lcc-app --help lists the options)\n`) })
    .exitOverride()
    .action(run);
}

/**
 * An answer from its flag, the default (--yes) or a terminal; without one, a
 * missing answer stops the run. Every answer passes the question's check: a
 * flag's or a default's refusal is a usage error, a typed one is asked again.
 */
async function asker(flags: Flags): Promise<<T extends string>(flag: string, given: string | undefined, fallback: T, question: Question<T>) => Promise<T>> {
  const tty = !!(process.stdin.isTTY && process.stdout.isTTY);
  const clack = tty && !flags.yes ? await import('@clack/prompts') : null;
  return async (flag, given, fallback, q) => {
    const decided = given ?? (flags.yes ? fallback : undefined);
    if (decided !== undefined) {
      const bad = q.validate?.(decided);
      if (bad) throw new ScaffoldError(bad);
      return decided as never;
    }
    if (!clack) throw new NeedsAnswer(`${flag} is needed and there is no terminal to ask on: use --yes (defaults) or ${flag}`);
    const v = q.choices
      ? await clack.select({ message: q.message, options: q.choices.map(([value, label]) => ({ value, label })) as never, initialValue: fallback })
      // Enter on an empty line takes the default, and clack validates that empty line: check the default
      : await clack.text({ message: q.message, placeholder: fallback, defaultValue: fallback, validate: q.validate && ((v?: string) => q.validate!(v || fallback)) });
    if (clack.isCancel(v)) throw new ScaffoldError('cancelled: nothing was written', 1);
    return v as never;
  };
}
interface Question<T> { message: string; choices?: [T, string][]; validate?: (v: string | undefined) => string | undefined }

async function create(dir: string | undefined, flags: Flags): Promise<void> {
  if (flags.listHooks) {
    const k = readKernel();
    if (!k) throw new ScaffoldError('cannot read this kernel\'s tracepoints (tracefs not mounted, or not root): mount -t tracefs tracefs /sys/kernel/tracing', 1);
    process.stdout.write(`${k.events.map((e) => e.replace(':', '/')).sort().join('\n')}\n`);
    process.stderr.write(`${k.events.length} tracepoints; any of them also as tp_btf/NAME or raw_tp/NAME; kprobes ${k.kprobes ? 'attach here' : 'cannot attach here (CONFIG_KPROBES off)'}\n`);
    return;
  }
  const ask = await asker(flags);
  const where = await ask('the project directory', dir, '', { message: 'Project name (or path)', validate: (v) => (v ? undefined : 'which project? e.g. create-lcc-app mytool') });
  const name = path.basename(path.resolve(where));
  checkName(name);
  const dest = path.resolve(where);
  if (fs.existsSync(dest) && (!fs.statSync(dest).isDirectory() || fs.readdirSync(dest).length)) {
    throw new ScaffoldError(`${where} exists and is not an empty directory: pick a new one`, 1);
  }
  const kernel = flags.checkHook ? readKernel() : null;
  const validHook = (v: string | undefined): string | undefined => {
    try {
      const h = parseHook(v ?? '');
      if (kernel) checkHook(h, kernel);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  };
  const template = await ask<TemplateName>('--template', flags.template, 'events', {
    message: 'What should the tool do?', choices: Object.entries(TEMPLATES).map(([k, t]) => [k as TemplateName, `${k}: ${t.description}`]),
  });
  const t = TEMPLATES[template];
  const event = template === 'events'
    ? await ask<EventKind>('--event', flags.event, 'ringbuf', { message: 'How do events reach user space?', choices: EVENT_KINDS.map((k) => [k, k]) })
    : 'ringbuf';
  const hook = await ask('--hook', flags.hook, t.hook, { message: template === 'hist' ? 'Start timing at (hook)' : 'Attach to (hook)', validate: validHook });
  const endHook = 'endHook' in t ? await ask('--end-hook', flags.endHook, t.endHook, { message: 'Stop timing at (hook)', validate: validHook }) : '';
  const description = await ask('--description', flags.description, `${template === 'hist' ? 'latency' : template} tool on ${hook}`, { message: 'Description' });
  const specs = packageSpecs(checkout(), VERSION);
  const answers: Answers = { name, template, event, hook, endHook, description, lbc: flags.lbc ?? specs.lbc, lcc: flags.lcc ?? specs.lcc };
  writeFilesAtomic(dest, scaffold(answers, appTemplates()));
  if (flags.install) {
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dest, stdio: 'inherit' });
    if (r.status !== 0) throw new ScaffoldError(`npm install in ${where} failed (exit ${r.status}): the project is written; run it again there`, 1);
  }
  // the path as the user gave it: they typed it, they know where it is
  process.stdout.write(`\n${name} is ready (${template}, ${hook}). Next:\n  cd ${where}\n${flags.install ? '' : '  npm install\n'}  npm run build\n  sudo npm start -- --help\n  npm run bundle    # bundle/${name}.cjs for hosts with node and nothing else\n`);
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program(create).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof NeedsAnswer) {
      process.stderr.write(`create-lcc-app: ${e.message} (create-lcc-app --help lists the options)\n`);
      return 2;
    }
    if (e instanceof ScaffoldError) {
      process.stderr.write(`create-lcc-app: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
