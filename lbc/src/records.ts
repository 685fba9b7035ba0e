// Reading the records a BPF program wrote, from the bytes of a ring: the BPF
// ring buffer's and the perf ring's formats. Pure (no mmap, no syscalls), so
// the parsing is tested on byte buffers made by hand; ring.ts runs them over
// the kernel's mapped pages.

const BUSY = 0x80000000;
const DISCARD = 0x40000000;
const LEN_MASK = 0x3fffffff;
export const PERF_RECORD_LOST = 2;
export const PERF_RECORD_SAMPLE = 9;

/**
 * BPF ring buffer records from position `from` up to `to` (the producer's
 * position), at most `budget` of them: each committed record's payload to
 * `onRecord(data, offset, length, -1)` (a ring's handler: no CPU); discarded ones are skipped, and a record
 * still reserved (BUSY) stops the walk there. `data` is the data area mapped
 * twice in a row, as the kernel maps it, so a record never wraps.
 * `release(pos)` hands space back to the producer every 64 records. Returns
 * the new consumer position and how many records were delivered.
 */
export function readRingRecords(
  data: DataView, mask: number, from: number, to: number, budget: number,
  onRecord: (data: DataView, offset: number, length: number, cpu: number) => void,
  release: (pos: number) => void,
): { pos: number; n: number } {
  let pos = from;
  let n = 0;
  let sinceRelease = 0;
  while (pos < to && n < budget) {
    const off = pos & mask;
    const hdr = data.getUint32(off, true);
    if (hdr & BUSY) break;
    const len = hdr & LEN_MASK;
    if (!(hdr & DISCARD)) {
      onRecord(data, off + 8, len, -1);
      n++;
    }
    pos += (len + 8 + 7) & ~7;
    // often, not once per batch: a large batch would starve the producer
    if (++sinceRelease === 64) {
      release(pos);
      sinceRelease = 0;
    }
  }
  return { pos, n };
}

/**
 * Perf ring records of CPU `cpu` from `from` to `to` (the kernel's head), at
 * most `budget` samples: each PERF_RECORD_SAMPLE's raw payload to `onSample`, the count of
 * each PERF_RECORD_LOST to `onLost`. A record that wraps past the ring's end
 * is stitched together in `scratch` (grown when too small) first.
 */
export function readPerfRecords(
  data: DataView, size: number, cpu: number, from: number, to: number, budget: number, scratch: { view: DataView },
  onSample: (data: DataView, offset: number, length: number, cpu: number) => void,
  onLost: (count: number) => void,
): { pos: number; n: number } {
  let pos = from;
  let n = 0;
  while (pos < to && n < budget) {
    const off = pos % size;
    const type = data.getUint32(off, true);
    const recSize = data.getUint16(off + 6, true);
    if (recSize < 8) break; // not a record header: never walk on in place
    let rec = data;
    let base = off;
    if (off + recSize > size) {
      if (scratch.view.byteLength < recSize) scratch.view = new DataView(new ArrayBuffer(recSize * 2));
      const dst = new Uint8Array(scratch.view.buffer, 0, recSize);
      const first = size - off;
      dst.set(new Uint8Array(data.buffer, data.byteOffset + off, first), 0);
      dst.set(new Uint8Array(data.buffer, data.byteOffset, recSize - first), first);
      rec = scratch.view;
      base = 0;
    }
    if (type === PERF_RECORD_SAMPLE) {
      onSample(rec, base + 12, rec.getUint32(base + 8, true), cpu);
      n++;
    } else if (type === PERF_RECORD_LOST) {
      onLost(Number(rec.getBigUint64(base + 16, true)));
    }
    pos += recSize;
  }
  return { pos, n };
}
