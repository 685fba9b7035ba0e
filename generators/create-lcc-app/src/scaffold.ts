// answers → the files of a new project (path → text). Pure: the templates
// come in as render functions, nothing is written here (cli.ts writes them
// all or none).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { pascal } from '../../../src/names.js';
import { compileTemplate, TEMPLATE_HELPERS, type TemplateFn } from '../../../src/template/compile.js';
import { parseHook, type EventKind, type TemplateName } from './templates.js';

export interface Answers {
  name: string;
  template: TemplateName;
  event: EventKind;
  hook: string;
  endHook: string;
  description: string;
  /** npm specs of the runtime and the toolchain the project depends on */
  lbc: string;
  lcc: string;
}

/** A template file (relative to templates/app, e.g. "events/main.ts.hbs") rendered with a context. */
export type Render = (file: string, ctx: unknown) => string;

const OUTPUTS: [template: string | ((a: Answers) => string), file: string | ((a: Answers) => string)][] = [
  [(a) => `${a.template}/tool.bpf.c.hbs`, (a) => `src/${a.name}.bpf.c`],
  [(a) => `${a.template}/main.ts.hbs`, 'src/main.ts'],
  ['common/options.ts.hbs', 'src/options.ts'],
  ['common/package.json.hbs', 'package.json'],
  ['common/tsconfig.json.hbs', 'tsconfig.json'],
  ['common/README.md.hbs', 'README.md'],
  ['common/gitignore.hbs', '.gitignore'],
  ['common/run.test.js.hbs', 'test/run.test.js'],
];

export function scaffold(a: Answers, render: Render): [file: string, text: string][] {
  const hook = parseHook(a.hook);
  const endHook = a.endHook ? parseHook(a.endHook) : null;
  const testArgs: Record<TemplateName, [string[], string]> = {
    events: [[], String(/^\d+\.\d+\s+\d+\s+\d+\s+\d+\s+\S/m)],
    hist: [['--interval', '1'], String(/usecs\s+: count\s+distribution[\s\S]*\|\*+/)],
    counter: [['--interval', '1'], String(/^\d+\s+\S+\s+[1-9]\d*$/m)],
  };
  const [args, expect] = testArgs[a.template];
  const ctx = {
    name: a.name, className: pascal(a.name), description: a.description, template: a.template, ring: a.event === 'ringbuf',
    hook, endHook, lbcDependency: a.lbc, lccDependency: a.lcc, runArgs: a.template === 'events' ? '' : '--interval 1',
    testArgs: args.map((x) => `'${x}'`).join(', '), testExpect: expect,
  };
  return OUTPUTS.map(([t, f]) => [typeof f === 'string' ? f : f(a), render(typeof t === 'string' ? t : t(a), ctx)]);
}

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The app templates: precompiled into dist/templates.cjs by the build (what
 * the published package carries: no handlebars at run time), else compiled
 * from templates/app of this checkout (tests, an edited template).
 */
export function appTemplates(): Render {
  const require = createRequire(import.meta.url);
  for (const dir of [here, path.join(here, '..', 'dist')]) {
    const pre = path.join(dir, 'templates.cjs');
    if (fs.existsSync(pre) && !process.env.LCC_TEMPLATES_FROM_SOURCE) {
      const { files } = require(pre) as { files: Record<string, TemplateFn> };
      return (file, ctx) => {
        const fn = files[file];
        if (!fn) throw new Error(`${pre} has no ${file}: rebuild`);
        return fn(ctx, TEMPLATE_HELPERS);
      };
    }
  }
  const root = checkout();
  if (!root) throw new Error('create-lcc-app: its templates are missing (dist/templates.cjs): reinstall it');
  const src = path.join(root, 'templates', 'app');
  const { parse } = require('handlebars') as typeof import('handlebars');
  const cache = new Map<string, TemplateFn>();
  return (file, ctx) => {
    let fn = cache.get(file);
    if (!fn) {
      const full = path.join(src, file);
      fn = new Function(`return ${compileTemplate(parse(fs.readFileSync(full, 'utf8')) as never, full)}`)() as TemplateFn;
      cache.set(file, fn);
    }
    return fn(ctx, TEMPLATE_HELPERS);
  };
}

/** The lcc checkout this runs from (its lbc/ and root packages), if it runs from one. */
export function checkout(): string | null {
  for (let dir = here; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'lbc', 'package.json')) && fs.existsSync(path.join(dir, 'templates', 'app'))) return dir;
    if (path.dirname(dir) === dir) return null;
  }
}
