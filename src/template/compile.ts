// Handlebars templates → one plain JavaScript function each.
//
// handlebars parses (its parser also applies the standalone-line whitespace
// rules); this turns the tree into straight-line code: string concatenation,
// for loops and if statements over the context. handlebars' own runtime
// wraps every block in closures and looks every name up through helper
// tables; rendering a 9,000-line skeleton that way was an eighth of a cold
// `lcc gen`. The subset is what lcc's templates use: {{path}}, {{{path}}},
// helper calls, #each, #if, #unless (with {{else}}) and comments, with
// handlebars' semantics for each (own properties only, empty arrays are
// false, a function value is called). Anything else is refused by name.

/** The parts of handlebars' AST (hbs.AST) read here. */
interface Loc { start: { line: number; column: number } }
interface Path { type: 'PathExpression'; parts: string[]; depth: number; data: boolean; original: string; loc?: Loc }
interface Literal { type: 'StringLiteral' | 'NumberLiteral' | 'BooleanLiteral' | 'UndefinedLiteral' | 'NullLiteral'; value: unknown; loc?: Loc }
type Expr = Path | Literal | { type: string; loc?: Loc };
interface Node {
  type: string;
  loc?: Loc;
  value?: string;
  path?: Expr;
  params?: Expr[];
  hash?: { pairs: unknown[] };
  program?: Program;
  inverse?: Program;
}
interface Program { type: 'Program'; body: Node[]; blockParams?: string[] }

export const TEMPLATE_HELPERS = {
  json: (v: unknown): string => JSON.stringify(v),
  join: (v: unknown[], sep: unknown): string => v.join(typeof sep === 'string' ? sep : ', '),
};
export type Helpers = typeof TEMPLATE_HELPERS;
export type TemplateFn = (ctx: unknown, helpers: Helpers) => string;

export class TemplateError extends Error {
  constructor(file: string, loc: Loc | undefined, what: string) {
    super(`${file}${loc ? `:${loc.start.line}:${loc.start.column + 1}` : ''}: ${what} (lcc's templates support {{name}}, {{{name}}}, {{helper args}}, #each, #if, #unless, {{else}})`);
  }
}

/**
 * The source of `function (ctx, helpers) { ... }` for a parsed template:
 * `new Function` it, or write it into a module.
 */
export function compileTemplate(ast: Program, file: string): string {
  let n = 0;
  const fresh = (p: string): string => `${p}${n++}`;

  const value = (e: Expr, ctx: string): string => {
    switch (e.type) {
      case 'PathExpression': {
        const p = e as Path;
        if (p.data) throw new TemplateError(file, p.loc, `@${p.parts.join('.')}: data variables are off`);
        if (p.depth > 0) throw new TemplateError(file, p.loc, `${p.original}: no parent lookups (each would copy the context stack); put the value on the item`);
        return p.parts.reduce((acc, part) => `get(${acc}, ${JSON.stringify(part)})`, ctx);
      }
      case 'StringLiteral': case 'NumberLiteral': case 'BooleanLiteral':
        return JSON.stringify((e as Literal).value);
      case 'UndefinedLiteral': return 'undefined';
      case 'NullLiteral': return 'null';
      default:
        throw new TemplateError(file, e.loc, `${e.type} is not supported`);
    }
  };

  const helperName = (node: Node): string | null => {
    const p = node.path as Path;
    return p.type === 'PathExpression' && p.parts.length === 1 && !p.data && p.depth === 0 ? p.parts[0]! : null;
  };

  const program = (prog: Program | undefined, ctx: string, into: string[]): void => {
    if (!prog) return;
    if (prog.blockParams?.length) throw new TemplateError(file, undefined, 'block parameters (as |x|) are not supported');
    for (const node of prog.body) statement(node, ctx, into);
  };

  const statement = (node: Node, ctx: string, out: string[]): void => {
    switch (node.type) {
      case 'ContentStatement':
        if (node.value) out.push(`o += ${JSON.stringify(node.value)};`);
        return;
      case 'CommentStatement':
        return;
      case 'MustacheStatement': {
        if (node.hash?.pairs.length) throw new TemplateError(file, node.loc, 'hash arguments (name=value) are not supported');
        const params = node.params ?? [];
        if (params.length) {
          const name = helperName(node);
          if (!name || !Object.hasOwn(TEMPLATE_HELPERS, name)) throw new TemplateError(file, node.loc, `unknown helper ${(node.path as Path).original}`);
          out.push(`o += str(helpers.${name}(${params.map((p) => value(p, ctx)).join(', ')}));`);
        } else out.push(`o += str(call(${value(node.path!, ctx)}, ${ctx}));`);
        return;
      }
      case 'BlockStatement': {
        const name = helperName(node);
        const params = node.params ?? [];
        if (node.hash?.pairs.length || params.length !== 1) throw new TemplateError(file, node.loc, `#${name ?? '?'} takes one argument here`);
        const arg = fresh('v');
        out.push(`const ${arg} = call(${value(params[0]!, ctx)}, ${ctx});`);
        if (name === 'if' || name === 'unless') {
          const [yes, no] = name === 'if' ? [node.program, node.inverse] : [node.inverse, node.program];
          out.push(`if (truthy(${arg})) {`);
          program(yes, ctx, out);
          out.push('} else {');
          program(no, ctx, out);
          out.push('}');
          return;
        }
        if (name === 'each') {
          const items = fresh('items');
          const item = fresh('c');
          out.push(`const ${items} = list(${arg});`, `if (${items}.length) {`, `for (const ${item} of ${items}) {`);
          program(node.program, item, out);
          out.push('}', '} else {');
          program(node.inverse, ctx, out);
          out.push('}');
          return;
        }
        throw new TemplateError(file, node.loc, `block helper #${name ?? '?'} is not supported`);
      }
      default:
        throw new TemplateError(file, node.loc, `${node.type} is not supported`);
    }
  };

  const body: string[] = [];
  program(ast, 'ctx', body);
  return [
    'function (ctx, helpers) {',
    "'use strict';",
    // handlebars' rules: own properties only; a function value is called with the context
    'const get = (c, k) => (c != null && Object.prototype.hasOwnProperty.call(c, k) ? c[k] : undefined);',
    "const call = (v, c) => (typeof v === 'function' ? v.call(c) : v);",
    "const str = (v) => (v == null ? '' : String(v));",
    // #if: false, 0, '', null, undefined and [] are false
    'const truthy = (v) => !(!v || (Array.isArray(v) && v.length === 0));',
    // #each: an array's items, or an object's values
    "const list = (v) => (Array.isArray(v) ? v : v != null && typeof v === 'object' ? Object.values(v) : []);",
    "let o = '';",
    ...body,
    'return o;',
    '}',
  ].join('\n');
}
