// Python's values in JavaScript, and what every operation needs to know of
// them: an int is a number while it is a safe integer and a bigint past
// 2^53; a float is a number; None is null; a tuple is a frozen array, a list
// an array; str is string and bytes a Uint8Array; dict and set are PyDict and
// PySet (keys compared as Python compares them: 1 == 1n == True, tuples by value).
import { AttributeError, excMessage, setKeyRepr } from './exc.js';

export type Int = number | bigint;

/** A tuple literal: frozen, so repr() can tell it from a list. */
export function tuple(...items: any[]): any {
  return Object.freeze(items);
}
export const isTuple = (v: unknown): v is readonly unknown[] => Array.isArray(v) && Object.isFrozen(v);

/** An int as a number where that is exact, else a bigint. */
export function int(v: bigint | number): Int {
  if (typeof v === 'number') return v;
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

export const isInt = (v: unknown): v is Int => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));

export class PyObjectBase {
  // marker for classes a translation defines
}

/** Keyword arguments: a call's trailing plain object literal `{ end: '' }`. */
export function isKwargs(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}
/** Split a call's arguments into positional ones and its keyword object. */
export function splitKw(args: unknown[]): [unknown[], Record<string, any>] {
  return args.length && isKwargs(args[args.length - 1]) ? [args.slice(0, -1), args[args.length - 1] as Record<string, unknown>] : [args, {}];
}

export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === 0n || v === '') return false;
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length > 0;
  if (v instanceof Map || v instanceof Set) return v.size > 0;
  if (typeof v === 'object') {
    const o = v as { __bool__?: () => unknown; __len__?: () => unknown; size?: unknown };
    if (typeof o.__bool__ === 'function') return Boolean(o.__bool__());
    if (typeof o.__len__ === 'function') return Number(o.__len__()) > 0;
  }
  return Boolean(v);
}

/** The key a dict or set files a value under: equal Python values, one key. */
export function hashKey(v: unknown): unknown {
  if (typeof v === 'bigint') return int(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'string' || v === null || v === undefined) return v;
  if (isTuple(v)) return `\0t${v.map((x) => { const k = hashKey(x); return typeof k === 'string' ? `s${JSON.stringify(k)}` : typeof k === 'object' ? `o${objectId(k)}` : `n${String(k)}`; }).join(',')}`;
  if (v instanceof Uint8Array) return `\0b${Buffer.from(v).toString('latin1')}`;
  const h = (v as { __hash_key__?: () => unknown }).__hash_key__;
  if (typeof h === 'function') return hashKey(h.call(v));
  return v;
}
const ids = new WeakMap<object, number>();
let nextId = 1;
export function objectId(o: unknown): number {
  if (typeof o !== 'object' || o === null) return 0;
  let i = ids.get(o);
  if (i === undefined) ids.set(o, (i = nextId++));
  return i;
}

export function eq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'number' || typeof a === 'bigint' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'bigint' || typeof b === 'boolean')) {
    const x = typeof a === 'boolean' ? Number(a) : a;
    const y = typeof b === 'boolean' ? Number(b) : b;
    if (typeof x === typeof y) return x === y;
    // a number and a bigint: equal only if the number is that integer exactly
    return typeof x === 'number' ? Number.isInteger(x) && BigInt(x) === y : Number.isInteger(y) && x === BigInt(y as number);
  }
  if (Array.isArray(a) && Array.isArray(b)) return isTuple(a) === isTuple(b) && a.length === b.length && a.every((x, i) => eq(x, b[i]));
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  if (a && typeof a === 'object' && typeof (a as { __eq__?: unknown }).__eq__ === 'function') return truthy((a as { __eq__: (o: unknown) => unknown }).__eq__(b));
  if (a && typeof a === 'object' && typeof (a as { equals?: unknown }).equals === 'function') return Boolean((a as { equals: (o: unknown) => unknown }).equals(b));
  return false;
}
/** Python's ordering: numbers with numbers, strings with strings, sequences element by element. */
export function cmp(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (!eq(a[i], b[i])) return cmp(a[i], b[i]);
    }
    return a.length - b.length;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (a === null || b === null || typeof a === 'string' || typeof b === 'string') {
    throw new TypeError(`'<' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
  }
  const x = a as number | bigint;
  const y = b as number | bigint;
  return x < y ? -1 : x > y ? 1 : 0;
}
export const lt = (a: unknown, b: unknown): boolean => cmp(a, b) < 0;
export const le = (a: unknown, b: unknown): boolean => cmp(a, b) <= 0;
export const gt = (a: unknown, b: unknown): boolean => cmp(a, b) > 0;
export const ge = (a: unknown, b: unknown): boolean => cmp(a, b) >= 0;

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (v instanceof Uint8Array) return 'bytes';
  if (isTuple(v)) return 'tuple';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'function') return 'function';
  const n = (v as object).constructor?.name;
  return n === 'PyDict' ? 'dict' : n === 'PySet' ? 'set' : n ?? 'object';
}

// ---------------------------------------------------------------------------
// str() and repr()

/** repr() of a float, as Python prints it: shortest round trip, `.0` on integers, e-notation past 1e16 and below 1e-4. */
export function floatRepr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(v);
  if (abs >= 1e16 || abs < 1e-4) {
    const [m, e] = v.toExponential().split('e');
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = String(v);
  return s.includes('.') ? s : `${s}.0`;
}

/** A value the translation knows is a float (3.0, x / y) on its way to be printed: str() says 2.0, not 2. */
export class FloatValue {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  __str__(): string {
    return floatRepr(this.value);
  }
  __repr__(): string {
    return floatRepr(this.value);
  }
}
/** py.F(x): x, marked a float for printing */
export const F = (v: unknown): unknown => (typeof v === 'number' ? new FloatValue(v) : v);

function strRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

export function bytesRepr(b: Uint8Array): string {
  const q = b.includes(0x27) && !b.includes(0x22) ? '"' : "'";
  let out = `b${q}`;
  for (const c of b) {
    const ch = String.fromCharCode(c);
    if (ch === q || ch === '\\') out += `\\${ch}`;
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + q;
}

export function repr(v: unknown): string {
  if (typeof v === 'string') return strRepr(v);
  if (Array.isArray(v)) {
    // a namedtuple is a tuple that names its fields
    if (typeof (v as { __repr__?: unknown }).__repr__ === 'function') return String((v as unknown as { __repr__: () => unknown }).__repr__());
    const inner = v.map(repr).join(', ');
    return isTuple(v) ? (v.length === 1 ? `(${inner},)` : `(${inner})`) : `[${inner}]`;
  }
  if (v instanceof Uint8Array) return bytesRepr(v);
  if (v && typeof v === 'object' && typeof (v as { __repr__?: unknown }).__repr__ === 'function') return String((v as { __repr__: () => unknown }).__repr__());
  return str(v);
}

export function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 1e16 ? String(v) : floatRepr(v);
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v) || v instanceof Uint8Array) return repr(v);
  if (typeof v === 'function') return `<function ${v.name}>`;
  if (v instanceof Error && !(v as { __str__?: unknown }).__str__) return excMessage(v);
  const o = v as { __str__?: () => unknown; __repr__?: () => unknown };
  if (typeof o.__str__ === 'function') return String(o.__str__());
  if (typeof o.__repr__ === 'function') return String(o.__repr__());
  return `<${typeName(v)} object>`;
}
setKeyRepr(repr, str);

export function getattr(o: unknown, name: string, ...dflt: unknown[]): any {
  let v: unknown;
  try {
    v = o === null || o === undefined ? undefined : (o as Record<string, unknown>)[name];
  } catch (e) {
    // a class's __getattr__ said there is no such attribute
    if (e instanceof AttributeError && dflt.length) return dflt[0];
    throw e;
  }
  if (v === undefined) {
    if (dflt.length) return dflt[0];
    throw new AttributeError(`'${typeName(o)}' object has no attribute '${name}'`);
  }
  return typeof v === 'function' && !/^[A-Z]/.test(name) && typeof o === 'object' ? (v as (...a: unknown[]) => unknown).bind(o) : v;
}
