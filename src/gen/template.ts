// Templates live in templates/<name>/<name>.ts.hbs; helpers are registered
// here and nowhere else. The build precompiles them (dist/templates/*.cjs) so
// a run loads only handlebars' runtime; without a fresh precompiled one
// (tests, edited templates) the source is compiled here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from '../paths.js';
import { TEMPLATE_OPTIONS } from './template-options.js';
// imported, so the bundled CLI carries it; the compiler (full handlebars) is required only when needed
import HandlebarsRuntime from 'handlebars/runtime.js';

const require = createRequire(import.meta.url);
type Handlebars = typeof import('handlebars');
type Template = (ctx: unknown) => string;
const compiled = new Map<string, Template>();

function withHelpers(hb: Handlebars): Handlebars {
  hb.registerHelper('json', (v: unknown) => JSON.stringify(v));
  hb.registerHelper('join', (v: unknown[], sep: unknown) => v.join(typeof sep === 'string' ? sep : ', '));
  return hb;
}

let runtime: Handlebars | null = null;
let full: Handlebars | null = null;

function load(name: string): Template {
  const file = path.join(ROOT, 'templates', name, `${name}.ts.hbs`);
  const source = fs.readFileSync(file, 'utf8');
  const pre = path.join(ROOT, 'dist', 'templates', `${name}.cjs`);
  if (fs.existsSync(pre)) {
    // compared whole rather than hashed: node:crypto costs a cold run ~10 ms to load
    const { source: compiledFrom, spec } = require(pre) as { source: string; spec: unknown };
    if (compiledFrom === source) {
      runtime ??= withHelpers(HandlebarsRuntime as unknown as Handlebars);
      return runtime.template(spec as never) as Template;
    }
  }
  full ??= withHelpers(require('handlebars') as Handlebars);
  return full.compile(source, TEMPLATE_OPTIONS);
}

export function render(name: string, ctx: unknown): string {
  let t = compiled.get(name);
  if (!t) {
    t = load(name);
    compiled.set(name, t);
  }
  return t(ctx);
}

/** Render any template file (the app scaffold's); compiled on each use, which is fine for a one-off scaffold. */
export function renderFile(file: string, ctx: unknown): string {
  full ??= withHelpers(require('handlebars') as Handlebars);
  return full.compile(fs.readFileSync(file, 'utf8'), TEMPLATE_OPTIONS)(ctx);
}
