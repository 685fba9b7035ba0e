// BpfMap's own logic over faked foreign calls (a map kept in this process, with
// the kernel's return conventions): codecs, per-CPU slots, iteration with and
// without the batch call, update flags, and errors that keep the kernel's
// reason. No libbpf, no kernel, no root: runs in `npm run test:unit`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useFakeBindings } from '../lbc/src/ffi.js';
import { BpfMap, UpdateFlags, type MapInfo } from '../lbc/src/map.js';
import * as codec from '../lbc/src/codec.js';
import { LbcError } from '../lbc/src/errors.js';

const ENOENT = 2;
const E2BIG = 7;
const EEXIST = 17;
const EOPNOTSUPP = 95;
const CPUS = 3;

/** A hash map as the kernel keeps one: insertion order, max entries, BPF_NOEXIST/BPF_EXIST. */
class KernelMap {
  readonly entries = new Map<string, Buffer>();
  calls: string[] = [];
  constructor(readonly info: MapInfo, readonly valueBytes: number, readonly batch: boolean) {}
  private k(key: Buffer): string {
    return key.subarray(0, this.info.keySize).toString('hex');
  }
  lookup = (_fd: number, key: Buffer, value: Buffer): number => {
    this.calls.push('lookup');
    const v = this.entries.get(this.k(key));
    if (!v) return -ENOENT;
    v.copy(value);
    return 0;
  };
  update = (_fd: number, key: Buffer, value: Buffer, flags: bigint | number): number => {
    const has = this.entries.has(this.k(key));
    if (Number(flags) === UpdateFlags.NOEXIST && has) return -EEXIST;
    if (Number(flags) === UpdateFlags.EXIST && !has) return -ENOENT;
    if (!has && this.entries.size >= this.info.maxEntries) return -E2BIG;
    this.entries.set(this.k(key), Buffer.from(value.subarray(0, this.valueBytes)));
    return 0;
  };
  delete = (_fd: number, key: Buffer): number => (this.entries.delete(this.k(key)) ? 0 : -ENOENT);
  next_key = (_fd: number, prev: Buffer | null, next: Buffer): number => {
    this.calls.push('next_key');
    const keys = [...this.entries.keys()];
    const at = prev ? keys.indexOf(this.k(prev)) + 1 : 0;
    if (at >= keys.length) return -ENOENT;
    Buffer.from(keys[at]!, 'hex').copy(next);
    return 0;
  };
  delete_batch = (_fd: number, keys: Buffer, count: number[]): number => {
    this.calls.push('delete_batch');
    for (let i = 0; i < count[0]!; i++) this.entries.delete(keys.subarray(i * this.info.keySize, (i + 1) * this.info.keySize).toString('hex'));
    return 0;
  };
  lookup_batch = (_fd: number, inBatch: Buffer | null, outBatch: Buffer, keys: Buffer, values: Buffer, count: number[]): number => {
    this.calls.push('lookup_batch');
    if (!this.batch) return -EOPNOTSUPP;
    const all = [...this.entries];
    const from = inBatch ? inBatch.readUInt32LE(0) : 0;
    const n = Math.min(count[0]!, all.length - from);
    for (let i = 0; i < n; i++) {
      Buffer.from(all[from + i]![0], 'hex').copy(keys, i * this.info.keySize);
      all[from + i]![1].copy(values, i * this.valueBytes);
    }
    count[0] = n;
    outBatch.writeUInt32LE(from + n, 0);
    return from + n >= all.length ? -ENOENT : 0;
  };
}

function fake(m: KernelMap): void {
  useFakeBindings({ bpf: { lookup: m.lookup, update: m.update, delete: m.delete, next_key: m.next_key, lookup_batch: m.lookup_batch, delete_batch: m.delete_batch, num_possible_cpus: () => CPUS } });
}

describe('BpfMap over faked foreign calls', () => {
  afterEach(() => useFakeBindings(null));

  describe('a hash map of u32 → u64', () => {
    const info: MapInfo = { name: 'counts', type: 'hash', keySize: 4, valueSize: 8, maxEntries: 3 };
    let km: KernelMap;
    let map: BpfMap<number, bigint>;
    beforeEach(() => {
      km = new KernelMap(info, 8, true);
      fake(km);
      map = new BpfMap(info, () => 3, { key: codec.u32, value: codec.u64 });
    });

    it('sets, gets, deletes; a missing key is undefined, not an error', () => {
      map.set(7, 70n).set(8, 80n);
      expect(map.get(7)).toBe(70n);
      expect(map.get(9)).toBeUndefined();
      expect(map.delete(8)).toBe(true);
      expect(map.delete(8)).toBe(false);
      expect(map.has(8)).toBe(false);
    });

    it('iterates in the kernel order, by the batch call when the map has it', () => {
      for (const [k, v] of [[3, 30n], [1, 10n], [2, 20n]] as const) map.set(k, v);
      expect([...map.entries()]).toEqual([[3, 30n], [1, 10n], [2, 20n]]);
      expect(km.calls).toContain('lookup_batch');
      expect(km.calls).not.toContain('next_key');
      expect([...map.keys()]).toEqual([3, 1, 2]);
    });

    it('falls back to one key at a time where the kernel refuses batching, and remembers it', () => {
      km = new KernelMap(info, 8, false);
      fake(km);
      map = new BpfMap(info, () => 3, { key: codec.u32, value: codec.u64 });
      map.set(5, 50n).set(6, 60n);
      expect([...map.entries()]).toEqual([[5, 50n], [6, 60n]]);
      expect(km.calls.filter((c) => c === 'lookup_batch')).toHaveLength(1);
      km.calls = [];
      [...map.entries()];
      expect(km.calls).not.toContain('lookup_batch');
    });

    it("keeps the kernel's reason: a full map, an existing key with NOEXIST", () => {
      map.set(1, 1n).set(2, 2n).set(3, 3n);
      expect(() => map.set(4, 4n)).toThrow(LbcError);
      expect(() => map.set(4, 4n)).toThrow(/map counts: update failed: E2BIG/);
      expect(() => map.set(1, 9n, UpdateFlags.NOEXIST)).toThrow(/EEXIST/);
      expect(() => map.set(9, 9n, UpdateFlags.EXIST)).toThrow(/ENOENT/);
      expect(map.get(1)).toBe(1n);
    });

    it('clears every key, in one batch call', () => {
      map.set(1, 1n).set(2, 2n);
      map.clear();
      expect([...map.keys()]).toEqual([]);
      expect(km.calls).toContain('delete_batch');
    });
  });

  it('refuses a codec of the wrong size before any call, naming both sizes', () => {
    useFakeBindings({});
    const info: MapInfo = { name: 'm', type: 'hash', keySize: 8, valueSize: 4, maxEntries: 1 };
    expect(() => new BpfMap(info, () => 3, { key: codec.u32 })).toThrow(/map m: key codec is 4 bytes but the map's key is 8 bytes/);
  });

  it('lays per-CPU values out in 8-byte slots, one per possible CPU', () => {
    const info: MapInfo = { name: 'pc', type: 'percpu_hash', keySize: 4, valueSize: 4, maxEntries: 8 };
    const km = new KernelMap(info, 8 * CPUS, true);
    fake(km);
    const map = new BpfMap<number, number>(info, () => 3, { key: codec.u32, value: codec.u32 });
    map.set(1, [10, 20, 30] as never);
    const raw = km.entries.get('01000000')!;
    expect([raw.readUInt32LE(0), raw.readUInt32LE(8), raw.readUInt32LE(16)]).toEqual([10, 20, 30]);
    expect(map.getPerCpu(1)).toEqual([10, 20, 30]);
    expect(() => map.set(2, [1, 2] as never)).toThrow(/per-CPU value needs 3 entries/);
  });

  it('names a foreign call the fake does not provide', () => {
    useFakeBindings({ bpf: {} });
    const info: MapInfo = { name: 'm', type: 'hash', keySize: 4, valueSize: 4, maxEntries: 1 };
    const map = new BpfMap(info, () => 3, { key: codec.u32, value: codec.u32 });
    expect(() => map.get(1)).toThrow(/fake bindings: bpf\.lookup is not provided/);
  });
});
