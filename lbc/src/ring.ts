// Ring buffer and perf buffer consumers that read the kernel's mmap'ed pages
// directly: one wake-up drains a whole batch with no foreign call per event.
import * as fs from 'node:fs';
import { address, c, errno, PerfEventAttr, perfEventOpen, view, structSize, bpf, type Ptr } from './ffi.js';
import { LbcError, UsageError } from './errors.js';
import { readPerfRecords, readRingRecords } from './records.js';
import { poller, type Source } from './poller.js';
import type { Codec } from './codec.js';

const PROT_READ = 1;
const PROT_WRITE = 2;
const MAP_SHARED = 1;
const MAP_FAILED = 0xffffffffffffffffn;
const PAGE = c.getpagesize() as number;

/** (data, offset, size, cpu): the record's bytes are data[offset, offset+size), valid during the call. */
export type RawHandler = (data: DataView, offset: number, size: number, cpu: number) => void;

export interface ConsumerStats {
  /** records handed to the handler */
  received: number;
  /** records the kernel dropped (perf: LOST records; ring: failed lbc_ringbuf_* reservations) */
  lost: number;
}

function mmapOrThrow(len: number, prot: number, fd: number, off: number, what: string): Ptr {
  const p = c.mmap(null, len, prot, MAP_SHARED, fd, off);
  if (address(p) === MAP_FAILED) throw new LbcError(`mmap of ${what} failed`, { errno: errno() });
  return p;
}

/** A queue of copied events for `for await`, with back-pressure by bounded length. */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiter: ((r: IteratorResult<T>) => void) | null = null;
  private done = false;
  dropped = 0;
  constructor(private readonly limit: number, private readonly onReturn: () => void) {}

  push(item: T): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: item, done: false });
    } else if (this.items.length < this.limit) this.items.push(item);
    else this.dropped++;
  }

  end(): void {
    this.done = true;
    if (this.waiter) this.waiter({ value: undefined, done: true });
    this.waiter = null;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiter = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.onReturn();
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}

export abstract class Consumer implements Source, ConsumerStats {
  received = 0;
  protected lostPerf = 0;
  protected closed = false;
  protected pollIds: number[] = [];
  protected handler: RawHandler;
  /** reads the drop counter that lbc.h keeps for ring buffers, if any */
  protected dropCounter: (() => number) | undefined;

  constructor(handler: RawHandler) {
    this.handler = handler;
  }

  get lost(): number {
    return this.lostPerf + (this.dropCounter?.() ?? 0);
  }

  abstract drain(budget: number): number;
  protected abstract unmap(): void;

  /** Drain whatever is queued now, synchronously (tests, shutdown). */
  poll(): number {
    const before = this.received;
    while (this.drain(1 << 30) > 0);
    return this.received - before;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of this.pollIds) poller.remove(id);
    this.unmap();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** BPF_MAP_TYPE_RINGBUF: consumer page read-write, producer page and data (mapped twice) read-only. */
export class RingBufferConsumer extends Consumer {
  private readonly size: number;
  private readonly mask: number;
  private readonly consPtr: Ptr;
  private readonly prodPtr: Ptr;
  private readonly consPos: BigUint64Array;
  private readonly prodPos: BigUint64Array;
  private readonly data: DataView;
  private pos: number;

  constructor(mapFd: number, maxEntries: number, handler: RawHandler, dropCounter?: () => number) {
    super(handler);
    this.size = maxEntries;
    this.mask = maxEntries - 1;
    this.dropCounter = dropCounter;
    this.consPtr = mmapOrThrow(PAGE, PROT_READ | PROT_WRITE, mapFd, 0, 'ring buffer consumer page');
    this.prodPtr = mmapOrThrow(PAGE + 2 * maxEntries, PROT_READ, mapFd, PAGE, 'ring buffer data');
    this.consPos = new BigUint64Array(view(this.consPtr, 8));
    this.prodPos = new BigUint64Array(view(this.prodPtr, 8));
    const data = view(this.prodPtr, PAGE + 2 * maxEntries);
    this.data = new DataView(data, PAGE, 2 * maxEntries);
    this.pos = Number(Atomics.load(this.consPos, 0));
    this.pollIds.push(poller.add(mapFd, this));
  }

  drain(budget: number): number {
    if (this.closed) return 0;
    // acquire: the producer's record writes are visible once we see its position
    const prod = Number(Atomics.load(this.prodPos, 0));
    const { pos, n } = readRingRecords(this.data, this.mask, this.pos, prod, budget, this.handler, (p) => Atomics.store(this.consPos, 0, BigInt(p)));
    if (pos !== this.pos) Atomics.store(this.consPos, 0, BigInt(pos));
    this.pos = pos;
    this.received += n;
    return n;
  }

  protected unmap(): void {
    c.munmap(this.consPtr, PAGE);
    c.munmap(this.prodPtr, PAGE + 2 * this.size);
  }
}

const PERF_TYPE_SOFTWARE = 1;
const PERF_COUNT_SW_BPF_OUTPUT = 10;
const PERF_SAMPLE_RAW = 1 << 10;
const PERF_EVENT_IOC_ENABLE = 0x2400;

/** The CPUs that are online now (perf rings exist only for them). */
export function onlineCpus(): number[] {
  const text = fs.readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
  const cpus: number[] = [];
  for (const part of text.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a!; i <= (b ?? a!); i++) cpus.push(i);
  }
  return cpus;
}


interface PerfRing {
  cpu: number;
  fd: number;
  base: Ptr;
  head: BigUint64Array;
  tail: BigUint64Array;
  data: DataView;
  pos: number;
}

/** BPF_MAP_TYPE_PERF_EVENT_ARRAY: one perf ring per online CPU, read directly. */
export class PerfBufferConsumer extends Consumer {
  private readonly rings: PerfRing[] = [];
  private readonly dataSize: number;
  private readonly mmapSize: number;
  private readonly scratch = { view: new DataView(new ArrayBuffer(64 * 1024)) };

  /**
   * `wakeupEvents`: how many samples the kernel collects before waking us.
   * 1 (libbpf's and BCC's default) gives the lowest latency; more trades
   * latency for throughput, since each wake-up costs the producer an irq_work.
   */
  constructor(mapFd: number, pages: number, handler: RawHandler, wakeupEvents = 1) {
    super(handler);
    if (pages <= 0 || (pages & (pages - 1)) !== 0) {
      throw new UsageError(`perf buffer pages must be a power of two, got ${pages}`);
    }
    this.dataSize = pages * PAGE;
    this.mmapSize = this.dataSize + PAGE;
    const attr = {
      type: PERF_TYPE_SOFTWARE, size: structSize(PerfEventAttr), config: BigInt(PERF_COUNT_SW_BPF_OUTPUT),
      sample_period: 1n, sample_type: BigInt(PERF_SAMPLE_RAW), read_format: 0n, flags: 0n, wakeup_events: wakeupEvents,
      bp_type: 0, config1: 0n, config2: 0n, branch_sample_type: 0n, sample_regs_user: 0n, sample_stack_user: 0,
      clockid: 0, sample_regs_intr: 0n, aux_watermark: 0, sample_max_stack: 0, _reserved_2: 0,
      aux_sample_size: 0, _reserved_3: 0, sig_data: 0n, config3: 0n,
    };
    const key = Buffer.alloc(4);
    const val = Buffer.alloc(4);
    try {
      for (const cpu of onlineCpus()) {
        const fd = perfEventOpen(attr, -1, cpu);
        if (fd < 0) throw new LbcError(`perf_event_open for CPU ${cpu} failed`, { errno: errno() });
        let base: Ptr;
        try {
          base = mmapOrThrow(this.mmapSize, PROT_READ | PROT_WRITE, fd, 0, `perf ring of CPU ${cpu}`);
        } catch (e) {
          c.close(fd);
          throw e;
        }
        const ab = view(base, this.mmapSize);
        const ring: PerfRing = {
          cpu, fd, base,
          head: new BigUint64Array(ab, 1024, 1),
          tail: new BigUint64Array(ab, 1032, 1),
          data: new DataView(ab, PAGE, this.dataSize),
          pos: 0,
        };
        ring.pos = Number(Atomics.load(ring.tail, 0));
        this.rings.push(ring);
        key.writeUInt32LE(cpu);
        val.writeInt32LE(fd);
        const rc = bpf.update(mapFd, key, val, 0) as number;
        if (rc < 0) throw new LbcError(`perf buffer: cannot store CPU ${cpu}'s ring in the map (max_entries too small?)`, { errno: -rc });
        if ((c.ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) as number) < 0) throw new LbcError(`perf buffer: enabling CPU ${cpu} failed`, { errno: errno() });
      }
      for (const r of this.rings) {
        const source: Source = { drain: (budget) => this.drainRing(r, budget) };
        this.pollIds.push(poller.add(r.fd, source));
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  drain(budget: number): number {
    let n = 0;
    for (const r of this.rings) n += this.drainRing(r, budget);
    return n;
  }

  private drainRing(r: PerfRing, budget: number): number {
    if (this.closed) return 0;
    const head = Number(Atomics.load(r.head, 0));
    const { pos, n } = readPerfRecords(r.data, this.dataSize, r.cpu, r.pos, head, budget, this.scratch, this.handler, (lost) => (this.lostPerf += lost));
    if (pos !== r.pos) Atomics.store(r.tail, 0, BigInt(pos));
    r.pos = pos;
    this.received += n;
    return n;
  }

  protected unmap(): void {
    for (const r of this.rings) {
      c.munmap(r.base, this.mmapSize);
      c.close(r.fd);
    }
    this.rings.length = 0;
  }
}


/** Wrap a consumer's raw handler so that it yields copied, decoded events to `for await`. */
export function queueFor<T>(codec: Codec<T> | null, limit: number): { handler: RawHandler; queue: EventQueue<T>; attach(c: { close(): void }): void } {
  let owner: { close(): void } | null = null;
  const queue = new EventQueue<T>(limit, () => owner?.close());
  const handler: RawHandler = (dv, off, size) => {
    if (codec) queue.push(codec.decode(dv, off));
    else queue.push(new Uint8Array(dv.buffer.slice(dv.byteOffset + off, dv.byteOffset + off + size)) as unknown as T);
  };
  return { handler, queue, attach: (c) => (owner = c) };
}
