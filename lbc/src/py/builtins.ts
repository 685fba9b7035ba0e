// Python's built-in functions, as a translated tool calls them: keyword
// arguments arrive as a trailing plain object (`print(a, { end: '' })`).
import * as fs from 'node:fs';
import { cmp, eq, hashKey, int, isInt, isKwargs, isTuple, repr, splitKw, str, truthy, typeName, getattr as coreGetattr, type Int } from './core.js';
import { DefaultDict, PyDict, PySet, setDictEq } from './dict.js';
import { AttributeError, BaseException, fromNodeError, isInstanceExc, PyTypeError, StopIteration, SystemExit, ValueError } from './exc.js';
import { formatValue } from './format.js';
import { add, floordiv, mod } from './ops.js';

setDictEq(eq);

/** What `for x in v` walks: a str's characters, a dict's keys, bytes' ints, anything with __iter__ */
export function iter(v: unknown): any {
  if (v === null || v === undefined) throw new PyTypeError(`'NoneType' object is not iterable`);
  if (typeof v === 'string' || Array.isArray(v)) return v;
  if (v instanceof Uint8Array) return Array.from(v);
  if (typeof v === 'object') {
    const o = v as { __iter__?: () => Iterable<unknown>; [Symbol.iterator]?: unknown };
    if (typeof o.__iter__ === 'function') return o.__iter__();
    if (typeof o[Symbol.iterator] === 'function') return o as Iterable<unknown>;
  }
  throw new PyTypeError(`'${typeName(v)}' object is not iterable`);
}

/**
 * iter(x) as Python has it: an iterator with a state of its own, so that next()
 * goes on where it was and zip_longest(*(it,) * 4) takes four at a time
 */
export function pyIter(v: unknown, ...sentinel: unknown[]): any {
  // iter(callable, sentinel): calls until it returns the sentinel (memleak's iter(p.stdout.readline, b''))
  if (sentinel.length) {
    if (typeof v !== 'function') throw new PyTypeError('iter(v, w): v must be callable');
    return (function* (): Generator<unknown> {
      for (let x = v(); !eq(x, sentinel[0]); x = v()) yield x;
    })();
  }
  const r = iter(v) as Iterable<unknown> & Partial<Iterator<unknown>>;
  return typeof r.next === 'function' ? r : r[Symbol.iterator]();
}

export function next(it: Iterator<unknown> | Iterable<unknown>, ...dflt: unknown[]): any {
  const i = typeof (it as Iterator<unknown>).next === 'function' ? (it as Iterator<unknown>) : (it as Iterable<unknown>)[Symbol.iterator]();
  const r = i.next();
  if (!r.done) return r.value;
  if (dflt.length) return dflt[0];
  throw new StopIteration();
}

export interface Writable {
  write(s: unknown): unknown;
  flush?(): unknown;
}

/** print(*objects, sep=' ', end='\n', file=sys.stdout, flush=False) */
/** sys.stdout's state, which print() without a file honours (sys.stdout.close() sets it) */
export const stdoutState = { closed: false };

export function print(...args: unknown[]): void {
  const [items, kw] = splitKw(args);
  const sep = kw.sep === null || kw.sep === undefined ? ' ' : String(kw.sep);
  const end = kw.end === null || kw.end === undefined ? '\n' : String(kw.end);
  const text = items.map(str).join(sep) + end;
  const file = kw.file as Writable | null | undefined;
  if (file) file.write(text);
  else if (stdoutState.closed) throw new ValueError('I/O operation on closed file.');
  else writeFd(1, text);
}

/** Write all of text to a descriptor now, as Python's unbuffered stdout would (a full pipe waits). */
export function writeFd(fd: number, text: string | Uint8Array): void {
  const buf = typeof text === 'string' ? Buffer.from(text) : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      // a reader that went away (| head) ends the program quietly, as Python's does with SIGPIPE
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') throw new SystemExit(0);
      throw fromNodeError(e);
    }
  }
}

export function len(v: unknown): number {
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length;
  if (v && typeof v === 'object') {
    const o = v as { __len__?: () => unknown; size?: unknown };
    if (typeof o.__len__ === 'function') return Number(o.__len__());
    if (typeof o.size === 'number') return o.size;
  }
  throw new PyTypeError(`object of type '${typeName(v)}' has no len()`);
}

export function range(a: Int, b?: Int | null, step: Int = 1): number[] {
  const [start, stop] = b === undefined || b === null ? [0, Number(a)] : [Number(a), Number(b)];
  const st = Number(step);
  if (st === 0) throw new ValueError('range() arg 3 must not be zero');
  const out: number[] = [];
  if (st > 0) for (let i = start; i < stop; i += st) out.push(i);
  else for (let i = start; i > stop; i += st) out.push(i);
  return out;
}

export function enumerate(it: unknown, start: Int = 0): any[] {
  let i = Number(start);
  return Array.from(iter(it), (v) => Object.freeze([i++, v] as const));
}

export function zip(...its: unknown[]): (readonly unknown[])[] {
  const lists = its.map((i) => Array.from(iter(i)));
  const n = lists.length ? Math.min(...lists.map((l) => l.length)) : 0;
  return Array.from({ length: n }, (_, i) => Object.freeze(lists.map((l) => l[i])));
}

function keyed(items: unknown[], key: unknown): (a: unknown, b: unknown) => number {
  const k = typeof key === 'function' ? (key as (v: unknown) => unknown) : null;
  return k ? (a, b) => cmp(k(a), k(b)) : cmp;
}

/** sorted(iterable, key=None, reverse=False): stable, as Python's */
export function sorted(...args: unknown[]): any[] {
  const [[it], kw] = splitKw(args);
  const items = Array.from(iter(it));
  return sortList(items, kw.key, truthy(kw.reverse));
}
export function sortList<T>(items: T[], key: unknown, reverse: boolean): T[] {
  const c = keyed(items, key);
  // reverse keeps equal items in their order, as Python's does
  const tagged = items.map((v, i) => [v, i] as const);
  tagged.sort((a, b) => (reverse ? c(b[0], a[0]) : c(a[0], b[0])) || a[1] - b[1]);
  tagged.forEach(([v], i) => (items[i] = v));
  return items;
}

export function reversed(it: unknown): any[] {
  return Array.from(iter(it)).reverse();
}

function extreme(sign: number, args: unknown[]): unknown {
  const [pos, kw] = splitKw(args);
  const items = pos.length === 1 ? Array.from(iter(pos[0])) : pos;
  if (!items.length) {
    if ('default' in kw) return kw.default;
    throw new ValueError(`${sign > 0 ? 'max' : 'min'}() arg is an empty sequence`);
  }
  const c = keyed(items, kw.key);
  return items.reduce((best, v) => (c(v, best) * sign > 0 ? v : best));
}
export const max = (...args: unknown[]): any => extreme(1, args);
export const min = (...args: unknown[]): any => extreme(-1, args);

export function sum(it: Iterable<unknown>, start: unknown = 0): any {
  let t = start;
  for (const v of iter(it)) t = add(t, v);
  return t;
}
export const any = (it: Iterable<unknown>): boolean => Array.from(iter(it)).some(truthy);
export const all = (it: Iterable<unknown>): boolean => Array.from(iter(it)).every(truthy);

export function abs(v: unknown): any {
  if (typeof v === 'bigint') return v < 0n ? int(-v) : v;
  return Math.abs(Number(v));
}

/** round(x[, n]): to the nearest, ties to even, on the float's exact decimal value (round(2.675, 2) is 2.67) */
export function round(v: number, n?: number | null): number {
  const digits = n === undefined || n === null ? 0 : Number(n);
  if (!Number.isFinite(v) || digits > 20) return v;
  if (digits < 0) {
    const f = 10 ** -digits;
    return round(v / f) * f;
  }
  // the exact binary value, in decimal, well past the digit that decides
  const exact = Math.abs(v).toFixed(Math.min(100, digits + 30));
  const [whole, frac = ''] = exact.split('.');
  const kept = `${whole}${frac.slice(0, digits)}`;
  const rest = frac.slice(digits);
  let q = BigInt(kept);
  const tie = /^50*$/.test(rest);
  if (rest[0]! > '5' || (rest[0] === '5' && !tie) || (tie && q % 2n === 1n)) q += 1n;
  const r = Number(q) / 10 ** digits;
  return v < 0 ? -r : r;
}

export function divmod(a: unknown, b: unknown): readonly [any, any] {
  return Object.freeze([floordiv(a, b), mod(a, b)] as const);
}

/** int(x), int(s, base) */
export function int_(v: unknown = 0, base?: Int): Int {
  if (typeof v === 'string' || v instanceof Uint8Array) {
    const s = (typeof v === 'string' ? v : Buffer.from(v).toString()).trim().replace(/_/g, '');
    let b = base === undefined ? 10 : Number(base);
    let body = s;
    const sign = body.startsWith('-') ? -1n : 1n;
    body = body.replace(/^[-+]/, '');
    if (b === 0 || b === 16) body = body.replace(/^0x/i, () => ((b = 16), ''));
    if (b === 0 || b === 8) body = body.replace(/^0o/i, () => ((b = 8), ''));
    if (b === 0 || b === 2) body = body.replace(/^0b/i, () => ((b = 2), ''));
    if (b === 0) b = 10;
    const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, b);
    if (!body || ![...body.toLowerCase()].every((c) => digits.includes(c))) throw new ValueError(`invalid literal for int() with base ${base ?? 10}: ${repr(v)}`);
    let n = 0n;
    for (const c of body.toLowerCase()) n = n * BigInt(b) + BigInt(digits.indexOf(c));
    return int(sign * n);
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return int(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ValueError(`cannot convert float ${v} to integer`);
    const t = Math.trunc(v);
    return Number.isSafeInteger(t) ? t : int(BigInt(t));
  }
  if (v && typeof v === 'object') {
    const o = v as { __int__?: () => Int; value?: unknown; valueOf(): unknown };
    if (typeof o.__int__ === 'function') return o.__int__();
    if (o.value !== undefined) return int_(o.value);
    const p = o.valueOf();
    if (typeof p === 'number' || typeof p === 'bigint') return int_(p);
  }
  throw new PyTypeError(`int() argument must be a string, a bytes-like object or a real number, not '${typeName(v)}'`);
}

export function float(v: unknown = 0): number {
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (/^[-+]?(inf|infinity)$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
    if (/^[-+]?nan$/.test(s)) return NaN;
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(s.replace(/_/g, ''))) throw new ValueError(`could not convert string to float: ${repr(v)}`);
    return Number(s.replace(/_/g, ''));
  }
  return Number(typeof v === 'object' && v !== null && 'value' in v ? (v as { value: unknown }).value : v);
}

export const bool = (v: unknown = false): boolean => truthy(v);

export function list(it?: unknown): any[] {
  return it === undefined ? [] : Array.from(iter(it));
}
export function tuple(it?: unknown): any {
  return Object.freeze(it === undefined ? [] : Array.from(iter(it)));
}
export function dict(...args: unknown[]): PyDict {
  const [pos, kw] = splitKw(args);
  return new PyDict(pos[0] as never, kw);
}
export function set<T>(it?: Iterable<T>): PySet<T> {
  return new PySet(it === undefined ? undefined : (iter(it) as Iterable<T>));
}
export function frozenset<T>(it?: Iterable<T>): PySet<T> {
  return set(it);
}
export function bytes(v: unknown = 0, encoding?: string): Uint8Array {
  if (typeof v === 'string') return Buffer.from(v, encoding === 'latin-1' || encoding === 'latin1' ? 'latin1' : 'utf8');
  if (typeof v === 'number') return Buffer.alloc(v);
  return Buffer.from(Array.from(iter(v)) as number[]);
}
export const bytearray = bytes;

/** isinstance(v, cls) with Python's classes for JavaScript's values */
export function isinstance(v: unknown, cls: unknown): boolean {
  if (isTuple(cls) || Array.isArray(cls)) return cls.some((c) => isinstance(v, c));
  switch (cls) {
    case int_: return isInt(v) || typeof v === 'boolean';
    case float: return typeof v === 'number' && !Number.isInteger(v);
    case str: return typeof v === 'string';
    case bool: return typeof v === 'boolean';
    case list: return Array.isArray(v) && !isTuple(v);
    case tuple: return isTuple(v);
    case dict: return v instanceof PyDict;
    case set: case frozenset: return v instanceof PySet;
    case bytes: return v instanceof Uint8Array;
    default:
      if (typeof cls !== 'function') return false;
      return v instanceof (cls as new () => unknown) || isInstanceExc(v, cls);
  }
}

export const callable = (v: unknown): boolean => typeof v === 'function';
export function hasattr(o: unknown, name: string): boolean {
  try {
    return o !== null && o !== undefined && (o as Record<string, unknown>)[name] !== undefined;
  } catch (e) {
    // a class's __getattr__ said there is no such attribute
    if (e instanceof AttributeError) return false;
    throw e;
  }
}
export const getattr = coreGetattr;
export function setattr(o: unknown, name: string, v: unknown): void {
  (o as Record<string, unknown>)[name] = v;
}
export const id = (o: unknown): number => Number(hashKey(o)) || 0;
export const ord = (c: string | Uint8Array): number => (typeof c === 'string' ? c.codePointAt(0)! : c[0]!);
export const chr = (n: Int): string => String.fromCodePoint(Number(n));
const radix = (prefix: string, r: number) => (n: Int): string => {
  const b = typeof n === 'bigint' ? n : BigInt(n);
  return (b < 0n ? '-' : '') + prefix + (b < 0n ? -b : b).toString(r);
};
export const hex = radix('0x', 16);
export const oct = radix('0o', 8);
export const bin = radix('0b', 2);
export const format = formatValue;
export { repr, str };

// (any: a builtin with optional parameters of its own types, map(int, ...), is a mapper too)
export function map(f: (...a: any[]) => unknown, ...its: Iterable<unknown>[]): unknown[] {
  return its.length === 1 ? Array.from(iter(its[0]!), (v) => f(v)) : zip(...its).map((vs) => f(...vs));
}
export function filter<T>(f: ((v: T) => unknown) | null, it: Iterable<T>): T[] {
  return Array.from(iter(it) as Iterable<T>).filter((v) => truthy(f ? f(v) : v));
}

/** exit(code) / quit(code) / sys.exit(code) */
export function exit(code: unknown = null): never {
  throw new SystemExit(...(code === null ? [] : [code]));
}

export function defaultdict(factory: (() => unknown) | null = null, init?: unknown): DefaultDict {
  return new DefaultDict(factory, init as never);
}

export { isKwargs, BaseException };
