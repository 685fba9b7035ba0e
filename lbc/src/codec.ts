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
