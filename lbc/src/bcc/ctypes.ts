// ctypes as BCC tools use it: scalar types (called to make a value with
// .value, multiplied to make an array type), Structure subclasses with
// _fields_ that decode a perf record (ct.cast(data, ct.POINTER(T)).contents),
// and the values BCC's tables hand out (a count is a c_ulong: v.value).
import { hashKey, int, repr, type Int } from '../py/core.js';
import { PyTypeError } from '../py/exc.js';

/** A ctypes type: callable (c_int(5)), sized, and `* n` makes an array type. */
export interface CType {
  (v?: unknown): CValue;
  readonly ctypeName: string;
  readonly size: number;
  readonly align: number;
  decode(dv: DataView, off: number): unknown;
  encode(v: unknown, dv: DataView, off: number): void;
  __mul__(n: number): CType;
}

/** A scalar as ctypes holds it: the number is .value */
export class CValue {
  constructor(public value: any, readonly ctype: string = 'c_ulong') {}
  __hash_key__(): unknown {
    return this.value;
  }
  __eq__(o: unknown): boolean {
    return o instanceof CValue ? hashKey(o.value) === hashKey(this.value) : hashKey(o) === hashKey(this.value);
  }
  __repr__(): string {
    return `${this.ctype}(${repr(this.value)})`;
  }
  __int__(): Int {
    return this.value;
  }
  valueOf(): unknown {
    return this.value;
  }
}

function scalar(name: string, size: number, get: (dv: DataView, o: number) => number | bigint, set: (dv: DataView, o: number, v: number | bigint) => void): CType {
  const t = ((v: unknown = 0): CValue => new CValue(v instanceof CValue ? v.value : v, name)) as unknown as CType & Record<string, unknown>;
  Object.defineProperty(t, 'name', { value: name });
  Object.assign(t, {
    ctypeName: name,
    size,
    align: size,
    decode: (dv: DataView, o: number) => {
      const v = get(dv, o);
      return typeof v === 'bigint' ? int(v) : v;
    },
    encode: (v: unknown, dv: DataView, o: number) => set(dv, o, unwrap(v) as number | bigint),
    __mul__: (n: number) => arrayType(t, Number(n)),
  });
  return t;
}

const unwrap = (v: unknown): unknown => (v instanceof CValue ? v.value : v);
const big = (v: number | bigint): bigint => (typeof v === 'bigint' ? v : BigInt(Math.trunc(v)));

export const c_char = scalar('c_char', 1, (d, o) => d.getInt8(o), (d, o, v) => d.setInt8(o, Number(v)));
export const c_byte = scalar('c_byte', 1, (d, o) => d.getInt8(o), (d, o, v) => d.setInt8(o, Number(v)));
export const c_ubyte = scalar('c_ubyte', 1, (d, o) => d.getUint8(o), (d, o, v) => d.setUint8(o, Number(v)));
export const c_bool = scalar('c_bool', 1, (d, o) => d.getUint8(o), (d, o, v) => d.setUint8(o, Number(v) ? 1 : 0));
export const c_short = scalar('c_short', 2, (d, o) => d.getInt16(o, true), (d, o, v) => d.setInt16(o, Number(v), true));
export const c_ushort = scalar('c_ushort', 2, (d, o) => d.getUint16(o, true), (d, o, v) => d.setUint16(o, Number(v), true));
export const c_int = scalar('c_int', 4, (d, o) => d.getInt32(o, true), (d, o, v) => d.setInt32(o, Number(v), true));
export const c_uint = scalar('c_uint', 4, (d, o) => d.getUint32(o, true), (d, o, v) => d.setUint32(o, Number(v), true));
export const c_long = scalar('c_long', 8, (d, o) => d.getBigInt64(o, true), (d, o, v) => d.setBigInt64(o, big(v), true));
export const c_ulong = scalar('c_ulong', 8, (d, o) => d.getBigUint64(o, true), (d, o, v) => d.setBigUint64(o, BigInt.asUintN(64, big(v)), true));
export const c_float = scalar('c_float', 4, (d, o) => d.getFloat32(o, true), (d, o, v) => d.setFloat32(o, Number(v), true));
export const c_double = scalar('c_double', 8, (d, o) => d.getFloat64(o, true), (d, o, v) => d.setFloat64(o, Number(v), true));
export const c_longlong = c_long;
export const c_ulonglong = c_ulong;
export const c_int8 = c_byte;
export const c_uint8 = c_ubyte;
export const c_int16 = c_short;
export const c_uint16 = c_ushort;
export const c_int32 = c_int;
export const c_uint32 = c_uint;
export const c_int64 = c_long;
export const c_uint64 = c_ulong;
export const c_void_p = c_ulong;
export const c_size_t = c_ulong;
export const c_ssize_t = c_long;

/** T * n: an array; of c_char, bytes up to the first NUL (as ctypes reads a char array) */
function arrayType(el: CType, n: number): CType {
  const chars = el.ctypeName === 'c_char';
  const t = ((v?: unknown): CValue => new CValue(v ?? (chars ? Buffer.alloc(0) : []), `${el.ctypeName}_Array_${n}`)) as unknown as CType & Record<string, unknown>;
  Object.assign(t, {
    ctypeName: `${el.ctypeName}_Array_${n}`,
    size: el.size * n,
    align: el.align,
    decode: (dv: DataView, o: number) => {
      if (chars) {
        const b = Buffer.from(dv.buffer, dv.byteOffset + o, n);
        const nul = b.indexOf(0);
        return Buffer.from(nul < 0 ? b : b.subarray(0, nul));
      }
      return Array.from({ length: n }, (_, i) => el.decode(dv, o + i * el.size));
    },
    encode: (v: unknown, dv: DataView, o: number) => {
      const items = unwrap(v);
      if (chars) {
        const b = typeof items === 'string' ? Buffer.from(items) : Buffer.from(items as Uint8Array);
        for (let i = 0; i < n; i++) dv.setUint8(o + i, i < b.length ? b[i]! : 0);
        return;
      }
      (items as unknown[]).forEach((x, i) => el.encode(x, dv, o + i * el.size));
    },
    __mul__: (m: number) => arrayType(t, Number(m)),
  });
  return t;
}

interface Layout {
  size: number;
  align: number;
  fields: { name: string; type: CType | typeof Structure; off: number }[];
}
const layouts = new WeakMap<object, Layout>();

/** ctypes.Structure: subclasses list _fields_ as [(name, type), ...] */
export class Structure {
  [key: string]: any;
  static _fields_: readonly (readonly [string, unknown])[] = [];
  constructor(...args: unknown[]) {
    const l = Structure.layout(this.constructor as typeof Structure);
    l.fields.forEach((f, i) => {
      this[f.name] = i < args.length ? unwrap(args[i]) : 0;
    });
  }
  static layout(cls: typeof Structure): Layout {
    let l = layouts.get(cls);
    if (l) return l;
    let off = 0;
    let end = 0;
    let align = 1;
    const fields: Layout['fields'] = [];
    // a Union's members all start at 0; a Structure's follow each other, each at its alignment
    const union = cls.prototype instanceof Union;
    for (const [name, type] of cls._fields_) {
      const t = type as CType | typeof Structure;
      const size = 'ctypeName' in t ? t.size : Structure.layout(t).size;
      const a = 'ctypeName' in t ? t.align : Structure.layout(t).align;
      off = union ? 0 : Math.ceil(off / a) * a;
      fields.push({ name, type: t, off });
      off += size;
      end = Math.max(end, off);
      align = Math.max(align, a);
    }
    l = { size: Math.ceil(end / align) * align, align, fields };
    layouts.set(cls, l);
    return l;
  }
  static decodeFrom<T extends Structure>(this: new (...a: unknown[]) => T, dv: DataView, o: number): T {
    const obj = Object.create(this.prototype) as T;
    for (const f of Structure.layout(this as unknown as typeof Structure).fields) {
      (obj as Record<string, unknown>)[f.name] = 'ctypeName' in f.type ? f.type.decode(dv, o + f.off) : (f.type as typeof Structure).decodeFrom.call(f.type, dv, o + f.off);
    }
    return obj;
  }
  __hash_key__(): unknown {
    return Object.freeze(Structure.layout(this.constructor as typeof Structure).fields.map((f) => hashKey(this[f.name])));
  }
}

/** ctypes.Union: a Structure whose _fields_ share their first byte */
export class Union extends Structure {}

/** sizeof(T) */
export function sizeof(t: unknown): number {
  if (typeof t === 'function' && 'ctypeName' in t) return (t as CType).size;
  if (typeof t === 'function' && t.prototype instanceof Structure) return Structure.layout(t as typeof Structure).size;
  if (t instanceof Structure) return Structure.layout(t.constructor as typeof Structure).size;
  throw new PyTypeError('this type has no size');
}

/** ct.POINTER(T): what ct.cast reads the record as */
export function POINTER(t: unknown): { pointee: unknown } {
  return { pointee: t };
}
/** ct.cast(data, ct.POINTER(T)).contents: the record decoded as T */
export function cast(data: unknown, ptr: { pointee: unknown }): { contents: unknown } {
  const b = data instanceof Uint8Array ? data : Buffer.from(String(data));
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const t = ptr.pointee as typeof Structure | CType;
  if (typeof t === 'function' && t.prototype instanceof Structure) return { contents: (t as typeof Structure).decodeFrom(dv, 0) };
  return { contents: new CValue((t as CType).decode(dv, 0), (t as CType).ctypeName) };
}
export function create_string_buffer(init: unknown, size?: number): CValue {
  const b = typeof init === 'number' ? Buffer.alloc(init) : Buffer.from(String(init));
  return new CValue(size ? Buffer.concat([b, Buffer.alloc(Math.max(0, size - b.length))]) : b, 'c_char_Array');
}
export const string_at = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : Buffer.from(String(v)));
