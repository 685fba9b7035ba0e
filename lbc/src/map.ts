// A BPF map seen from user space: typed get/set/delete/iterate over its fd.
import { bpf, BatchOpts, c, errno, structSize } from './ffi.js';
import { type Codec, defaultCodec } from './codec.js';
import { LbcError, UsageError } from './errors.js';

import { MAP_TYPES, type MapType } from './maptypes.js';

export { MAP_TYPES, type MapType } from './maptypes.js';

/** For per-CPU maps the value type is an array and the codec decodes one element. */
export type ValueCodec<V> = Codec<V> | Codec<V extends readonly (infer E)[] ? E : never>;

export const UpdateFlags = { ANY: 0, NOEXIST: 1, EXIST: 2, LOCK: 4 } as const;

const PERCPU = new Set<MapType>(['percpu_hash', 'percpu_array', 'lru_percpu_hash', 'percpu_cgroup_storage']);
const BATCHABLE = new Set<MapType>(['hash', 'percpu_hash', 'lru_hash', 'lru_percpu_hash', 'array', 'percpu_array']);
const ARRAYS = new Set<MapType>(['array', 'percpu_array', 'perf_event_array', 'prog_array', 'cgroup_array', 'array_of_maps']);

export interface MapInfo {
  name: string;
  type: MapType;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** map_flags (BPF_F_STACK_BUILD_ID: a stack of build IDs) */
  flags?: number;
}

let possibleCpus = 0;
export function numPossibleCpus(): number {
  if (!possibleCpus) possibleCpus = bpf.num_possible_cpus() as number;
  return possibleCpus;
}

/**
 * Map access by fd. K and V are what the codecs produce; for per-CPU maps a
 * value is an array with one entry per possible CPU.
 */
export class BpfMap<K = number | bigint | Uint8Array, V = number | bigint | Uint8Array> {
  readonly info: MapInfo;
  readonly percpu: boolean;
  private readonly keyCodec: Codec<K>;
  // for per-CPU maps V is an array and this codec decodes one CPU's element
  private readonly valueCodec: Codec<V>;
  private readonly fdOf: () => number;
  private readonly keyBuf: Buffer;
  private readonly keyView: DataView;
  private readonly valBuf: Buffer;
  private readonly valView: DataView;
  /** per-CPU values are laid out in 8-byte rounded slots, one per possible CPU */
  private readonly stride: number;
  private readonly cpus: number;
  private batchOk: boolean;

  constructor(info: MapInfo, fdOf: () => number, codecs: { key?: Codec<K>; value?: ValueCodec<V> } = {}) {
    this.info = info;
    this.fdOf = fdOf;
    this.percpu = PERCPU.has(info.type);
    this.keyCodec = codecs.key ?? (defaultCodec(info.keySize) as unknown as Codec<K>);
    this.valueCodec = (codecs.value ?? defaultCodec(info.valueSize)) as unknown as Codec<V>;
    for (const [what, codec, size] of [['key', this.keyCodec, info.keySize], ['value', this.valueCodec, info.valueSize]] as const) {
      if (size && codec.size !== size) {
        throw new UsageError(`map ${info.name}: ${what} codec is ${codec.size} bytes but the map's ${what} is ${size} bytes`);
      }
    }
    this.cpus = this.percpu ? numPossibleCpus() : 1;
    this.stride = this.percpu ? (info.valueSize + 7) & ~7 : info.valueSize;
    this.keyBuf = Buffer.alloc(Math.max(info.keySize, 8));
    this.keyView = new DataView(this.keyBuf.buffer, this.keyBuf.byteOffset, this.keyBuf.byteLength);
    this.valBuf = Buffer.alloc(Math.max(this.stride * this.cpus, 8));
    this.valView = new DataView(this.valBuf.buffer, this.valBuf.byteOffset, this.valBuf.byteLength);
    this.batchOk = BATCHABLE.has(info.type);
  }

  get name(): string {
    return this.info.name;
  }

  /** The codecs of a key and of one value (one CPU's, for a per-CPU map). */
  get codecs(): { key: Codec<K>; value: Codec<V> } {
    return { key: this.keyCodec, value: this.valueCodec };
  }

  get fd(): number {
    return this.fdOf();
  }

  /** Does iteration have an order and a fixed key set (arrays)? */
  get isArray(): boolean {
    return ARRAYS.has(this.info.type);
  }

  private encodeKey(key: K): Buffer | null {
    if (this.info.keySize === 0) return null;
    this.keyCodec.encode(key, this.keyView, 0);
    return this.keyBuf;
  }

  private decodeValue(view: DataView, base: number): V | V[] {
    if (!this.percpu) return this.valueCodec.decode(view, base);
    const out: V[] = new Array(this.cpus);
    for (let cpu = 0; cpu < this.cpus; cpu++) out[cpu] = this.valueCodec.decode(view, base + cpu * this.stride);
    return out;
  }

  private encodeValue(value: V | V[], view: DataView, base: number): void {
    if (!this.percpu) {
      this.valueCodec.encode(value as V, view, base);
      return;
    }
    const values = Array.isArray(value) ? (value as V[]) : new Array<V>(this.cpus).fill(value as V);
    if (values.length !== this.cpus) {
      throw new UsageError(`map ${this.name}: per-CPU value needs ${this.cpus} entries (one per possible CPU), got ${values.length}`);
    }
    for (let cpu = 0; cpu < this.cpus; cpu++) this.valueCodec.encode(values[cpu]!, view, base + cpu * this.stride);
  }

  private fail(op: string, e = errno()): never {
    throw new LbcError(`map ${this.name}: ${op} failed`, { errno: e });
  }

  /** The value for `key`, or undefined when there is none. */
  get(key: K, flags = 0): V | undefined {
    const rc = bpf.lookup(this.fd, this.encodeKey(key), this.valBuf, flags) as number;
    if (rc < 0) {
      if (-rc === 2) return undefined; // ENOENT
      this.fail('lookup', -rc);
    }
    return this.decodeValue(this.valView, 0) as V;
  }

  /** The value's bytes as the kernel has them, undecoded (a stack of build IDs: binary, not text) */
  getBytes(key: K): Buffer | undefined {
    const rc = bpf.lookup(this.fd, this.encodeKey(key), this.valBuf, 0) as number;
    if (rc < 0) {
      if (-rc === 2) return undefined; // ENOENT
      this.fail('lookup', -rc);
    }
    return Buffer.from(this.valBuf);
  }

  /** For per-CPU maps: one value per possible CPU. */
  getPerCpu(key: K): V[] | undefined {
    if (!this.percpu) throw new UsageError(`map ${this.name} is not per-CPU (${this.info.type})`);
    return this.get(key) as unknown as V[] | undefined;
  }

  set(key: K, value: V | V[], flags: number = UpdateFlags.ANY): this {
    this.encodeValue(value, this.valView, 0);
    const rc = bpf.update(this.fd, this.encodeKey(key), this.valBuf, flags) as number;
    if (rc < 0) this.fail('update', -rc);
    return this;
  }

  /** true when the key was there. */
  delete(key: K): boolean {
    const rc = bpf.delete(this.fd, this.encodeKey(key)) as number;
    if (rc < 0) {
      if (-rc === 2) return false;
      this.fail('delete', -rc);
    }
    return true;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** Remove and return: hash maps by key; queue and stack maps pop (key ignored). */
  lookupAndDelete(key?: K): V | undefined {
    const k = this.info.keySize ? this.encodeKey(key as K) : null;
    const rc = bpf.lookup_and_delete(this.fd, k, this.valBuf) as number;
    if (rc < 0) {
      if (-rc === 2) return undefined;
      this.fail('lookup_and_delete', -rc);
    }
    return this.decodeValue(this.valView, 0) as V;
  }

  /** Keys in kernel order. Copies each key out, so the map may change meanwhile. */
  *keys(): IterableIterator<K> {
    const ks = this.info.keySize;
    let prev: Buffer | null = null;
    const next = Buffer.alloc(ks);
    const nextView = new DataView(next.buffer, next.byteOffset, ks);
    for (;;) {
      const rc = bpf.next_key(this.fd, prev, next) as number;
      if (rc < 0) {
        if (-rc === 2) return;
        this.fail('get_next_key', -rc);
      }
      const key = this.keyCodec.decode(nextView, 0);
      prev = Buffer.from(next);
      yield key;
    }
  }

  /** [key, value] pairs; uses the batch syscall when the kernel and map type have it. */
  *entries(): IterableIterator<[K, V]> {
    if (this.batchOk) {
      const batch = this.lookupBatch();
      if (batch) {
        yield* batch;
        return;
      }
    }
    for (const k of this.keys()) {
      const v = this.get(k);
      if (v !== undefined) yield [k, v as V];
    }
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /** Delete every key (arrays: zero every slot, as the kernel cannot delete from them). */
  clear(): void {
    if (this.isArray) {
      const zero = new DataView(new ArrayBuffer(this.valBuf.length));
      const keys = [...this.keys()];
      const bytes = Buffer.from(zero.buffer);
      for (const k of keys) {
        const rc = bpf.update(this.fd, this.encodeKey(k), bytes, 0) as number;
        if (rc < 0) this.fail('update', -rc);
      }
      return;
    }
    const keys = [...this.keys()];
    if (keys.length && this.batchOk && this.deleteBatch(keys)) return;
    for (const k of keys) this.delete(k);
  }

  /** All entries with BPF_MAP_LOOKUP_BATCH, or null when the kernel refuses batching for this map. */
  lookupBatch(chunk = 256): [K, V][] | null {
    const ks = this.info.keySize;
    const vs = this.stride * this.cpus;
    const keys = Buffer.alloc(ks * chunk);
    const vals = Buffer.alloc(vs * chunk);
    const kv = new DataView(keys.buffer, keys.byteOffset, keys.byteLength);
    const vv = new DataView(vals.buffer, vals.byteOffset, vals.byteLength);
    // the batch token is a key for arrays and a bucket index for hashes: room for either
    let inBatch: Buffer | null = null;
    const outBatch = Buffer.alloc(Math.max(ks, 8));
    const opts = { sz: structSize(BatchOpts), elem_flags: 0n, flags: 0n };
    const out: [K, V][] = [];
    for (;;) {
      const count = [chunk];
      const rc = bpf.lookup_batch(this.fd, inBatch, outBatch, keys, vals, count, opts) as number;
      const err = rc < 0 ? -rc : 0;
      if (err && err !== 2) {
        if (out.length === 0 && (err === 22 || err === 95 || err === 524)) {
          this.batchOk = false; // EINVAL/EOPNOTSUPP/ENOTSUPP: fall back to get_next_key
          return null;
        }
        this.fail('lookup_batch', err);
      }
      for (let i = 0; i < count[0]!; i++) {
        out.push([this.keyCodec.decode(kv, i * ks), this.decodeValue(vv, i * vs) as V]);
      }
      if (err === 2) return out;
      inBatch = Buffer.from(outBatch);
    }
  }

  /** Set many entries in one syscall (falls back to one update per entry). */
  setBatch(entries: Iterable<[K, V | V[]]>, flags: number = UpdateFlags.ANY): void {
    const list = [...entries];
    if (!list.length) return;
    const ks = this.info.keySize;
    const vs = this.stride * this.cpus;
    const keys = Buffer.alloc(ks * list.length);
    const vals = Buffer.alloc(vs * list.length);
    const kv = new DataView(keys.buffer, keys.byteOffset, keys.byteLength);
    const vv = new DataView(vals.buffer, vals.byteOffset, vals.byteLength);
    list.forEach(([k, v], i) => {
      this.keyCodec.encode(k, kv, i * ks);
      this.encodeValue(v, vv, i * vs);
    });
    if (this.batchOk) {
      const rc = bpf.update_batch(this.fd, keys, vals, [list.length], { sz: structSize(BatchOpts), elem_flags: BigInt(flags), flags: 0n }) as number;
      if (rc === 0) return;
      if (![22, 95, 524].includes(-rc)) this.fail('update_batch', -rc);
      this.batchOk = false;
    }
    for (const [k, v] of list) this.set(k, v, flags);
  }

  /** Delete many keys in one syscall; false when the kernel refused batching. */
  deleteBatch(keyList: K[]): boolean {
    const ks = this.info.keySize;
    const keys = Buffer.alloc(ks * keyList.length);
    const kv = new DataView(keys.buffer, keys.byteOffset, keys.byteLength);
    keyList.forEach((k, i) => this.keyCodec.encode(k, kv, i * ks));
    const rc = bpf.delete_batch(this.fd, keys, [keyList.length], { sz: structSize(BatchOpts), elem_flags: 0n, flags: 0n }) as number;
    if (rc === 0) return true;
    if ([22, 95, 524].includes(-rc)) {
      this.batchOk = false;
      return false;
    }
    if (-rc === 2) return true;
    return this.fail('delete_batch', -rc);
  }

  /**
   * Open a map another process pinned on bpffs. The fd lives until close()
   * (or process exit); the pinned map itself outlives both.
   */
  static fromPinned<K = number | bigint | Uint8Array, V = number | bigint | Uint8Array>(
    path: string,
    codecs: { key?: Codec<K>; value?: ValueCodec<V> } = {},
  ): BpfMap<K, V> & { close(): void } {
    const fd = bpf.obj_get(Buffer.from(`${path}\0`)) as number;
    if (fd < 0) throw new LbcError(`open pinned map ${path}`, { errno: -fd, hint: 'is bpffs mounted and the map pinned there? (ls /sys/fs/bpf)' });
    const info = Buffer.alloc(40); // struct bpf_map_info through name[16]
    const len = [info.length];
    const rc = bpf.obj_get_info_by_fd(fd, info, len) as number;
    if (rc < 0) {
      c.close(fd);
      throw new LbcError(`${path} is not a BPF map`, { errno: -rc });
    }
    const raw = info.subarray(24, 40);
    const nul = raw.indexOf(0);
    let open = true;
    const m = new BpfMap<K, V>(
      {
        name: raw.toString('utf8', 0, nul < 0 ? 16 : nul),
        type: MAP_TYPES[info.readUInt32LE(0)] ?? 'unspec',
        keySize: info.readUInt32LE(8),
        valueSize: info.readUInt32LE(12),
        maxEntries: info.readUInt32LE(16),
        flags: info.readUInt32LE(20),
      },
      () => {
        if (!open) throw new LbcError(`pinned map ${path} is closed`);
        return fd;
      },
      codecs,
    );
    return Object.assign(m, {
      close: () => {
        if (open) c.close(fd);
        open = false;
      },
    });
  }

  /** A view of the same map with other codecs (what generated skeletons do). */
  withCodecs<K2, V2>(codecs: { key?: Codec<K2>; value?: ValueCodec<V2> }): BpfMap<K2, V2> {
    return new BpfMap<K2, V2>(this.info, this.fdOf, codecs);
  }
}
