// The ring buffer and perf ring record formats, read from byte buffers laid
// out here as the kernel lays them out: no mmap, no BPF, no root.
import { describe, expect, it } from 'vitest';
import { PERF_RECORD_LOST, PERF_RECORD_SAMPLE, readPerfRecords, readRingRecords } from '../lbc/src/records.js';

const BUSY = 0x80000000;
const DISCARD = 0x40000000;

/** A BPF ring's data area of `size` bytes, mapped twice in a row as the kernel maps it. */
class Ring {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos = 0;
  constructor(readonly size: number) {
    this.bytes = new Uint8Array(2 * size);
    this.view = new DataView(this.bytes.buffer);
  }
  /** A record at the producer position: 8-byte header (length and flags), payload, padded to 8. */
  put(payload: number[], flags = 0): void {
    const rec = new Uint8Array(8 + payload.length);
    new DataView(rec.buffer).setUint32(0, payload.length | flags, true);
    rec.set(payload, 8);
    for (let i = 0; i < rec.length; i++) {
      const at = (this.pos + i) % this.size;
      this.bytes[at] = rec[i]!;
      this.bytes[at + this.size] = rec[i]!; // the second mapping
    }
    this.pos += (rec.length + 7) & ~7;
  }
}

function readAll(r: Ring, from = 0, budget = 1 << 30): { got: number[][]; pos: number; n: number; released: number[] } {
  const got: number[][] = [];
  const released: number[] = [];
  const { pos, n } = readRingRecords(r.view, r.size - 1, from, r.pos, budget, (dv, off, len, cpu) => {
    expect(cpu).toBe(-1);
    got.push([...new Uint8Array(dv.buffer, dv.byteOffset + off, len)]);
  }, (p) => released.push(p));
  return { got, pos, n, released };
}

describe('BPF ring buffer records', () => {
  it('delivers each committed record, 8-byte aligned, and skips discarded ones', () => {
    const r = new Ring(256);
    r.put([1, 2, 3]);
    r.put([9, 9], DISCARD);
    r.put([4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const out = readAll(r);
    expect(out.got).toEqual([[1, 2, 3], [4, 5, 6, 7, 8, 9, 10, 11, 12]]);
    expect(out.n).toBe(2);
    expect(out.pos).toBe(16 + 16 + 24);
  });

  it('stops at a record still reserved, and resumes there once it is committed', () => {
    const r = new Ring(256);
    r.put([1]);
    const busyAt = r.pos;
    r.put([2], BUSY);
    r.put([3]);
    const first = readAll(r);
    expect(first.got).toEqual([[1]]);
    expect(first.pos).toBe(busyAt);
    r.view.setUint32(busyAt, 1, true); // committed
    r.view.setUint32(busyAt + r.size, 1, true);
    expect(readAll(r, first.pos).got).toEqual([[2], [3]]);
  });

  it('reads a record that crosses the end of the data area through the second mapping', () => {
    const r = new Ring(64);
    r.pos = 48;
    r.put([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]); // 48..72: wraps
    const out = readAll(r, 48);
    expect(out.got).toEqual([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]]);
    expect(out.pos).toBe(72);
  });

  it('honours the budget, and hands space back every 64 records', () => {
    const r = new Ring(4096);
    for (let i = 0; i < 150; i++) r.put([i]);
    const some = readAll(r, 0, 10);
    expect(some.n).toBe(10);
    expect(some.pos).toBe(160);
    const rest = readAll(r, some.pos);
    expect(rest.n).toBe(140);
    expect(rest.released).toEqual([160 + 64 * 16, 160 + 128 * 16]);
  });
});

/** A perf ring of `size` bytes: records of header (type, misc, size) then the body, wrapping at the end. */
class PerfRing {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos = 0;
  constructor(readonly size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  private put(type: number, body: Uint8Array): void {
    const rec = new Uint8Array(8 + body.length);
    const dv = new DataView(rec.buffer);
    dv.setUint32(0, type, true);
    dv.setUint16(6, rec.length, true);
    rec.set(body, 8);
    for (let i = 0; i < rec.length; i++) this.bytes[(this.pos + i) % this.size] = rec[i]!;
    this.pos += rec.length;
  }
  sample(raw: number[]): void {
    const body = new Uint8Array((4 + raw.length + 7) & ~7);
    new DataView(body.buffer).setUint32(0, raw.length, true);
    body.set(raw, 4);
    this.put(PERF_RECORD_SAMPLE, body);
  }
  lost(count: number): void {
    const body = new Uint8Array(16);
    new DataView(body.buffer).setBigUint64(8, BigInt(count), true);
    this.put(PERF_RECORD_LOST, body);
  }
}

describe('perf ring records', () => {
  const read = (r: PerfRing, from = 0, scratch = { view: new DataView(new ArrayBuffer(8)) }) => {
    const got: number[][] = [];
    let lost = 0;
    const res = readPerfRecords(r.view, r.size, 3, from, r.pos, 1 << 30, scratch, (dv, off, len, cpu) => {
      expect(cpu).toBe(3);
      got.push([...new Uint8Array(dv.buffer, dv.byteOffset + off, len)]);
    }, (n) => (lost += n));
    return { ...res, got, lost, scratch };
  };

  it('delivers samples with their CPU and counts what the kernel lost', () => {
    const r = new PerfRing(256);
    r.sample([1, 2, 3]);
    r.lost(7);
    r.sample([4]);
    r.lost(5);
    const out = read(r);
    expect(out.got).toEqual([[1, 2, 3], [4]]);
    expect(out.lost).toBe(12);
    expect(out.pos).toBe(r.pos);
  });

  it('stitches a sample that wraps past the end of the ring (growing the scratch space)', () => {
    const r = new PerfRing(64);
    r.pos = 40;
    r.sample([...Array(30).keys()]); // 40..88: wraps at 64
    const out = read(r, 40);
    expect(out.got).toEqual([[...Array(30).keys()]]);
    expect(out.scratch.view.byteLength).toBeGreaterThanOrEqual(48);
  });

  it('stops at a header that is not a record instead of spinning on it', () => {
    const r = new PerfRing(64);
    r.pos = 32; // nothing written: zeros
    const out = read(r, 0);
    expect(out.n).toBe(0);
    expect(out.pos).toBe(0);
  });
});
