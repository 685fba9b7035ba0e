// Python → TypeScript, statement by statement, on @lcc-ebpf/lbc/py. The
// output keeps the program's shape (its functions, classes, loops and
// handlers, in order) and Python's meaning: where JavaScript's operator
// would differ for operands the translation cannot type (`+` on lists, `%`
// on negatives, `==` on tuples, truthiness of []), it calls the runtime's.
// A construct it cannot translate becomes LCC_UNTRANSLATED at that spot, so
// the output fails to type-check there, and the spot is reported with its line.
import { parse, type SyntaxNode } from '../../treesitter.js';
import { withoutComments } from '../python.js';
import { analyze, scopeNames, targetNames, callWaits, params as paramsOf, type ClassInfo, type FuncInfo, type Param, type Program } from './analyze.js';

type PyNode = SyntaxNode;

export interface Spot {
  line: number;
  why: string;
}
export interface Translation {
  /** the TypeScript, before formatting */
  ts: string;
  spots: Spot[];
}

export interface TranslateOptions {
  /** BPF(...) of a BCC tool: what constructs it (lcc convert's skeleton and settings) */
  bpf?: (call: PyNode, t: Translator) => string;
  /** more import lines for the header (the tool's skeleton) */
  imports?: string[];
}

/** BCC's modules: @lcc-ebpf/lbc/bcc, imported as bcc; ctypes is its ct; pyroute2 and netaddr, the networking examples' */
const BCC_MODULES: Record<string, string> = { pyroute2: 'bcc.pyroute2', netaddr: 'bcc.netaddr', bcc: 'bcc', 'bcc.utils': 'bcc.utils', 'bcc.syscall': 'bcc.syscall', 'bcc.containers': 'bcc.containers', ctypes: 'bcc.ct' };

/** Modules of the runtime (py.<name>) a translated `import` binds. */
export const RUNTIME_MODULES = new Set(['sys', 'os', 'errno', 'time', 'datetime', 'signal', 'atexit', 'collections', 'itertools', 'functools', 'json', 'textwrap', 're', 'subprocess', 'multiprocessing', 'resource', 'platform', 'struct', 'socket', 'argparse', 'pwd', 'stat', 'glob', 'binascii', 'traceback', 'logging', 'tempfile', 'fcntl', 'math', 'random', 'string', 'shutil', 'copy', 'threading', 'fnmatch', 'ast', 'builtins', 'curses']);

/** Built-in functions imported by name */
const BUILTINS = new Set(['print', 'len', 'range', 'enumerate', 'zip', 'sorted', 'reversed', 'max', 'min', 'sum', 'any', 'all', 'abs', 'round', 'divmod', 'int', 'float', 'bool', 'list', 'tuple', 'dict', 'set', 'frozenset', 'bytes', 'bytearray', 'isinstance', 'callable', 'hasattr', 'getattr', 'setattr', 'id', 'ord', 'chr', 'hex', 'oct', 'bin', 'format', 'map', 'filter', 'iter', 'next', 'exit', 'quit', 'repr', 'str', 'pow']);
/** Exceptions: py.<name>; TypeError is py.PyTypeError (JavaScript has its own) */
const EXCEPTIONS: Record<string, string> = Object.fromEntries(['BaseException', 'Exception', 'KeyboardInterrupt', 'SystemExit', 'GeneratorExit', 'StopIteration', 'ArithmeticError', 'ZeroDivisionError', 'OverflowError', 'AssertionError', 'AttributeError', 'LookupError', 'KeyError', 'IndexError', 'NameError', 'OSError', 'IOError', 'EnvironmentError', 'FileNotFoundError', 'PermissionError', 'ProcessLookupError', 'FileExistsError', 'RuntimeError', 'NotImplementedError', 'ValueError', 'UnicodeDecodeError', 'ImportError', 'ModuleNotFoundError'].map((n) => [n, `py.${n}`]));
EXCEPTIONS.TypeError = 'py.PyTypeError';

/** Methods of str, bytes and list the runtime dispatches on the receiver (py.split(x)) */
const METHODS = new Set(['split', 'rsplit', 'splitlines', 'strip', 'lstrip', 'rstrip', 'startswith', 'endswith', 'upper', 'lower', 'title', 'capitalize', 'replace', 'find', 'rfind', 'ljust', 'rjust', 'center', 'zfill', 'isdigit', 'isnumeric', 'isdecimal', 'isalpha', 'isalnum', 'isspace', 'islower', 'isupper', 'partition', 'rpartition', 'expandtabs', 'join', 'format', 'encode', 'decode', 'append', 'extend', 'insert', 'pop', 'remove', 'index', 'count', 'sort', 'reverse', 'copy', 'clear']);
/** The runtime's function for a method: the names a module has there are others (format, copy) */
const methodName = (attr: string): string => (attr === 'format' ? 'strFormat' : attr === 'copy' ? 'copyOf' : attr);
const BOOL_METHODS = new Set(['startswith', 'endswith', 'isdigit', 'isnumeric', 'isdecimal', 'isalpha', 'isalnum', 'isspace', 'islower', 'isupper']);
const STR_METHODS = new Set(['strip', 'lstrip', 'rstrip', 'upper', 'lower', 'title', 'capitalize', 'replace', 'ljust', 'rjust', 'center', 'zfill', 'join', 'format', 'decode', 'expandtabs']);

const JS_RESERVED = new Set(['new', 'delete', 'function', 'var', 'let', 'const', 'this', 'switch', 'case', 'default', 'typeof', 'void', 'instanceof', 'do', 'enum', 'export', 'extends', 'super', 'null', 'catch', 'throw', 'interface', 'package', 'private', 'protected', 'public', 'static', 'yield', 'arguments', 'eval', 'undefined', 'implements', 'debugger', 'NaN', 'Infinity', 'py', 'bcc', 'process', 'Buffer', 'Object', 'Array', 'String', 'Number', 'Math', 'Symbol', 'Promise', 'Error', 'console', 'require', 'module', 'exports', 'globalThis', 'await', 'async', 'of', 'any', 'unknown', 'never', 'type']);
export const tsName = (n: string): string => (JS_RESERVED.has(n) ? `${n}_` : n);

type Ty = 'int' | 'float' | 'str' | 'bool' | 'none' | 'list' | 'tuple' | 'dict' | 'bytes' | '?';
interface E {
  c: string;
  t: Ty;
}
const num = (t: Ty): boolean => t === 'int' || t === 'float';

interface Scope {
  kind: 'module' | 'function' | 'class' | 'lambda';
  async: boolean;
  generator: boolean;
  /** names Python binds here (declared at the top) */
  locals: Set<string>;
  cls: ClassInfo | null;
  /** the class whose method this is (self.attr of a class attribute) */
  method: ClassInfo | null;
  /** names that hold a class here (a classmethod's cls): calling one constructs */
  classVars?: Set<string>;
  parent: Scope | null;
}

interface Loop {
  /** the label `break` takes to skip the loop's else block */
  elseLabel: string | null;
}

/** Python's built-in types a class may subclass: the runtime's classes for them */
const BUILTIN_BASES: Record<string, string> = { set: 'py.PySet', dict: 'py.PyDict' };

class UntranslatableError extends Error {
  constructor(readonly node: PyNode, why: string) {
    super(why);
  }
}

const line = (n: PyNode): number => n.startPosition.row + 1;

/** A Python string literal's text (between its quotes), escapes applied unless raw. */
function unescape(body: string, raw: boolean): string {
  if (raw) return body;
  return body.replace(/\\(\n|\\|'|"|a|b|f|n|r|t|v|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}]*\}|.)/g, (m, e: string) => {
    switch (e[0]) {
      case '\n': return '';
      case '\\': return '\\';
      case "'": return "'";
      case '"': return '"';
      case 'a': return '\x07';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'n': return '\n';
      case 'r': return '\r';
      case 't': return '\t';
      case 'v': return '\v';
      case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
      case 'u': case 'U': return e.length > 1 ? String.fromCodePoint(parseInt(e.slice(1), 16)) : m;
      default: return /^[0-7]+$/.test(e) ? String.fromCharCode(parseInt(e, 8)) : m;
    }
  });
}

const templateText = (s: string): string => s.replace(/[\\`]/g, '\\$&').replace(/\$\{/g, '\\${');

export class Translator {
  readonly spots: Spot[] = [];
  readonly builtins = new Set<string>();
  private scope: Scope;
  /** the names the module binds, for its locals() and globals() */
  moduleNames = new Set<string>();
  private loops: Loop[] = [];
  private n = 0;
  private caught: string[] = [];
  readonly prog: Program;

  /** whether the translation uses @lcc-ebpf/lbc/bcc */
  usesBcc = false;

  /** src: the text the tree's offsets index (the root node's text may start later) */
  constructor(readonly root: PyNode, readonly file: string, private src: string, readonly opts: TranslateOptions = {}) {
    this.prog = analyze(root);
    this.scope = { kind: 'module', async: true, generator: false, locals: new Set(), cls: null, method: null, parent: null };
  }

  private tmp(base: string): string {
    return `_${base}${++this.n}`;
  }

  private spot(n: PyNode, why: string): string {
    this.spots.push({ line: line(n), why });
    return `LCC_UNTRANSLATED /* ${this.file}:${line(n)}: ${why.replace(/\*\//g, '* /')} */`;
  }

  // ---------------------------------------------------------------- names

  private isBuiltin(name: string): boolean {
    return BUILTINS.has(name) && !this.prog.bound.has(name);
  }

  private name(n: PyNode): E {
    const id = n.text;
    if (id === '__name__' && !this.prog.bound.has(id)) return { c: "'__main__'", t: 'str' };
    if (id === '__file__' && !this.prog.bound.has(id)) return { c: 'py.sys.argv[0]', t: 'str' };
    if (id === 'self' && this.scope.method) return { c: 'self', t: '?' };
    if (EXCEPTIONS[id] && !this.prog.bound.has(id)) return { c: EXCEPTIONS[id]!, t: '?' };
    if (id === 'object' && !this.prog.bound.has(id)) return { c: 'py.PyObject', t: '?' };
    if (this.isBuiltin(id)) {
      this.builtins.add(id);
      return { c: id, t: '?' };
    }
    if (this.starModules.length && !this.prog.bound.has(id) && !this.boundAround(n)) return { c: `py.starName([${this.starModules.join(', ')}], ${JSON.stringify(id)})`, t: '?' };
    // a name nothing binds (sockmap's sleep, never imported): Python's NameError, where it is read
    if (!this.prog.bound.has(id) && !this.boundAround(n) && !this.bindsAnywhere().has(id)) return { c: `py.nameError(${JSON.stringify(id)})`, t: '?' };
    return { c: tsName(id), t: '?' };
  }

  /** Every name any construct binds anywhere (a parameter of any kind, an `as`, a walrus, a global, ...) */
  private bindsAnywhere(): Set<string> {
    if (this.anyBinding) return this.anyBinding;
    const binders = new Set(['assignment', 'augmented_assignment', 'for_statement', 'for_in_clause', 'function_definition', 'class_definition', 'parameters', 'lambda_parameters',
      'default_parameter', 'typed_parameter', 'typed_default_parameter', 'list_splat_pattern', 'dictionary_splat_pattern', 'pattern_list', 'tuple_pattern', 'list_pattern',
      'as_pattern_target', 'named_expression', 'global_statement', 'nonlocal_statement', 'aliased_import', 'dotted_name', 'import_from_statement', 'import_statement', 'delete_statement']);
    this.anyBinding = new Set(this.root.descendantsOfType('identifier').filter((i) => binders.has(i.parent?.type ?? '')).map((i) => i.text));
    return this.anyBinding;
  }
  private anyBinding: Set<string> | null = null;

  /** modules `from m import *` brought in: where an unbound name is looked up */
  private starModules: string[] = [];

  /** Whether a comprehension, a lambda or an except/with `as` around `n` binds its name */
  private boundAround(n: PyNode): boolean {
    for (let p = n.parent; p; p = p.parent) {
      const binders = p.type === 'lambda' ? [p.childForFieldName('parameters')] : /comprehension|generator_expression/.test(p.type) ? p.namedChildren.filter((c) => c.type === 'for_in_clause').map((c) => c.childForFieldName('left')) : [];
      if (binders.some((b) => b && [b, ...b.descendantsOfType('identifier')].some((x) => x.text === n.text))) return true;
      if ((p.type === 'except_clause' || p.type === 'with_statement') && p.descendantsOfType('as_pattern_target').some((t) => t.text === n.text)) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- expressions

  /** A Python expression given as source (a condition lcc convert recorded), translated here, in this scope */
  exprFrom(src: string): E {
    const text = `(${src})\n`;
    const node = parse('python', text).namedChildren[0]?.namedChildren[0];
    if (!node || node.hasError) return { c: `LCC_UNTRANSLATED /* ${src.replace(/\*\//g, '* /')} */`, t: '?' };
    const saved = this.src;
    this.src = text;
    try {
      return this.expr(node);
    } finally {
      this.src = saved;
    }
  }

  /** A call's keyword arguments, translated, by name */
  keywordArgs(call: PyNode): Map<string, string> {
    const out = new Map<string, string>();
    for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
      if (a.type === 'keyword_argument') out.set(a.childForFieldName('name')!.text, this.expr(a.childForFieldName('value')!).c);
    }
    return out;
  }

  /** An expression as a condition: a boolean */
  cond(n: PyNode): string {
    // while 1: / while True:
    if (n.type === 'integer') return BigInt(n.text.replace(/_/g, '')) ? 'true' : 'false';
    const e = this.expr(n);
    return e.t === 'bool' ? e.c : `py.truthy(${e.c})`;
  }

  expr(n: PyNode): E {
    switch (n.type) {
      case 'integer': {
        const t = n.text.replace(/[lL]$/, '');
        if (/[jJ]$/.test(t)) return { c: this.spot(n, 'complex numbers'), t: '?' };
        const v = BigInt(t.replace(/_/g, '').replace(/^0o/i, '0o'));
        return { c: v > 9007199254740991n ? `${t}n` : t, t: 'int' };
      }
      case 'float':
        if (/[jJ]$/.test(n.text)) return { c: this.spot(n, 'complex numbers'), t: '?' };
        return { c: n.text.replace(/\.$/, '.0').replace(/^\./, '0.'), t: 'float' };
      case 'true': return { c: 'true', t: 'bool' };
      case 'false': return { c: 'false', t: 'bool' };
      case 'none': return { c: 'null', t: 'none' };
      case 'ellipsis': return { c: 'null', t: 'none' };
      case 'string': return this.string(n);
      case 'concatenated_string': {
        const parts = n.namedChildren.map((c) => this.string(c));
        if (parts.every((p) => p.t === 'bytes')) return { c: `py.add(${parts.map((p) => p.c).join(', ')})`, t: 'bytes' };
        return { c: `(${parts.map((p) => p.c).join(' + ')})`, t: 'str' };
      }
      case 'identifier': return this.name(n);
      case 'keyword_identifier': return this.name(n);
      case 'parenthesized_expression': {
        const inner = n.namedChildren[0]!;
        const e = this.expr(inner);
        return { c: `(${e.c})`, t: e.t };
      }
      case 'attribute': return this.attribute(n);
      case 'subscript': return this.subscript(n);
      case 'call': return this.call(n);
      case 'binary_operator': return this.binary(n);
      case 'unary_operator': {
        const op = n.childForFieldName('operator')!.text;
        const a = this.expr(n.childForFieldName('argument')!);
        if (op === '+') return a;
        if (op === '-') return /^\d/.test(a.c) && num(a.t) ? { c: `-${a.c}`, t: a.t } : { c: `py.neg(${a.c})`, t: num(a.t) ? a.t : '?' };
        return { c: `py.invert(${a.c})`, t: 'int' };
      }
      case 'not_operator': return { c: `!${this.paren(this.cond(n.childForFieldName('argument')!))}`, t: 'bool' };
      case 'boolean_operator': {
        const op = n.childForFieldName('operator')!.text;
        const a = this.expr(n.childForFieldName('left')!);
        const b = this.expr(n.childForFieldName('right')!);
        if (a.t === 'bool' && b.t === 'bool') return { c: `(${a.c} ${op === 'and' ? '&&' : '||'} ${b.c})`, t: 'bool' };
        return { c: `py.${op}(${a.c}, () => ${b.c})`, t: a.t === b.t ? a.t : '?' };
      }
      case 'comparison_operator': return this.comparison(n);
      case 'conditional_expression': {
        const [a, c, b] = n.namedChildren;
        const x = this.expr(a!);
        const y = this.expr(b!);
        return { c: `(${this.cond(c!)} ? ${x.c} : ${y.c})`, t: x.t === y.t ? x.t : '?' };
      }
      case 'lambda': return this.lambda(n);
      case 'list': return { c: `[${this.elements(n.namedChildren)}]`, t: 'list' };
      case 'tuple': return { c: `py.tup(${this.elements(n.namedChildren)})`, t: 'tuple' };
      case 'expression_list': return { c: `py.tup(${this.elements(n.namedChildren)})`, t: 'tuple' };
      case 'set': return { c: `new py.PySet([${this.elements(n.namedChildren)}])`, t: '?' };
      case 'dictionary': {
        const parts: string[] = [];
        for (const p of n.namedChildren) {
          if (p.type === 'pair') parts.push(`[${this.expr(p.childForFieldName('key')!).c}, ${this.expr(p.childForFieldName('value')!).c}]`);
          else if (p.type === 'dictionary_splat') parts.push(`...py.dict(${this.expr(p.namedChildren[0]!).c}).items()`);
          else parts.push(this.spot(p, `a dict entry of kind ${p.type}`));
        }
        return { c: `new py.PyDict([${parts.join(', ')}])`, t: 'dict' };
      }
      case 'list_comprehension': return { c: this.comprehension(n, 'list'), t: 'list' };
      case 'generator_expression': return { c: this.comprehension(n, 'list'), t: 'list' };
      case 'set_comprehension': return { c: `new py.PySet(${this.comprehension(n, 'list')})`, t: '?' };
      case 'dictionary_comprehension': return { c: `new py.PyDict(${this.comprehension(n, 'pairs')})`, t: 'dict' };
      case 'named_expression': {
        const v = this.expr(n.childForFieldName('value')!);
        return { c: `(${tsName(n.childForFieldName('name')!.text)} = ${v.c})`, t: v.t };
      }
      case 'await': return { c: this.spot(n, 'await (asyncio)'), t: '?' };
      case 'yield': {
        const v = n.namedChildren[0];
        if (n.children[1]?.type === 'from') return { c: `(yield* py.iter(${this.expr(v!).c}))`, t: '?' };
        return { c: `(yield ${v ? this.expr(v).c : 'null'})`, t: '?' };
      }
      case 'list_splat': return { c: `...py.iter(${this.expr(n.namedChildren[0]!).c})`, t: '?' };
      default:
        return { c: this.spot(n, `the expression ${n.type.replace(/_/g, ' ')}`), t: '?' };
    }
  }

  private paren(c: string): string {
    return /^[\w.$]+(\(.*\))?$/s.test(c) && !c.includes(' ') ? c : `(${c})`;
  }

  private elements(items: PyNode[]): string {
    return items.map((i) => (i.type === 'list_splat' || i.type === 'parenthesized_list_splat' ? `...py.iter(${this.expr(i.namedChildren[0]!).c})` : this.expr(i).c)).join(', ');
  }

  private string(n: PyNode): E {
    const start = n.children[0]!;
    const prefix = start.text.replace(/["']+$/, '').toLowerCase();
    const raw = prefix.includes('r');
    const isBytes = prefix.includes('b');
    const isF = prefix.includes('f');
    if (!isF) {
      const body = n.text.slice(start.text.length, n.text.length - n.children[n.children.length - 1]!.text.length);
      const v = unescape(body, raw);
      return isBytes ? { c: `py.bytes(${JSON.stringify(v)}, 'latin-1')`, t: 'bytes' } : { c: JSON.stringify(v), t: 'str' };
    }
    // an f-string: text between its interpolations, each formatted as format() does
    let out = '';
    let pos = start.endIndex;
    const end = n.children[n.children.length - 1]!.startIndex;
    const src = this.src;
    for (const c of n.children) {
      if (c.type !== 'interpolation') continue;
      out += templateText(unescape(src.slice(pos, c.startIndex), raw).replace(/\{\{/g, '{').replace(/\}\}/g, '}'));
      out += `\${${this.interpolation(c)}}`;
      pos = c.endIndex;
    }
    out += templateText(unescape(src.slice(pos, end), raw).replace(/\{\{/g, '{').replace(/\}\}/g, '}'));
    return { c: `\`${out}\``, t: 'str' };
  }

  private interpolation(c: PyNode): string {
    const e = this.expr(c.childForFieldName('expression')!);
    const conv = c.childForFieldName('type_conversion')?.text;
    const specNode = c.childForFieldName('format_specifier');
    let v = this.F(e);
    if (conv === '!r' || conv === '!a') v = `py.repr(${v})`;
    else if (conv === '!s') v = `py.str(${v})`;
    if (!specNode) return conv ? v : `py.str(${v})`;
    // the spec: its text, with {nested} fields formatted in
    let spec = '';
    let pos = specNode.startIndex + 1;
    for (const f of specNode.namedChildren) {
      if (f.type !== 'format_expression') continue;
      spec += templateText(this.src.slice(pos, f.startIndex));
      spec += `\${py.str(${this.expr(f.childForFieldName('expression') ?? f.namedChildren[0]!).c})}`;
      pos = f.endIndex;
    }
    spec += templateText(this.src.slice(pos, specNode.endIndex));
    return `py.formatValue(${v}, \`${spec}\`)`;
  }

  private attribute(n: PyNode): E {
    const objNode = n.childForFieldName('object')!;
    const attr = n.childForFieldName('attribute')!.text;
    // a class attribute read through self: the class's static
    const m = this.scope.method ?? this.enclosingMethod();
    // (the instance's class: a subclass may set its own)
    if (objNode.type === 'identifier' && objNode.text === 'self' && m && m.attrs.has(attr) && !this.selfAssigned(m).has(attr)) return { c: `(self.constructor as any).${attr}`, t: '?' };
    // bytes.decode, str.upper: the method as a function of its receiver (section_print_fn=bytes.decode)
    if (objNode.type === 'identifier' && ['str', 'bytes', 'list', 'bytearray'].includes(objNode.text) && !this.prog.bound.has(objNode.text) && METHODS.has(attr)) {
      return { c: `py.${methodName(attr)}`, t: '?' };
    }
    // f.__doc__ of one of the program's functions: its docstring, known now (exitsnoop prints _embedded_c's)
    const fdef = attr === '__doc__' && objNode.type === 'identifier' ? this.prog.functions.get(objNode.text) : undefined;
    if (fdef) {
      const first = fdef.node.childForFieldName('body')?.namedChildren[0];
      const doc = first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string' ? first.namedChildren[0] : null;
      return doc ? this.expr(doc) : { c: 'null', t: '?' };
    }
    const obj = this.expr(objNode);
    if (attr === '__name__' && objNode.type !== 'identifier') return { c: `${this.paren(obj.c)}.name`, t: 'str' };
    if (attr === '__class__') return { c: `${this.paren(obj.c)}.constructor`, t: '?' };
    return { c: `${this.paren(obj.c)}.${attr}`, t: '?' };
  }

  private isClassVar(id: string): boolean {
    for (let s: Scope | null = this.scope; s; s = s.parent) if (s.classVars?.has(id)) return true;
    return false;
  }

  private enclosingMethod(): ClassInfo | null {
    for (let s: Scope | null = this.scope; s; s = s.parent) if (s.method) return s.method;
    return null;
  }

  private assignedCache = new Map<ClassInfo, Set<string>>();
  /** attributes a class's methods assign on self: those are the instance's, not the class's */
  private selfAssigned(c: ClassInfo): Set<string> {
    let s = this.assignedCache.get(c);
    if (!s) {
      s = new Set();
      for (const a of c.node.descendantsOfType(['assignment', 'augmented_assignment'])) {
        for (const t of [a.childForFieldName('left')!, ...a.childForFieldName('left')!.namedChildren]) {
          if (t.type === 'attribute' && t.childForFieldName('object')!.text === 'self') s.add(t.childForFieldName('attribute')!.text);
        }
      }
      this.assignedCache.set(c, s);
    }
    return s;
  }

  private subscript(n: PyNode): E {
    const obj = this.expr(n.childForFieldName('value')!);
    const subs = n.childrenForFieldName('subscript');
    if (subs.length === 1 && subs[0]!.type === 'slice') {
      const parts = this.sliceParts(subs[0]!);
      return { c: `py.slice(${obj.c}, ${parts.join(', ')})`, t: obj.t === 'str' || obj.t === 'list' || obj.t === 'tuple' || obj.t === 'bytes' ? obj.t : '?' };
    }
    const key = subs.length === 1 ? this.expr(subs[0]!).c : `py.tup(${subs.map((s) => this.expr(s).c).join(', ')})`;
    return { c: `py.getitem(${obj.c}, ${key})`, t: obj.t === 'str' ? 'str' : '?' };
  }

  private sliceParts(s: PyNode): string[] {
    // [a:b:c]: the parts by their place around the colons
    const parts: (PyNode | null)[] = [null, null, null];
    let i = 0;
    for (const c of s.children) {
      if (c.type === ':') i++;
      else parts[i] = c;
    }
    return parts.map((p) => (p ? this.expr(p).c : 'null'));
  }

  private binary(n: PyNode): E {
    const op = n.childForFieldName('operator')!.text;
    const a = this.expr(n.childForFieldName('left')!);
    const b = this.expr(n.childForFieldName('right')!);
    const both = num(a.t) && num(b.t);
    const nt: Ty = a.t === 'float' || b.t === 'float' ? 'float' : 'int';
    switch (op) {
      case '+':
        if (a.t === 'str' && b.t === 'str') return { c: `${a.c} + ${b.c}`, t: 'str' };
        // ints may be bigints past 2^53: the runtime's + keeps them exact
        return { c: `py.add(${a.c}, ${b.c})`, t: a.t === b.t ? a.t : both ? 'float' : '?' };
      case '-':
        return { c: `py.sub(${a.c}, ${b.c})`, t: both ? nt : '?' };
      case '*':
        return { c: `py.mul(${a.c}, ${b.c})`, t: a.t === 'str' || b.t === 'str' ? 'str' : both ? nt : '?' };
      case '/': return { c: `py.truediv(${a.c}, ${b.c})`, t: 'float' };
      case '//': return { c: `py.floordiv(${a.c}, ${b.c})`, t: both ? nt : '?' };
      case '%':
        if (a.t === 'str') {
          const r = n.childForFieldName('right')!;
          const items = r.type === 'tuple' ? `py.tup(${r.namedChildren.map((x) => this.F(this.expr(x))).join(', ')})` : this.F(b);
          return { c: `py.pyFormat(${a.c}, ${items})`, t: 'str' };
        }
        return { c: `py.mod(${a.c}, ${b.c})`, t: both ? nt : '?' };
      case '**': return { c: `py.pow(${a.c}, ${b.c})`, t: both ? nt : '?' };
      case '&': return { c: `py.bitand(${a.c}, ${b.c})`, t: '?' };
      case '|': return { c: `py.bitor(${a.c}, ${b.c})`, t: '?' };
      case '^': return { c: `py.bitxor(${a.c}, ${b.c})`, t: '?' };
      case '<<': return { c: `py.lshift(${a.c}, ${b.c})`, t: 'int' };
      case '>>': return { c: `py.rshift(${a.c}, ${b.c})`, t: 'int' };
      default: return { c: this.spot(n, `the operator ${op}`), t: '?' };
    }
  }

  private comparison(n: PyNode): E {
    // a < b < c: operands and operators alternate
    const operands: PyNode[] = [];
    const ops: string[] = [];
    let pendingNot = false;
    for (const c of n.children) {
      if (c.isNamed) operands.push(c);
      else if (c.text === 'not' && ops.length === operands.length - 1 && ops[ops.length - 1] === 'is') ops[ops.length - 1] = 'is not';
      else if (c.text === 'in' && pendingNot) { ops.push('not in'); pendingNot = false; }
      else if (c.text === 'not') pendingNot = true;
      else if (c.text === 'is' || ['<', '>', '<=', '>=', '==', '!=', '<>', 'in'].includes(c.text)) ops.push(c.text);
      else ops.push(c.text.replace(/\s+/g, ' '));
    }
    const es = operands.map((o) => this.expr(o));
    const parts = ops.map((op, i) => this.compare(op, es[i]!, es[i + 1]!, operands[i]!, operands[i + 1]!));
    return { c: parts.length === 1 ? parts[0]! : `(${parts.join(' && ')})`, t: 'bool' };
  }

  private compare(op: string, a: E, b: E, an: PyNode, bn: PyNode): string {
    const lit = (e: E, node: PyNode): boolean => ['integer', 'float', 'string', 'true', 'false'].includes(node.type) && e.t !== '?';
    switch (op) {
      case 'is': return b.t === 'none' ? `${a.c} == null` : a.t === 'none' ? `${b.c} == null` : `${a.c} === ${b.c}`;
      case 'is not': return b.t === 'none' ? `${a.c} != null` : a.t === 'none' ? `${b.c} != null` : `${a.c} !== ${b.c}`;
      case 'in': return `py.contains(${b.c}, ${a.c})`;
      case 'not in': return `!py.contains(${b.c}, ${a.c})`;
      case '==': case '!=': {
        const neg = op === '!=';
        if (b.t === 'none' || a.t === 'none') return `${b.t === 'none' ? a.c : b.c} ${neg ? '!=' : '=='} null`;
        if ((a.t === 'str' && lit(a, an)) || (b.t === 'str' && lit(b, bn))) return `${a.c} ${neg ? '!==' : '==='} ${b.c}`;
        // a number literal: == so that 0n == 0, as Python's 0 == 0
        if ((num(a.t) && lit(a, an)) || (num(b.t) && lit(b, bn))) return `${a.c} ${neg ? '!=' : '=='} ${b.c}`;
        return `${neg ? '!' : ''}py.eq(${a.c}, ${b.c})`;
      }
      case '<>': return `!py.eq(${a.c}, ${b.c})`;
      default: {
        const fn = { '<': 'lt', '>': 'gt', '<=': 'le', '>=': 'ge' }[op];
        if (!fn) return this.spot(an, `the comparison ${op}`);
        if ((num(a.t) || num(b.t)) || (a.t === 'str' && b.t === 'str')) return `${a.c} ${op} ${b.c}`;
        return `py.${fn}(${a.c}, ${b.c})`;
      }
    }
  }

  private lambda(n: PyNode): E {
    const ps = paramsOf(n);
    const outer = this.scope;
    this.scope = { kind: 'lambda', async: false, generator: false, locals: new Set(), cls: null, method: outer.method, parent: outer };
    try {
      const body = this.expr(n.childForFieldName('body')!);
      const fn = `((${this.paramList(ps)}) => ${body.c.startsWith('{') ? `(${body.c})` : body.c})`;
      const named = ps.filter((p) => p.kind === 'pos');
      return { c: this.keywordCallsThroughVariables() && named.length ? `py.params(${fn}, ${JSON.stringify(named.map((p) => p.name))})` : fn, t: '?' };
    } finally {
      this.scope = outer;
    }
  }

  /** [x for a in b if c for d in e]: a list (or [k, v] pairs for a dict) built by loops */
  private comprehension(n: PyNode, kind: 'list' | 'pairs'): string {
    const body = n.childForFieldName('body')!;
    const clauses = n.namedChildren.filter((c) => c.type === 'for_in_clause' || c.type === 'if_clause');
    const waits = n.descendantsOfType('call').some((c) => callWaits(c, this.prog));
    if (waits && !this.scope.async) return this.spot(n, 'a comprehension that waits, outside an async function');
    const item = (): string => (kind === 'pairs' ? `[${this.expr(body.childForFieldName('key')!).c}, ${this.expr(body.childForFieldName('value')!).c}]` : this.expr(body).c);
    const target = (c: PyNode): string => this.pattern(c.childForFieldName('left')!, true);
    const fors = clauses.filter((c) => c.type === 'for_in_clause');
    if (fors.length === 1 && clauses.length <= 2 && clauses[0]!.type === 'for_in_clause' && !waits) {
      const t = target(fors[0]!);
      const src = `py.iter(${this.expr(fors[0]!.childForFieldName('right')!).c})`;
      const cond = clauses[1] ? this.cond(clauses[1].namedChildren[0]!) : null;
      const it = item();
      const simple = it === t;
      if (!cond) return simple ? `Array.from(${src})` : `Array.from(${src}, (${t}: any) => ${it})`;
      return `Array.from(${src}).filter((${t}: any) => ${cond})${simple ? '' : `.map((${t}: any) => ${it})`}`;
    }
    let code = `_r.push(${item()});`;
    for (const c of [...clauses].reverse()) {
      if (c.type === 'if_clause') code = `if (${this.cond(c.namedChildren[0]!)}) { ${code} }`;
      else code = `for (const ${target(c)} of py.iter(${this.expr(c.childForFieldName('right')!).c})) { ${code} }`;
    }
    const fn = `(${waits ? 'async ' : ''}() => { const _r: any[] = []; ${code} return _r; })()`;
    return waits ? `(await ${fn})` : fn;
  }

  /** A binding target as a destructuring pattern: `a`, `[a, [b, ...c]]` */
  private pattern(t: PyNode, fresh: boolean): string {
    switch (t.type) {
      case 'identifier': return tsName(t.text);
      case 'pattern_list': case 'tuple_pattern': case 'list_pattern': case 'tuple': case 'list': case 'expression_list':
        return `[${t.namedChildren.map((c) => this.pattern(c, fresh)).join(', ')}]`;
      case 'list_splat_pattern': case 'list_splat': return `...${this.pattern(t.namedChildren[0]!, fresh)}`;
      case 'parenthesized_expression': return this.pattern(t.namedChildren[0]!, fresh);
      case 'attribute': if (!fresh) return this.expr(t).c;
      // falls through
      default: return this.spot(t, `a target of kind ${t.type}`);
    }
  }

  // ---------------------------------------------------------------- calls

  /** a float-typed value that is about to be printed: marked so that 2.0 prints as 2.0 */
  private F(e: E): string {
    return e.t === 'float' ? `py.F(${e.c})` : e.c;
  }

  private args(argNode: PyNode | null, printing = false): { pos: string[]; kw: [string, string][]; splat: boolean; kwsplat: string[] } {
    const out = { pos: [] as string[], kw: [] as [string, string][], splat: false, kwsplat: [] as string[] };
    if (!argNode) return out;
    if (argNode.type === 'generator_expression') {
      out.pos.push(this.expr(argNode).c);
      return out;
    }
    for (const a of argNode.namedChildren) {
      if (a.type === 'keyword_argument') out.kw.push([a.childForFieldName('name')!.text, this.expr(a.childForFieldName('value')!).c]);
      else if (a.type === 'list_splat') {
        out.pos.push(`...py.iter(${this.expr(a.namedChildren[0]!).c})`);
        out.splat = true;
      } else if (a.type === 'dictionary_splat') out.kwsplat.push(this.expr(a.namedChildren[0]!).c);
      else out.pos.push(printing ? this.F(this.expr(a)) : this.expr(a).c);
    }
    return out;
  }

  private kwObject(kw: [string, string][], kwsplat: string[]): string {
    const parts = [...kw.map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${v}`), ...kwsplat.map((d) => `...py.kwargs(${d})`)];
    return `{ ${parts.join(', ')} }`;
  }

  /** Arguments for one of the program's own functions: keywords matched to its parameters now. */
  private bind(f: FuncInfo, a: ReturnType<Translator['args']>, skipSelf: boolean, at: PyNode): string {
    const ps = f.params.slice(skipSelf ? 1 : 0);
    const usesKw = ps.some((p) => p.kind === 'kwonly' || p.kind === 'kwstar');
    const positional = ps.filter((p) => p.kind === 'pos');
    if (a.splat || a.kwsplat.length) {
      return [...a.pos, ...(a.kw.length || a.kwsplat.length ? [this.kwObject(a.kw, a.kwsplat)] : [])].join(', ');
    }
    const out = [...a.pos];
    const rest: [string, string][] = [];
    for (const [k, v] of a.kw) {
      const i = positional.findIndex((p) => p.name === k);
      if (i >= 0 && i >= a.pos.length) {
        while (out.length < i) out.push('undefined');
        out[i] = v;
      } else if (i >= 0) {
        this.spot(at, `${f.name}() got multiple values for argument '${k}'`);
      } else rest.push([k, v]);
    }
    if (rest.length && !usesKw) return `${out.join(', ')}, ${this.spot(at, `${f.name}() got an unexpected keyword argument '${rest[0]![0]}'`)}`;
    if (rest.length) {
      // a function that takes keywords: its positional slots, then the keywords
      const star = ps.some((p) => p.kind === 'star');
      if (!star) while (out.length < positional.length) out.push('undefined');
      out.push(this.kwObject(rest, []));
    }
    return out.join(', ');
  }

  private methodOf(name: string): FuncInfo | null {
    let found: FuncInfo | null = null;
    for (const c of this.prog.classes.values()) {
      const m = c.methods.get(name);
      if (m) {
        if (found) return null;
        found = m;
      }
    }
    return found;
  }

  private call(n: PyNode): E {
    const fn = n.childForFieldName('function')!;
    const argNode = n.childForFieldName('arguments');
    const waits = callWaits(n, this.prog);
    if (waits && !this.scope.async) return { c: this.spot(n, this.scope.generator ? 'a generator that waits' : 'a call that waits, inside a lambda'), t: '?' };
    const aw = (c: string): string => (waits ? `(await ${c})` : c);
    const fname = fn.type === 'identifier' ? fn.text : fn.type === 'attribute' ? fn.childForFieldName('attribute')!.text : '';
    const a = this.args(argNode, ['print', 'str', 'repr', 'format'].includes(fname));
    const plain = (): string => [...a.pos, ...(a.kw.length || a.kwsplat.length ? [this.kwObject(a.kw, a.kwsplat)] : [])].join(', ');

    const qualified = fn.type === 'identifier' ? this.prog.imports.get(fn.text) : fn.type === 'attribute' && fn.childForFieldName('object')!.type === 'identifier' ? `${this.prog.imports.get(fn.childForFieldName('object')!.text) ?? ''}.${fn.childForFieldName('attribute')!.text}` : undefined;
    if (qualified === 'bcc.BPF') {
      this.usesBcc = true;
      if (this.opts.bpf) return { c: this.opts.bpf(n, this), t: '?' };
      return { c: `new bcc.BPF(${this.spot(n, 'BPF() compiles C at run time: lcc convert makes the object and the skeleton it loads')}, ${plain()})`, t: '?' };
    }
    if (fn.type === 'identifier') {
      const id = fn.text;
      if (this.isClassVar(id)) return { c: `new ${tsName(id)}(${plain()})`, t: '?' };
      const cls = this.prog.classes.get(id);
      if (cls && !this.scope.locals.has(id)) {
        const init = cls.methods.get('__init__');
        // (a *splat's length is known only at run time: TypeScript is told so)
        return { c: `new ${a.splat ? `(${tsName(id)} as any)` : tsName(id)}(${init ? this.bind(init, a, true, n) : plain()})`, t: '?' };
      }
      const f = this.prog.functions.get(id);
      if (f && !this.prog.imports.has(id)) return { c: aw(`${a.splat ? `(${tsName(id)} as any)` : tsName(id)}(${this.bind(f, a, false, n)})`), t: '?' };
      if (EXCEPTIONS[id] && !this.prog.bound.has(id)) return { c: `new ${EXCEPTIONS[id]}(${plain()})`, t: '?' };
      if (id === 'super') return { c: 'super', t: '?' };
      if (this.isBuiltin(id)) return this.builtinCall(id, plain);
      if (['open', 'input', 'type', 'vars', 'globals', 'locals', 'eval', 'exec', 'compile', '__import__'].includes(id) && !this.prog.bound.has(id)) {
        if (id === 'input') return { c: aw(`py.input(${plain()})`), t: 'str' };
        if (id === 'open') return { c: `py.open(${plain()})`, t: '?' };
        if (id === 'type' && a.pos.length === 1) return { c: `py.type(${a.pos[0]})`, t: '?' };
        if (id === 'vars' && a.pos.length === 1) return { c: `py.vars(${a.pos[0]})`, t: 'dict' };
        if ((id === 'locals' || id === 'globals') && !a.pos.length) {
          // the names this scope (the module's, for globals()) binds, as they stand when it runs
          let sc: Scope = this.scope;
          while (id === 'globals' && sc.parent) sc = sc.parent;
          // a function's parameters are its locals too
          let def: PyNode | null = n.parent;
          while (def && def.type !== 'function_definition') def = def.parent;
          const params = sc.kind === 'function' && def ? (def.childForFieldName('parameters')?.namedChildren ?? []).map((p) => (p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChildren.find((c) => c.type === 'identifier'))?.text).filter((x): x is string => !!x) : [];
          const names = [...new Set([...params, ...(sc.kind === 'module' ? this.moduleNames : sc.locals)])];
          return { c: `py.boundNames({ ${names.map((x) => `${JSON.stringify(x)}: ${tsName(x)}`).join(', ')} })`, t: 'dict' };
        }
        return { c: this.spot(n, `${id}()`), t: '?' };
      }
    }
    if (fn.type === 'attribute') {
      const objNode = fn.childForFieldName('object')!;
      const attr = fn.childForFieldName('attribute')!.text;
      if (objNode.type === 'call' && objNode.childForFieldName('function')!.text === 'super') {
        const m = this.methodOf(attr);
        return { c: aw(`super.${attr}(${m ? this.bind(m, a, true, n) : plain()})`), t: '?' };
      }
      // os.path.join is a module's function, not str.join
      let root = objNode;
      while (root.type === 'attribute') root = root.childForFieldName('object')!;
      const rootModule = root.type === 'identifier' ? this.prog.imports.get(root.text)?.split('.')[0] : undefined;
      const isModule = rootModule !== undefined && (RUNTIME_MODULES.has(rootModule) || rootModule in BCC_MODULES);
      if (!isModule && METHODS.has(attr)) {
        const obj = this.expr(objNode);
        const name = methodName(attr);
        const t: Ty = BOOL_METHODS.has(attr) ? 'bool' : STR_METHODS.has(attr) && (obj.t === 'str' || attr === 'join' || attr === 'format' || attr === 'decode') ? 'str' : ['find', 'rfind', 'count', 'index'].includes(attr) ? 'int' : attr === 'split' ? 'list' : '?';
        return { c: aw(`py.${name}(${[obj.c, ...plain() ? [plain()] : []].join(', ')})`), t };
      }
      const obj = this.expr(fn);
      const m = !isModule ? this.methodOf(attr) : null;
      return { c: aw(`${a.splat ? `(${obj.c} as any)` : obj.c}(${m ? this.bind(m, a, true, n) : plain()})`), t: '?' };
    }
    const f = this.expr(fn);
    // a function held in a variable, called with keywords: matched at run time to its parameters
    if (a.kw.length && !a.splat && !a.kwsplat.length) return { c: aw(`py.call(${f.c}, [${a.pos.join(', ')}], ${this.kwObject(a.kw, [])})`), t: '?' };
    return { c: aw(`${a.splat ? `(${f.c} as any)` : this.paren(f.c)}(${plain()})`), t: '?' };
  }

  private builtinCall(id: string, plain: () => string): E {
    this.builtins.add(id);
    const args = plain();
    switch (id) {
      case 'len': case 'ord': case 'int': case 'hash': return { c: `${id}(${args})`, t: 'int' };
      case 'str': case 'repr': case 'chr': case 'hex': case 'oct': case 'bin': case 'format': return { c: `${id}(${args})`, t: 'str' };
      case 'float': return { c: `float(${args})`, t: 'float' };
      case 'bool': case 'isinstance': case 'callable': case 'hasattr': case 'any': case 'all': return { c: `${id}(${args})`, t: 'bool' };
      case 'list': case 'sorted': case 'range': return { c: `${id}(${args})`, t: 'list' };
      case 'tuple': return { c: `tuple(${args})`, t: 'tuple' };
      case 'dict': return { c: `dict(${args})`, t: 'dict' };
      default: return { c: `${id}(${args})`, t: '?' };
    }
  }

  // ---------------------------------------------------------------- statements

  block(n: PyNode | null): string[] {
    if (!n) return [];
    const out: string[] = [];
    for (const s of n.namedChildren) out.push(...this.statement(s));
    return out;
  }

  statement(s: PyNode): string[] {
    try {
      return this.statementInner(s);
    } catch (e) {
      if (e instanceof UntranslatableError) return [`${this.spot(e.node, e.message)};`];
      // a shape of Python this translator has no rule for: a spot at the statement, not a crash of the whole tool
      if (e instanceof Error && !(e instanceof RangeError && /call stack/.test(e.message))) return [`${this.spot(s, `a ${s.type.replace(/_/g, ' ')} this translator has no rule for (${e.message})`)};`];
      throw e;
    }
  }

  private statementInner(s: PyNode): string[] {
    switch (s.type) {
      case 'expression_statement': {
        const e = s.namedChildren[0]!;
        if (s.namedChildren.length > 1) return [`${this.expr({ ...e, type: 'expression_list' } as PyNode).c};`];
        if (e.type === 'assignment') return this.assignment(e);
        if (e.type === 'augmented_assignment') return this.augmented(e);
        if (e.type === 'string' || e.type === 'concatenated_string') return []; // a docstring
        return [`${this.expr(e).c};`];
      }
      case 'pass_statement': return [];
      case 'break_statement': {
        const loop = this.loops[this.loops.length - 1];
        return [loop?.elseLabel ? `break ${loop.elseLabel};` : 'break;'];
      }
      case 'continue_statement': return ['continue;'];
      case 'return_statement': {
        const v = s.namedChildren[0];
        return [v ? `return ${this.expr(v).c};` : 'return null;'];
      }
      case 'if_statement': return this.ifStatement(s);
      case 'while_statement': return this.loop(s, `while (${this.cond(s.childForFieldName('condition')!)})`);
      case 'for_statement': {
        const target = s.childForFieldName('left')!;
        const iter = this.expr(s.childForFieldName('right')!);
        const simple = ['identifier', 'pattern_list', 'tuple_pattern', 'list_pattern'].includes(target.type) && !this.hasSubscriptTarget(target);
        if (!simple) return [this.spot(target, 'a for loop whose target is an attribute or item') + ';'];
        const head = `for (${this.pattern(target, false)} of ${iter.t === 'list' ? iter.c : `py.iter(${iter.c})`})`;
        return this.loop(s, head);
      }
      case 'try_statement': return this.tryStatement(s);
      case 'with_statement': return this.withStatement(s);
      case 'raise_statement': {
        const v = s.namedChildren[0];
        // with no exception being handled, Python raises this instead
        if (!v) return [`throw ${this.caught[this.caught.length - 1] ?? "new py.RuntimeError('No active exception to reraise')"};`];
        const e = this.expr(v);
        // raise Cls: an instance of it
        const isClass = v.type === 'identifier' && (EXCEPTIONS[v.text] || this.prog.classes.has(v.text));
        return [isClass ? `throw new ${e.c}();` : `throw ${e.c};`];
      }
      case 'assert_statement': {
        const [c, msg] = s.namedChildren;
        return [`if (!${this.paren(this.cond(c!))}) throw new py.AssertionError(${msg ? this.expr(msg).c : ''});`];
      }
      case 'delete_statement': {
        const out: string[] = [];
        // del a, b / del (a, b) / del [a, b]
        const flat = (n: PyNode): PyNode[] => (['expression_list', 'tuple', 'list', 'parenthesized_expression'].includes(n.type) ? n.namedChildren.flatMap(flat) : [n]);
        const targets = s.namedChildren.flatMap(flat);
        for (const t of targets) {
          if (t.type === 'subscript') out.push(`py.delitem(${this.expr(t.childForFieldName('value')!).c}, ${this.expr(t.childForFieldName('subscript')!).c});`);
          else if (t.type === 'identifier') out.push(`${tsName(t.text)} = undefined;`);
          else if (t.type === 'attribute') out.push(`delete ${this.expr(t).c};`);
          else out.push(`${this.spot(t, `del of ${t.type}`)};`);
        }
        return out;
      }
      case 'global_statement': case 'nonlocal_statement': return [];
      case 'import_statement': case 'import_from_statement': return this.importStatement(s);
      case 'future_import_statement': return [];
      case 'function_definition': return this.functionDef(s, []);
      case 'class_definition': return this.classDef(s, []);
      case 'decorated_definition': {
        const def = s.childForFieldName('definition')!;
        const decorators = s.namedChildren.filter((c) => c.type === 'decorator').map((d) => d.namedChildren[0]!);
        return def.type === 'class_definition' ? this.classDef(def, decorators) : this.functionDef(def, decorators);
      }
      case 'type_alias_statement': {
        // tree-sitter-python reads `type[1] = "R"` (a dict named type) as 3.12's `type X = ...`
        const left = s.childForFieldName('left')?.namedChildren[0];
        const right = s.childForFieldName('right')?.namedChildren[0];
        if (left?.type === 'list' && left.namedChildren.length === 1 && right) return [`py.setitem(${this.name({ text: 'type' } as PyNode).c}, ${this.expr(left.namedChildren[0]!).c}, ${this.expr(right).c});`];
        return [`${this.spot(s, 'a type alias statement')};`];
      }
      case 'print_statement': case 'exec_statement': return [`${this.spot(s, `Python 2's ${s.type.replace('_statement', '')} statement (run 2to3 first)`)};`];
      default:
        return [`${this.spot(s, `the statement ${s.type.replace(/_/g, ' ')}`)};`];
    }
  }

  private assignment(a: PyNode): string[] {
    const targets: PyNode[] = [];
    let cur: PyNode = a;
    while (cur.type === 'assignment' && cur.childForFieldName('right')?.type === 'assignment') {
      targets.push(cur.childForFieldName('left')!);
      cur = cur.childForFieldName('right')!;
    }
    targets.push(cur.childForFieldName('left')!);
    const right = cur.childForFieldName('right');
    if (!right) return []; // x: int, an annotation alone
    const v = this.expr(right);
    if (targets.length === 1) return this.assignTo(targets[0]!, v.c, right);
    const t = this.tmp('v');
    return [`const ${t} = ${v.c};`, ...targets.flatMap((x) => this.assignTo(x, t, null))];
  }

  /** target = value, where value is code already evaluated (or, for the right side of a one-target assignment, its node) */
  private assignTo(t: PyNode, value: string, right: PyNode | null): string[] {
    switch (t.type) {
      case 'identifier': return [`${tsName(t.text)} = ${value};`];
      case 'attribute': return [`${this.expr(t).c} = ${value};`];
      case 'subscript': {
        const obj = this.expr(t.childForFieldName('value')!).c;
        const subs = t.childrenForFieldName('subscript');
        if (subs.length === 1 && subs[0]!.type === 'slice') {
          const [a, b] = this.sliceParts(subs[0]!);
          return [`py.setslice(${obj}, ${a}, ${b}, py.iter(${value}));`];
        }
        const key = subs.length === 1 ? this.expr(subs[0]!).c : `py.tup(${subs.map((x) => this.expr(x).c).join(', ')})`;
        return [`py.setitem(${obj}, ${key}, ${value});`];
      }
      case 'pattern_list': case 'tuple_pattern': case 'list_pattern': case 'tuple': case 'list': case 'expression_list': case 'parenthesized_expression': {
        if (t.type === 'parenthesized_expression') return this.assignTo(t.namedChildren[0]!, value, right);
        const starAt = t.namedChildren.findIndex((x) => x.type === 'list_splat_pattern' || x.type === 'list_splat');
        if (!this.hasSubscriptTarget(t) && (starAt < 0 || starAt === t.namedChildren.length - 1)) {
          // a, b = b, a: the right side is built before any target changes
          const src = right && (right.type === 'expression_list' || right.type === 'tuple') ? `[${this.elements(right.namedChildren)}]` : `py.unpack(${value}, ${this.arity(t)})`;
          return [`${this.pattern(t, false)} = ${src};`];
        }
        const tmp = this.tmp('t');
        const items = t.namedChildren;
        const star = items.findIndex((x) => x.type === 'list_splat_pattern' || x.type === 'list_splat');
        const out = [`const ${tmp} = py.unpack(${value}, ${this.arity(t)});`];
        items.forEach((x, i) => {
          if (i === star) out.push(...this.assignTo(x.namedChildren[0]!, `${tmp}.slice(${i}, ${tmp}.length - ${items.length - 1 - i})`, null));
          else out.push(...this.assignTo(x, star >= 0 && i > star ? `${tmp}[${tmp}.length - ${items.length - i}]` : `${tmp}[${i}]`, null));
        });
        return out;
      }
      default: return [`${this.spot(t, `assignment to ${t.type.replace(/_/g, ' ')}`)};`];
    }
  }

  /** how many items a target unpacks: n, or -n with a starred one among n-1 others */
  private arity(t: PyNode): number {
    const items = t.namedChildren;
    return items.some((x) => x.type === 'list_splat_pattern' || x.type === 'list_splat') ? -(items.length - 1) : items.length;
  }

  private augmented(a: PyNode): string[] {
    const op = a.childForFieldName('operator')!.text.slice(0, -1);
    const fn = ({ '+': 'iadd', '-': 'sub', '*': 'mul', '/': 'truediv', '//': 'floordiv', '%': 'mod', '**': 'pow', '&': 'bitand', '|': 'bitor', '^': 'bitxor', '<<': 'lshift', '>>': 'rshift' } as Record<string, string>)[op];
    if (!fn) return [`${this.spot(a, `the operator ${op}=`)};`];
    const t = a.childForFieldName('left')!;
    const v = this.expr(a.childForFieldName('right')!).c;
    if (t.type === 'identifier' || t.type === 'attribute') {
      const x = this.expr(t).c;
      return [`${x} = py.${fn}(${x}, ${v});`];
    }
    if (t.type === 'subscript' && t.childrenForFieldName('subscript').length === 1 && t.childForFieldName('subscript')!.type !== 'slice') {
      const o = this.expr(t.childForFieldName('value')!).c;
      const k = this.expr(t.childForFieldName('subscript')!).c;
      const simple = (c: string): boolean => /^[\w.$'"]+$/.test(c);
      if (simple(o) && simple(k)) return [`py.setitem(${o}, ${k}, py.${fn}(py.getitem(${o}, ${k}), ${v}));`];
      const [to, tk] = [this.tmp('o'), this.tmp('k')];
      return [`{`, `const ${to} = ${o};`, `const ${tk} = ${k};`, `py.setitem(${to}, ${tk}, py.${fn}(py.getitem(${to}, ${tk}), ${v}));`, '}'];
    }
    return [`${this.spot(t, `${op}= on ${t.type.replace(/_/g, ' ')}`)};`];
  }

  private hasSubscriptTarget(t: PyNode): boolean {
    return t.type === 'subscript' || t.type === 'attribute' || t.namedChildren.some((c) => this.hasSubscriptTarget(c));
  }

  private ifStatement(s: PyNode): string[] {
    const out = [`if (${this.cond(s.childForFieldName('condition')!)}) {`, ...this.block(s.childForFieldName('consequence')), '}'];
    for (const alt of s.childrenForFieldName('alternative')) {
      if (alt.type === 'elif_clause') out.push(`else if (${this.cond(alt.childForFieldName('condition')!)}) {`, ...this.block(alt.childForFieldName('consequence')), '}');
      else out.push('else {', ...this.block(alt.childForFieldName('body')), '}');
    }
    return out;
  }

  /** while/for with Python's else: a labelled block that break leaves, skipping the else */
  private loop(s: PyNode, head: string): string[] {
    const alt = s.childForFieldName('alternative');
    const label = alt ? this.tmp('loop') : null;
    this.loops.push({ elseLabel: label });
    let body: string[];
    try {
      body = this.block(s.childForFieldName('body'));
    } finally {
      this.loops.pop();
    }
    // signals: a long loop still lets SIGINT's KeyboardInterrupt through where it waits
    const loop = [`${head} {`, ...body, '}'];
    if (!alt || !label) return loop;
    return [`${label}: {`, ...loop, ...this.block(alt.childForFieldName('body')), '}'];
  }

  private tryStatement(s: PyNode): string[] {
    const body = this.block(s.childForFieldName('body'));
    const handlers = s.namedChildren.filter((c) => c.type === 'except_clause' || c.type === 'except_group_clause');
    const elseClause = s.namedChildren.find((c) => c.type === 'else_clause');
    const finallyClause = s.namedChildren.find((c) => c.type === 'finally_clause');
    const ok = elseClause ? this.tmp('ok') : null;
    let inner: string[];
    if (handlers.length) {
      const e = this.tmp('e');
      this.caught.push(e);
      const branches: string[] = [];
      try {
        for (const h of handlers) {
          // except T as name: / except (A, B): / except:
          const kids = h.namedChildren.filter((c) => c.type !== 'block');
          const blockNode = h.namedChildren.find((c) => c.type === 'block')!;
          let typeNode: PyNode | null = kids[0] ?? null;
          let alias: string | null = null;
          if (typeNode?.type === 'as_pattern') {
            alias = typeNode.childForFieldName('alias')?.text ?? typeNode.namedChildren[1]!.text;
            typeNode = typeNode.namedChildren[0]!;
          } else if (kids[1]) alias = kids[1].text;
          const bind = alias ? [`${tsName(alias)} = ${e};`] : [];
          const body2 = [...bind, ...this.block(blockNode)];
          if (!typeNode) branches.push(`{ ${body2.join('\n')} }`);
          else {
            const t = typeNode.type === 'tuple' || typeNode.type === 'parenthesized_expression' && typeNode.namedChildren[0]?.type === 'tuple'
              ? `[${(typeNode.type === 'tuple' ? typeNode : typeNode.namedChildren[0]!).namedChildren.map((x) => this.expr(x).c).join(', ')}]`
              : this.expr(typeNode).c;
            branches.push(`if (py.isInstanceExc(${e}, ${t})) {\n${body2.join('\n')}\n}`);
          }
        }
      } finally {
        this.caught.pop();
      }
      const last = branches[branches.length - 1]!;
      const chain = branches.join(' else ') + (last.startsWith('{') ? '' : ` else {\nthrow ${e};\n}`);
      inner = ['try {', ...body, ...(ok ? [`${ok} = true;`] : []), `} catch (${e}_) {`, `const ${e} = py.fromNodeError(${e}_);`, chain, '}'];
    } else inner = ['try {', ...body, ...(ok ? [`${ok} = true;`] : []), '} finally {}'];
    if (ok && elseClause) inner = [`let ${ok} = false;`, ...inner, `if (${ok}) {`, ...this.block(elseClause.namedChildren.find((c) => c.type === 'block') ?? elseClause.childForFieldName('body')), '}'];
    if (finallyClause) {
      const fin = this.block(finallyClause.namedChildren.find((c) => c.type === 'block') ?? null);
      if (!handlers.length && !ok) return ['try {', ...body, '} finally {', ...fin, '}'];
      return ['try {', ...inner, '} finally {', ...fin, '}'];
    }
    if (!handlers.length) return body;
    return inner;
  }

  private withStatement(s: PyNode): string[] {
    const items = s.descendantsOfType('with_item').filter((i) => i.parent?.parent === s || i.parent === s);
    let body = this.block(s.childForFieldName('body'));
    for (const it of [...items].reverse()) {
      const v = it.childForFieldName('value')!;
      const ctxNode = v.type === 'as_pattern' ? v.namedChildren[0]! : v;
      const alias = v.type === 'as_pattern' ? v.childForFieldName('alias')?.namedChildren[0] ?? v.namedChildren[1]! : null;
      const w = this.tmp('with');
      body = [
        `const ${w} = ${this.expr(ctxNode).c};`,
        alias ? `${this.pattern(alias, false)} = py.enter(${w});` : `py.enter(${w});`,
        'try {', ...body, '} finally {', `py.exitContext(${w});`, '}',
      ];
    }
    return body;
  }

  private importStatement(s: PyNode): string[] {
    const out: string[] = [];
    const mod = (name: string, at: PyNode): string => {
      const root = name.split('.')[0]!;
      if (RUNTIME_MODULES.has(root)) return `py.${name}`;
      if (BCC_MODULES[name] ?? BCC_MODULES[root]) {
        this.usesBcc = true;
        return BCC_MODULES[name] ?? `${BCC_MODULES[root]}${name.slice(root.length)}`;
      }
      if (name === '__future__') return '';
      // an optional module the tool guards (try: import x / except ImportError): absent, as on a host without it
      if (this.guardsImport(s)) return `py.missingModule(${JSON.stringify(name)})`;
      return this.spot(at, `the module ${name}, which lcc's runtime does not provide`);
    };
    if (s.type === 'import_statement') {
      for (const m of s.namedChildren) {
        if (m.type === 'dotted_name') {
          const root = m.text.split('.')[0]!;
          out.push(`${tsName(root)} = ${mod(root, m)};`);
          if (m.text !== root) mod(m.text, m);
        } else if (m.type === 'aliased_import') out.push(`${tsName(m.childForFieldName('alias')!.text)} = ${mod(m.childForFieldName('name')!.text, m)};`);
      }
      return out;
    }
    const modNode = s.childForFieldName('module_name')!;
    if (modNode.text === '__future__') return [];
    // names the program never reads are not bound (tunnel's HTTPServer and Thread, pyroute2's NetNS): nothing
    // of them is needed, from lcc's runtime or elsewhere; (one in a try that takes its ImportError is kept:
    // raising is what the tool asks it for)
    const named = s.namedChildren.filter((m) => m !== modNode && m.type !== 'wildcard_import');
    const aliasOf = (m: PyNode): string => (m.type === 'aliased_import' ? m.childForFieldName('alias')!.text : m.text);
    const star = s.namedChildren.some((m) => m.type === 'wildcard_import');
    const unused = star || this.guardsImport(s) ? [] : named.map(aliasOf).filter((n) => !this.reads(n, s));
    const where = `/* ${this.file}:${s.startPosition.row + 1}: `;
    if (unused.length && unused.length === named.length) return [`${where}from ${modNode.text} import ${unused.join(', ')}: never used, not imported */`];
    if (unused.length) out.push(`${where}${unused.join(', ')} of ${modNode.text}: never used, not imported */`);
    const base = mod(modNode.text, modNode);
    for (const m of s.namedChildren) {
      if (m === modNode) continue;
      if (m.type === 'wildcard_import') {
        // a runtime module's names, looked up where the program reads a name it never binds
        if (/^(py|bcc)\./.test(base) || base === 'bcc') this.starModules.push(base);
        else out.push(`${this.spot(m, 'from ... import *')};`);
        continue;
      }
      if (unused.includes(aliasOf(m))) continue;
      const name = m.type === 'aliased_import' ? m.childForFieldName('name')!.text : m.text;
      out.push(`${tsName(aliasOf(m))} = ${base.startsWith('LCC_') ? base : `${base}.${name}`};`);
    }
    return out;
  }

  /** Whether the program reads `name` anywhere but in `decl` (an attribute's or a keyword's name is not a read) */
  private reads(name: string, decl: PyNode): boolean {
    if (!this.readAt) {
      // where each name is read, found once for all the imports
      this.readAt = new Map();
      for (const i of this.root.descendantsOfType('identifier')) {
        const p = i.parent;
        if (p?.type === 'attribute' && p.childForFieldName('attribute')?.startIndex === i.startIndex) continue;
        if (p?.type === 'keyword_argument' && p.childForFieldName('name')?.startIndex === i.startIndex) continue;
        const at = this.readAt.get(i.text);
        if (at) at.push(i);
        else this.readAt.set(i.text, [i]);
      }
    }
    return (this.readAt.get(name) ?? []).some((i) => i.startIndex < decl.startIndex || i.endIndex > decl.endIndex);
  }
  private readAt: Map<string, PyNode[]> | null = null;

  /** Whether an import sits in a try whose handlers take an ImportError (or anything) */
  private guardsImport(n: PyNode): boolean {
    for (let p: PyNode | null = n.parent; p; p = p.parent) {
      if (p.type === 'except_clause' || p.type === 'function_definition' || p.type === 'class_definition') return false;
      if (p.type !== 'block' || p.parent?.type !== 'try_statement' || p.parent.childForFieldName('body') !== p) continue;
      for (const h of p.parent.namedChildren.filter((c) => c.type === 'except_clause')) {
        const kinds = h.namedChildren.filter((c) => c.type !== 'block').map((c) => c.text);
        if (!kinds.length || kinds.some((k) => /\b(ImportError|ModuleNotFoundError|Exception|BaseException)\b/.test(k))) return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- definitions

  /** optional: an override's parameters, which TypeScript would otherwise hold to its base's count */
  private paramList(ps: Param[], optional = false): string {
    const usesKw = ps.some((p) => p.kind === 'kwonly' || p.kind === 'kwstar');
    if (usesKw) return '...__args: any[]';
    return ps.map((p) => (p.kind === 'star' ? `...${tsName(p.name)}: any[]` : `${tsName(p.name)}${optional && !p.dflt ? '?' : ''}: any${p.dflt ? ` = ${this.expr(p.dflt).c}` : ''}`)).join(', ');
  }

  /** For a function taking keywords: its parameters, out of the arguments and the trailing keyword object. */
  private kwPrologue(ps: Param[]): string[] {
    if (!ps.some((p) => p.kind === 'kwonly' || p.kind === 'kwstar')) return [];
    const pos = ps.filter((p) => p.kind === 'pos' || p.kind === 'star').map((p) => (p.kind === 'star' ? `...${tsName(p.name)}` : `${tsName(p.name)}${p.dflt ? ` = ${this.expr(p.dflt).c}` : ''}`));
    const kwonly = ps.filter((p) => p.kind === 'kwonly').map((p) => `${p.name}: ${tsName(p.name)}${p.dflt ? ` = ${this.expr(p.dflt).c}` : ''}`);
    // a positional parameter may come by keyword too
    const byKw = ps.filter((p) => p.kind === 'pos').map((p) => `if ('${p.name}' in _kw) ${tsName(p.name)} = _kw.${p.name};`);
    const star = ps.find((p) => p.kind === 'kwstar');
    return [
      'let [_pos, _kw]: [any[], any] = py.splitKw(__args);',
      ...(pos.length ? [`let [${pos.join(', ')}]: any[] = _pos;`] : []),
      ...byKw,
      `let { ${[...kwonly, ...ps.filter((p) => p.kind === 'pos').map((p) => `${p.name}: _${p.name}`), star ? `..._rest` : ''].filter(Boolean).join(', ')} } = _kw;`,
      ...(star ? [`let ${tsName(star.name)} = new py.PyDict(Object.entries(_rest));`] : []),
    ];
  }

  private functionBody(fn: PyNode, ps: Param[], info: FuncInfo | undefined, method: ClassInfo | null, selfName: string | null, selfIsClass = false): string[] {
    const names = scopeNames(fn.childForFieldName('body')!, ps.map((p) => p.name));
    const outer = this.scope;
    const generator = info?.generator ?? false;
    this.scope = { kind: 'function', async: info?.async ?? false, generator, locals: names.locals, cls: null, method, parent: outer, classVars: selfIsClass && selfName ? new Set([selfName]) : undefined };
    const savedLoops = this.loops;
    this.loops = [];
    try {
      const decl = this.declarations(fn.childForFieldName('body')!, names.locals);
      const self = selfName ? [`const ${tsName(selfName)} = this;`] : [];
      // *args is a tuple in Python
      const star = ps.filter((p) => p.kind === 'star').map((p) => `${tsName(p.name)} = py.tup(...${tsName(p.name)});`);
      return [...self, ...this.kwPrologue(ps), ...star, ...decl, ...this.block(fn.childForFieldName('body'))];
    } finally {
      this.scope = outer;
      this.loops = savedLoops;
    }
  }

  /** `let a: any, b: any;` for what the body binds, less what it declares itself (top-level def and class) */
  declarations(body: PyNode, locals: Set<string>): string[] {
    const declared = new Set(this.hoisted(body));
    const names = [...locals].filter((x) => !declared.has(x)).map(tsName);
    return names.length ? [`let ${names.map((x) => `${x}: any`).join(', ')};`] : [];
  }

  /** defs and classes at the top of a body, undecorated and bound nowhere else: emitted as declarations */
  private hoisted(body: PyNode): string[] {
    const counts = new Map<string, number>();
    const bound = new Set<string>();
    for (const s of body.namedChildren) {
      if (s.type === 'function_definition' || s.type === 'class_definition') {
        const nm = s.childForFieldName('name')!.text;
        counts.set(nm, (counts.get(nm) ?? 0) + 1);
      }
    }
    // a name also bound by assignment or a nested def is a variable
    for (const s of body.descendantsOfType(['assignment', 'augmented_assignment', 'for_statement'])) {
      for (const t of targetNames(s.childForFieldName('left')!)) bound.add(t);
    }
    for (const s of body.descendantsOfType(['function_definition', 'class_definition'])) {
      if (s.parent !== body) bound.add(s.childForFieldName('name')!.text);
    }
    return [...counts].filter(([nm, k]) => k === 1 && !bound.has(nm)).map(([nm]) => nm);
  }

  private isHoisted(def: PyNode): boolean {
    const body = def.parent;
    return !!body && body.type !== 'decorated_definition' && this.hoisted(body).includes(def.childForFieldName('name')!.text);
  }

  private functionDef(def: PyNode, decorators: PyNode[]): string[] {
    const name = def.childForFieldName('name')!.text;
    const ps = paramsOf(def);
    const known = this.prog.byNode.get(def);
    const info: FuncInfo = known ?? { name, node: def, params: ps, async: false, generator: def.descendantsOfType('yield').length > 0 };
    const body = this.functionBody(def, ps, info, null, null);
    const star = info.generator ? '*' : '';
    const asyncKw = info.async ? 'async ' : '';
    // an async function's return type is a Promise (TS1064 refuses `any` there)
    const sig = `(${this.paramList(ps)}): ${info.async ? 'Promise<any>' : 'any'}`;
    const fnText = `${asyncKw}function${star} ${tsName(name)}${info.generator ? `(${this.paramList(ps)}): Generator<any>` : sig} {\n${body.join('\n')}\n}`;
    // its parameters' names, for calls with keywords through a variable (py.call)
    const meta = this.keywordCallsThroughVariables() && ps.some((p) => p.kind === 'pos') ? [`py.params(${tsName(name)}, ${JSON.stringify(ps.filter((p) => p.kind === 'pos').map((p) => p.name))}${ps.some((p) => p.kind === 'kwonly' || p.kind === 'kwstar') ? ', true' : ''});`] : [];
    if (!decorators.length && this.isHoisted(def)) return [fnText, ...meta];
    let value = fnText;
    for (const d of [...decorators].reverse()) value = `${this.expr(d).c}(${value})`;
    return [`${tsName(name)} = ${value};`, ...meta];
  }

  private kwThroughVars: boolean | null = null;
  /** whether the program calls, with keywords, something that is not a def it names */
  private keywordCallsThroughVariables(): boolean {
    this.kwThroughVars ??= this.root.descendantsOfType('call').some((c) => {
      const f = c.childForFieldName('function')!;
      const hasKw = c.childForFieldName('arguments')?.namedChildren.some((x) => x.type === 'keyword_argument');
      return hasKw && f.type === 'identifier' && !this.prog.functions.has(f.text) && !this.prog.classes.has(f.text) && !BUILTINS.has(f.text) && !this.prog.imports.has(f.text);
    });
    return this.kwThroughVars;
  }

  private classDef(def: PyNode, decorators: PyNode[]): string[] {
    const name = def.childForFieldName('name')!.text;
    const info = this.prog.classes.get(name)!;
    const bases = (def.childForFieldName('superclasses')?.namedChildren ?? []).filter((b) => b.type !== 'keyword_argument');
    if (bases.length > 1) return [`${this.spot(def, `class ${name} has ${bases.length} base classes`)};`];
    const builtinBase = bases[0]?.type === 'identifier' && !this.prog.bound.has(bases[0].text) ? BUILTIN_BASES[bases[0].text] : undefined;
    const base = builtinBase ?? (bases[0] ? this.expr(bases[0]).c : 'py.PyObject');
    const members: string[] = ['[key: string]: any;'];
    const defines = (m: string): boolean => def.childForFieldName('body')!.namedChildren.some((s) => (s.type === 'decorated_definition' ? s.childForFieldName('definition')! : s).type === 'function_definition' && (s.type === 'decorated_definition' ? s.childForFieldName('definition')! : s).childForFieldName('name')?.text === m);
    // set and dict fill themselves in their constructors, which call no __init__ of a subclass
    if (builtinBase && defines('__init__')) return [`${this.spot(def, `class ${name} subclasses ${bases[0]!.text} with an __init__ of its own`)};`];
    if (defines('__getattr__')) members.push('constructor(...args: any[]) {\nsuper(...args);\nreturn py.withGetattr(this);\n}');
    for (const s of def.childForFieldName('body')!.namedChildren) {
      const d = s.type === 'decorated_definition' ? s.childForFieldName('definition')! : s;
      const decos = s.type === 'decorated_definition' ? s.namedChildren.filter((c) => c.type === 'decorator').map((x) => x.namedChildren[0]!.text) : [];
      if (d.type === 'function_definition') {
        members.push(this.method(d, decos, info));
      } else if (s.type === 'expression_statement' && s.namedChildren[0]?.type === 'assignment') {
        const a = s.namedChildren[0];
        const left = a.childForFieldName('left')!;
        const right = a.childForFieldName('right');
        if (left.type !== 'identifier' || !right) {
          members.push(`static ${this.tmp('unsupported')} = ${this.spot(a, 'a class attribute that is not one name')};`);
          continue;
        }
        members.push(`static ${this.overrides(info, left.text) ? 'override ' : ''}${left.text}: any = ${this.expr(right).c};`);
      } else if (s.type === 'expression_statement' && (s.namedChildren[0]?.type === 'string' || s.namedChildren[0]?.type === 'concatenated_string')) {
        continue;
      } else if (s.type === 'pass_statement') {
        continue;
      } else {
        members.push(`static ${this.tmp('unsupported')} = ${this.spot(s, `a ${s.type.replace(/_/g, ' ')} in a class body`)};`);
      }
    }
    const text = `class ${tsName(name)} extends ${base} {\n${members.join('\n')}\n}`;
    if (!decorators.length && this.isHoisted(def)) return [text];
    let value = `(${text})`;
    for (const d of [...decorators].reverse()) value = `${this.expr(d).c}(${value})`;
    return [`${tsName(name)} = ${value};`];
  }

  /** whether a base of cls has this member already (TypeScript wants `override`) */
  private overrides(cls: ClassInfo, member: string, seen = new Set<ClassInfo>()): boolean {
    seen.add(cls);
    for (const b of cls.bases) {
      if (b.type === 'keyword_argument') continue;
      const user = b.type === 'identifier' ? this.prog.classes.get(b.text) : undefined;
      if (user && !seen.has(user)) {
        if (user.methods.has(member) || user.attrs.has(member) || this.overrides(user, member, seen)) return true;
      } else if (!user && (member === '__init__' || (EXCEPTIONS[b.text] !== undefined && ['args', 'message', 'name'].includes(member)))) {
        return true;
      }
    }
    // no base: py.PyObject, which has __init__
    return cls.bases.length === 0 && member === '__init__';
  }

  private method(d: PyNode, decos: string[], cls: ClassInfo): string {
    const name = d.childForFieldName('name')!.text;
    const ps = paramsOf(d);
    const info = this.prog.byNode.get(d);
    const isStatic = decos.includes('staticmethod');
    const isClass = decos.includes('classmethod');
    const isProp = decos.includes('property');
    const other = decos.filter((x) => !['staticmethod', 'classmethod', 'property'].includes(x));
    if (other.length) return `static ${this.tmp('unsupported')} = ${this.spot(d, `the decorator @${other[0]} on a method`)};`;
    const selfName = isStatic ? null : ps[0]?.name ?? null;
    const rest = isStatic ? ps : ps.slice(1);
    const body = this.functionBody(d, rest, info, cls, selfName, isClass);
    const asyncKw = info?.async ? 'async ' : '';
    const star = info?.generator ? '*' : '';
    const jsName = name === 'constructor' ? 'constructor_' : name;
    const over = this.overrides(cls, name) ? 'override ' : '';
    if (isProp) return `${over}get ${jsName}(): any {\n${body.join('\n')}\n}`;
    return `${isStatic || isClass ? 'static ' : ''}${over}${asyncKw}${star}${jsName}(${this.paramList(rest, over !== '')}): ${asyncKw && !star ? 'Promise<any>' : 'any'} {\n${body.join('\n')}\n}`;
  }
}

/** Translate a whole Python program; the TypeScript is unformatted. */
export function translatePython(source: string, file: string, opts: TranslateOptions = {}): Translation {
  const text = withoutComments(source);
  const root = parse('python', text);
  const t = new Translator(root, file, text, opts);
  const names = scopeNames(root);
  t.moduleNames = names.locals;
  // names an import binds are assigned like any other: py.time and the like
  const body = [...t.declarations(root, names.locals), ...t.block(root)];
  const builtins = [...t.builtins].sort();
  const lines = [
    `// Generated by lcc convert from ${file.replace(/^.*\//, '')}: the tool's Python, translated to TypeScript on`,
    '// @lcc-ebpf/lbc/py. Convert again rather than edit it.',
    "import * as py from '@lcc-ebpf/lbc/py';",
    ...(t.usesBcc ? ["import * as bcc from '@lcc-ebpf/lbc/bcc';"] : []),
    ...(opts.imports ?? []),
    ...(builtins.length ? [`import { ${builtins.map((b) => (b === 'quit' ? 'quit' : b)).join(', ')} } from '@lcc-ebpf/lbc/py';`] : []),
    '',
    'py.run(async () => {',
    ...body,
    '});',
    '',
  ];
  return { ts: lines.join('\n'), spots: t.spots };
}
