// Templates live in templates/<name>/<name>.ts.hbs (the skeleton) and
// templates/app/ (the scaffolds). handlebars parses them; compile.ts
// turn them into plain functions. The build writes the skeleton's function
// into dist/templates/<name>.cjs, so a run loads neither handlebars nor a
// compiler; without a fresh one (tests, an edited template) the source is
// parsed and compiled here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from '../paths.js';
import { compileTemplate, TEMPLATE_HELPERS, type TemplateFn } from './compile.js';

const require = createRequire(import.meta.url);
type Template = (ctx: unknown) => string;
const compiled = new Map<string, Template>();

/** A template's text → its render function (needs handlebars' parser: the full package). */
export function compileText(source: string, file: string): Template {
  const { parse } = require('handlebars') as typeof import('handlebars');
  const fn = new Function(`return ${compileTemplate(parse(source) as never, file)}`)() as TemplateFn;
  return (ctx) => fn(ctx, TEMPLATE_HELPERS);
}

function load(name: string): Template {
  const file = path.join(ROOT, 'templates', name, `${name}.ts.hbs`);
  const source = fs.readFileSync(file, 'utf8');
  const pre = path.join(ROOT, 'dist', 'templates', `${name}.cjs`);
  if (fs.existsSync(pre)) {
    // compared whole rather than hashed: node:crypto costs a cold run ~10 ms to load
    const { source: compiledFrom, render } = require(pre) as { source: string; render: TemplateFn };
    if (compiledFrom === source) return (ctx) => render(ctx, TEMPLATE_HELPERS);
  }
  return compileText(source, path.relative(process.cwd(), file));
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
  return compileText(fs.readFileSync(file, 'utf8'), file)(ctx);
}
