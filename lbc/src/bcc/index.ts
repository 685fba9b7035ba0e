// @lcc-ebpf/lbc/bcc: BCC's Python API over a precompiled CO-RE object, so
// that a converted tool's calls are BCC's own: BPF(...) loads the skeleton
// lcc convert made from the tool's C (the text itself is not compiled again),
// b.attach_kprobe(event=..., fn_name=...) attaches that program, b["counts"]
// is a table whose items() hand out what BCC's do (a count is a c_ulong with
// .value, a struct key has its fields, char arrays are bytes), and the calls
// that block in Python (perf_buffer_poll, trace_print) wait as the
// translation's other blocking calls do.
import * as fs from 'node:fs';
import { release as kernelRelease } from 'node:os';
import * as path from 'node:path';
import type { BpfObject } from '../object.js';
import { openPerfCounter, type Program, type AttachTarget } from '../program.js';
import type { Link } from '../link.js';
import type { BpfMap } from '../map.js';
import type { Codec } from '../codec.js';
import { LbcError } from '../errors.js';
import { bpf } from '../ffi.js';
import { kernelFds, openPacketSocket } from '../rawsock.js';
import { ksym as kernelSym, ksymAddress, ksymNames } from '../ksyms.js';
import { ensureTracefs, TRACEFS } from '../sysfs.js';
import { Btf } from '../btf.js';
import { elfSections } from '../elf.js';
import { int, isKwargs, repr, splitKw, tuple, hashKey, type Int } from '../py/core.js';
import { PyDict } from '../py/dict.js';
import { Exception, KeyError, PyTypeError, ValueError } from '../py/exc.js';
import { print as printLine } from '../py/builtins.js';
import { jsonHist, LOG2_INDEX_MAX, LINEAR_INDEX_MAX } from './hist.js';
import { formatLinearHist, formatLog2Hist } from '../hist.js';
import { formatStr, pyFormat } from '../py/format.js';
import { blocking, onNextWait } from '../py/run.js';
import { os, provideKernelFds, strftime, sys } from '../py/modules.js';
import { writeFd } from '../py/builtins.js';
import { CValue } from './ctypes.js';
import { findBinary, findLibrary } from './binary.js';
import { USDT, USDTException, type UsdtContext } from './usdt.js';
import * as ct from './ctypes.js';

// os.read and socket.fromfd on the fds this module opens (attach_raw_socket's packet socket)
provideKernelFds(kernelFds);

export { ct, USDT, USDTException };
export { pyroute2 } from './pyroute2.js';
export { netaddr } from './netaddr.js';
export { kprobesAvailable } from '../features.js';

/** What lcc convert's skeleton class offers the runtime. */
export interface SkeletonClass {
  open(options?: never): SkeletonLike;
}
export interface SkeletonLike {
  readonly obj: BpfObject;
  readonly progs: object;
  readonly rodata?: object;
  readonly maps: object;
  load(): unknown;
  destroy(): void;
}

/** BPF()'s settings, computed by the translated program where Python called BPF() */
export interface BpfSettings {
  /** the BPF text as the tool built it (kept for --ebpf; the object is already compiled) */
  text?: unknown;
  src_file?: unknown;
  cflags?: unknown;
  debug?: unknown;
  /** load-time settings lcc convert made of the text's options: .rodata values */
  rodata?: Record<string, unknown>;
  /** programs loaded only when a condition of the tool's holds */
  autoload?: Record<string, unknown>;
  /** maps sized by an option */
  maxEntries?: Record<string, unknown>;
  /** a map the C declares one way or another by the options: the tool's name → the object's map they chose */
  maps?: Record<string, unknown>;
  /** maps to take from a path the user pinned (BCC's containers filter), when the path is set */
  pinned?: Record<string, unknown>;
  /** programs BCC attaches by their name (kprobe__x, TRACEPOINT_PROBE, ...) */
  auto?: string[];
  /** the record types of perf and ring buffer maps, for table.event(data) */
  events?: Record<string, Codec<unknown>>;
  /** USDT(...) contexts whose enable_probe() calls name the probes to attach, as BCC's BPF(usdt_contexts=) */
  usdt_contexts?: unknown;
  /**
   * choices of the tool's whose C did not compile where lcc convert ran (exitsnoop's --timespec on a
   * kernel whose start_time is a u64): [whether the tool chose it, clang's reason]; BPF() raises, as
   * BCC's does when its compile fails
   */
  refuse?: [unknown, string][];
}

const bytes = (s: string): Buffer => Buffer.from(s);
const text = (v: unknown): string => (v instanceof Uint8Array ? Buffer.from(v).toString() : String(v));

// ---------------------------------------------------------------------------
// values, as BCC's tables hand them out

/** A struct key or value: its fields, hashable by value */
export class Fields {
  [key: string]: any;
  constructor(fields: Record<string, unknown>, readonly $order: string[] = Object.keys(fields)) {
    Object.assign(this, fields);
  }
  __hash_key__(): unknown {
    return tuple(...this.$order.map((f) => hashKey(this[f])));
  }
  __eq__(o: unknown): boolean {
    return o instanceof Fields && hashKey(this) === hashKey(o);
  }
  __repr__(): string {
    return `(${this.$order.map((f) => `${f}=${repr(this[f])}`).join(', ')})`;
  }
}

/** A decoded field as Python sees it: ints (exact), bytes for char arrays, lists, nested structs */
function inner(v: unknown): unknown {
  if (typeof v === 'bigint') return int(v);
  if (typeof v === 'string') return Buffer.from(v);
  if (Array.isArray(v)) return v.map(inner);
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (v && typeof v === 'object') return new Fields(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, inner(x)])));
  return v;
}
/** A whole key or value: a scalar is a ctypes value (.value), a struct its fields */
function toPy(v: unknown, ctype: string): unknown {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return new CValue(typeof v === 'bigint' ? int(v) : v, ctype);
  return inner(v);
}
function fromInner(v: unknown): unknown {
  if (v instanceof CValue) return fromInner(v.value);
  if (v instanceof Fields) return Object.fromEntries(v.$order.map((f) => [f, fromInner(v[f])]));
  if (v instanceof Uint8Array) return Buffer.from(v).toString('latin1').replace(/\0+$/, '');
  if (Array.isArray(v)) return v.map(fromInner);
  if (v && typeof v === 'object' && v instanceof ct.Structure) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromInner(x)]));
  return v;
}
const fromPy = (v: unknown): unknown => fromInner(v);

const print = (lines: string | string[]): void => {
  for (const l of typeof lines === 'string' ? [lines] : lines) printLine(l);
};

const kw = (args: unknown[], names: string[]): Record<string, any> => {
  const [pos, k] = splitKw(args);
  const out: Record<string, unknown> = { ...k };
  pos.forEach((v, i) => {
    if (names[i] !== undefined && !(names[i]! in out)) out[names[i]!] = v;
  });
  return out;
};

// ---------------------------------------------------------------------------
// tables

interface Queued {
  cpu: number;
  data: Buffer;
}

export class Table {
  [key: string]: any;
  /** a perf or ring buffer's callback, and its records not yet handed to it */
  queue: Queued[] = [];
  callback: ((cpu: number, data: Buffer, size: number) => unknown) | null = null;
  lostCallback: ((lost: number) => unknown) | null = null;
  constructor(readonly bpf: BPF, readonly name: string, readonly map: BpfMap<any, any>) {}

  private get keyIsStruct(): boolean {
    return 'fields' in this.map.codecs.key;
  }
  private ctype(size: number, signed = false): string {
    return ({ 1: 'c_ubyte', 2: 'c_ushort', 4: signed ? 'c_int' : 'c_uint', 8: signed ? 'c_long' : 'c_ulong' } as Record<number, string>)[size] ?? 'c_ulong';
  }
  private wrapKey(k: unknown): unknown {
    return toPy(k, this.ctype(this.map.codecs.key.size, true));
  }
  private wrapValue(v: unknown): unknown {
    if (this.map.percpu && Array.isArray(v)) return v.map((x) => toPy(x, this.ctype(this.map.codecs.value.size)));
    return toPy(v, this.ctype(this.map.codecs.value.size));
  }
  private rawKey(k: unknown): unknown {
    const v = fromPy(k);
    // a u64 key codec takes bigint or number alike; a u32 one wants a number
    return typeof v === 'bigint' && this.map.codecs.key.size <= 4 ? Number(v) : v;
  }
  private rawValue(v: unknown): unknown {
    if (this.map.percpu && Array.isArray(v)) return v.map(fromPy);
    const x = fromPy(v);
    return typeof x === 'bigint' && this.map.codecs.value.size <= 4 ? Number(x) : x;
  }

  /** table.Key(...) / table.Leaf(...): a key or value to index or store with */
  Key(...args: unknown[]): unknown {
    return this.make(this.map.codecs.key, args, true);
  }
  Leaf(...args: unknown[]): unknown {
    return this.make(this.map.codecs.value, args, false);
  }
  private make(c: Codec<unknown>, args: unknown[], key: boolean): unknown {
    if ('fields' in c) {
      const names = Object.keys((c as unknown as { fields: object }).fields);
      const [pos, k] = splitKw(args);
      return new Fields(Object.fromEntries(names.map((n, i) => [n, i < pos.length ? pos[i] : k[n] ?? 0])), names);
    }
    return new CValue(args.length ? (args[0] instanceof CValue ? args[0].value : args[0]) : 0, this.ctype(c.size, key));
  }

  __getitem__(k: unknown): any {
    const v = this.map.get(this.rawKey(k));
    if (v === undefined) throw new KeyError(k);
    return this.wrapValue(v);
  }
  __setitem__(k: unknown, v: unknown): void {
    // a cgroup array takes a cgroup's path as BCC's CgroupArray does: the directory's fd stored, then closed
    if (this.map.info.type === 'cgroup_array' && (typeof v === 'string' || v instanceof Uint8Array)) {
      const fd = fs.openSync(text(v), 'r');
      try {
        this.map.set(this.rawKey(k), fd);
      } finally {
        fs.closeSync(fd);
      }
      return;
    }
    this.map.set(this.rawKey(k), this.rawValue(v));
  }
  __delitem__(k: unknown): void {
    if (!this.map.delete(this.rawKey(k))) throw new KeyError(k);
  }
  __contains__(k: unknown): boolean {
    return this.map.get(this.rawKey(k)) !== undefined;
  }
  __len__(): number {
    let n = 0;
    for (const _ of this.map.keys()) n++;
    return n;
  }
  get(k: unknown, dflt: unknown = null): unknown {
    const v = this.map.get(this.rawKey(k));
    return v === undefined ? dflt : this.wrapValue(v);
  }
  keys(): unknown[] {
    return [...this.map.keys()].map((k) => this.wrapKey(k));
  }
  values(): unknown[] {
    return [...this.map.values()].map((v) => this.wrapValue(v));
  }
  items(): (readonly unknown[])[] {
    return [...this.map.entries()].map(([k, v]) => tuple(this.wrapKey(k), this.wrapValue(v)));
  }
  [Symbol.iterator](): Iterator<unknown> {
    return this.keys()[Symbol.iterator]();
  }
  clear(): void {
    if (this.map.isArray) this.zero();
    else this.map.clear();
  }
  /** zero(): every value of an array to 0 */
  zero(): void {
    const zero = this.map.codecs.value.decode(new DataView(new ArrayBuffer(this.map.codecs.value.size)), 0);
    for (const k of [...this.map.keys()]) this.map.set(k, this.map.percpu ? zero : zero);
  }
  increment(key: unknown, by: Int = 1): void {
    const cur = this.get(key, null) as CValue | null;
    this.__setitem__(key, new CValue((cur ? Number(cur.value) : 0) + Number(by)));
  }
  items_lookup_batch(): (readonly unknown[])[] {
    return this.items();
  }
  items_lookup_and_delete_batch(): (readonly unknown[])[] {
    const items = this.items();
    for (const [k] of items) this.map.delete(this.rawKey(k));
    return items;
  }
  items_delete_batch(keys?: unknown[] | null): void {
    for (const k of keys ?? this.keys()) this.map.delete(this.rawKey(k));
  }
  items_update_batch(keys: unknown[], values: unknown[]): void {
    keys.forEach((k, i) => this.__setitem__(k, values[i]));
  }
  /** per-CPU values: their sum, max, average */
  sum(key: unknown): CValue {
    const vs = this.__getitem__(key) as CValue[];
    return new CValue(vs.reduce((a, v) => a + Number(v.value), 0));
  }
  max(key: unknown): CValue {
    const vs = this.__getitem__(key) as CValue[];
    return new CValue(Math.max(...vs.map((v) => Number(v.value))));
  }
  average(key: unknown): CValue {
    const vs = this.__getitem__(key) as CValue[];
    return new CValue(vs.reduce((a, v) => a + Number(v.value), 0) / vs.length);
  }

  private sections(fn: unknown, sortFn: unknown, size: number): [unknown, number[]][] {
    const names = Object.keys((this.map.codecs.key as unknown as { fields: object }).fields);
    const [f1, f2] = names[1] === '__pad_1' && names.length === 3 ? [names[0]!, names[2]!] : [names[0]!, names[1]!];
    const tmp = new PyDict<unknown, number[]>();
    for (const [k, v] of this.items()) {
      let bucket = (k as Fields)[f1];
      if (typeof fn === 'function') bucket = fn(bucket);
      const vals = tmp.get(bucket) ?? Array<number>(size).fill(0);
      tmp.__setitem__(bucket, vals);
      vals[Number((k as Fields)[f2])] = Number((v as CValue).value);
    }
    let buckets = tmp.keys();
    if (typeof sortFn === 'function') buckets = Array.from(sortFn(buckets) as Iterable<unknown>);
    return buckets.map((b) => [b, tmp.__getitem__(b)]);
  }

  private hist(args: unknown[], size: number, format: (vals: number[], t: string, strip: boolean) => string): void {
    // lbc's BCC-exact formatters, which end each line with a newline
    const printer = (vals: number[], t: string, strip: boolean): void => {
      const text = format(vals, t, strip);
      if (text) print(text.slice(0, -1).split('\n'));
    };
    const o = kw(args, ['val_type', 'section_header', 'section_print_fn', 'bucket_fn', 'strip_leading_zero', 'bucket_sort_fn']);
    const valType = String(o.val_type ?? 'value');
    const strip = Boolean(o.strip_leading_zero);
    if (this.keyIsStruct) {
      for (const [bucket, vals] of this.sections(o.bucket_fn, o.bucket_sort_fn, size)) {
        const header = String(o.section_header ?? 'Bucket ptr');
        print(typeof o.section_print_fn === 'function' ? pyFormat('\n%s = %s', tuple(header, o.section_print_fn(bucket))) : pyFormat('\n%s = %r', tuple(header, bucket)));
        printer(vals, valType, strip);
      }
      return;
    }
    const vals = Array<number>(size).fill(0);
    for (const [k, v] of this.items()) {
      const i = Number((k as CValue).value);
      if (i < size) vals[i] = Number((v as CValue).value);
    }
    printer(vals, valType, strip);
  }
  print_log2_hist(...args: unknown[]): void {
    this.hist(args, LOG2_INDEX_MAX, formatLog2Hist);
  }
  print_linear_hist(...args: unknown[]): void {
    this.hist(args, LINEAR_INDEX_MAX, formatLinearHist);
  }
  /** print_json_hist(val_type="value", section_header="Bucket ptr", section_print_fn=None, bucket_fn=None, bucket_sort_fn=None): a dict per histogram, printed as Python prints one */
  print_json_hist(...args: unknown[]): void {
    const o = kw(args, ['val_type', 'section_header', 'section_print_fn', 'bucket_fn', 'bucket_sort_fn']);
    const valType = String(o.val_type ?? 'value');
    const one = (vals: number[], section: readonly [unknown, unknown] | null): void => print(repr(jsonHist(vals, valType, section, strftime('%Y-%m-%d %H:%M:%S', new Date()))));
    if (this.keyIsStruct) {
      const header = String(o.section_header ?? 'Bucket ptr');
      for (const [bucket, vals] of this.sections(o.bucket_fn, o.bucket_sort_fn, LOG2_INDEX_MAX)) {
        one(vals, [header, typeof o.section_print_fn === 'function' ? o.section_print_fn(bucket) : bucket]);
      }
      return;
    }
    const vals = Array<number>(LOG2_INDEX_MAX).fill(0);
    for (const [k, v] of this.items()) {
      const i = Number((k as CValue).value);
      if (i < LOG2_INDEX_MAX) vals[i] = Number((v as CValue).value);
    }
    one(vals, null);
  }

  /** StackTrace.walk(stack_id): its addresses, innermost first (a build-ID stack's: its frames) */
  walk(stackId: unknown): unknown[] {
    if ((this.map.info.flags ?? 0) & BPF_F_STACK_BUILD_ID) return buildIdFrames(this.map.getBytes(this.rawKey(new CValue(stackId))));
    const v = this.map.get(this.rawKey(new CValue(stackId)));
    if (v === undefined) return [];
    const addrs = (Array.isArray(v) ? v : []) as (bigint | number)[];
    const out: unknown[] = [];
    for (const a of addrs) {
      if (!a) break;
      out.push(int(BigInt(a)));
    }
    return out;
  }

  /** table.event(data): a perf or ring buffer record, decoded as its struct */
  event(data: unknown): unknown {
    const codec = this.bpf.settings.events?.[this.name];
    const b = data instanceof Uint8Array ? data : Buffer.from(String(data));
    if (!codec) throw new PyTypeError(`${this.name}: lcc convert found no record type for this buffer (the struct its perf_submit or ringbuf_output sends)`);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    return inner(codec.decode(dv, 0));
  }

  /** open_perf_buffer(callback, page_cnt=8, lost_cb=None, wakeup_events=1) */
  open_perf_buffer(...args: unknown[]): void {
    const o = kw(args, ['callback', 'page_cnt', 'lost_cb', 'wakeup_events']);
    this.callback = o.callback as Table['callback'];
    this.lostCallback = (o.lost_cb ?? null) as Table['lostCallback'];
    this.bpf.openBuffer(this, 'perf', Number(o.page_cnt ?? 8), Number(o.wakeup_events ?? 1));
  }
  /** open_ring_buffer(callback, ctx=None) */
  open_ring_buffer(...args: unknown[]): void {
    const o = kw(args, ['callback', 'ctx']);
    const cb = o.callback as (ctx: unknown, data: Buffer, size: number) => unknown;
    this.callback = (_cpu, data, size) => cb(o.ctx ?? null, data, size);
    this.bpf.openBuffer(this, 'ring', 0, 1);
  }

  /** get_fd(): the map's fd (a map of maps stores its inner maps by theirs) */
  get_fd(): number {
    return this.map.fd;
  }

  /**
   * open_perf_event(typ, config, pid=-1): a counter per online CPU, stored at the CPU's index, which the
   * programs read with perf_read(CUR_CPU_IDENTIFIER); closed with the BPF object
   */
  open_perf_event(...args: unknown[]): void {
    const o = kw(args, ['typ', 'config', 'pid']);
    for (const cpu of get_online_cpus()) {
      let fd: number;
      try {
        fd = openPerfCounter(Number(fromPy(o.typ)), BigInt(fromPy(o.config) as number), Number(fromPy(o.pid ?? -1)), cpu);
      } catch (e) {
        // (BCC's message, with the kernel's reason)
        throw new Exception(`bpf_open_perf_event failed: ${(e as Error).message}`);
      }
      this.bpf.counterFds.push(fd);
      this.map.set(cpu, fd);
    }
  }

  // queue and stack maps
  push(v: unknown): void {
    this.map.set(undefined as never, this.rawValue(v));
  }
  pop(): unknown {
    const v = this.map.lookupAndDelete();
    if (v === undefined) throw new KeyError('empty');
    return this.wrapValue(v);
  }
  peek(): unknown {
    const v = this.map.get(undefined as never);
    if (v === undefined) throw new KeyError('empty');
    return this.wrapValue(v);
  }
}

// ---------------------------------------------------------------------------
// the BPF object

/**
 * A load-time setting from what the tool computed: exact for a kernel address (an int past 2^53, or
 * the hex text drsnoop formats), 0 for none (an option not given). Text that is no number is refused:
 * BCC would have compiled it into the C, or failed to
 */
function settingValue(v: unknown, name: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string' && /^\s*-?(0x[0-9a-f]+|\d+)\s*$/i.test(v)) {
    const t = v.trim();
    return t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t);
  }
  // text that is no number, formatted into C, is C BCC compiles or refuses: never a silent 0
  if (typeof v === 'string') throw new Exception(`${name}: "${v}" is not a number, and the C reads it as one`);
  if (typeof v === 'boolean') return v ? 1n : 0n;
  const n = Number(v ?? 0);
  if (!Number.isFinite(n)) throw new Exception(`${name}: ${String(v)} is not a number, and the C reads it as one`);
  return BigInt(Math.trunc(n));
}

let syscallPrefix: string | null = null;
let announced = false;



export class BPF {
  [key: string]: any;
  static readonly SOCKET_FILTER = 1;
  static readonly KPROBE = 2;
  static readonly SCHED_CLS = 3;
  static readonly SCHED_ACT = 4;
  static readonly TRACEPOINT = 5;
  static readonly XDP = 6;
  static readonly PERF_EVENT = 7;
  static readonly CGROUP_SKB = 8;
  static readonly CGROUP_SOCK = 9;
  static readonly LWT_IN = 10;
  static readonly LWT_OUT = 11;
  static readonly LWT_XMIT = 12;
  static readonly SOCK_OPS = 13;
  static readonly SK_SKB = 14;
  static readonly CGROUP_DEVICE = 15;
  static readonly SK_MSG = 16;
  static readonly RAW_TRACEPOINT = 17;
  static readonly XDP_FLAGS_SKB_MODE = 2;
  static readonly XDP_FLAGS_DRV_MODE = 4;
  static readonly XDP_FLAGS_HW_MODE = 8;

  /** null for BPF(text=''), an object with no program that tools make for its helpers (opensnoop's get_syscall_prefix) */
  private readonly skeleton: SkeletonLike | null;
  readonly settings: BpfSettings;
  private readonly tables = new Map<string, Table>();
  private readonly links = new Map<string, Link[]>();
  private readonly kinds = new Map<string, 'kprobe' | 'uprobe' | 'tracepoint' | 'other'>();
  private readonly buffers: { table: Table; consumer: { poll(): number; close(): void } }[] = [];
  /** the perf counters open_perf_event opened, closed with the object */
  readonly counterFds: number[] = [];
  private wake: (() => void) | null = null;

  constructor(skeleton: SkeletonClass | null, ...args: unknown[]) {
    const [pos, k] = splitKw(args);
    this.settings = { ...(pos[0] as BpfSettings | undefined), ...k };
    const s = this.settings;
    for (const [chosen, why] of s.refuse ?? []) if (chosen) throw new Exception(`Failed to compile BPF module: ${why}`);
    this.skeleton = skeleton?.open() ?? null;
    if (!skeleton) return;
    try {
      const rodata = this.skel.rodata as Record<string, unknown> | undefined;
      for (const [name, v] of Object.entries(s.rodata ?? {})) {
        if (!rodata) break;
        if (Array.isArray(v) || v instanceof Set) {
          // an option list (" || ".join(... for pid in args.pid)): the array, and how many it holds
          const room = (rodata[name] as unknown[]).length;
          const vals = [...v].map((x) => settingValue(x instanceof CValue ? x.value : x, name));
          if (vals.length > room) throw new Exception(`${name}: at most ${room} values (lcc convert sized it), got ${vals.length}`);
          rodata[name] = [...vals, ...new Array<bigint>(room - vals.length).fill(0n)];
          rodata[`${name}_n`] = BigInt(vals.length);
          continue;
        }
        // a string option (a char array in C): whole, or refused
        if (typeof rodata[name] === 'string') {
          const str = text(v ?? '');
          rodata[name] = str;
          if (rodata[name] !== str) throw new Exception(`${name}: at most ${Buffer.byteLength(String(rodata[name]))} bytes (lcc convert sized it), got ${Buffer.byteLength(str)}: "${str}"`);
          continue;
        }
        rodata[name] = typeof v === 'boolean' ? v : settingValue(v instanceof CValue ? v.value : v, name);
      }
      for (const [name, on] of Object.entries(s.autoload ?? {})) this.program(name).autoload = Boolean(on);
      for (const [name, n] of Object.entries(s.maxEntries ?? {})) this.skel.obj.setMaxEntries(name, Math.max(1, Math.trunc(Number(n)) || 1));
      for (const [name, p] of Object.entries(s.pinned ?? {})) if (p) this.skel.obj.reusePinnedMap(name, text(p));
      this.skel.load();
      for (const u of (s.usdt_contexts ?? []) as Iterable<UsdtContext>) {
        for (const { probe, fn } of u.enabled) {
          const [provider, name, binary] = [probe.provider, probe.name, probe.bin_path].map((b) => b.toString('latin1')) as [string, string, string];
          this.attachTo(fn, { usdt: { binary, provider, name, ...(u.pid !== null ? { pid: u.pid } : {}) } }, `usdt:${binary}:${provider}:${name}:${fn}`, 'uprobe');
        }
      }
      for (const name of s.auto ?? []) {
        // each by its own name: NAME and NAME_2 are both in the list, each attached when loaded
        const p = this.program(name, false);
        if (p.autoload) this.keep(name, p.attach(), 'other');
      }
      // on stderr, so that the tool's own output stays the original's: scripts and tests wait for this line
      if (!announced) {
        announced = true;
        onNextWait(() => writeFd(2, `${sys.argv[0]}: attached\n`));
      }
    } catch (e) {
      this.skel.destroy();
      throw e instanceof LbcError ? new Exception(e.message) : e;
    }
  }

  private program(name: unknown, loadedCopy = true): Program {
    const n = text(name);
    const progs = this.skel.progs as Record<string, Program>;
    const p = progs[n];
    if (!p) throw new Exception(`no BPF program ${n} in this tool (its programs: ${Object.keys(this.skel.progs).join(', ')})`);
    // a function lcc convert wrote once per head the tool chose between (NAME, NAME_2, ...): the one loaded
    if (loadedCopy && this.skel.obj.state === 'loaded' && !p.autoload) {
      const chosen = Object.entries(progs).find(([k, q]) => new RegExp(`^${n}_\\d+$`).test(k) && q.autoload);
      if (chosen) return chosen[1];
    }
    return p;
  }
  private keep(key: string, link: Link, kind: 'kprobe' | 'uprobe' | 'tracepoint' | 'other'): void {
    const l = this.links.get(key) ?? [];
    l.push(link);
    this.links.set(key, l);
    this.kinds.set(key, kind);
  }
  private attachTo(fn: unknown, target: AttachTarget, key: string, kind: 'kprobe' | 'uprobe' | 'tracepoint' | 'other'): void {
    try {
      this.keep(key, this.program(fn).attach(target), kind);
    } catch (e) {
      throw e instanceof LbcError ? new Exception(e.message) : e;
    }
  }
  private detachKey(key: string): void {
    const l = this.links.get(key);
    if (!l) throw new Exception(`${key} is not attached`);
    for (const x of l) x.destroy();
    this.links.delete(key);
    this.kinds.delete(key);
  }

  /** b["name"]: the table of that map */
  __getitem__(name: unknown): Table {
    return this.get_table(name);
  }
  get_table(name: unknown): Table {
    const n = text(name);
    let t = this.tables.get(n);
    if (!t) {
      const real = this.settings.maps?.[n] !== undefined ? text(this.settings.maps[n]) : n;
      // perf and ring buffers are not among the skeleton's maps (it streams them): the object has them
      const m = (this.skel.maps as Record<string, BpfMap<any, any>>)[real] ?? (this.skel.obj.mapNames.includes(real) ? this.skel.obj.map(real) : undefined);
      if (!m) throw new KeyError(n);
      t = new Table(this, n, m);
      this.tables.set(n, t);
    }
    return t;
  }
  __contains__(name: unknown): boolean {
    return text(name) in (this.settings.maps ?? {}) || (this.skeleton?.obj.mapNames.includes(text(name)) ?? false);
  }

  attach_kprobe(...args: unknown[]): void {
    const o = kw(args, ['event', 'fn_name', 'event_off', 'event_re']);
    if (o.event_re) return this.attachEach('kprobe', o.event_re, o.fn_name);
    this.attachTo(o.fn_name, { kprobe: text(o.event), offset: Number(o.event_off ?? 0) }, `kprobe:${text(o.event)}:${text(o.fn_name)}`, 'kprobe');
  }
  attach_kretprobe(...args: unknown[]): void {
    const o = kw(args, ['event', 'fn_name', 'event_re', 'maxactive']);
    if (o.event_re) return this.attachEach('kretprobe', o.event_re, o.fn_name);
    this.attachTo(o.fn_name, { kretprobe: text(o.event) }, `kretprobe:${text(o.event)}:${text(o.fn_name)}`, 'kprobe');
  }
  detach_kprobe(...args: unknown[]): void {
    const o = kw(args, ['event', 'fn_name']);
    this.detachKey(`kprobe:${text(o.event)}:${text(o.fn_name)}`);
  }
  detach_kretprobe(...args: unknown[]): void {
    const o = kw(args, ['event', 'fn_name']);
    this.detachKey(`kretprobe:${text(o.event)}:${text(o.fn_name)}`);
  }
  attach_tracepoint(...args: unknown[]): void {
    const o = kw(args, ['tp', 'fn_name', 'tp_re']);
    const tps = o.tp_re ? BPF.tracepoints(text(o.tp_re)) : [text(o.tp)];
    for (const tp of tps) this.attachTo(o.fn_name, { tracepoint: tp.replace(':', '/') }, `tracepoint:${tp}:${text(o.fn_name)}`, 'tracepoint');
  }
  detach_tracepoint(...args: unknown[]): void {
    const o = kw(args, ['tp', 'fn_name']);
    this.detachKey(`tracepoint:${text(o.tp)}:${text(o.fn_name)}`);
  }
  attach_raw_tracepoint(...args: unknown[]): void {
    const o = kw(args, ['tp', 'fn_name']);
    this.attachTo(o.fn_name, { rawTracepoint: text(o.tp) }, `raw_tracepoint:${text(o.tp)}`, 'tracepoint');
  }
  detach_raw_tracepoint(...args: unknown[]): void {
    const o = kw(args, ['tp']);
    this.detachKey(`raw_tracepoint:${text(o.tp)}`);
  }
  attach_kfunc(...args: unknown[]): void {
    const o = kw(args, ['fn_name']);
    this.attachTo(o.fn_name, { trace: true }, `kfunc:${text(o.fn_name)}`, 'other');
  }
  attach_kretfunc(...args: unknown[]): void {
    this.attach_kfunc(...args);
  }
  attach_lsm(...args: unknown[]): void {
    this.attach_kfunc(...args);
  }
  private uprobe(ret: boolean, args: unknown[]): void {
    const o = kw(args, ['name', 'sym', 'addr', 'fn_name', 'pid', 'sym_off', 'sym_re']);
    const binary = findBinary(text(o.name));
    const pid = o.pid === undefined || o.pid === null ? -1 : Number(o.pid);
    const sym = o.sym ? text(o.sym) : undefined;
    if (o.sym_re && !sym) {
      // every function whose name matches from its start (BCC's re.match), once per address
      const offsets = elfSymbolOffsets(binary, new RegExp(`^(?:${text(o.sym_re)})`));
      for (const off of offsets) {
        const u = { binary, offset: Number(off), pid };
        this.attachTo(o.fn_name, ret ? { uretprobe: u } : { uprobe: u }, `${ret ? 'uretprobe' : 'uprobe'}:${binary}:${off}:${text(o.fn_name)}`, 'uprobe');
      }
      return;
    }
    // the symbol resolved here, as BCC does: libbpf refuses a versioned name it finds twice
    const at = sym ? elfSymbolOffset(binary, sym) : null;
    if (sym && at === null) throw new Exception(`could not determine address of symbol ${sym} in ${binary}`);
    const u = at !== null ? { binary, offset: Number(at) + Number(o.sym_off ?? 0), pid } : { binary, offset: Number(o.addr ?? 0), pid };
    const key = `${ret ? 'uretprobe' : 'uprobe'}:${binary}:${sym ?? u.offset}:${text(o.fn_name)}`;
    this.attachTo(o.fn_name, ret ? { uretprobe: u } : { uprobe: u }, key, 'uprobe');
  }
  attach_uprobe(...args: unknown[]): void {
    this.uprobe(false, args);
  }
  attach_uretprobe(...args: unknown[]): void {
    this.uprobe(true, args);
  }
  private detachUprobe(kind: 'uprobe' | 'uretprobe', args: unknown[]): void {
    const o = kw(args, ['name', 'sym', 'addr', 'fn_name']);
    const prefix = `${kind}:${findBinary(text(o.name))}:${o.sym ? text(o.sym) : Number(o.addr ?? 0)}:`;
    for (const k of [...this.links.keys()]) if (k.startsWith(prefix)) this.detachKey(k);
  }
  detach_uprobe(...args: unknown[]): void {
    this.detachUprobe('uprobe', args);
  }
  detach_uretprobe(...args: unknown[]): void {
    this.detachUprobe('uretprobe', args);
  }
  attach_perf_event(...args: unknown[]): void {
    const o = kw(args, ['ev_type', 'ev_config', 'fn_name', 'sample_period', 'sample_freq', 'pid', 'cpu', 'group_fd']);
    const freq = Number(o.sample_freq ?? 0);
    const ev = { type: Number(o.ev_type), config: Number(o.ev_config), ...(freq ? { frequency: freq } : { samplePeriod: Number(o.sample_period ?? 0) }), ...(o.cpu !== undefined && o.cpu !== null && Number(o.cpu) >= 0 ? { cpus: [Number(o.cpu)] } : {}) };
    this.attachTo(o.fn_name, { perfEvent: ev }, `perf:${o.ev_type}:${o.ev_config}:${text(o.fn_name)}`, 'other');
  }
  /** add_module(path): an ELF whose build ID symbolises the frames of build-ID stacks (BPF_STACK_TRACE_BUILDID) */
  add_module(modname: unknown): number {
    const file = text(modname);
    try {
      const id = elfBuildId(fs.readFileSync(file));
      if (!id) return -1;
      buildIdModules.set(id, file);
      return 0;
    } catch {
      // BCC's add_module says nothing of a file it cannot read (its example adds sshd, which hosts may lack)
      return -1;
    }
  }

  /** load_func(name, type): the program, to hand to attach_xdp and the like */
  load_func(name: unknown): { name: string; fd: number; sock?: number } {
    const p = this.program(name);
    return { name: p.name, fd: p.fd };
  }
  /** A raw packet socket on `dev` that keeps what the socket filter `fn` keeps: fn.sock, the tool reads it */
  static attach_raw_socket(...args: unknown[]): void {
    const o = kw(args, ['fn', 'dev']);
    const fn = o.fn as { name: string; fd: number; sock?: number };
    try {
      fn.sock = openPacketSocket(text(o.dev), fn.fd);
    } catch (e) {
      throw e instanceof LbcError ? new Exception(e.message) : e;
    }
  }
  /** BCC's handle of the compiled module, which lib.bpf_table_fd reads a map's fd from: the object itself */
  get module(): BPF {
    return this;
  }
  /** fn attached to a cgroup or a sockmap by fd (BPFAttachType.CGROUP_SOCK_OPS, SK_MSG_VERDICT, ...), as BCC does */
  static attach_func(...args: unknown[]): void {
    const o = kw(args, ['fn', 'attachable_fd', 'attach_type', 'flags']);
    const res = bpf.prog_attach((o.fn as { fd: number }).fd, Number(o.attachable_fd), Number(o.attach_type), Number(o.flags ?? 0)) as number;
    if (res < 0) throw new Exception(`Failed to attach BPF function with attach_type ${String(o.attach_type)}: ${os.strerror(-res)}`);
  }
  static detach_func(...args: unknown[]): void {
    const o = kw(args, ['fn', 'attachable_fd', 'attach_type']);
    const res = bpf.prog_detach2((o.fn as { fd: number }).fd, Number(o.attachable_fd), Number(o.attach_type)) as number;
    if (res < 0) throw new Exception(`Failed to detach BPF function with attach_type ${String(o.attach_type)}: ${os.strerror(-res)}`);
  }
  attach_xdp(...args: unknown[]): void {
    const o = kw(args, ['dev', 'fn', 'flags']);
    const fn = o.fn as { name: string };
    this.attachTo(fn.name, { xdp: text(o.dev), flags: Number(o.flags ?? 0) }, `xdp:${text(o.dev)}`, 'other');
  }
  remove_xdp(...args: unknown[]): void {
    const o = kw(args, ['dev', 'flags']);
    this.detachKey(`xdp:${text(o.dev)}`);
  }

  num_open_kprobes(): number {
    return [...this.kinds.values()].filter((k) => k === 'kprobe').length;
  }
  num_open_uprobes(): number {
    return [...this.kinds.values()].filter((k) => k === 'uprobe').length;
  }
  num_open_tracepoints(): number {
    return [...this.kinds.values()].filter((k) => k === 'tracepoint').length;
  }

  /** the kernel's name for a syscall's function, as bytes (b"__x64_sys_open") */
  get_syscall_fnname(name: unknown): Buffer {
    return bytes(BPF.get_syscall_prefix().toString() + text(name));
  }
  /** find_library("c"): the library's path as bytes, as ldconfig knows it; None when it does not */
  /** CLOCK_MONOTONIC in ns, bpf_ktime_get_ns()'s clock (memleak ages allocations by it); hrtime reads it */
  static monotonic_time(): Int {
    return int(process.hrtime.bigint());
  }
  static find_library(name: unknown): Buffer | null {
    try {
      return bytes(findLibrary(text(name)));
    } catch {
      return null;
    }
  }
  static get_syscall_prefix(): Buffer {
    if (syscallPrefix === null) {
      const names = new Set(ksymNames());
      syscallPrefix = ['__x64_sys_', '__arm64_sys_', '__s390x_sys_', '__ia32_sys_', 'sys_'].find((p) => names.has(`${p}bpf`)) ?? 'sys_';
    }
    return bytes(syscallPrefix);
  }
  static get_kprobe_functions(re: unknown): Buffer[] {
    // BCC's rules: the whole name matches (re.fullmatch), it is one ftrace can trace
    // (finish_task_switch.isra.0 is), and none of the kinds no kprobe goes on
    const rx = new RegExp(`^(?:${text(re)})$`);
    const never = /^(_kbl_addr_|__perf|perf_|__SCT__)|\.cold(\.\d+)?$/;
    let traceable: Set<string> | null = null;
    try {
      ensureTracefs();
      traceable = new Set(fs.readFileSync(`${TRACEFS}/available_filter_functions`, 'utf8').split('\n').map((l) => l.split(/\s/)[0]!).filter(Boolean));
    } catch {
      traceable = null; // no tracefs here: kallsyms alone
    }
    return [...new Set(ksymNames().filter((f) => rx.test(f) && !never.test(f) && (!traceable || traceable.has(f))))].map(bytes);
  }
  /** event_re: every match attached; BCC's error when none could be (no match, or each refused) */
  private attachEach(kind: 'kprobe' | 'kretprobe', re: unknown, fn: unknown): void {
    const matches = BPF.get_kprobe_functions(re).map(text);
    let last: unknown = null;
    let attached = 0;
    for (const f of matches) {
      try {
        this.attachTo(fn, kind === 'kprobe' ? { kprobe: f } : { kretprobe: f }, `${kind}:${f}:${text(fn)}`, 'kprobe');
        attached++;
      } catch (e) {
        last = e;
      }
    }
    // as BCC: the ones the kernel refused are skipped while any attached
    if (attached) return;
    const why = last instanceof Error ? ` (${last.message})` : '';
    throw new Exception(`Failed to attach BPF program ${text(fn)} to ${kind} ${matches.join('/')}, it's not traceable (either non-existing, inlined, or marked as "notrace")${why}`);
  }
  static tracepoints(re: string): string[] {
    ensureTracefs();
    const rx = new RegExp(re);
    const out: string[] = [];
    for (const cat of fs.readdirSync(`${TRACEFS}/events`, { withFileTypes: true })) {
      if (!cat.isDirectory()) continue;
      for (const ev of fs.readdirSync(`${TRACEFS}/events/${cat.name}`, { withFileTypes: true })) {
        if (ev.isDirectory() && rx.test(`${cat.name}:${ev.name}`)) out.push(`${cat.name}:${ev.name}`);
      }
    }
    return out;
  }
  static tracepoint_exists(cat: unknown, ev: unknown): boolean {
    try {
      ensureTracefs();
    } catch {
      return false;
    }
    return fs.existsSync(`${TRACEFS}/events/${text(cat)}/${text(ev)}`);
  }
  static support_raw_tracepoint(): boolean {
    return true;
  }
  static support_raw_tracepoint_in_module(): boolean {
    return true;
  }
  /**
   * Whether the running kernel is older than a.b.c (lcc's: the C's `#if LINUX_VERSION_CODE <
   * KERNEL_VERSION(a, b, c)`, which BCC compiled for the kernel it ran on), from its release as uname
   * gives it, the patch level capped at 255 as KERNEL_VERSION caps it
   */
  static kernel_before(a: unknown, b: unknown, c: unknown): boolean {
    const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(kernelRelease());
    if (!m) throw new Exception(`kernel release ${kernelRelease()}: no version in it`);
    const code = (x: number, y: number, z: number): number => x * 65536 + y * 256 + Math.min(z, 255);
    return code(Number(m[1]), Number(m[2]), Number(m[3] ?? 0)) < code(Number(a), Number(b), Number(c));
  }
  static support_kfunc(): boolean {
    return fs.existsSync('/sys/kernel/btf/vmlinux');
  }
  static support_lsm(): boolean {
    return fs.existsSync('/sys/kernel/btf/vmlinux') && /\bbpf\b/.test(fs.readFileSync('/sys/kernel/security/lsm', 'utf8').toString());
  }
  static kernel_struct_has_field(struct: unknown, field: unknown): boolean {
    const btf = Btf.parse(fs.readFileSync('/sys/kernel/btf/vmlinux'), 'vmlinux');
    return btf.find(text(struct)).some((t) => (t.members ?? []).some((m) => m.name === text(field)));
  }
  /** ksym(addr): the kernel symbol holding addr, as bytes; [unknown] when none */
  static ksym(addr: unknown, ...args: unknown[]): Buffer {
    const o = kw(args, ['show_module', 'show_offset']);
    const a = BigInt.asUintN(64, BigInt(addr instanceof CValue ? addr.value : (addr as Int)));
    const s = kernelSym(a);
    if (!s) return bytes('[unknown]');
    return bytes(`${s.name}${o.show_offset ? `+0x${s.offset.toString(16)}` : ''}${o.show_module && s.module ? ` [${s.module}]` : o.show_module ? ' [kernel]' : ''}`);
  }
  static ksymname(name: unknown): Int {
    const a = ksymAddress(text(name));
    return a === null ? -1 : int(a);
  }
  ksym(addr: unknown, ...args: unknown[]): Buffer {
    return BPF.ksym(addr, ...args);
  }
  ksymname(name: unknown): Int {
    return BPF.ksymname(name);
  }
  // BCC's static methods, as tools also call them on their BPF object (tcpdrop's b.get_kprobe_functions)
  get_kprobe_functions(re: unknown): Buffer[] {
    return BPF.get_kprobe_functions(re);
  }
  tracepoint_exists(cat: unknown, ev: unknown): boolean {
    return BPF.tracepoint_exists(cat, ev);
  }
  get_syscall_prefix(): Buffer {
    return BPF.get_syscall_prefix();
  }
  kernel_struct_has_field(struct: unknown, field: unknown): boolean {
    return BPF.kernel_struct_has_field(struct, field);
  }
  /**
   * What BPF(text=...) of a C text that only reads these members of kernel structs tells (a tool's compile
   * check, as runqlen's check_runnable_weight_field): nothing where the kernel's types have them all, the
   * compiler's refusal where one is missing. lcc convert found the members in the text
   */
  static member_check(members: [string, string][]): BPF {
    for (const [s, f] of members) {
      if (!BPF.kernel_struct_has_field(s, f)) throw new Exception(`Failed to compile BPF module <text>: no member named '${f}' in 'struct ${s}'`);
    }
    return new BPF(null, { text: '' });
  }
  support_raw_tracepoint(): boolean {
    return BPF.support_raw_tracepoint();
  }
  support_kfunc(): boolean {
    return BPF.support_kfunc();
  }
  /** sym(addr, pid): a user address's symbol from the ELF files /proc/PID/maps names; a build-ID frame's from add_module()'s files */
  sym(addr: unknown, pid: unknown, ...args: unknown[]): Buffer {
    return BPF.sym(addr, pid, ...args);
  }
  /** BPF.sym(addr, pid), as BCC's static method (funclatency's section names) */
  static sym(addr: unknown, pid: unknown, ...args: unknown[]): Buffer {
    const o = kw(args, ['show_module', 'show_offset', 'demangle']);
    if (addr instanceof BuildIdFrame) {
      const file = addr.status === BPF_STACK_BUILD_ID_VALID ? buildIdModules.get(addr.build_id.toString('hex')) : undefined;
      const s = file ? elfSymbolAt(file, addr.offset) : null;
      if (!s) return bytes('[unknown]');
      return bytes(`${s.name}${o.show_offset ? `+0x${s.offset.toString(16)}` : ''}${o.show_module ? ` [${path.basename(file!)}]` : ''}`);
    }
    const a = BigInt(addr instanceof CValue ? addr.value : (addr as Int));
    const p = Number(pid);
    if (p < 0) return BPF.ksym(a, { show_module: o.show_module, show_offset: o.show_offset });
    const r = userSym(p, a);
    if (!r) return bytes(o.show_module ? '[unknown]' : '[unknown]');
    return bytes(`${r.name}${o.show_offset ? `+0x${r.offset.toString(16)}` : ''}${o.show_module ? ` [${path.basename(r.module)}]` : ''}`);
  }

  openBuffer(table: Table, kind: 'perf' | 'ring', pages: number, wakeup: number): void {
    const handler = (dv: DataView, off: number, size: number, cpu: number): void => {
      table.queue.push({ cpu, data: Buffer.from(new Uint8Array(dv.buffer, dv.byteOffset + off, size)) });
      this.wake?.();
    };
    const consumer = kind === 'perf' ? this.skel.obj.perfBuffer(table.name, handler, { pages, wakeupEvents: wakeup }) : this.skel.obj.ringBuffer(table.name, handler);
    this.buffers.push({ table, consumer });
  }

  /** Hand the records that arrived to the tables' callbacks, in arrival order per table. */
  private async dispatch(): Promise<number> {
    let n = 0;
    for (const { table, consumer } of this.buffers) {
      consumer.poll();
      while (table.queue.length) {
        const r = table.queue.shift()!;
        n++;
        await table.callback?.(r.cpu, r.data, r.data.length);
      }
    }
    return n;
  }
  private async poll(timeoutMs: number): Promise<number> {
    const ready = await this.dispatch();
    if (ready || timeoutMs === 0) return ready;
    try {
      await blocking<void>((done) => {
        this.wake = () => done(undefined);
        const t = timeoutMs > 0 ? setTimeout(() => done(undefined), timeoutMs) : setInterval(() => {}, 1 << 30);
        return () => {
          this.wake = null;
          clearTimeout(t as NodeJS.Timeout);
          clearInterval(t as NodeJS.Timeout);
        };
      });
    } catch (e) {
      // Ctrl-C: what the kernel had already written is printed first, not lost with the process
      await this.dispatch();
      throw e;
    }
    return this.dispatch();
  }
  /** perf_buffer_poll(timeout=-1): wait for records (ms; -1 forever), then hand them to the callbacks */
  perf_buffer_poll(timeout: unknown = -1): Promise<number> {
    return this.poll(Number(isKwargs(timeout) ? (timeout as { timeout?: number }).timeout ?? -1 : timeout));
  }
  ring_buffer_poll(timeout: unknown = -1): Promise<number> {
    return this.perf_buffer_poll(timeout);
  }
  ring_buffer_consume(): Promise<number> {
    return this.poll(0);
  }
  kprobe_poll(timeout: unknown = -1): Promise<number> {
    return this.perf_buffer_poll(timeout);
  }

  private pipe: TracePipe | null = null;
  /** trace_fields(): the next bpf_trace_printk line as (task, pid, cpu, flags, ts, msg), bytes as BCC gives */
  async trace_fields(...args: unknown[]): Promise<readonly unknown[]> {
    const o = kw(args, ['nonblocking']);
    for (;;) {
      const line = await this.trace_readline(o);
      if (!line.length) return tuple(null, null, null, null, null, null);
      const f = parseTraceLine(line.toString());
      if (f) return f;
    }
  }
  /** trace_readline(): the next line of trace_pipe, as bytes */
  async trace_readline(...args: unknown[]): Promise<Buffer> {
    this.pipe ??= new TracePipe();
    const o = kw(args, ['nonblocking']);
    // (BCC's readline(1024).rstrip())
    return bytes((await this.pipe.line(Boolean(o.nonblocking))).replace(/[ \t\n\r\v\f]+$/, ''));
  }
  /**
   * trace_print(fmt=None): print trace_pipe's lines until interrupted, as BCC under Python 3 prints them:
   * each line's bytes (b'...'), or fmt.format() of its fields (the bytes ones b'...' too)
   */
  async trace_print(...args: unknown[]): Promise<void> {
    const o = kw(args, ['fmt']);
    for (;;) {
      if (!o.fmt) {
        printLine(repr(await this.trace_readline()));
        continue;
      }
      const f = await this.trace_fields();
      if (f[0] === null) continue;
      printLine(formatStr(text(o.fmt), ...f));
    }
  }

  get skel(): SkeletonLike {
    if (!this.skeleton) throw new Exception("this BPF object has no program: it was made with BPF(text='')");
    return this.skeleton;
  }

  cleanup(): void {
    for (const k of [...this.links.keys()]) this.detachKey(k);
    for (const b of this.buffers) b.consumer.close();
    this.buffers.length = 0;
    for (const fd of this.counterFds.splice(0)) fs.closeSync(fd);
    this.pipe?.close();
    this.skeleton?.destroy();
  }
  __enter__(): this {
    return this;
  }
  __exit__(): boolean {
    this.cleanup();
    return false;
  }
}

/** `task-pid [cpu] flags ts: func: msg`, as BCC's trace_fields splits it */
function parseTraceLine(line: string): readonly unknown[] | null {
  const m = /^\s*(.+?)-(\d+)\s+(?:\(\s*[-\d]+\)\s+)?\[(\d+)\]\s+(\S+)\s+([\d.]+):\s+([^:]+):\s?(.*)$/.exec(line.replace(/\n$/, ''));
  if (!m) return null;
  return tuple(bytes(m[1]!.trim()), int(Number(m[2])), int(Number(m[3])), bytes(m[4]!), Number(m[5]), bytes(m[7]!));
}

/** trace_pipe, read a line at a time without stopping the event loop */
class TracePipe {
  private fd: number;
  private buf = '';
  private closed = false;
  constructor() {
    ensureTracefs();
    this.fd = fs.openSync(`${TRACEFS}/trace_pipe`, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  }
  private readAvailable(): void {
    const b = Buffer.alloc(65536);
    for (;;) {
      let n = 0;
      try {
        n = fs.readSync(this.fd, b, 0, b.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return;
        throw e;
      }
      if (!n) return;
      this.buf += b.toString('utf8', 0, n);
    }
  }
  private take(): string | null {
    const i = this.buf.indexOf('\n');
    if (i < 0) return null;
    const line = this.buf.slice(0, i);
    this.buf = this.buf.slice(i + 1);
    return line;
  }
  async line(nonblocking: boolean): Promise<string> {
    this.readAvailable();
    let l = this.take();
    if (l !== null || nonblocking) return l ?? '';
    return blocking<string>((done) => {
      // trace_pipe does not wake epoll for a non-blocking reader reliably: look again every 50 ms
      const t = setInterval(() => {
        if (this.closed) return;
        this.readAvailable();
        l = this.take();
        if (l !== null) done(l);
      }, 50);
      return () => clearInterval(t);
    });
  }
  close(): void {
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

/** A user address → the ELF symbol of the file mapped there in that process */
function userSym(pid: number, addr: bigint): { name: string; offset: bigint; module: string } | null {
  let maps: string;
  try {
    maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8');
  } catch {
    return null;
  }
  for (const line of maps.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ ([0-9a-f]+) \S+ \d+\s+(\/.*)$/.exec(line);
    if (!m) continue;
    const [lo, hi, off] = [BigInt(`0x${m[1]}`), BigInt(`0x${m[2]}`), BigInt(`0x${m[3]}`)];
    if (addr < lo || addr >= hi) continue;
    const file = m[4]!;
    const fileOff = addr - lo + off;
    const s = elfSymbolAt(`/proc/${pid}/root${file}`, fileOff) ?? elfSymbolAt(file, fileOff);
    return s ? { ...s, module: file } : null;
  }
  return null;
}

const BPF_F_STACK_BUILD_ID = 1 << 5;
const BPF_STACK_BUILD_ID_VALID = 1;
/** the files add_module() named, by build ID (hex) */
const buildIdModules = new Map<string, string>();

/** A frame of a build-ID stack, as BCC's walk() yields struct bpf_stack_build_id: sym() takes it */
export class BuildIdFrame {
  constructor(readonly status: number, readonly build_id: Buffer, readonly offset: bigint) {}
  get ip(): bigint {
    return this.offset;
  }
}

/** struct bpf_stack_build_id[]: status (0 empty, 1 build ID and file offset, 2 an address only), build_id[20], offset/ip */
function buildIdFrames(raw: Buffer | undefined): BuildIdFrame[] {
  const out: BuildIdFrame[] = [];
  for (let o = 0; raw && o + 32 <= raw.length; o += 32) {
    const status = raw.readInt32LE(o);
    if (!status) break;
    out.push(new BuildIdFrame(status, Buffer.from(raw.subarray(o + 4, o + 24)), raw.readBigUInt64LE(o + 24)));
  }
  return out;
}

/** An ELF's GNU build ID (the NT_GNU_BUILD_ID note: namesz, descsz, type, "GNU\0", the ID), in hex */
function elfBuildId(b: Buffer, sections: ReturnType<typeof elfSections> = elfSections(b, 'module')): string | null {
  for (const s of sections.filter((x) => x.type === 7)) {
    // notes: name and desc each padded to 4
    for (let o = s.offset; o + 12 <= s.offset + s.size; ) {
      const [namesz, descsz, type] = [b.readUInt32LE(o), b.readUInt32LE(o + 4), b.readUInt32LE(o + 8)];
      const name = o + 12;
      const desc = name + ((namesz + 3) & ~3);
      if (type === 3 && b.toString('latin1', name, name + namesz) === 'GNU\0') return b.toString('hex', desc, desc + descsz);
      o = desc + ((descsz + 3) & ~3);
    }
  }
  return null;
}

interface ElfSym { name: string; value: bigint; size: bigint; hidden: boolean }
interface ElfFile { syms: ElfSym[]; loads: { off: bigint; vaddr: bigint; filesz: bigint }[] }
const elfCache = new Map<string, ElfFile | null>();

/** The function symbols of an ELF's .symtab and .dynsym (with .gnu.version's hidden bit) */
function elfFunctionSymbols(b: Buffer, sections: ReturnType<typeof elfSections>): ElfSym[] {
  const versym = sections.find((x) => x.type === 0x6fffffff);
  const syms: ElfSym[] = [];
  for (const s of sections) {
    if (s.type !== 2 && s.type !== 11) continue;
    const strtab = sections[s.link]!;
    const step = s.entsize || 24;
    for (let o = s.offset, idx = 0; o + 24 <= s.offset + s.size; o += step, idx++) {
      // functions defined here (STT_FUNC, and STT_GNU_IFUNC: libc's strlen is one)
      if (![2, 10].includes(b[o + 4]! & 0xf) || b.readUInt16LE(o + 6) === 0) continue;
      const nameOff = strtab.offset + b.readUInt32LE(o);
      const hidden = s.type === 11 && versym ? (b.readUInt16LE(versym.offset + idx * 2) & 0x8000) !== 0 : false;
      syms.push({ name: b.toString('utf8', nameOff, b.indexOf(0, nameOff)), value: b.readBigUInt64LE(o + 8), size: b.readBigUInt64LE(o + 16), hidden });
    }
  }
  return syms;
}

/**
 * Where a stripped file's symbols went, looked for where BCC (and gdb) look:
 * by its build ID under /usr/lib/debug/.build-id (Debian's -dbg packages),
 * then by its .gnu_debuglink name beside it, in .debug/, and under /usr/lib/debug.
 */
function debugFile(b: Buffer, sections: ReturnType<typeof elfSections>, file: string): string | null {
  const candidates: string[] = [];
  const id = elfBuildId(b, sections);
  if (id) candidates.push(`/usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`);
  const link = sections.find((x) => x.name === '.gnu_debuglink');
  if (link) {
    const name = b.toString('utf8', link.offset, b.indexOf(0, link.offset));
    const dir = path.dirname(file);
    candidates.push(path.join(dir, name), path.join(dir, '.debug', name), path.join('/usr/lib/debug', dir, name));
  }
  return candidates.find((c) => path.resolve(c) !== path.resolve(file) && fs.existsSync(c)) ?? null;
}

/** A 64-bit little-endian ELF's function symbols (its own, then its debug file's) and PT_LOAD segments */
function readElf(file: string): ElfFile | null {
  if (elfCache.has(file)) return elfCache.get(file)!;
  let e: ElfFile | null = null;
  try {
    const b = fs.readFileSync(file);
    if (b.readUInt32BE(0) === 0x7f454c46 && b[4] === 2 && b[5] === 1) {
      const phoff = Number(b.readBigUInt64LE(0x20));
      const phentsize = b.readUInt16LE(0x36);
      const loads: ElfFile['loads'] = [];
      for (let i = 0; i < b.readUInt16LE(0x38); i++) {
        const o = phoff + i * phentsize;
        if (b.readUInt32LE(o) === 1) loads.push({ off: b.readBigUInt64LE(o + 8), vaddr: b.readBigUInt64LE(o + 16), filesz: b.readBigUInt64LE(o + 32) });
      }
      const sections = elfSections(b, file);
      const syms = elfFunctionSymbols(b, sections);
      // a debug file is linked at the same addresses: its .symtab names the static functions the file lost
      const dbg = sections.some((x) => x.type === 2) ? null : debugFile(b, sections, file);
      if (dbg) {
        try {
          const d = fs.readFileSync(dbg);
          syms.push(...elfFunctionSymbols(d, elfSections(d, dbg)).filter((x) => x.value !== 0n));
        } catch {
          // an unreadable debug file leaves the file's own symbols
        }
      }
      e = { syms, loads };
    }
  } catch {
    e = null;
  }
  elfCache.set(file, e);
  return e;
}

/** The function symbol covering a file offset */
function elfSymbolAt(file: string, fileOff: bigint): { name: string; offset: bigint } | null {
  const e = readElf(file);
  if (!e) return null;
  const seg = e.loads.find((l) => fileOff >= l.off && fileOff < l.off + l.filesz);
  if (!seg) return null;
  const vaddr = fileOff - seg.off + seg.vaddr;
  const s = e.syms.find((x) => vaddr >= x.value && vaddr < x.value + (x.size || 1n));
  return s ? { name: s.name, offset: vaddr - s.value } : null;
}

/** The file offsets of the functions whose names match, each address once */
function elfSymbolOffsets(file: string, re: RegExp): bigint[] {
  const e = readElf(file);
  if (!e) return [];
  const out = new Set<bigint>();
  for (const s of e.syms) {
    if (!re.test(s.name)) continue;
    const seg = e.loads.find((l) => s.value >= l.vaddr && s.value < l.vaddr + l.filesz);
    if (seg) out.add(s.value - seg.vaddr + seg.off);
  }
  return [...out];
}

/**
 * A symbol's file offset, as BCC resolves it: the default version of a
 * versioned one (libc's pthread_create@@GLIBC_2.34, not the hidden 2.2.5),
 * which libbpf's own lookup calls ambiguous.
 */
function elfSymbolOffset(file: string, name: string): bigint | null {
  const e = readElf(file);
  if (!e) return null;
  const s = e.syms.find((x) => x.name === name && !x.hidden) ?? e.syms.find((x) => x.name === name);
  if (!s) return null;
  const seg = e.loads.find((l) => s.value >= l.vaddr && s.value < l.vaddr + l.filesz);
  return seg ? s.value - seg.vaddr + seg.off : null;
}

// ---------------------------------------------------------------------------
// bcc.utils, bcc.syscall, bcc.containers

/** printb(s, file=sys.stdout, nl=1): bytes out as they are */
export function printb(s: unknown, ...args: unknown[]): void {
  const o = kw(args, ['file', 'nl']);
  const b = s instanceof Uint8Array ? s : Buffer.from(String(s));
  const nl = o.nl === undefined || o.nl === null || Boolean(o.nl);
  const file = o.file as { write(x: unknown): unknown; fileno?: () => number } | undefined;
  if (file && file.fileno?.() !== 1) {
    file.write(b);
    if (nl) file.write(bytes('\n'));
    return;
  }
  writeFd(1, nl ? Buffer.concat([b, bytes('\n')]) : b);
}
/** ArgString: an argument kept as bytes */
export const ArgString = (s: unknown): Buffer => (s instanceof Uint8Array ? Buffer.from(s) : bytes(String(s)));
export function get_online_cpus(): number[] {
  return parseCpuList(fs.readFileSync('/sys/devices/system/cpu/online', 'utf8'));
}
export function get_possible_cpus(): number[] {
  return parseCpuList(fs.readFileSync('/sys/devices/system/cpu/possible', 'utf8'));
}
function parseCpuList(s: string): number[] {
  return s.trim().split(',').flatMap((r) => {
    const [a, b] = r.split('-').map(Number);
    return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
  });
}
export const utils = { printb, ArgString, get_online_cpus, get_possible_cpus };
export { tcp } from './tcp.js';

/** BCC's perf event constants: the kernel's perf ABI numbers */
// BCC's constants read through a BPF object as through the class (bpf.SK_MSG, b.attach_func(...))
for (const k of ['SOCKET_FILTER', 'KPROBE', 'SCHED_CLS', 'SCHED_ACT', 'TRACEPOINT', 'XDP', 'PERF_EVENT', 'CGROUP_SKB', 'CGROUP_SOCK', 'LWT_IN', 'LWT_OUT', 'LWT_XMIT', 'SOCK_OPS', 'SK_SKB', 'CGROUP_DEVICE', 'SK_MSG', 'RAW_TRACEPOINT', 'XDP_FLAGS_SKB_MODE', 'XDP_FLAGS_DRV_MODE', 'XDP_FLAGS_HW_MODE', 'attach_func', 'detach_func', 'attach_raw_socket'] as const) {
  Object.defineProperty(BPF.prototype, k, { get: () => BPF[k] });
}

/** enum bpf_attach_type (uapi/linux/bpf.h), by BCC's names for it */
export const BPFAttachType = {
  CGROUP_INET_INGRESS: 0, CGROUP_INET_EGRESS: 1, CGROUP_INET_SOCK_CREATE: 2, CGROUP_SOCK_OPS: 3, SK_SKB_STREAM_PARSER: 4,
  SK_SKB_STREAM_VERDICT: 5, CGROUP_DEVICE: 6, SK_MSG_VERDICT: 7, CGROUP_INET4_BIND: 8, CGROUP_INET6_BIND: 9, CGROUP_INET4_CONNECT: 10,
  CGROUP_INET6_CONNECT: 11, CGROUP_INET4_POST_BIND: 12, CGROUP_INET6_POST_BIND: 13, CGROUP_UDP4_SENDMSG: 14, CGROUP_UDP6_SENDMSG: 15,
  LIRC_MODE2: 16, FLOW_DISSECTOR: 17, CGROUP_SYSCTL: 18, CGROUP_UDP4_RECVMSG: 19, CGROUP_UDP6_RECVMSG: 20, CGROUP_GETSOCKOPT: 21,
  CGROUP_SETSOCKOPT: 22, TRACE_RAW_TP: 23, TRACE_FENTRY: 24, TRACE_FEXIT: 25, MODIFY_RETURN: 26, LSM_MAC: 27, TRACE_ITER: 28,
  CGROUP_INET4_GETPEERNAME: 29, CGROUP_INET6_GETPEERNAME: 30, CGROUP_INET4_GETSOCKNAME: 31, CGROUP_INET6_GETSOCKNAME: 32,
  XDP_DEVMAP: 33, CGROUP_INET_SOCK_RELEASE: 34, XDP_CPUMAP: 35, SK_LOOKUP: 36, XDP: 37, SK_SKB_VERDICT: 38,
};

/** bcc.libbcc's calls the tools make directly */
export const lib = {
  /** the fd of a map of the module (b.module): what a sockmap attachment (attach_func) targets */
  bpf_table_fd(module: unknown, name: unknown): number {
    if (!(module instanceof BPF)) throw new PyTypeError('bpf_table_fd: the module is a BPF object\'s .module');
    return module.get_table(name).map.fd;
  },
};

export const PerfType = { HARDWARE: 0, SOFTWARE: 1, TRACEPOINT: 2, HW_CACHE: 3, RAW: 4, BREAKPOINT: 5 };
export const PerfHWConfig = { CPU_CYCLES: 0, INSTRUCTIONS: 1, CACHE_REFERENCES: 2, CACHE_MISSES: 3, BRANCH_INSTRUCTIONS: 4, BRANCH_MISSES: 5, BUS_CYCLES: 6, STALLED_CYCLES_FRONTEND: 7, STALLED_CYCLES_BACKEND: 8, REF_CPU_CYCLES: 9 };
export const PerfSWConfig = { CPU_CLOCK: 0, TASK_CLOCK: 1, PAGE_FAULTS: 2, CONTEXT_SWITCHES: 3, CPU_MIGRATIONS: 4, PAGE_FAULTS_MIN: 5, PAGE_FAULTS_MAJ: 6, ALIGNMENT_FAULTS: 7, EMULATION_FAULTS: 8, DUMMY: 9, BPF_OUTPUT: 10 };

let syscallNames: Map<number, string> | null = null;
let syscallDict: PyDict<number, Buffer> | null = null;
/** syscall_name(n): its name as bytes, from this architecture's unistd numbers */
export function syscall_name(n: unknown): Buffer {
  return bytes(syscallTable().get(Number(n)) ?? `[unknown: ${n}]`);
}
/** This architecture's syscall numbers and names, from its unistd header */
function syscallTable(): Map<number, string> {
  if (!syscallNames) {
    syscallNames = new Map();
    for (const f of ['/usr/include/x86_64-linux-gnu/asm/unistd_64.h', '/usr/include/aarch64-linux-gnu/asm/unistd.h', '/usr/include/asm/unistd_64.h', '/usr/include/asm-generic/unistd.h']) {
      try {
        for (const m of fs.readFileSync(f, 'utf8').matchAll(/#define __NR_(\w+)\s+(\d+)/g)) syscallNames.set(Number(m[2]), m[1]!);
      } catch {
        continue;
      }
      if (syscallNames.size) break;
    }
  }
  return syscallNames;
}
/** bcc.syscall: syscall_name, and syscalls (number → name as bytes; syscount -l lists them) */
export const syscall = {
  syscall_name,
  get syscalls(): PyDict<number, Buffer> {
    syscallDict ??= new PyDict([...syscallTable()].sort((a, b) => a[0] - b[0]).map(([k, v]) => [k, bytes(v)] as const));
    return syscallDict;
  },
};

export { CValue, Fields as Struct, ValueError };

/**
 * bcc.containers.filter_by_containers(args): in BCC, C put before the tool's
 * text. lcc convert compiled that C into the object already (the maps a user
 * pins, chosen at load through BPF()'s `pinned`), so the text gains nothing here.
 */
export const containers = { filter_by_containers: (_args: unknown): string => '' };
