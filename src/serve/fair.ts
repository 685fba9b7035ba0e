// Compile slots shared fairly between clients. A worker that frees goes to
// the waiting client that was served least recently, not to the oldest
// request: one client sending many slow compiles cannot make another wait
// behind them (a second client's request starts when the next slot frees,
// within one compile time).

export class BusyError extends Error {
  override name = 'BusyError';
}

export class FairSlots {
  private running = 0;
  private queued = 0;
  /** waiting requests per client, clients in the order they started waiting */
  private readonly queues = new Map<string, (() => void)[]>();
  /** when each client last got a slot (a counter); never: served first */
  private readonly lastStart = new Map<string, number>();
  private starts = 0;

  constructor(readonly workers: number, readonly queueMax: number) {}

  get active(): number {
    return this.running;
  }

  get waiting(): number {
    return this.queued;
  }

  /** Resolves with the slot's release once the client's turn comes; throws BusyError when the queue is full. */
  async acquire(client: string): Promise<() => void> {
    if (this.running >= this.workers) {
      if (this.queued >= this.queueMax) throw new BusyError(`the service is busy (${this.running} compiling, ${this.queued} waiting); retry later`);
      await new Promise<void>((resolve) => {
        let q = this.queues.get(client);
        if (!q) this.queues.set(client, (q = []));
        q.push(resolve);
        this.queued++;
      });
    } else {
      this.running++;
      this.lastStart.set(client, ++this.starts);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.handOn();
    };
  }

  /** A slot freed: to the waiting client served least recently. */
  private handOn(): void {
    let client: string | undefined;
    for (const c of this.queues.keys()) {
      if (client === undefined || (this.lastStart.get(c) ?? 0) < (this.lastStart.get(client) ?? 0)) client = c;
    }
    if (client === undefined) {
      this.running--;
      return;
    }
    const q = this.queues.get(client)!;
    const next = q.shift()!;
    if (!q.length) this.queues.delete(client);
    this.queued--;
    // a long-running service meets many addresses: only the waiting ones' turns matter much
    if (this.lastStart.size > 4096) for (const c of this.lastStart.keys()) if (!this.queues.has(c)) this.lastStart.delete(c);
    // the slot passes on (running stays); mark the start now, so a second
    // release before this waiter runs does not pick the same client again
    this.lastStart.set(client, ++this.starts);
    next();
  }
}
