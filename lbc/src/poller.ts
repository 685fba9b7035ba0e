// One epoll set for the whole process. epoll_wait runs blocked on a libuv
// threadpool thread (koffi async call), so an idle consumer costs nothing and
// the event loop never blocks; one shared waiter keeps the threadpool free for
// fs and dns. An eventfd in the set wakes the waiter when a source goes away.
import { c, EPOLL_DATA_OFFSET, EPOLL_EVENT_SIZE, errno } from './ffi.js';
import { LbcError } from './errors.js';

const EPOLL_CLOEXEC = 0o2000000;
const EPOLLIN = 0x1;
const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;
const WAKE_ID = 0;
const MAX_EVENTS = 64;
/** Records handled per drain slice before yielding to the event loop. */
export const DRAIN_BUDGET = 8192;

export interface Source {
  /** Handle up to `budget` records; return how many were handled. */
  drain(budget: number): number;
}

class Poller {
  private epfd = -1;
  private wakefd = -1;
  private readonly sources = new Map<number, Source>();
  private readonly fds = new Map<number, number>();
  private nextId = 1;
  private waiting = false;
  private closing = false;
  private draining = false;
  private readonly events = Buffer.alloc(MAX_EVENTS * EPOLL_EVENT_SIZE);
  private readonly wakeBuf = Buffer.alloc(8);

  add(fd: number, source: Source): number {
    if (this.epfd < 0) this.open();
    const id = this.nextId++;
    const rc = c.epoll_ctl(this.epfd, EPOLL_CTL_ADD, fd, { events: EPOLLIN, data: BigInt(id) }) as number;
    if (rc < 0) throw new LbcError(`epoll_ctl(ADD, fd ${fd}) failed`, { errno: errno() });
    this.sources.set(id, source);
    this.fds.set(id, fd);
    this.arm();
    return id;
  }

  /**
   * Stop (false) or resume (true) waiting on a source without forgetting it:
   * a tool that reads a reply right after its own send does not want the
   * poller thread woken for it (a cross-CPU wake-up it would then measure).
   */
  pause(id: number, paused: boolean): void {
    const fd = this.fds.get(id);
    if (fd === undefined) return;
    const rc = paused
      ? (c.epoll_ctl(this.epfd, EPOLL_CTL_DEL, fd, null) as number)
      : (c.epoll_ctl(this.epfd, EPOLL_CTL_ADD, fd, { events: EPOLLIN, data: BigInt(id) }) as number);
    if (rc < 0) throw new LbcError(`epoll_ctl(${paused ? 'DEL' : 'ADD'}, fd ${fd}) failed`, { errno: errno() });
  }

  remove(id: number): void {
    const fd = this.fds.get(id);
    if (fd === undefined) return;
    c.epoll_ctl(this.epfd, EPOLL_CTL_DEL, fd, null);
    this.sources.delete(id);
    this.fds.delete(id);
    if (this.sources.size === 0 && this.waiting) this.wake();
  }

  private open(): void {
    // At exit Node joins its threadpool threads: one left in epoll_wait would
    // hang the exit forever, whatever sources are still registered.
    process.once('exit', () => this.shutdown());
    this.epfd = c.epoll_create1(EPOLL_CLOEXEC) as number;
    if (this.epfd < 0) throw new LbcError('epoll_create1 failed', { errno: errno() });
    this.wakefd = c.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) as number;
    if (this.wakefd < 0) throw new LbcError('eventfd failed', { errno: errno() });
    c.epoll_ctl(this.epfd, EPOLL_CTL_ADD, this.wakefd, { events: EPOLLIN, data: BigInt(WAKE_ID) });
  }

  private shutdown(): void {
    this.closing = true;
    if (this.waiting) this.wake();
  }

  private wake(): void {
    this.wakeBuf.writeBigUInt64LE(1n);
    c.write(this.wakefd, this.wakeBuf, 8);
  }

  private arm(): void {
    if (this.closing || this.waiting || this.draining || this.sources.size === 0) return;
    this.waiting = true;
    c.epoll_wait.async(this.epfd, this.events, MAX_EVENTS, -1, (err: unknown, n: number) => {
      this.waiting = false;
      if (err) {
        queueMicrotask(() => {
          throw err;
        });
        return;
      }
      const ready: Source[] = [];
      for (let i = 0; i < n; i++) {
        const id = Number(this.events.readBigUInt64LE(i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET));
        if (id === WAKE_ID) c.read(this.wakefd, this.wakeBuf, 8);
        else {
          const s = this.sources.get(id);
          if (s) ready.push(s);
        }
      }
      this.drain(ready);
    });
  }

  /**
   * Drain every source, in slices so that a flood does not starve the rest of
   * the program. As long as a pass finds records, poll again on setImmediate
   * instead of going back to epoll: under load that saves a threadpool round
   * trip per wake-up (the NAPI idea). A pass that finds nothing re-arms epoll,
   * so an idle consumer costs nothing. (Level-triggered epoll would also wake
   * at once if we re-armed with data still queued.)
   */
  private drain(ready: Source[]): void {
    this.draining = true;
    let found = 0;
    try {
      const sources = ready.length ? ready : [...this.sources.values()];
      for (const s of sources) if (this.isLive(s)) found += s.drain(DRAIN_BUDGET);
    } finally {
      if (found > 0 && this.sources.size > 0) setImmediate(() => this.drain([]));
      else {
        this.draining = false;
        this.arm();
      }
    }
  }

  private isLive(s: Source): boolean {
    for (const v of this.sources.values()) if (v === s) return true;
    return false;
  }
}

export const poller = new Poller();

const EPERM = 1;
const POLLIN = 1;

/**
 * Calls `ready` once `fd` has something to read (a packet socket a tool reads
 * with os.read): the wait costs the event loop nothing, so Ctrl-C still
 * reaches the tool. A file epoll cannot watch (a regular one) is readable now.
 * Returns how to stop waiting.
 */
export function whenReadable(fd: number, ready: () => void): () => void {
  const pfd = Buffer.alloc(8);
  let id = -1;
  try {
    id = poller.add(fd, {
      // a pass over every source (after another's records) calls this one too: only when it is readable
      drain: () => {
        pfd.writeInt32LE(fd, 0);
        pfd.writeInt16LE(POLLIN, 4);
        pfd.writeInt16LE(0, 6);
        if ((c.poll(pfd, 1, 0) as number) < 1) return 0;
        poller.remove(id);
        ready();
        return 1;
      },
    });
  } catch (e) {
    if (!(e instanceof LbcError && e.errno === EPERM)) throw e;
    queueMicrotask(ready);
  }
  return () => poller.remove(id);
}
