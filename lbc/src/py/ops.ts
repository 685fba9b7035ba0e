// Python's operators where JavaScript's differ: integer results exact past
// 2^53 (bigint), `//` and `%` flooring toward negative infinity, `/` always
// true division, `+` and `*` on sequences, `in`, indexing from the end,
// slices. The translation calls these where it cannot tell the operand types.
import { int, isInt, isTuple, eq, truthy, hashKey, str, typeName, type Int } from './core.js';
import { IndexError, KeyError, PyTypeError, ValueError, ZeroDivisionError } from './exc.js';
import { pyFormat } from './format.js';
import { PySet } from './dict.js';

type Num = number | bigint | boolean;
const SAFE = 9007199254740991;

function num(v: unknown): number | bigint {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  throw new PyTypeError(`unsupported operand type: '${typeName(v)}'`);
}
const bothInt = (a: number | bigint, b: number | bigint): boolean => isInt(a) && isInt(b);
const big = (v: number | bigint): bigint => (typeof v === 'bigint' ? v : BigInt(v));

/** a op b on ints exactly: as numbers while they stay safe, as bigints beyond */
function intOp(a: number | bigint, b: number | bigint, n: (x: number, y: number) => number, bn: (x: bigint, y: bigint) => bigint): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = n(a, b);
    if (Math.abs(r) <= SAFE) return r;
  }
  return int(bn(big(a), big(b)));
}
/** Mixed int and float: float */
const f = (v: number | bigint): number => Number(v);

function dunder(a: unknown, name: string, b: unknown): { v: unknown } | null {
  // (a ctypes type is a function with __mul__: c_char * 16)
  const m = a && (typeof a === 'object' || typeof a === 'function') ? (a as Record<string, unknown>)[name] : undefined;
  return typeof m === 'function' ? { v: (m as (o: unknown) => unknown).call(a, b) } : null;
}

export function add(a: unknown, b: unknown): any {
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return isTuple(a) ? Object.freeze([...a, ...b]) : [...a, ...b];
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.concat([a, b]);
  const d = dunder(a, '__add__', b);
  if (d) return d.v;
  if (typeof a === 'string' || typeof b === 'string') throw new PyTypeError(`can only concatenate str (not "${typeName(typeof a === 'string' ? b : a)}") to str`);
  const x = num(a); const y = num(b);
  return bothInt(x, y) ? intOp(x, y, (p, q) => p + q, (p, q) => p + q) : f(x) + f(y);
}
/** `a += b`: a list grows in place (every name for it sees the items), anything else is a + b */
export function iadd(a: unknown, b: unknown): any {
  if (Array.isArray(a) && !isTuple(a)) {
    for (const v of iterOf(b)) (a as unknown[]).push(v);
    return a;
  }
  const d = dunder(a, '__iadd__', b);
  return d ? d.v : add(a, b);
}
function iterOf(v: unknown): Iterable<unknown> {
  if (typeof v === 'string' || Array.isArray(v)) return v;
  if (v && typeof v === 'object' && Symbol.iterator in v) return v as Iterable<unknown>;
  throw new PyTypeError(`'${typeName(v)}' object is not iterable`);
}

/** `a, b = v`: v's items, exactly n of them (or at least -n-1 with a starred target) */
export function unpack(v: unknown, n: number): any[] {
  const items = [...iterOf(v instanceof Uint8Array ? Array.from(v) : v)];
  if (n >= 0 && items.length !== n) throw new ValueError(items.length > n ? `too many values to unpack (expected ${n})` : `not enough values to unpack (expected ${n}, got ${items.length})`);
  if (n < 0 && items.length < -n) throw new ValueError(`not enough values to unpack (expected at least ${-n}, got ${items.length})`);
  return items;
}

export function sub(a: unknown, b: unknown): any {
  const d = dunder(a, '__sub__', b);
  if (d) return d.v;
  if (a instanceof PySet) return a.difference(b as Iterable<unknown>);
  const x = num(a); const y = num(b);
  return bothInt(x, y) ? intOp(x, y, (p, q) => p - q, (p, q) => p - q) : f(x) - f(y);
}
export function mul(a: unknown, b: unknown): any {
  if (typeof a === 'string' && isInt(b)) return a.repeat(Math.max(0, Number(b)));
  if (typeof b === 'string' && isInt(a)) return b.repeat(Math.max(0, Number(a)));
  if (Array.isArray(a) && isInt(b)) {
    const out = Array.from({ length: Math.max(0, Number(b)) }, () => a).flat();
    return isTuple(a) ? Object.freeze(out) : out;
  }
  if (Array.isArray(b) && isInt(a)) return mul(b, a);
  const d = dunder(a, '__mul__', b);
  if (d) return d.v;
  const x = num(a); const y = num(b);
  return bothInt(x, y) ? intOp(x, y, (p, q) => p * q, (p, q) => p * q) : f(x) * f(y);
}
/** `/`: true division, a float */
export function truediv(a: unknown, b: unknown): number {
  const x = num(a); const y = num(b);
  if (Number(y) === 0 && (typeof y === 'number' || y === 0n)) throw new ZeroDivisionError('division by zero');
  if (typeof x === 'bigint' || typeof y === 'bigint') {
    // exact enough: the quotient's integer part as bigint, the rest as a fraction
    const bx = big(x); const by = big(y);
    if (bothInt(x, y)) return Number(bx / by) + Number(bx % by) / Number(by);
  }
  return f(x) / f(y);
}
export function floordiv(a: unknown, b: unknown): any {
  const x = num(a); const y = num(b);
  if (Number(y) === 0) throw new ZeroDivisionError('integer division or modulo by zero');
  if (bothInt(x, y)) {
    if (typeof x === 'number' && typeof y === 'number') return floorInt(x, y);
    const bx = big(x); const by = big(y);
    const q = bx / by;
    return int(bx % by !== 0n && (bx < 0n) !== (by < 0n) ? q - 1n : q);
  }
  return Math.floor(f(x) / f(y));
}
function floorInt(x: number, y: number): number {
  const q = Math.trunc(x / y);
  return x % y !== 0 && (x < 0) !== (y < 0) ? q - 1 : q;
}
/** `%`: the sign of the divisor, as Python's; on a str, printf-style formatting */
export function mod(a: unknown, b: unknown): any {
  if (typeof a === 'string') return pyFormat(a, b);
  if (a instanceof Uint8Array) {
    // b"%s" % some_bytes puts the bytes themselves in, not their repr: latin-1 carries each byte as one char
    const raw = (v: unknown): unknown => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v);
    return Buffer.from(pyFormat(Buffer.from(a).toString('latin1'), Array.isArray(b) && Object.isFrozen(b) ? Object.freeze(b.map(raw)) : raw(b)), 'latin1');
  }
  const d = dunder(a, '__mod__', b);
  if (d) return d.v;
  const x = num(a); const y = num(b);
  if (Number(y) === 0) throw new ZeroDivisionError(bothInt(x, y) ? 'integer division or modulo by zero' : 'float modulo');
  if (bothInt(x, y)) {
    if (typeof x === 'number' && typeof y === 'number') {
      const r = x % y;
      return r !== 0 && (r < 0) !== (y < 0) ? r + y : r;
    }
    const bx = big(x); const by = big(y);
    const r = bx % by;
    return int(r !== 0n && (r < 0n) !== (by < 0n) ? r + by : r);
  }
  const r = f(x) % f(y);
  return r !== 0 && (r < 0) !== (f(y) < 0) ? r + f(y) : r;
}
export function pow(a: unknown, b: unknown): any {
  const x = num(a); const y = num(b);
  if (bothInt(x, y) && Number(y) >= 0) return intOp(x, y, (p, q) => p ** q, (p, q) => p ** q);
  return f(x) ** f(y);
}
export function neg(a: unknown): any {
  const x = num(a);
  return typeof x === 'bigint' ? int(-x) : -x;
}
export function invert(a: unknown): any {
  const x = num(a);
  return int(~big(x));
}
const bitOp = (bn: (x: bigint, y: bigint) => bigint) => (a: unknown, b: unknown): any => {
  if (a instanceof PySet) return setOp(bn, a, b);
  const x = num(a); const y = num(b);
  if (!bothInt(x, y)) throw new PyTypeError(`unsupported operand type(s) for bitwise operation: '${typeName(a)}' and '${typeName(b)}'`);
  return int(bn(big(x), big(y)));
};
function setOp(bn: (x: bigint, y: bigint) => bigint, a: unknown, b: unknown): unknown {
  const s = a as { union(o: unknown): unknown; intersection(o: unknown): unknown; symmetric_difference(o: unknown): unknown };
  const r = bn(1n, 3n);
  return r === 3n ? s.union(b) : r === 1n ? s.intersection(b) : s.symmetric_difference(b);
}
export const bitand = bitOp((x, y) => x & y);
export const bitor = bitOp((x, y) => x | y);
export const bitxor = bitOp((x, y) => x ^ y);
export const lshift = bitOp((x, y) => x << y);
export const rshift = bitOp((x, y) => x >> y);

/** Python's `==`, and `!=` */
export { eq };
export const ne = (a: unknown, b: unknown): boolean => !eq(a, b);
export const not = (a: unknown): boolean => !truthy(a);

/** `x in c` */
export function contains(c: unknown, x: unknown): boolean {
  if (typeof c === 'string') {
    if (typeof x !== 'string') throw new PyTypeError(`'in <string>' requires string as left operand, not ${typeName(x)}`);
    return c.includes(x);
  }
  if (Array.isArray(c)) return c.some((v) => eq(v, x));
  if (c instanceof Uint8Array) return typeof x === 'number' ? c.includes(x) : Buffer.from(c).includes(Buffer.from(x as Uint8Array));
  if (c && typeof c === 'object') {
    const o = c as { __contains__?: (k: unknown) => unknown; has?: (k: unknown) => boolean };
    if (typeof o.__contains__ === 'function') return truthy(o.__contains__(x));
    if (typeof o.has === 'function') return o.has(hashKey(x) as never) || o.has(x as never);
    if (Symbol.iterator in o) {
      for (const v of o as Iterable<unknown>) if (eq(v, x)) return true;
      return false;
    }
  }
  throw new PyTypeError(`argument of type '${typeName(c)}' is not iterable`);
}

function index(len: number, i: unknown, what: string): number {
  let n = Number(num(i));
  if (n < 0) n += len;
  if (n < 0 || n >= len) throw new IndexError(`${what} index out of range`);
  return n;
}

/** `o[k]` */
export function getitem(o: unknown, k: unknown): any {
  if (typeof o === 'string') return o[index(o.length, k, 'string')];
  if (Array.isArray(o)) return o[index(o.length, k, isTuple(o) ? 'tuple' : 'list')];
  if (o instanceof Uint8Array) return o[index(o.length, k, 'index')];
  if (o && typeof o === 'object') {
    const g = (o as { __getitem__?: (k: unknown) => unknown }).__getitem__;
    if (typeof g === 'function') return g.call(o, k);
    if (typeof k === 'string' && k in o) return (o as Record<string, unknown>)[k];
    throw new KeyError(k);
  }
  throw new PyTypeError(`'${typeName(o)}' object is not subscriptable`);
}
/** `o[k] = v` */
export function setitem(o: unknown, k: unknown, v: unknown): void {
  if (Array.isArray(o)) {
    o[index(o.length, k, 'list assignment')] = v;
    return;
  }
  const s = (o as { __setitem__?: (k: unknown, v: unknown) => void } | null)?.__setitem__;
  if (typeof s === 'function') s.call(o, k, v);
  else throw new PyTypeError(`'${typeName(o)}' object does not support item assignment`);
}
/** `del o[k]` */
export function delitem(o: unknown, k: unknown): void {
  if (Array.isArray(o)) {
    o.splice(index(o.length, k, 'list assignment'), 1);
    return;
  }
  const d = (o as { __delitem__?: (k: unknown) => void } | null)?.__delitem__;
  if (typeof d === 'function') d.call(o, k);
  else throw new PyTypeError(`'${typeName(o)}' object doesn't support item deletion`);
}

/** The indices a slice [start:stop:step] takes from a sequence of len items. */
function sliceRange(len: number, start: unknown, stop: unknown, step: unknown): number[] {
  const st = step === null || step === undefined ? 1 : Number(step);
  if (st === 0) throw new RangeError('slice step cannot be zero');
  const clamp = (v: unknown, dflt: number, lo: number, hi: number): number => {
    if (v === null || v === undefined) return dflt;
    let n = Number(v);
    if (n < 0) n += len;
    return Math.min(Math.max(n, lo), hi);
  };
  const out: number[] = [];
  if (st > 0) for (let i = clamp(start, 0, 0, len); i < clamp(stop, len, 0, len); i += st) out.push(i);
  else for (let i = clamp(start, len - 1, -1, len - 1); i > clamp(stop, -1, -1, len - 1); i += st) out.push(i);
  return out;
}
/** `o[start:stop:step]`, any part null */
export function slice(o: unknown, start: unknown = null, stop: unknown = null, step: unknown = null): any {
  if (o && typeof o === 'object' && typeof (o as { __getitem__?: unknown }).__getitem__ === 'function' && !Array.isArray(o)) {
    return (o as { __getitem__: (k: unknown) => unknown }).__getitem__({ start, stop, step });
  }
  const seq = o as string | unknown[] | Uint8Array;
  const idx = sliceRange(seq.length, start, stop, step);
  if (typeof seq === 'string') return idx.map((i) => seq[i]).join('');
  if (seq instanceof Uint8Array) return Buffer.from(idx.map((i) => seq[i]!));
  const out = idx.map((i) => seq[i]);
  return isTuple(seq) ? Object.freeze(out) : out;
}
/** `o[start:stop] = items` on a list */
export function setslice(o: unknown[], start: unknown, stop: unknown, items: Iterable<unknown>): void {
  const idx = sliceRange(o.length, start, stop, null);
  const from = idx.length ? idx[0]! : Math.min(Math.max(start == null ? 0 : Number(start) < 0 ? Number(start) + o.length : Number(start), 0), o.length);
  o.splice(from, idx.length, ...items);
}

export { truthy, str };
export type { Num };
