// The rest of what translated code leans on: the base of its classes,
// `and`/`or` returning an operand, `with`, `**kwargs`, files, input().
import * as fs from 'node:fs';
import { truthy, typeName } from './core.js';
import { PyDict } from './dict.js';
import { fromNodeError, ModuleNotFoundError, NameError, PyTypeError, StopIteration } from './exc.js';
import { blocking } from './run.js';

/** The base of a translated class: Python calls __init__ on construction. */
export class PyObject {
  [key: string]: any;
  constructor(...args: any[]) {
    this.__init__(...args);
  }
  __init__(..._args: any[]): any {
    return null;
  }
}

/** What JavaScript asks of any object (await's then, JSON's toJSON, inspection): never a Python __getattr__ */
const JS_PROBES = new Set(['then', 'toJSON', 'constructor', 'inspect', 'nodeType', 'asymmetricMatch', '$$typeof']);

/**
 * An instance of a class that defines __getattr__, as its constructor returns
 * it: a name the object does not hold is asked of __getattr__, as Python asks
 * only after the usual lookup fails (capable's `class Enum(set)`).
 */
export function withGetattr<T extends object>(self: T): T {
  return new Proxy(self, {
    get(t, p, receiver) {
      if (typeof p === 'symbol' || p in t || JS_PROBES.has(p)) return Reflect.get(t, p, receiver);
      return (t as { __getattr__: (name: string) => unknown }).__getattr__.call(receiver, p);
    },
  });
}

/** `a or b`: a if it is true, else b (evaluated only then) */
export const or = <A, B>(a: A, b: () => B): A | B => (truthy(a) ? a : b());
/** `a and b`: a if it is false, else b */
export const and = <A, B>(a: A, b: () => B): A | B => (truthy(a) ? b() : a);

/** `with x as y`: y */
export function enter(ctx: unknown): any {
  const e = (ctx as { __enter__?: () => unknown } | null)?.__enter__;
  if (typeof e !== 'function') throw new PyTypeError(`'${typeName(ctx)}' object does not support the context manager protocol`);
  return e.call(ctx);
}
export function exit(ctx: unknown): void {
  (ctx as { __exit__?: (...a: unknown[]) => unknown }).__exit__?.(null, null, null);
}

/** `f(**d)`: d's items as the keyword object */
export function kwargs(d: unknown): Record<string, unknown> {
  if (d instanceof PyDict) return Object.fromEntries(d.items().map(([k, v]) => [String(k), v]));
  return { ...(d as Record<string, unknown>) };
}

/** type(x): its class; type(x).__name__ reads as Python names it */
export function type(v: unknown): { name: string } {
  if (v !== null && typeof v === 'object' && !(v instanceof PyDict) && !Array.isArray(v)) return (v as object).constructor as { name: string };
  return { name: typeName(v) };
}

/** A file from open(): text or bytes, read or written at once, iterable by lines */
class PyFile {
  private pos = 0;
  private data: Buffer | null = null;
  private out: Buffer[] = [];
  closed = false;
  constructor(readonly name: string, readonly mode: string) {
    if (/[wax]/.test(mode) && !/\+/.test(mode) && mode.includes('w')) fs.writeFileSync(name, '');
    else if (mode.includes('x') && fs.existsSync(name)) throw fromNodeError(Object.assign(new Error(`EEXIST: file already exists, open '${name}'`), { code: 'EEXIST', errno: -17, path: name }));
  }
  private buf(): Buffer {
    if (!this.data) {
      try {
        this.data = fs.readFileSync(this.name);
      } catch (e) {
        throw fromNodeError(e);
      }
    }
    return this.data;
  }
  private text(b: Buffer): string | Buffer {
    return this.mode.includes('b') ? b : b.toString();
  }
  read(n = -1): string | Buffer {
    const b = this.buf();
    const end = n < 0 ? b.length : Math.min(b.length, this.pos + n);
    const r = b.subarray(this.pos, end);
    this.pos = end;
    return this.text(r);
  }
  readline(): string | Buffer {
    const b = this.buf();
    if (this.pos >= b.length) return this.text(Buffer.alloc(0));
    const nl = b.indexOf(10, this.pos);
    const end = nl < 0 ? b.length : nl + 1;
    const r = b.subarray(this.pos, end);
    this.pos = end;
    return this.text(r);
  }
  readlines(): (string | Buffer)[] {
    const out: (string | Buffer)[] = [];
    for (;;) {
      const l = this.readline();
      if (!l.length) return out;
      out.push(l);
    }
  }
  write(s: string | Uint8Array): number {
    const b = typeof s === 'string' ? Buffer.from(s) : Buffer.from(s);
    try {
      fs.appendFileSync(this.name, b);
    } catch (e) {
      throw fromNodeError(e);
    }
    this.out.push(b);
    return s.length;
  }
  flush(): void {}
  close(): void {
    this.closed = true;
  }
  __enter__(): this {
    return this;
  }
  __exit__(): boolean {
    this.close();
    return false;
  }
  *[Symbol.iterator](): Generator<string | Buffer> {
    for (;;) {
      const l = this.readline();
      if (!l.length) return;
      yield l;
    }
  }
  __next__(): string | Buffer {
    const l = this.readline();
    if (!l.length) throw new StopIteration();
    return l;
  }
}
export function open(name: string, mode = 'r'): PyFile {
  const f = new PyFile(String(name), String(mode));
  if (/r/.test(mode) && !mode.includes('+')) f.read(0);
  return f;
}

/** input(prompt): one line from stdin, without its newline; waits as Python does */
export function input(prompt = ''): Promise<string> {
  if (prompt) fs.writeSync(1, prompt);
  return blocking<string>((done, fail) => {
    const chunks: Buffer[] = [];
    const onData = (b: Buffer): void => {
      const i = b.indexOf(10);
      if (i < 0) {
        chunks.push(b);
        return;
      }
      chunks.push(b.subarray(0, i));
      process.stdin.unshift(b.subarray(i + 1));
      done(Buffer.concat(chunks).toString());
    };
    const onEnd = (): void => fail(Object.assign(new (class EOFError extends Error {})('EOF when reading a line'), { name: 'EOFError' }));
    process.stdin.on('data', onData);
    process.stdin.once('end', onEnd);
    return () => {
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      process.stdin.pause();
    };
  });
}

const PARAMS = Symbol('params');
/** A translated def's positional parameter names (and whether it takes a keyword object): for py.call */
export function params<F extends (...a: any[]) => unknown>(f: F, names: string[], takesKw = false): F {
  (f as unknown as Record<symbol, unknown>)[PARAMS] = { names, takesKw };
  return f;
}
/** f(*pos, **kw) for an f known only at run time: keywords go to the parameters of that name */
export function call(f: unknown, pos: unknown[], kw: Record<string, unknown>): any {
  if (typeof f !== 'function') throw new PyTypeError(`'${typeName(f)}' object is not callable`);
  const meta = (f as unknown as Record<symbol, { names: string[]; takesKw: boolean } | undefined>)[PARAMS];
  if (!meta) return (f as (...a: unknown[]) => unknown)(...pos, kw);
  const args = [...pos];
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kw)) {
    const i = meta.names.indexOf(k);
    if (i < 0) rest[k] = v;
    else if (i < pos.length) throw new PyTypeError(`${f.name}() got multiple values for argument '${k}'`);
    else {
      while (args.length < i) args.push(undefined);
      args[i] = v;
    }
  }
  if (Object.keys(rest).length) {
    if (!meta.takesKw) throw new PyTypeError(`${f.name}() got an unexpected keyword argument '${Object.keys(rest)[0]}'`);
    args.push(rest);
  }
  return (f as (...a: unknown[]) => unknown)(...args);
}

/** vars(obj): its attributes, as a dict (argparse's namespace, an instance) */
export function vars(o: unknown): PyDict {
  return new PyDict(Object.entries(o as object).filter(([k, v]) => !k.startsWith('$') && typeof v !== 'function'));
}

/** A name `from m import *` brought in: the first of those modules that has it, else Python's NameError */
export function starName(mods: Record<string, unknown>[], name: string): any {
  for (const m of mods) if (m && name in m) return m[name];
  throw new NameError(`name '${name}' is not defined`);
}

/** locals() and globals(): the names bound so far (a translation declares every name up front, unbound until set) */
export function boundNames(o: Record<string, unknown>): PyDict {
  return new PyDict(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** import of a module this runtime does not have, in a try that handles its absence: Python's error for it */
export function missingModule(name: string): any {
  throw new ModuleNotFoundError(`No module named '${name}'`);
}

/** A name the program reads and nothing binds: Python's NameError, raised where it is read */
export function nameError(name: string): any {
  throw new NameError(`name '${name}' is not defined`);
}
