// Templates live in templates/<name>/*.hbs; helpers are registered here and
// nowhere else. Output is formatted with prettier by the caller.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT } from '../paths.js';

const require = createRequire(import.meta.url);
type Handlebars = typeof import('handlebars');
let hb: Handlebars | null = null;
const compiled = new Map<string, (ctx: unknown) => string>();

function handlebars(): Handlebars {
  if (hb) return hb;
  hb = require('handlebars') as Handlebars;
  hb.registerHelper('json', (v: unknown) => JSON.stringify(v));
  hb.registerHelper('join', (v: unknown[], sep: unknown) => v.join(typeof sep === 'string' ? sep : ', '));
  return hb;
}

export function render(name: string, ctx: unknown): string {
  let t = compiled.get(name);
  if (!t) {
    const file = path.join(ROOT, 'templates', name, `${name}.ts.hbs`);
    t = handlebars().compile(fs.readFileSync(file, 'utf8'), { noEscape: true, strict: true });
    compiled.set(name, t);
  }
  return t(ctx);
}
