// The create-lcc-app yeoman generator: name → answers (flags, prompts or
// defaults) → handlebars templates under templates/app → a project that
// builds its BPF object, generates its skeleton and runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Generator from 'yeoman-generator';
import type { BaseOptions } from 'yeoman-generator';
import { pascal } from '../../../src/names.js';
import { renderFile } from '../../../src/template/render.js';
import { ROOT } from '../../../src/paths.js';

export const TEMPLATES = {
  events: { description: 'a ring buffer of typed events printed by a callback', hook: 'sched/sched_process_exec' },
  hist: { description: 'a log2 latency histogram printed every interval', hook: 'raw_syscalls/sys_enter', endHook: 'raw_syscalls/sys_exit' },
  counter: { description: 'a hash map of counts per process, read every interval', hook: 'raw_syscalls/sys_enter' },
} as const;
export type TemplateName = keyof typeof TEMPLATES;
export const EVENT_KINDS = ['ringbuf', 'perf'] as const;

/** A hook as the user types it: "sched/sched_process_exec", "sched:sched_process_exec", "tp_btf/sched_switch", "raw_tp/sys_enter". */
export function parseHook(text: string): { section: string; label: string } {
  const t = text.trim();
  let m = /^(tp_btf|raw_tp|raw_tracepoint|kprobe|kretprobe|fentry|fexit)\/([A-Za-z0-9_.]+)$/.exec(t);
  if (m) return { section: `${m[1]}/${m[2]}`, label: t };
  m = /^(?:tracepoint\/|tp\/)?([a-z0-9_]+)[/:]([a-z0-9_]+)$/.exec(t);
  if (m) return { section: `tracepoint/${m[1]}/${m[2]}`, label: `${m[1]}:${m[2]}` };
  throw new Error(`hook "${text}" is not a hook lcc can attach: use a tracepoint (category/name, as in /sys/kernel/tracing/events), tp_btf/NAME, raw_tp/NAME or kprobe/FUNCTION`);
}

export function checkName(name: string): void {
  if (!/^[a-z][a-z0-9_-]*$/.test(name) || name.length > 64) {
    throw new Error(`"${name}" cannot name a tool: use lower-case letters, digits, "-" and "_", starting with a letter (it becomes the npm package and the C file name)`);
  }
}

interface Answers { template: TemplateName; event: (typeof EVENT_KINDS)[number]; hook: string; endHook: string; description: string }

type Options = BaseOptions & {
  dir?: string; template?: string; event?: string; hook?: string; 'end-hook'?: string; description?: string; lcc?: string; yes?: boolean;
};

export default class CreateLccApp extends Generator<Options> {
  private answers!: Answers;
  private name!: string;

  constructor(args: string | string[], opts: Options) {
    super(args, opts);
    this.argument('dir', { type: String, required: false, description: 'the new project: a name, or a path whose last part is the name' });
    this.option('template', { type: String, description: `what the tool does: ${Object.keys(TEMPLATES).join(', ')}` });
    this.option('event', { type: String, description: 'events template: how events reach user space (ringbuf, perf)' });
    this.option('hook', { type: String, description: 'where the tool attaches, e.g. sched/sched_process_exec (the hist template: where timing starts)' });
    this.option('end-hook', { type: String, description: 'hist template: where timing ends' });
    this.option('description', { type: String, description: 'one line for package.json and the README' });
    this.option('lcc', { type: String, description: 'the lcc dependency (default: this lcc checkout, file:...); a tarball path or a version also work' });
    this.option('yes', { type: Boolean, alias: 'y', description: 'take the defaults for every question not given as a flag' });
  }

  async initializing(): Promise<void> {
    const dir = this.options.dir;
    if (!dir) throw new Error('which project? e.g. npx create-lcc-app mytool');
    this.name = path.basename(path.resolve(dir));
    checkName(this.name);
    const dest = path.resolve(this.env.cwd ?? process.cwd(), dir);
    if (fs.existsSync(dest) && fs.readdirSync(dest).length) throw new Error(`${dir} exists and is not empty: pick a new directory`);
    this.destinationRoot(dest);
  }

  async prompting(): Promise<void> {
    const o = this.options as unknown as Record<string, string | boolean | undefined>;
    const yes = !!o.yes;
    const given = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
    const ask = async <T extends string>(key: string, question: Record<string, unknown>, fallback: T): Promise<T> => {
      const v = given(key);
      if (v !== undefined) return v as T;
      if (yes) return fallback;
      const a = await this.prompt([{ name: 'v', default: fallback, ...question }] as never);
      return (a as { v: T }).v;
    };
    const template = await ask<TemplateName>('template', {
      type: 'list', message: 'What should the tool do?', choices: Object.entries(TEMPLATES).map(([value, t]) => ({ value, name: `${value}: ${t.description}` })),
    }, 'events');
    if (!(template in TEMPLATES)) throw new Error(`--template ${template}: use one of ${Object.keys(TEMPLATES).join(', ')}`);
    const t = TEMPLATES[template];
    const event = template === 'events' ? await ask<Answers['event']>('event', { type: 'list', message: 'How do events reach user space?', choices: [...EVENT_KINDS] }, 'ringbuf') : 'ringbuf';
    if (!EVENT_KINDS.includes(event)) throw new Error(`--event ${event}: use ringbuf or perf`);
    const validate = (v: string): true | string => {
      try {
        parseHook(v);
        return true;
      } catch (e) {
        return (e as Error).message;
      }
    };
    const hook = await ask('hook', { type: 'input', message: template === 'hist' ? 'Start timing at (hook)' : 'Attach to (hook)', validate }, t.hook);
    const endHook = 'endHook' in t ? await ask('end-hook', { type: 'input', message: 'Stop timing at (hook)', validate }, t.endHook) : '';
    const description = await ask('description', { type: 'input', message: 'Description' }, `${template === 'hist' ? 'latency' : template} tool on ${hook}`);
    this.answers = { template, event, hook, endHook, description };
  }

  writing(): void {
    const a = this.answers;
    const hook = parseHook(a.hook);
    const endHook = a.endHook ? parseHook(a.endHook) : null;
    const lccDependency = this.options.lcc ?? `file:${ROOT}`;
    const testArgs: Record<TemplateName, [string[], string]> = {
      events: [[], String(/^\d+\.\d+\s+\d+\s+\d+\s+\d+\s+\S/m)],
      hist: [['--interval', '1'], String(/usecs\s+: count\s+distribution[\s\S]*\|\*+/)],
      counter: [['--interval', '1'], String(/^\d+\s+\S+\s+[1-9]\d*$/m)],
    };
    const [args, expect] = testArgs[a.template];
    const ctx = {
      name: this.name, className: pascal(this.name), description: a.description, template: a.template, ring: a.event === 'ringbuf',
      hook, endHook, lccDependency, runArgs: a.template === 'events' ? '' : '--interval 1',
      testArgs: args.map((x) => `'${x}'`).join(', '), testExpect: expect,
    };
    const dir = path.join(ROOT, 'templates', 'app');
    const put = (from: string, to: string): void => void this.fs.write(this.destinationPath(to), renderFile(path.join(dir, from), ctx));
    put(`${a.template}/tool.bpf.c.hbs`, `src/${this.name}.bpf.c`);
    put(`${a.template}/main.ts.hbs`, 'src/main.ts');
    put('common/package.json.hbs', 'package.json');
    put('common/tsconfig.json.hbs', 'tsconfig.json');
    put('common/README.md.hbs', 'README.md');
    put('common/gitignore.hbs', '.gitignore');
    put('common/run.test.js.hbs', 'test/run.test.js');
  }

  end(): void {
    const rel = path.relative(this.env.cwd ?? process.cwd(), this.destinationRoot()) || '.';
    this.log(`\n${this.name} is ready (${this.answers.template}, ${this.answers.hook}). Next:\n  cd ${rel}\n  npm install\n  npm run build\n  sudo npm start\n`);
  }
}
