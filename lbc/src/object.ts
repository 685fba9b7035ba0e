// A BPF object through its stages: open → configure → load → attach →
// stream → destroy, over libbpf's bpf_object.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { address, bpf, c, decodeString, errno, isNull, OpenOpts, structSize, view, withSignalsBlocked, type Ptr } from './ffi.js';
import { LbcError, NotSupportedError, UsageError, VerifierError } from './errors.js';
import { canLoadBpf, PRIVILEGE_HINT, PRIVILEGE_MISSING } from './caps.js';
import { libbpfReason, verifierLog, withLibbpfLog } from './log.js';
import { BpfMap, MAP_TYPES, type MapInfo, type ValueCodec } from './map.js';
import { Btf } from './btf.js';
import { GlobalSection, readGlobal, writeGlobal, type GlobalValue, type GlobalVar } from './globals.js';
import { Program } from './program.js';
import type { Link } from './link.js';
import { PerfBufferConsumer, queueFor, RingBufferConsumer, type RawHandler, type Consumer, type EventQueue } from './ring.js';
import type { Codec } from './codec.js';
import { ensureBpffs } from './sysfs.js';
import { FEATURE_OF } from './section.js';
import { track, untrack } from './cleanup.js';

export interface OpenOptions {
  /** object name (defaults to the file's base name) */
  name?: string;
  /**
   * BTF to use for CO-RE relocations instead of /sys/kernel/btf/vmlinux:
   * for kernels without BTF, ship the file `lcc btf minimize` writes. Default:
   * the LCC_BTF environment variable, so a tool gains it without a code change.
   */
  btfPath?: string;
  /** directory for maps declared with LIBBPF_PIN_BY_NAME (default /sys/fs/bpf) */
  pinRoot?: string;
  /** extra Kconfig text for `extern ... __kconfig` variables */
  kconfig?: string;
}

export type State = 'opened' | 'loaded' | 'destroyed';

interface MapEntry {
  handle: Ptr;
  name: string;
  internal: boolean;
  map?: BpfMap<unknown, unknown>;
}

const BPF_F_RDONLY_PROG = 1 << 7;
const BPF_F_MMAPABLE = 1 << 10;
const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 1;
const MAP_FIXED = 0x10;

const cStrings = new WeakMap<object, Buffer[]>();

export class BpfObject implements Disposable {
  readonly name: string;
  private obj: Ptr;
  private _state: State = 'opened';
  private readonly progs = new Map<string, Program>();
  private readonly mapEntries = new Map<string, MapEntry>();
  private readonly links = new Set<Link>();
  private readonly consumers: Consumer[] = [];
  private btfCache?: Btf;
  private globalsCache?: GlobalVar[];
  private readonly sections = new Map<string, { entry: MapEntry; section: GlobalSection }>();

  private constructor(obj: Ptr, keep: Buffer[]) {
    this.obj = obj;
    cStrings.set(this, keep);
    this.name = decodeString(bpf.object_name(obj));
    for (let p = bpf.next_program(obj, null); !isNull(p); p = bpf.next_program(obj, p)) {
      const prog = new Program(this, p, (link) => this.own(link));
      this.progs.set(prog.name, prog);
    }
    for (let m = bpf.next_map(obj, null); !isNull(m); m = bpf.next_map(obj, m)) {
      const name = decodeString(bpf.map_name(m));
      const internal = bpf.map_is_internal(m) as boolean;
      const entry: MapEntry = { handle: m, name, internal };
      this.mapEntries.set(name, entry);
      if (internal) {
        // libbpf names data maps "<obj prefix>.<section>"; the BTF DATASEC is "<section>"
        const sec = name.slice(name.indexOf('.'));
        this.sections.set(sec, {
          entry,
          section: new GlobalSection(sec, () => this.sectionMemory(entry), () => !(sec.startsWith('.rodata') && this._state !== 'opened')),
        });
      }
    }
    track(this);
  }

  /** Open an object file or in-memory object bytes (as a skeleton embeds them). */
  static open(source: string | Uint8Array, options: OpenOptions = {}): BpfObject {
    const keep: Buffer[] = [];
    const cstr = (s?: string): Buffer | null => {
      if (s === undefined) return null;
      const b = Buffer.from(`${s}\0`);
      keep.push(b);
      return b;
    };
    const btfPath = options.btfPath ?? (process.env.LCC_BTF || undefined);
    if (btfPath && !fs.existsSync(btfPath)) {
      throw new UsageError(`BTF file ${btfPath} does not exist${options.btfPath ? '' : ' (from LCC_BTF)'}`);
    }
    const opts = {
      sz: structSize(OpenOpts),
      object_name: cstr(options.name),
      relaxed_maps: false,
      pin_root_path: cstr(options.pinRoot),
      _attach_prog_fd: 0,
      kconfig: cstr(options.kconfig),
      btf_custom_path: cstr(btfPath),
      kernel_log_buf: null,
      kernel_log_size: 0,
      kernel_log_level: 0,
    };
    let bytes: Buffer;
    let what: string;
    if (typeof source === 'string') {
      what = source;
      try {
        bytes = fs.readFileSync(source);
      } catch (e) {
        throw new UsageError(`cannot read BPF object ${source}: ${(e as Error).message}`);
      }
      if (!opts.object_name) opts.object_name = cstr(source.replace(/^.*\//, '').replace(/\.bpf\.o$|\.o$/, ''));
    } else {
      what = options.name ?? 'in-memory object';
      bytes = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    }
    // libbpf keeps pointing into the buffer it opened from memory until close
    const buf = Buffer.from(bytes);
    keep.push(buf);
    const { result: obj, log } = withLibbpfLog(() => bpf.open_mem(buf, buf.length, opts));
    if (isNull(obj)) {
      const e = errno();
      throw new LbcError(`cannot open BPF object ${what}${log ? ` (${libbpfReason(log)})` : ''}`, {
        errno: e,
        hint: e === 22 || e === 2 ? 'is it a BPF ELF object built with clang -target bpf -g?' : undefined,
      });
    }
    return new BpfObject(obj, keep);
  }

  get state(): State {
    return this._state;
  }

  /** @internal */
  get handle(): Ptr {
    this.assertNot('destroyed', 'use');
    return this.obj;
  }

  private assertNot(state: State, what: string): void {
    if (this._state === state) throw new UsageError(`object ${this.name}: cannot ${what} once ${state}`);
  }

  private assertState(state: State, what: string): void {
    if (this._state !== state) {
      const when = state === 'opened' ? 'before load()' : 'after load()';
      throw new UsageError(`object ${this.name}: ${what} works only ${when} (the object is ${this._state})`);
    }
  }

  get programs(): ReadonlyMap<string, Program> {
    return this.progs;
  }

  program(name: string): Program {
    const p = this.progs.get(name);
    if (!p) throw new UsageError(`object ${this.name} has no program ${name} (it has: ${[...this.progs.keys()].join(', ') || 'none'})`);
    return p;
  }

  /** The object's own BTF (types of maps, globals, events). */
  get btf(): Btf {
    if (!this.btfCache) {
      const b = bpf.object_btf(this.handle);
      if (isNull(b)) throw new UsageError(`object ${this.name} has no BTF: compile with clang -g`);
      const size = [0];
      const raw = bpf.btf_raw_data(b, size);
      this.btfCache = Btf.parse(new Uint8Array(view(raw, size[0]!).slice(0)), `${this.name} BTF`);
    }
    return this.btfCache;
  }

  // ---------- maps ----------

  get mapNames(): string[] {
    return [...this.mapEntries.values()].filter((e) => !e.internal).map((e) => e.name);
  }

  private entry(name: string): MapEntry {
    const e = this.mapEntries.get(name);
    if (!e) throw new UsageError(`object ${this.name} has no map ${name} (it has: ${this.mapNames.join(', ') || 'none'})`);
    return e;
  }

  mapInfo(name: string): MapInfo {
    const m = this.entry(name).handle;
    return {
      name,
      type: MAP_TYPES[bpf.map_type(m) as number] ?? 'unspec',
      keySize: bpf.map_key_size(m) as number,
      valueSize: bpf.map_value_size(m) as number,
      maxEntries: bpf.map_max_entries(m) as number,
      flags: bpf.map_flags(m) as number,
    };
  }

  /** A loaded map; codecs make its keys and values typed. */
  map<K = number | bigint | Uint8Array, V = number | bigint | Uint8Array>(name: string, codecs?: { key?: Codec<K>; value?: ValueCodec<V> }): BpfMap<K, V> {
    this.assertState('loaded', `map(${name})`);
    const e = this.entry(name);
    if (codecs) return new BpfMap<K, V>(this.mapInfo(name), () => this.mapFd(e), codecs);
    e.map ??= new BpfMap(this.mapInfo(name), () => this.mapFd(e));
    return e.map as BpfMap<K, V>;
  }

  private mapFd(e: MapEntry): number {
    this.assertState('loaded', `map ${e.name}`);
    return bpf.map_fd(e.handle) as number;
  }

  setMaxEntries(name: string, n: number): this {
    this.assertState('opened', `setMaxEntries(${name})`);
    const rc = bpf.map_set_max_entries(this.entry(name).handle, n) as number;
    if (rc < 0) throw new LbcError(`map ${name}: set max_entries ${n} failed`, { errno: -rc });
    return this;
  }

  /**
   * Before load: the size of a map's values, for maps whose C leaves it to
   * user space (a stack trace map sized by the stack depth the user asked
   * for, as libbpf-tools' profile and offcputime do).
   */
  setValueSize(name: string, bytes: number): this {
    this.assertState('opened', `setValueSize(${name})`);
    const rc = bpf.map_set_value_size(this.entry(name).handle, bytes) as number;
    if (rc < 0) throw new LbcError(`map ${name}: set value size ${bytes} failed`, { errno: -rc });
    return this;
  }

  /**
   * Pin a map at a bpffs path. Before load: the map is created there, or an
   * existing compatible map pinned there is reused (the way a second process
   * shares a map). After load: pin now.
   */
  pinMap(name: string, path: string): this {
    ensureBpffs();
    const e = this.entry(name);
    const p = Buffer.from(`${path}\0`);
    const rc = (this._state === 'opened' ? bpf.map_set_pin_path(e.handle, p) : bpf.map_pin(e.handle, p)) as number;
    if (rc < 0) throw new LbcError(`map ${name}: pin at ${path} failed`, { errno: -rc });
    return this;
  }

  /**
   * Before load: use the map someone else pinned at `path` instead of
   * creating this one, taking its size from it (BCC's BPF_TABLE_PINNED: a set
   * of cgroups or namespaces a user made with bpftool and keeps filled).
   */
  reusePinnedMap(name: string, path: string): this {
    this.assertState('opened', `reusePinnedMap(${name})`);
    ensureBpffs();
    const e = this.entry(name);
    const fd = bpf.obj_get(Buffer.from(`${path}\0`)) as number;
    if (fd < 0) {
      throw new LbcError(`map ${name}: no map pinned at ${path}`, { errno: -fd, hint: 'create and pin it first (bpftool map create PATH type hash key 8 value 8 entries 128 name NAME)' });
    }
    try {
      // libbpf keeps a duplicate of the descriptor
      const rc = bpf.map_reuse_fd(e.handle, fd) as number;
      if (rc < 0) throw new LbcError(`map ${name}: cannot use the map pinned at ${path}`, { errno: -rc });
    } finally {
      c.close(fd);
    }
    return this;
  }

  unpinMap(name: string, path?: string): void {
    const rc = bpf.map_unpin(this.entry(name).handle, path ? Buffer.from(`${path}\0`) : null) as number;
    if (rc < 0) throw new LbcError(`map ${name}: unpin failed`, { errno: -rc });
  }

  // ---------- globals ----------

  private sectionMemory(e: MapEntry): DataView {
    this.assertNot('destroyed', 'read globals');
    const size = [0];
    const p = bpf.map_initial_value(e.handle, size);
    if (isNull(p)) throw new LbcError(`global section ${e.name} has no memory (not mmapable?)`);
    return new DataView(view(p, size[0]!));
  }

  /** Data sections present in the object (".bss", ".data", ".rodata", ...). */
  get globalSections(): string[] {
    return [...this.sections.keys()];
  }

  section(name: string): GlobalSection {
    const s = this.sections.get(name);
    if (!s) throw new UsageError(`object ${this.name} has no ${name} section (it has: ${this.globalSections.join(', ') || 'none'})`);
    return s.section;
  }

  /** Every global variable the object's BTF describes (fixed once the object is open). */
  get globals(): readonly GlobalVar[] {
    if (!this.globalsCache) {
      this.globalsCache = [];
      for (const sec of this.sections.keys()) {
        for (const v of this.btf.datasecVars(sec)) this.globalsCache.push({ ...v, section: sec });
      }
    }
    return this.globalsCache;
  }

  /**
   * Offsets of named globals in a section, from the object's DATASEC (clang
   * decides placement). Throws when one is missing: the object and the code
   * that expects it have drifted apart.
   */
  globalOffsets<N extends string>(section: string, names: readonly N[]): Record<N, number> {
    const vars = new Map(this.globals.filter((g) => g.section === section).map((g) => [g.name, g.offset]));
    const out = {} as Record<N, number>;
    for (const n of names) {
      const off = vars.get(n);
      if (off === undefined) {
        throw new UsageError(`object ${this.name} has no global ${n} in ${section}: the skeleton was generated from another version of the source; rebuild and regenerate`);
      }
      out[n] = off;
    }
    return out;
  }

  private globalVar(name: string): GlobalVar {
    const v = this.globals.find((g) => g.name === name);
    if (!v) throw new UsageError(`object ${this.name} has no global variable ${name}`);
    return v;
  }

  getGlobal(name: string): GlobalValue {
    const v = this.globalVar(name);
    return readGlobal(this.btf, v, this.section(v.section).view);
  }

  /** Set a global: .rodata between open and load, .bss/.data at any time. */
  setGlobal(name: string, value: GlobalValue): this {
    const v = this.globalVar(name);
    const sec = this.section(v.section);
    sec.assertWritable(`setGlobal(${name})`);
    writeGlobal(this.btf, v, sec.view, value);
    return this;
  }

  // ---------- load / attach ----------

  load(): this {
    this.assertState('opened', 'load()');
    const { result: rc, log } = withLibbpfLog(() => withSignalsBlocked(() => bpf.object_load(this.obj) as number));
    if (rc < 0) throw this.loadError(-rc, log);
    this._state = 'loaded';
    this.mapGlobalsOntoKernel();
    // libbpf parsed the kernel's BTF (megabytes) to relocate and freed it; malloc keeps freed
    // memory mapped unless asked: an agent left running would hold it for nothing (~2.4 MB)
    c.malloc_trim(0);
    return this;
  }

  /**
   * After load the data sections must *be* the kernel maps' memory, or
   * writes to .bss would only change libbpf's copy. libbpf 1.1 does this only
   * in bpf_object__load_skeleton, so we remap over the same address here
   * (what newer libbpf does inside bpf_object__load; repeating it is harmless).
   */
  private mapGlobalsOntoKernel(): void {
    const page = c.getpagesize() as number;
    for (const { entry } of this.sections.values()) {
      const flags = bpf.map_flags(entry.handle) as number;
      if (!(flags & BPF_F_MMAPABLE)) continue;
      const size = [0];
      const addr = bpf.map_initial_value(entry.handle, size);
      if (isNull(addr)) continue;
      const len = Math.ceil(size[0]! / page) * page;
      const prot = flags & BPF_F_RDONLY_PROG ? PROT_READ : PROT_READ | PROT_WRITE;
      const p = c.mmap(addr, len, prot, MAP_SHARED | MAP_FIXED, bpf.map_fd(entry.handle) as number, 0);
      if (address(p) !== address(addr)) throw new LbcError(`map ${entry.name}: mmap of global section failed`, { errno: errno() });
    }
  }

  private loadError(err: number, log: string): LbcError {
    const failed = /prog '([^']+)': failed to load/.exec(log)?.[1];
    const prog = failed ? this.progs.get(failed) : undefined;
    // a program given its own log buffer (keepVerifierLog) has its log there: libbpf prints only its own
    const vlog = verifierLog(log) || (prog?.verifierLog ?? '');
    if (prog && (err === 1 || err === 95 || err === 524) && !vlog.trim()) {
      const f = FEATURE_OF[prog.kind];
      if (f && ['fentry', 'fexit', 'fmod_ret', 'lsm'].includes(prog.kind)) {
        return new NotSupportedError(`load program ${prog.name} (${prog.section})`, f.feature, `${f.alternative}; or switch it off with program('${prog.name}').autoload = false`, err);
      }
    }
    // without the privilege every load fails, each in libbpf's words (RLIMIT_MEMLOCK, "trivial
    // program"): say the one cause, once
    if (err === 1 && !canLoadBpf()) {
      return new LbcError(`object ${this.name}: ${PRIVILEGE_MISSING}`, { errno: err, quietErrno: true, hint: PRIVILEGE_HINT });
    }
    if (err === 11) {
      return new LbcError(`object ${this.name}: loading ${failed ?? 'a program'} was interrupted (EAGAIN)`, {
        errno: err,
        hint: 'a signal arrived while the verifier ran, or the kernel ran out of verifier time; try again',
      });
    }
    if (vlog) return new VerifierError(`object ${this.name}: the verifier rejected program ${failed ?? '?'}`, err, vlog, failed, keepLog(this.name, failed, vlog));
    const map = /map '([^']+)': failed to create: ([^\n]*)/.exec(log);
    if (map && this.mapEntries.has(map[1]!)) return this.mapCreateError(map[1]!, map[2]!.trim(), err);
    // libbpf: "failed to find valid kernel BTF" / "Error loading vmlinux BTF": CO-RE without a target
    if (/kernel BTF|vmlinux BTF/.test(log) && !fs.existsSync('/sys/kernel/btf/vmlinux')) {
      return new NotSupportedError(`load object ${this.name}`, 'kernel BTF (CONFIG_DEBUG_INFO_BTF; /sys/kernel/btf/vmlinux is missing)',
        'ship a minimized BTF for this kernel (lcc btf minimize x.bpf.o --btf <its vmlinux> -o x.btf) and load with btfPath or LCC_BTF', err);
    }
    return new LbcError(`object ${this.name}: load failed${log ? ` (${libbpfReason(log)})` : ''}`, { errno: err });
  }

  /**
   * The kernel refused to create a map: its reason, and the usual cause
   * when the definition left a size for user space to set before load.
   */
  private mapCreateError(name: string, reason: string, err: number): LbcError {
    const info = this.mapInfo(name);
    const hint = info.maxEntries === 0 && !['perf_event_array', 'sk_storage', 'inode_storage', 'task_storage', 'cgrp_storage', 'struct_ops'].includes(info.type)
      ? `its max_entries is 0: give it a size in its definition, or call setMaxEntries('${name}', n) before load()`
      : info.valueSize === 0
        ? `its value size is 0: call setValueSize('${name}', bytes) before load()${info.type === 'stack_trace' ? ' (a stack trace map: depth * 8)' : ''}`
        : info.keySize === 0 && !['ringbuf', 'user_ringbuf', 'queue', 'stack', 'bloom_filter'].includes(info.type)
          ? `its key size is 0: the definition needs __type(key, T) or __uint(key_size, n)`
          : undefined;
    return new LbcError(`object ${this.name}: the kernel refused to create map ${name} (${info.type}, key ${info.keySize} B, value ${info.valueSize} B, ${info.maxEntries} entries): ${reason}`, { errno: err, hint });
  }

  /** Attach every program that has autoload on, each by its SEC() name. */
  attach(): Link[] {
    this.assertState('loaded', 'attach()');
    const out: Link[] = [];
    for (const p of this.progs.values()) {
      if (p.autoload && p.autoAttachable) out.push(p.attach());
    }
    return out;
  }

  // ---------- streams ----------

  private dropCounter(mapName: string): (() => number) | undefined {
    const v = this.globals.find((g) => g.name === `___lbc_drops_${mapName}`);
    if (!v) return undefined;
    return () => Number(readGlobal(this.btf, v, this.section(v.section).view));
  }

  /** Consume a ring buffer map: `handler(data, offset, size)` per record. */
  ringBuffer(mapName: string, handler: RawHandler): RingBufferConsumer {
    const info = this.mapInfo(mapName);
    if (info.type !== 'ringbuf') throw new UsageError(`map ${mapName} is a ${info.type} map, not a ringbuf`);
    const c = new RingBufferConsumer(this.map(mapName).fd, info.maxEntries, handler, this.dropCounter(mapName));
    this.consumers.push(c);
    return c;
  }

  /** Consume a perf event array: `handler(data, offset, size, cpu)` per sample. */
  perfBuffer(mapName: string, handler: RawHandler, opts: { pages?: number; wakeupEvents?: number } = {}): PerfBufferConsumer {
    const info = this.mapInfo(mapName);
    if (info.type !== 'perf_event_array') throw new UsageError(`map ${mapName} is a ${info.type} map, not a perf_event_array`);
    const c = new PerfBufferConsumer(this.map(mapName).fd, opts.pages ?? 64, handler, opts.wakeupEvents);
    this.consumers.push(c);
    return c;
  }

  /**
   * Events as an async iterable (copied and decoded; `limit` events are
   * buffered while the loop body runs, beyond that they are counted as dropped).
   */
  events<T = Uint8Array>(mapName: string, codec: Codec<T> | null = null, opts: { pages?: number; limit?: number } = {}): EventQueue<T> & { consumer: Consumer } {
    const { handler, queue, attach } = queueFor<T>(codec, opts.limit ?? 65536);
    const info = this.mapInfo(mapName);
    const consumer = info.type === 'ringbuf' ? this.ringBuffer(mapName, handler) : this.perfBuffer(mapName, handler, opts);
    attach(consumer);
    return Object.assign(queue, { consumer });
  }

  // ---------- teardown ----------

  /**
   * destroy() detaches what is still attached; a link its user destroyed
   * first is forgotten then, so a tool that attaches around each event (as
   * pingtrace's client does, around each probe) holds no more than it has.
   */
  private own(link: Link): void {
    this.links.add(link);
    const destroy = link.destroy.bind(link);
    link.destroy = (): void => {
      this.links.delete(link);
      destroy();
    };
  }

  /** Detach every link, stop every consumer, unload. Safe to call twice. */
  destroy(): void {
    if (this._state === 'destroyed') return;
    for (const c of this.consumers.splice(0)) c.close();
    const links = [...this.links].reverse();
    this.links.clear();
    for (const l of links) l.destroy();
    bpf.object_close(this.obj);
    this._state = 'destroyed';
    cStrings.delete(this);
    untrack(this);
  }

  [Symbol.dispose](): void {
    this.destroy();
  }
}

/** The whole verifier log in a file a person can open: an error message holds only its reason. */
function keepLog(object: string, program: string | undefined, log: string): string | undefined {
  const file = path.join(os.tmpdir(), `lcc-verifier-${object}-${program ?? 'program'}-${process.pid}.log`.replace(/[^\w.-]/g, '_'));
  try {
    fs.writeFileSync(file, log);
    return file;
  } catch {
    return undefined;
  }
}
