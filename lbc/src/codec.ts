// Codecs turn map keys/values and events between bytes and JS values. The
// runtime ships the scalar ones; `lcc gen` emits struct codecs with the same shape.

export interface Codec<T> {
  readonly size: number;
  decode(dv: DataView, offset: number): T;
  encode(value: T, dv: DataView, offset: number): void;
}

const scalar = <T>(size: number, decode: Codec<T>['decode'], encode: Codec<T>['encode']): Codec<T> => ({ size, decode, encode });

export const u8 = scalar<number>(1, (dv, o) => dv.getUint8(o), (v, dv, o) => dv.setUint8(o, v));
export const i8 = scalar<number>(1, (dv, o) => dv.getInt8(o), (v, dv, o) => dv.setInt8(o, v));
export const u16 = scalar<number>(2, (dv, o) => dv.getUint16(o, true), (v, dv, o) => dv.setUint16(o, v, true));
export const i16 = scalar<number>(2, (dv, o) => dv.getInt16(o, true), (v, dv, o) => dv.setInt16(o, v, true));
export const u32 = scalar<number>(4, (dv, o) => dv.getUint32(o, true), (v, dv, o) => dv.setUint32(o, v, true));
export const i32 = scalar<number>(4, (dv, o) => dv.getInt32(o, true), (v, dv, o) => dv.setInt32(o, v, true));
export const u64 = scalar<bigint>(8, (dv, o) => dv.getBigUint64(o, true), (v, dv, o) => dv.setBigUint64(o, BigInt(v), true));
export const i64 = scalar<bigint>(8, (dv, o) => dv.getBigInt64(o, true), (v, dv, o) => dv.setBigInt64(o, BigInt(v), true));

/** Raw bytes of a fixed size; shorter input is zero-padded. */
export function bytes(size: number): Codec<Uint8Array> {
  return {
    size,
    decode: (dv, o) => new Uint8Array(dv.buffer.slice(dv.byteOffset + o, dv.byteOffset + o + size)),
    encode(v, dv, o) {
      if (v.length > size) throw new RangeError(`${v.length} bytes do not fit in ${size}`);
      const dst = new Uint8Array(dv.buffer, dv.byteOffset + o, size);
      dst.fill(0);
      dst.set(v);
    },
  };
}

/** A NUL-terminated char[size] as a string (UTF-8). */
export function cstring(size: number): Codec<string> {
  const dec = new TextDecoder();
  const enc = new TextEncoder();
  return {
    size,
    decode(dv, o) {
      const raw = new Uint8Array(dv.buffer, dv.byteOffset + o, size);
      const nul = raw.indexOf(0);
      return dec.decode(nul < 0 ? raw : raw.subarray(0, nul));
    },
    encode(v, dv, o) {
      const dst = new Uint8Array(dv.buffer, dv.byteOffset + o, size);
      dst.fill(0);
      const { written } = enc.encodeInto(v, dst.subarray(0, size - 1));
      dst[written] = 0;
    },
  };
}

/** The default codec for an untyped key/value: integers for 1/2/4/8 bytes, bytes otherwise. */
export function defaultCodec(size: number): Codec<number | bigint | Uint8Array> {
  switch (size) {
    case 1: return u8 as Codec<number | bigint | Uint8Array>;
    case 2: return u16 as Codec<number | bigint | Uint8Array>;
    case 4: return u32 as Codec<number | bigint | Uint8Array>;
    case 8: return u64 as Codec<number | bigint | Uint8Array>;
    default: return bytes(size) as Codec<number | bigint | Uint8Array>;
  }
}

/** Sum of per-CPU values (numbers or bigints), as the same kind. */
export function sum<T extends number | bigint>(values: readonly T[]): T {
  if (values.length === 0) return 0 as T;
  if (typeof values[0] === 'bigint') return (values as readonly bigint[]).reduce((a, b) => a + b, 0n) as T;
  return (values as readonly number[]).reduce((a, b) => a + b, 0) as T;
}

export function max<T extends number | bigint>(values: readonly T[]): T {
  if (values.length === 0) return 0 as T;
  return values.reduce((a, b) => (b > a ? b : a));
}

export const u128: Codec<bigint> = {
  size: 16,
  decode: (dv, o) => (dv.getBigUint64(o + 8, true) << 64n) | dv.getBigUint64(o, true),
  encode: (v, dv, o) => {
    const x = BigInt.asUintN(128, BigInt(v));
    dv.setBigUint64(o, x & 0xffffffffffffffffn, true);
    dv.setBigUint64(o + 8, x >> 64n, true);
  },
};
export const i128: Codec<bigint> = {
  size: 16,
  decode: (dv, o) => BigInt.asIntN(128, u128.decode(dv, o)),
  encode: (v, dv, o) => u128.encode(BigInt.asUintN(128, BigInt(v)), dv, o),
};
export const f32 = scalar<number>(4, (dv, o) => dv.getFloat32(o, true), (v, dv, o) => dv.setFloat32(o, v, true));
export const f64 = scalar<number>(8, (dv, o) => dv.getFloat64(o, true), (v, dv, o) => dv.setFloat64(o, v, true));
export const bool = scalar<boolean>(1, (dv, o) => dv.getUint8(o) !== 0, (v, dv, o) => dv.setUint8(o, v ? 1 : 0));

/** T[n] as an array of decoded elements. */
export function array<T>(of: Codec<T>, n: number, stride = of.size): Codec<T[]> {
  return {
    size: stride * n,
    decode(dv, o) {
      const out = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = of.decode(dv, o + i * stride);
      return out;
    },
    encode(v, dv, o) {
      if (v.length > n) throw new RangeError(`${v.length} elements do not fit in [${n}]`);
      for (let i = 0; i < n; i++) {
        if (i < v.length) of.encode(v[i]!, dv, o + i * stride);
        else new Uint8Array(dv.buffer, dv.byteOffset + o + i * stride, stride).fill(0);
      }
    },
  };
}

/**
 * A bitfield: `bits` bits starting `bit` bits into the record at `o`, little
 * endian as the BPF target lays them. Up to 32 bits as a number, wider as bigint.
 */
export function getBits(dv: DataView, o: number, bit: number, bits: number, signed: boolean): number | bigint {
  const first = o + (bit >> 3);
  const shift = bit & 7;
  const nbytes = (shift + bits + 7) >> 3;
  let v = 0n;
  for (let i = nbytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(dv.getUint8(first + i));
  v = (v >> BigInt(shift)) & ((1n << BigInt(bits)) - 1n);
  if (signed) v = BigInt.asIntN(bits, v);
  return bits <= 32 ? Number(v) : v;
}

export function setBits(dv: DataView, o: number, bit: number, bits: number, value: number | bigint | boolean): void {
  const first = o + (bit >> 3);
  const shift = bit & 7;
  const nbytes = (shift + bits + 7) >> 3;
  let word = 0n;
  for (let i = nbytes - 1; i >= 0; i--) word = (word << 8n) | BigInt(dv.getUint8(first + i));
  const mask = ((1n << BigInt(bits)) - 1n) << BigInt(shift);
  const v = BigInt.asUintN(bits, BigInt(typeof value === 'boolean' ? Number(value) : value));
  word = (word & ~mask) | (v << BigInt(shift));
  for (let i = 0; i < nbytes; i++) {
    dv.setUint8(first + i, Number(word & 0xffn));
    word >>= 8n;
  }
}

/** Where a member lives, as generated code describes it. */
export interface FieldInfo { offset: number; size: number; bitOffset: number; bitSize: number }

/** A C struct's codec as skeletons make it: the codec and where each member is. */
export type Struct<T> = Codec<T> & { readonly fields: Record<string, FieldInfo> };

/** The raw bytes of one member (a char[] beyond its NUL, say), copied out. */
export function rawField(dv: DataView, o: number, f: FieldInfo): Uint8Array {
  const start = dv.byteOffset + o + f.offset;
  return new Uint8Array(dv.buffer.slice(start, start + f.size));
}
