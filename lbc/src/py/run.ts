// How a translated program runs: its module code is one async function, so
// the calls that block in Python (sleep, polling a buffer, reading a pipe)
// wait without stopping the event loop the BPF side needs. Signals arrive as
// Python delivers them: SIGINT is a KeyboardInterrupt raised where the program
// waits, a handler from signal.signal() runs there instead, and an exception
// the handler raises (sys.exit) comes out of that wait.
import { excMessage, excName, fromNodeError, KeyboardInterrupt, SystemExit } from './exc.js';
import { str } from './core.js';
import { writeFd } from './builtins.js';

type Handler = ((signum: number, frame: null) => unknown) | number;

export const SIG_DFL = 0;
export const SIG_IGN = 1;
const SIGNALS: Record<number, NodeJS.Signals> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 10: 'SIGUSR1', 12: 'SIGUSR2', 14: 'SIGALRM', 15: 'SIGTERM', 17: 'SIGCHLD', 28: 'SIGWINCH' };
/** signal.default_int_handler: what SIGINT does until a program says otherwise */
export function defaultIntHandler(): never {
  throw new KeyboardInterrupt();
}
const handlers = new Map<number, Handler>([[2, defaultIntHandler]]);
const listening = new Map<number, () => void>();

/** The wait the program is in, if any: a signal's exception is thrown out of it */
let waiting: ((e: unknown) => void) | null = null;
/** An exception a signal raised while nothing waited: the next wait throws it */
let pendingRaise: unknown = null;

function raise(e: unknown): void {
  if (waiting) waiting(e);
  else pendingRaise ??= e;
}

async function deliver(signum: number): Promise<void> {
  const h = handlers.get(signum) ?? SIG_DFL;
  if (h === SIG_IGN) return;
  if (h === SIG_DFL) {
    // what the signal does by default: end the process as it would have
    stopListening(signum);
    process.kill(process.pid, SIGNALS[signum]!);
    return;
  }
  try {
    await (h as (s: number, f: null) => unknown)(signum, null);
  } catch (e) {
    raise(e);
  }
}

function listen(signum: number): void {
  if (listening.has(signum) || !SIGNALS[signum]) return;
  const f = (): void => void deliver(signum);
  process.on(SIGNALS[signum]!, f);
  listening.set(signum, f);
}
function stopListening(signum: number): void {
  const f = listening.get(signum);
  if (f) process.off(SIGNALS[signum]!, f);
  listening.delete(signum);
}

/** signal.signal(signum, handler): the previous handler */
export function setSignal(signum: number, handler: Handler): Handler {
  const prev = handlers.get(signum) ?? SIG_DFL;
  handlers.set(signum, handler);
  if (handler === SIG_DFL) stopListening(signum);
  else listen(signum);
  return prev;
}
export const getSignal = (signum: number): Handler => handlers.get(signum) ?? SIG_DFL;

const firstWait: (() => void)[] = [];
/** Run f once, when the program next waits (what a tool has attached by then is attached). */
export function onNextWait(f: () => void): void {
  firstWait.push(f);
}

/**
 * Wait as Python blocks: until `start` resolves, or a signal's exception
 * comes. `start` returns how to cancel what it started.
 */
export function blocking<T>(start: (done: (v: T) => void, fail: (e: unknown) => void) => () => void): Promise<T> {
  if (pendingRaise) {
    const e = pendingRaise;
    pendingRaise = null;
    return Promise.reject(e);
  }
  for (const f of firstWait.splice(0)) f();
  return new Promise<T>((resolve, reject) => {
    let cancel = (): void => {};
    const finish = (): void => {
      waiting = null;
      cancel();
    };
    waiting = (e) => {
      finish();
      reject(e);
    };
    cancel = start((v) => { finish(); resolve(v); }, (e) => { finish(); reject(e); });
  });
}

/** Raise here what a signal raised while the program was busy (between waits). */
export function checkSignals(): void {
  if (pendingRaise) {
    const e = pendingRaise;
    pendingRaise = null;
    throw e;
  }
}

/** time.sleep(seconds) */
export function sleep(seconds: number | bigint): Promise<void> {
  // setTimeout holds at most 2^31-1 ms (~24.8 days); tools sleep(99999999) to mean "until Ctrl-C"
  const MAX = 2 ** 31 - 1;
  return blocking((done) => {
    let left = Math.max(0, Number(seconds) * 1000);
    let t: NodeJS.Timeout;
    const step = (): void => {
      const ms = Math.min(left, MAX);
      left -= ms;
      t = setTimeout(() => (left > 0 ? step() : done(undefined)), ms);
    };
    step();
    return () => clearTimeout(t);
  });
}

/** signal.pause(): until a signal's handler has run */
export function pause(): Promise<void> {
  return blocking((done) => {
    const keep = setInterval(() => {}, 1 << 30);
    const fs = [...listening.keys()].map((s) => {
      const f = (): void => void setImmediate(() => done(undefined));
      process.once(SIGNALS[s]!, f);
      return [s, f] as const;
    });
    return () => {
      clearInterval(keep);
      for (const [s, f] of fs) process.off(SIGNALS[s]!, f);
    };
  });
}

const exitHandlers: (() => unknown)[] = [];
/** atexit.register(f, *args): also a decorator */
export function atexitRegister<F extends (...a: any[]) => unknown>(f: F, ...args: unknown[]): F {
  exitHandlers.push(() => f(...args));
  return f;
}

async function runExitHandlers(): Promise<void> {
  while (exitHandlers.length) {
    try {
      await exitHandlers.pop()!();
    } catch (e) {
      report(e);
    }
  }
}

/**
 * What escaped the program: its name and message, as Python's last traceback
 * line says them, after the tool's name (a plain Exception, which is what
 * BCC raises for a refused load or attach, by its message alone).
 * LCC_PY_TRACE=1 adds the JavaScript stack.
 */
function report(e: unknown): void {
  const err = fromNodeError(e);
  const name = excName(err);
  const msg = excMessage(err);
  const tool = process.argv[1] ? process.argv[1].replace(/^.*\//, '').replace(/\.([cm]?js|[cm]?ts)$/, '') : 'python';
  writeFd(2, `${process.env.LCC_PY_TRACE ? `${(err as Error).stack ?? ''}\n` : ''}${tool}: ${name === 'Exception' && msg ? msg : `${name}${msg ? `: ${msg}` : ''}`}\n`);
}

/** The exit status SystemExit(code) stands for, printing a message code as Python does. */
function exitStatus(e: SystemExit): number {
  const code = e.code;
  if (code === null || code === undefined) return 0;
  if (typeof code === 'number' || typeof code === 'bigint') return Number(code) & 0xff;
  if (typeof code === 'boolean') return code ? 1 : 0;
  writeFd(2, `${str(code)}\n`);
  return 1;
}

/**
 * Run a translated program's module code; the process ends when it does,
 * as a Python program's does, whatever handles the BPF side keeps open.
 */
export function run(main: () => unknown): void {
  listen(2);
  void (async () => {
    let status = 0;
    try {
      await main();
    } catch (e) {
      if (e instanceof SystemExit) status = exitStatus(e);
      else if (e instanceof KeyboardInterrupt) {
        writeFd(2, 'KeyboardInterrupt\n');
        status = 130;
      } else {
        report(e);
        status = 1;
      }
    }
    try {
      await runExitHandlers();
    } catch (e) {
      if (e instanceof SystemExit) status = exitStatus(e);
    }
    process.exit(status);
  })();
}
