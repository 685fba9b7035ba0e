// What the translation must know of a Python program before emitting any of
// it: which names each function binds (Python's scoping is per function, so
// every one is declared at the function's top), what the imports name, the
// signatures of the program's own functions (keyword arguments are matched
// to them here, at convert time), its classes, and which functions wait
// (call time.sleep, poll a buffer, or call one that does): those become async.
import type { SyntaxNode } from '../../treesitter.js';

export type PyNode = SyntaxNode;

export interface Param {
  name: string;
  kind: 'pos' | 'star' | 'kwonly' | 'kwstar';
  dflt: PyNode | null;
}
export interface FuncInfo {
  name: string;
  node: PyNode;
  params: Param[];
  /** its body waits: emitted async, called with await */
  async: boolean;
  generator: boolean;
}
export interface ClassInfo {
  name: string;
  node: PyNode;
  methods: Map<string, FuncInfo>;
  /** names assigned in the class body: class attributes */
  attrs: Set<string>;
  bases: PyNode[];
}

/** Calls that block in Python: the translation awaits them. */
// (curses.wrapper waits for the function it runs, which may wait)
export const BLOCKING = new Set(['time.sleep', 'signal.pause', 'input', 'builtins.input', 'os.read', 'curses.wrapper']);
/** Methods that block whatever they are called on (BCC's BPF object, tables, pipes). */
export const BLOCKING_METHODS = new Set(['perf_buffer_poll', 'ring_buffer_poll', 'ring_buffer_consume', 'trace_print', 'trace_fields', 'trace_readline', 'kprobe_poll',
  // threading.Event's (what else has a wait() gets an await it does not need, and keeps its result)
  'wait',
  // a curses window's: it waits for a key unless nodelay() is set
  'getch']);

export interface Program {
  functions: Map<string, FuncInfo>;
  classes: Map<string, ClassInfo>;
  /** local name → what it names: 'time', 'time.sleep', 'os.path' */
  imports: Map<string, string>;
  /** every name bound anywhere (to know which builtins the program shadows) */
  bound: Set<string>;
  /** method names that some class defines async */
  asyncMethods: Set<string>;
  /** every def, nested ones and methods too */
  byNode: Map<PyNode, FuncInfo>;
}

const SCOPE_NODES = new Set(['function_definition', 'class_definition', 'lambda', 'list_comprehension', 'dictionary_comprehension', 'set_comprehension', 'generator_expression']);

export function params(fn: PyNode): Param[] {
  const out: Param[] = [];
  let kwOnly = false;
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    switch (p.type) {
      case 'identifier': out.push({ name: p.text, kind: kwOnly ? 'kwonly' : 'pos', dflt: null }); break;
      case 'typed_parameter': out.push({ name: p.namedChildren[0]!.text, kind: kwOnly ? 'kwonly' : 'pos', dflt: null }); break;
      case 'default_parameter': case 'typed_default_parameter':
        out.push({ name: p.childForFieldName('name')!.text, kind: kwOnly ? 'kwonly' : 'pos', dflt: p.childForFieldName('value') });
        break;
      case 'list_splat_pattern': out.push({ name: p.namedChildren[0]!.text, kind: 'star', dflt: null }); kwOnly = true; break;
      case 'keyword_separator': kwOnly = true; break;
      case 'dictionary_splat_pattern': out.push({ name: p.namedChildren[0]!.text, kind: 'kwstar', dflt: null }); break;
      default: break;
    }
  }
  return out;
}

/** Names a target binds: `a`, `a, (b, *c)`, `[a, b]`; attributes and subscripts bind none. */
export function targetNames(t: PyNode, out: string[] = []): string[] {
  switch (t.type) {
    case 'identifier': out.push(t.text); break;
    case 'pattern_list': case 'tuple_pattern': case 'list_pattern': case 'tuple': case 'list': case 'expression_list':
      for (const c of t.namedChildren) targetNames(c, out);
      break;
    case 'list_splat_pattern': case 'list_splat': case 'parenthesized_expression':
      targetNames(t.namedChildren[0]!, out);
      break;
    default: break;
  }
  return out;
}

/** Walk a body without entering nested functions, classes, lambdas or comprehensions. */
export function walkBody(n: PyNode, f: (n: PyNode) => void): void {
  for (const c of n.namedChildren) {
    f(c);
    if (!SCOPE_NODES.has(c.type)) walkBody(c, f);
  }
}

export interface ScopeNames {
  locals: Set<string>;
  globals: Set<string>;
  nonlocals: Set<string>;
}

/** The names a function body (or the module) binds, Python's way. */
export function scopeNames(body: PyNode, paramNames: string[] = []): ScopeNames {
  const bound = new Set<string>();
  const globals = new Set<string>();
  const nonlocals = new Set<string>();
  const add = (names: string[]): void => names.forEach((x) => bound.add(x));
  walkBody(body, (n) => {
    switch (n.type) {
      case 'assignment': {
        // a = b = c: each left side
        let cur: PyNode | null = n;
        while (cur && cur.type === 'assignment') {
          add(targetNames(cur.childForFieldName('left')!));
          cur = cur.childForFieldName('right');
        }
        break;
      }
      case 'augmented_assignment': add(targetNames(n.childForFieldName('left')!)); break;
      case 'for_statement': case 'for_in_clause': add(targetNames(n.childForFieldName('left')!)); break;
      case 'with_item': {
        const v = n.childForFieldName('value');
        if (v?.type === 'as_pattern') add(targetNames(v.childForFieldName('alias')?.namedChildren[0] ?? v.namedChildren[1]!));
        break;
      }
      case 'except_clause': {
        const alias = n.childForFieldName('alias') ?? (n.namedChildren[0]?.type === 'as_pattern' ? n.namedChildren[0].childForFieldName('alias') : null);
        if (alias) add(targetNames(alias.type === 'as_pattern_target' ? alias.namedChildren[0]! : alias));
        break;
      }
      case 'named_expression': add([n.childForFieldName('name')!.text]); break;
      case 'function_definition': case 'class_definition': add([n.childForFieldName('name')!.text]); break;
      case 'import_statement': case 'import_from_statement':
        for (const c of n.namedChildren) {
          if (c === n.childForFieldName('module_name')) continue;
          if (c.type === 'dotted_name') add([c.text.split('.')[0]!]);
          else if (c.type === 'aliased_import') add([c.childForFieldName('alias')!.text]);
        }
        break;
      case 'global_statement': n.namedChildren.forEach((c) => globals.add(c.text)); break;
      case 'nonlocal_statement': n.namedChildren.forEach((c) => nonlocals.add(c.text)); break;
      default: break;
    }
  });
  const locals = new Set([...bound].filter((x) => !globals.has(x) && !nonlocals.has(x) && !paramNames.includes(x)));
  return { locals, globals, nonlocals };
}

function calleeName(fn: PyNode, imports: Map<string, string>): string | null {
  if (fn.type === 'identifier') return imports.get(fn.text) ?? (fn.text === 'input' ? 'input' : fn.text);
  if (fn.type === 'attribute') {
    const obj = calleeName(fn.childForFieldName('object')!, imports);
    return obj ? `${obj}.${fn.childForFieldName('attribute')!.text}` : null;
  }
  return null;
}

/** Whether a call waits: a blocking call, or a call of a function of the program's that waits. */
export function callWaits(call: PyNode, prog: Program): boolean {
  const fn = call.childForFieldName('function')!;
  const q = calleeName(fn, prog.imports);
  if (q && BLOCKING.has(q)) return true;
  if (fn.type === 'identifier' && prog.functions.get(fn.text)?.async && !prog.imports.has(fn.text)) return true;
  if (fn.type === 'attribute') {
    const m = fn.childForFieldName('attribute')!.text;
    if (BLOCKING_METHODS.has(m) || prog.asyncMethods.has(m)) return true;
  }
  return false;
}

function bodyWaits(body: PyNode, prog: Program): boolean {
  let waits = false;
  walkBody(body, (n) => {
    if (n.type === 'call' && callWaits(n, prog)) waits = true;
    // a comprehension's calls run in the function that holds it
    if (['list_comprehension', 'dictionary_comprehension', 'set_comprehension', 'generator_expression'].includes(n.type)) {
      for (const c of n.descendantsOfType('call')) if (callWaits(c, prog)) waits = true;
    }
  });
  return waits;
}

export function analyze(root: PyNode): Program {
  const prog: Program = { functions: new Map(), classes: new Map(), imports: new Map(), bound: new Set(), asyncMethods: new Set(), byNode: new Map() };
  const all: FuncInfo[] = [];
  const visit = (n: PyNode, cls: ClassInfo | null): void => {
    for (const c of n.namedChildren) {
      const d = c.type === 'decorated_definition' ? c.childForFieldName('definition')! : c;
      if (d.type === 'function_definition') {
        const info: FuncInfo = { name: d.childForFieldName('name')!.text, node: d, params: params(d), async: false, generator: false };
        walkBody(d.childForFieldName('body')!, (x) => { if (x.type === 'yield') info.generator = true; });
        all.push(info);
        prog.byNode.set(d, info);
        if (cls && c.parent === cls.node.childForFieldName('body')) cls.methods.set(info.name, info);
        else if (!prog.functions.has(info.name)) prog.functions.set(info.name, info);
        visit(d.childForFieldName('body')!, null);
        continue;
      }
      if (d.type === 'class_definition') {
        const info: ClassInfo = { name: d.childForFieldName('name')!.text, node: d, methods: new Map(), attrs: new Set(), bases: d.childForFieldName('superclasses')?.namedChildren ?? [] };
        for (const s of d.childForFieldName('body')!.namedChildren) {
          if (s.type === 'expression_statement' && s.namedChildren[0]?.type === 'assignment') targetNames(s.namedChildren[0].childForFieldName('left')!).forEach((x) => info.attrs.add(x));
        }
        prog.classes.set(info.name, info);
        visit(d.childForFieldName('body')!, info);
        continue;
      }
      if (c.type === 'import_statement') {
        for (const m of c.namedChildren) {
          if (m.type === 'dotted_name') prog.imports.set(m.text.split('.')[0]!, m.text.split('.')[0]!);
          else if (m.type === 'aliased_import') prog.imports.set(m.childForFieldName('alias')!.text, m.childForFieldName('name')!.text);
        }
      } else if (c.type === 'import_from_statement') {
        const mod = c.childForFieldName('module_name')!.text;
        for (const m of c.namedChildren) {
          if (m === c.childForFieldName('module_name')) continue;
          if (m.type === 'dotted_name') prog.imports.set(m.text, `${mod}.${m.text}`);
          else if (m.type === 'aliased_import') prog.imports.set(m.childForFieldName('alias')!.text, `${mod}.${m.childForFieldName('name')!.text}`);
        }
      }
      if (!SCOPE_NODES.has(c.type)) visit(c, cls);
    }
  };
  visit(root, null);
  for (const n of root.descendantsOfType(['identifier'])) {
    const p = n.parent;
    if (!p) continue;
    if ((p.type === 'assignment' || p.type === 'augmented_assignment' || p.type === 'for_statement') && p.childForFieldName('left') === n) prog.bound.add(n.text);
    if ((p.type === 'function_definition' || p.type === 'class_definition') && p.childForFieldName('name') === n) prog.bound.add(n.text);
    if (p.type === 'parameters' || p.type === 'default_parameter' || p.type === 'pattern_list' || p.type === 'tuple_pattern') prog.bound.add(n.text);
  }
  for (const k of prog.imports.keys()) prog.bound.add(k);
  // waiting spreads to callers until nothing changes
  for (let changed = true; changed;) {
    changed = false;
    for (const f of all) {
      if (f.async || f.generator) continue;
      if (bodyWaits(f.node.childForFieldName('body')!, prog)) {
        f.async = true;
        changed = true;
        for (const c of prog.classes.values()) if (c.methods.get(f.name) === f) prog.asyncMethods.add(f.name);
      }
    }
  }
  return prog;
}
