// The standard library modules BCC tools import, as objects with Python's
// names: `import time` is the `time` here, `from os import getpid` reads
// getpid off `os`. What blocks in Python (sleep) returns a promise the
// translation awaits. argparse is the npm port of Python's own.
import * as fs from 'node:fs';
import * as nodeOs from 'node:os';
import * as nodePath from 'node:path';
import * as tty from 'node:tty';
import { spawn, spawnSync } from 'node:child_process';
import * as argparseLib from 'argparse';
import { int, isKwargs, repr, splitKw, str, tuple, type Int } from './core.js';
import { Counter, DefaultDict, PyDict, PySet } from './dict.js';
import { excMessage, excName, FileNotFoundError, IndexError, fromNodeError, KeyError, lastCaught, OSError, PyTypeError, ValueError, KeyboardInterrupt } from './exc.js';
import { exit, float, int_, iter, stdoutState, writeFd, type Writable } from './builtins.js';
import { atexitRegister, blocking, defaultIntHandler, getSignal, pause, setSignal, sleep, SIG_DFL, SIG_IGN } from './run.js';
import { formatValue } from './format.js';
import { inetNtop } from '../format.js';


// ---------------------------------------------------------------------------
// sys

class Stream implements Writable {
  closed = false;
  constructor(private readonly fd: number) {}
  write(s: unknown): number {
    if (this.closed) throw new ValueError('I/O operation on closed file.');
    const text = typeof s === 'string' ? s : s instanceof Uint8Array ? s : str(s);
    writeFd(this.fd, text);
    return text.length;
  }
  flush(): void {}
  /** (net_monitor closes sys.stdout on Ctrl-C): what is written after is refused, as Python refuses it; the fd stays for Node's own */
  close(): void {
    this.closed = true;
    if (this.fd === 1) stdoutState.closed = true;
  }
  fileno(): number {
    return this.fd;
  }
  isatty(): boolean {
    return tty.isatty(this.fd);
  }
  get buffer(): Stream {
    return this;
  }
}

class Stdin {
  readline(): string {
    // one line, read a byte at a time so nothing past it is taken from the pipe
    const b = Buffer.alloc(1);
    let line = '';
    for (;;) {
      let n = 0;
      try {
        n = fs.readSync(0, b, 0, 1, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw fromNodeError(e);
      }
      if (!n) return line;
      line += b.toString('latin1');
      if (b[0] === 10) return Buffer.from(line, 'latin1').toString();
    }
  }
  read(): string {
    return fs.readFileSync(0, 'utf8');
  }
  fileno(): number {
    return 0;
  }
}

export const sys = {
  /** sys.argv: the tool's name (set by the translated program) and its arguments */
  argv: [nodePath.basename(process.argv[1] ?? 'tool').replace(/\.([cm]?js|[cm]?ts)$/, ''), ...process.argv.slice(2)] as string[],
  stdout: new Stream(1),
  stderr: new Stream(2),
  stdin: new Stdin(),
  exit,
  maxsize: 9223372036854775807n,
  platform: 'linux',
  version_info: tuple(3, 11, 0, 'final', 0),
  version: '3.11.0 (lcc translation)',
  byteorder: nodeOs.endianness() === 'LE' ? 'little' : 'big',
  path: [] as string[],
  modules: {} as Record<string, unknown>,
  /** (type, value, traceback) of the exception being handled; a translation has no traceback object */
  exc_info: (): unknown => {
    const e = lastCaught();
    return e === null || e === undefined ? tuple(null, null, null) : tuple((e as object).constructor, e, null);
  },
  getrecursionlimit: (): number => 1000,
  setrecursionlimit: (): void => {},
};

// ---------------------------------------------------------------------------
// os

function environ(): PyDict<string, string> {
  const d = new PyDict<string, string>(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  const set = d.__setitem__.bind(d);
  d.__setitem__ = (k, v) => {
    process.env[k] = v;
    set(k, v);
  };
  return d;
}
const fsCall = <T>(f: () => T): T => {
  try {
    return f();
  } catch (e) {
    throw fromNodeError(e);
  }
};
const path = {
  exists: (p: string): boolean => fs.existsSync(p),
  isfile: (p: string): boolean => fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false,
  isdir: (p: string): boolean => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false,
  islink: (p: string): boolean => fs.lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink() ?? false,
  join: (...p: string[]): string => p.reduce((a, b) => (b.startsWith('/') ? b : a === '' || a.endsWith('/') ? a + b : `${a}/${b}`), ''),
  basename: (p: string): string => p.slice(p.lastIndexOf('/') + 1),
  dirname: (p: string): string => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')).replace(/(.)\/+$/, '$1') || '/' : ''),
  abspath: (p: string): string => nodePath.resolve(p),
  realpath: (p: string): string => { try { return fs.realpathSync(p); } catch { return nodePath.resolve(p); } },
  getsize: (p: string): number => fsCall(() => fs.statSync(p).size),
  splitext: (p: string): readonly string[] => { const m = /^(.*?)(\.[^./]*)?$/.exec(p)!; return m[2] && m[1] && !m[1].endsWith('/') ? tuple(m[1], m[2]) : tuple(p, ''); },
  split: (p: string): readonly string[] => tuple(path.dirname(p), path.basename(p)),
  expanduser: (p: string): string => p.replace(/^~(?=\/|$)/, nodeOs.homedir()),
  sep: '/',
};
/** os.stat()'s result: Python's st_* names over Node's Stats, and its tuple's items (os.lstat(p)[stat.ST_INO]) */
function statResult(s: fs.Stats) {
  // the tuple's times are whole seconds, as Python's are
  const items = [s.mode, s.ino, s.dev, s.nlink, s.uid, s.gid, s.size, Math.floor(s.atimeMs / 1000), Math.floor(s.mtimeMs / 1000), Math.floor(s.ctimeMs / 1000)];
  return Object.assign(s, {
    st_mode: s.mode, st_ino: s.ino, st_dev: s.dev, st_nlink: s.nlink, st_uid: s.uid, st_gid: s.gid, st_size: s.size, st_rdev: s.rdev,
    st_atime: s.atimeMs / 1000, st_mtime: s.mtimeMs / 1000, st_ctime: s.ctimeMs / 1000,
    __getitem__: (i: Int): number => items[Number(i) < 0 ? items.length + Number(i) : Number(i)] ?? (() => { throw new IndexError('tuple index out of range'); })(),
    __len__: (): number => items.length,
  });
}
export const os = {
  // sysexits.h, as Python's os has them (exitsnoop returns os.EX_SOFTWARE)
  EX_OK: 0, EX_USAGE: 64, EX_DATAERR: 65, EX_NOINPUT: 66, EX_NOUSER: 67, EX_NOHOST: 68, EX_UNAVAILABLE: 69, EX_SOFTWARE: 70,
  EX_OSERR: 71, EX_OSFILE: 72, EX_CANTCREAT: 73, EX_IOERR: 74, EX_TEMPFAIL: 75, EX_PROTOCOL: 76, EX_NOPERM: 77, EX_CONFIG: 78,
  path,
  sep: '/',
  linesep: '\n',
  devnull: '/dev/null',
  environ: environ(),
  getenv: (k: string, d: string | null = null): string | null => process.env[k] ?? d,
  getpid: (): number => process.pid,
  getppid: (): number => process.ppid,
  getuid: (): number => process.getuid!(),
  geteuid: (): number => process.geteuid!(),
  getgid: (): number => process.getgid!(),
  kill: (pid: Int, sig: Int): void => fsCall(() => void process.kill(Number(pid), Number(sig))),
  listdir: (p = '.'): string[] => fsCall(() => fs.readdirSync(p)),
  readlink: (p: string): string => fsCall(() => fs.readlinkSync(p)),
  stat: (p: string) => fsCall(() => statResult(fs.statSync(p))),
  lstat: (p: string) => fsCall(() => statResult(fs.lstatSync(p))),
  // glibc's dev_t: 12 bits of major and 20 of minor, split across the word
  major: (dev: Int): number => Number(((BigInt(dev) >> 8n) & 0xfffn) | ((BigInt(dev) >> 32n) & ~0xfffn)),
  minor: (dev: Int): number => Number((BigInt(dev) & 0xffn) | ((BigInt(dev) >> 12n) & ~0xffn)),
  makedev: (major: Int, minor: Int): number => {
    const [ma, mi] = [BigInt(major), BigInt(minor)];
    return Number(((ma & 0xfffn) << 8n) | ((ma & ~0xfffn) << 32n) | (mi & 0xffn) | ((mi & ~0xffn) << 12n));
  },
  // file descriptors, as Python's os works with them (sockmap opens a cgroup directory to attach to)
  open: (p: string, flags: Int, mode: Int = 0o777): number => fsCall(() => fs.openSync(p, Number(flags), Number(mode))),
  close: (fd: Int): void => fsCall(() => fs.closeSync(Number(fd))),
  // (runqlen closes 2, opens a file in its place, and dups the old stderr back)
  dup: (fd: Int): number => kernelFds().dup(Number(fd)),
  unlink: (p: string): void => fsCall(() => fs.unlinkSync(p)),
  rename: (from: string, to: string): void => fsCall(() => fs.renameSync(from, to)),
  remove: (p: string): void => fsCall(() => fs.unlinkSync(p)),
  // exist_ok or not: an existing directory is no error here (mkdirSync recursive)
  makedirs: (p: string): void => fsCall(() => void fs.mkdirSync(p, { recursive: true })),
  mkdir: (p: string): void => fsCall(() => fs.mkdirSync(p)),
  access: (p: string, mode: number): boolean => { try { fs.accessSync(p, mode); return true; } catch { return false; } },
  F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1,
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2,
  cpu_count: (): number => nodeOs.availableParallelism(),
  uname: () => { const u = { sysname: nodeOs.type(), nodename: nodeOs.hostname(), release: nodeOs.release(), version: nodeOs.version(), machine: nodeOs.machine() }; return Object.assign(tuple(u.sysname, u.nodename, u.release, u.version, u.machine), u); },
  strerror: (n: Int): string => STRERROR[Number(n)] ?? `Unknown error ${n}`,
  getcwd: (): string => process.cwd(),
  chdir: (p: string): void => fsCall(() => process.chdir(p)),
  system: (cmd: string): number => (spawnSync('/bin/sh', ['-c', cmd], { stdio: 'inherit' }).status ?? 1) << 8,
  _exit: (code: number): never => process.exit(code),
  // read(fd, n): waits until the fd has something, off the event loop, so that Ctrl-C still reaches the
  // tool (http-parse's loop over its packet socket); a non-blocking fd with nothing is EAGAIN, as in Python
  read: (fd: Int, n: Int): Promise<Buffer> => blocking<Buffer>((done, fail) => {
    const now = (): void => {
      try {
        const buf = Buffer.alloc(Number(n));
        done(buf.subarray(0, fs.readSync(Number(fd), buf, 0, buf.length, null)));
      } catch (e) {
        fail(fromNodeError(e));
      }
    };
    if (fdIo) return fdIo.whenReadable(Number(fd), now);
    now();
    return () => {};
  }),
  walk: function* (top: string): Generator<readonly unknown[]> {
    let entries: fs.Dirent[];
    try { entries = fs.readdirSync(top, { withFileTypes: true }); } catch { return; }
    const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
    yield tuple(top, dirs, entries.filter((e) => !e.isDirectory()).map((e) => e.name));
    for (const d of dirs) yield* os.walk(path.join(top, d));
  },
};

// ---------------------------------------------------------------------------
// errno

const ERRNO: Record<string, number> = { EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9, ECHILD: 10, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25, EFBIG: 27, ENOSPC: 28, ESPIPE: 29, EROFS: 30, EMLINK: 31, EPIPE: 32, EDOM: 33, ERANGE: 34, EDEADLK: 35, ENAMETOOLONG: 36, ENOLCK: 37, ENOSYS: 38, ENOTEMPTY: 39, ELOOP: 40, ENOMSG: 42, ENODATA: 61, ETIME: 62, EPROTO: 71, EOVERFLOW: 75, EBADFD: 77, EILSEQ: 84, ENOTSOCK: 88, EMSGSIZE: 90, EPROTOTYPE: 91, ENOPROTOOPT: 92, EPROTONOSUPPORT: 93, EOPNOTSUPP: 95, EAFNOSUPPORT: 97, EADDRINUSE: 98, EADDRNOTAVAIL: 99, ENETDOWN: 100, ENETUNREACH: 101, ECONNABORTED: 103, ECONNRESET: 104, ENOBUFS: 105, EISCONN: 106, ENOTCONN: 107, ETIMEDOUT: 110, ECONNREFUSED: 111, EHOSTUNREACH: 113, EALREADY: 114, EINPROGRESS: 115, ECANCELED: 125 };
const STRERROR: Record<number, string> = { 1: 'Operation not permitted', 2: 'No such file or directory', 3: 'No such process', 4: 'Interrupted system call', 5: 'Input/output error', 9: 'Bad file descriptor', 11: 'Resource temporarily unavailable', 12: 'Cannot allocate memory', 13: 'Permission denied', 14: 'Bad address', 16: 'Device or resource busy', 17: 'File exists', 19: 'No such device', 20: 'Not a directory', 21: 'Is a directory', 22: 'Invalid argument', 24: 'Too many open files', 28: 'No space left on device', 32: 'Broken pipe', 34: 'Numerical result out of range', 38: 'Function not implemented', 95: 'Operation not supported', 110: 'Connection timed out', 111: 'Connection refused' };
export const errno = { ...ERRNO, errorcode: new PyDict(Object.entries(ERRNO).map(([k, v]) => [v, k] as const)) };

// ---------------------------------------------------------------------------
// time, datetime

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** strftime's directives, for a local Date and its microseconds */
export function strftime(fmt: string, d: Date, micro = d.getMilliseconds() * 1000): string {
  const yday = Math.floor((Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) - Date.UTC(d.getFullYear(), 0, 1)) / 86400000) + 1;
  return fmt.replace(/%([a-zA-Z%])/g, (m, c: string) => {
    switch (c) {
      case 'H': return pad(d.getHours());
      case 'I': return pad(d.getHours() % 12 || 12);
      case 'M': return pad(d.getMinutes());
      case 'S': return pad(d.getSeconds());
      case 'f': return pad(micro, 6);
      case 'p': return d.getHours() < 12 ? 'AM' : 'PM';
      case 'Y': return String(d.getFullYear());
      case 'y': return pad(d.getFullYear() % 100);
      case 'm': return pad(d.getMonth() + 1);
      case 'd': return pad(d.getDate());
      case 'e': return String(d.getDate()).padStart(2);
      case 'j': return pad(yday, 3);
      case 'a': return DAYS[d.getDay()]!.slice(0, 3);
      case 'A': return DAYS[d.getDay()]!;
      case 'b': case 'h': return MONTHS[d.getMonth()]!.slice(0, 3);
      case 'B': return MONTHS[d.getMonth()]!;
      case 'w': return String(d.getDay());
      case 'Z': return Intl.DateTimeFormat('en', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? 'UTC';
      case 'z': { const o = -d.getTimezoneOffset(); return `${o < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(o) / 60))}${pad(Math.abs(o) % 60)}`; }
      case 's': return String(Math.floor(d.getTime() / 1000));
      case 'T': return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
      case 'D': return `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${pad(d.getFullYear() % 100)}`;
      case 'F': return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
      case 'R': return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
      case 'c': return `${DAYS[d.getDay()]!.slice(0, 3)} ${MONTHS[d.getMonth()]!.slice(0, 3)} ${String(d.getDate()).padStart(2)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getFullYear()}`;
      case 'x': return `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${pad(d.getFullYear() % 100)}`;
      case 'X': return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
      case '%': return '%';
      default: return m;
    }
  });
}

/** time.struct_time as far as tools read it */
function structTime(d: Date): readonly number[] & { tm_year: number; tm_mon: number; tm_mday: number; tm_hour: number; tm_min: number; tm_sec: number; __date: Date } {
  const t = [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), (d.getDay() + 6) % 7, 0, -1];
  return Object.freeze(Object.assign(t, { tm_year: t[0]!, tm_mon: t[1]!, tm_mday: t[2]!, tm_hour: t[3]!, tm_min: t[4]!, tm_sec: t[5]!, __date: d }));
}
const monotonicNs = (): bigint => process.hrtime.bigint();
export const time = {
  sleep,
  time: (): number => Date.now() / 1000,
  time_ns: (): Int => int(BigInt(Date.now()) * 1000000n),
  monotonic: (): number => Number(monotonicNs()) / 1e9,
  monotonic_ns: (): Int => int(monotonicNs()),
  perf_counter: (): number => Number(monotonicNs()) / 1e9,
  perf_counter_ns: (): Int => int(monotonicNs()),
  process_time: (): number => process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  strftime: (fmt: string, t?: { __date: Date }): string => strftime(fmt, t?.__date ?? new Date()),
  localtime: (secs?: number | null): ReturnType<typeof structTime> => structTime(secs === undefined || secs === null ? new Date() : new Date(Number(secs) * 1000)),
  gmtime: (secs?: number | null): ReturnType<typeof structTime> => { const d = secs === undefined || secs === null ? new Date() : new Date(Number(secs) * 1000); return structTime(new Date(d.getTime() + d.getTimezoneOffset() * 60000)); },
  ctime: (secs?: number | null): string => strftime('%c', secs === undefined || secs === null ? new Date() : new Date(Number(secs) * 1000)),
  asctime: (t?: { __date: Date }): string => strftime('%c', t?.__date ?? new Date()),
  mktime: (t: { __date: Date }): number => t.__date.getTime() / 1000,
  CLOCK_MONOTONIC: 1,
  CLOCK_REALTIME: 0,
  CLOCK_BOOTTIME: 7,
  clock_gettime: (clk: number): number => Number(clock(clk)) / 1e9,
  clock_gettime_ns: (clk: number): Int => int(clock(clk)),
};
/** CLOCK_MONOTONIC is what bpf_ktime_get_ns counts: process.hrtime is it */
function clock(clk: number): bigint {
  if (clk === 0) return BigInt(Date.now()) * 1000000n;
  if (clk === 7) return BigInt(Math.round(Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1e9));
  return monotonicNs();
}

class TimeDelta {
  constructor(readonly days = 0, readonly seconds = 0, readonly microseconds = 0) {}
  static of(...a: unknown[]): TimeDelta {
    const [p, kw] = splitKw(a);
    const us = (Number(p[0] ?? kw.days ?? 0) * 86400 + Number(p[1] ?? kw.seconds ?? 0)) * 1e6 + Number(p[2] ?? kw.microseconds ?? 0) + Number(kw.milliseconds ?? 0) * 1000 + Number(kw.minutes ?? 0) * 6e7 + Number(kw.hours ?? 0) * 3.6e9 + Number(kw.weeks ?? 0) * 6.048e11;
    return TimeDelta.fromMicro(us);
  }
  static fromMicro(us: number): TimeDelta {
    const days = Math.floor(us / 8.64e10);
    const rest = us - days * 8.64e10;
    return new TimeDelta(days, Math.floor(rest / 1e6), Math.round(rest % 1e6));
  }
  total_seconds(): number {
    return this.days * 86400 + this.seconds + this.microseconds / 1e6;
  }
  __str__(): string {
    const h = Math.floor(this.seconds / 3600);
    const s = `${h}:${pad(Math.floor((this.seconds % 3600) / 60))}:${pad(this.seconds % 60)}${this.microseconds ? `.${pad(this.microseconds, 6)}` : ''}`;
    return this.days ? `${this.days} day${Math.abs(this.days) === 1 ? '' : 's'}, ${s}` : s;
  }
}
class DateTime {
  constructor(readonly d: Date, readonly microsecond: number) {}
  static now(): DateTime {
    const ms = Date.now();
    const us = Number(process.hrtime.bigint() / 1000n % 1000n);
    return new DateTime(new Date(ms), (ms % 1000) * 1000 + us);
  }
  static fromtimestamp(t: number): DateTime {
    return new DateTime(new Date(Math.floor(Number(t) * 1000)), Math.round((Number(t) * 1e6) % 1e6));
  }
  static today(): DateTime {
    return DateTime.now();
  }
  get year(): number { return this.d.getFullYear(); }
  get month(): number { return this.d.getMonth() + 1; }
  get day(): number { return this.d.getDate(); }
  get hour(): number { return this.d.getHours(); }
  get minute(): number { return this.d.getMinutes(); }
  get second(): number { return this.d.getSeconds(); }
  strftime(fmt: string): string {
    return strftime(fmt, this.d, this.microsecond);
  }
  timestamp(): number {
    return Math.floor(this.d.getTime() / 1000) + this.microsecond / 1e6;
  }
  isoformat(sep = 'T'): string {
    return strftime(`%Y-%m-%d${sep}%H:%M:%S`, this.d) + (this.microsecond ? `.${pad(this.microsecond, 6)}` : '');
  }
  __str__(): string {
    return this.isoformat(' ');
  }
  __sub__(o: DateTime): TimeDelta {
    return TimeDelta.fromMicro(this.timestamp() * 1e6 - o.timestamp() * 1e6);
  }
  __add__(t: TimeDelta): DateTime {
    return DateTime.fromtimestamp(this.timestamp() + t.total_seconds());
  }
  __format__(spec: string): string {
    return spec ? this.strftime(spec) : this.__str__();
  }
}
const datetimeClass = Object.assign((...a: number[]) => new DateTime(new Date(a[0]!, (a[1] ?? 1) - 1, a[2] ?? 1, a[3] ?? 0, a[4] ?? 0, a[5] ?? 0), a[6] ?? 0), {
  now: DateTime.now, fromtimestamp: DateTime.fromtimestamp, today: DateTime.today,
});
export const datetime = { datetime: datetimeClass, timedelta: TimeDelta.of, now: DateTime.now };

// ---------------------------------------------------------------------------
// signal, atexit

// Linux's signal numbers, in the order Python's signal module lists them (signal.__dict__: exitsnoop names
// signals by walking it, and of two names for one number the later wins)
const SIGNALS = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGIOT: 6, SIGABRT: 6, SIGFPE: 8, SIGKILL: 9, SIGBUS: 7, SIGSEGV: 11, SIGSYS: 31,
  SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGUSR1: 10, SIGUSR2: 12, SIGCLD: 17, SIGCHLD: 17, SIGPWR: 30, SIGIO: 29, SIGURG: 23, SIGWINCH: 28,
  SIGPOLL: 29, SIGSTOP: 19, SIGTSTP: 20, SIGCONT: 18, SIGTTIN: 21, SIGTTOU: 22, SIGVTALRM: 26, SIGPROF: 27, SIGXCPU: 24, SIGXFSZ: 25,
  SIGRTMIN: 34, SIGRTMAX: 64, SIGSTKFLT: 16,
};
export const signal: Record<string, any> = {
  ...SIGNALS,
  SIG_DFL, SIG_IGN,
  signal: setSignal,
  getsignal: getSignal,
  default_int_handler: defaultIntHandler,
  pause,
  alarm: (secs: number): number => {
    setTimeout(() => process.kill(process.pid, 'SIGALRM'), Number(secs) * 1000).unref();
    return 0;
  },
};
signal['__dict__'] = new PyDict(Object.entries(signal));
export const atexit = { register: atexitRegister };

// ---------------------------------------------------------------------------
// collections, itertools, functools

/** collections.namedtuple(name, fields): a class whose instances are tuples with named fields */
function namedtuple(name: string, fields: string | string[]): (...a: unknown[]) => readonly unknown[] {
  const names = typeof fields === 'string' ? fields.replace(/,/g, ' ').split(/\s+/).filter(Boolean) : fields;
  const make = (...a: unknown[]): readonly unknown[] => {
    const [p, kw] = splitKw(a);
    const vals = names.map((n, i) => (i < p.length ? p[i] : kw[n]));
    const t = Object.assign([...vals], Object.fromEntries(names.map((n, i) => [n, vals[i]])), {
      __repr__: () => `${name}(${names.map((n, i) => `${n}=${repr(vals[i])}`).join(', ')})`,
      _asdict: () => new PyDict(names.map((n, i) => [n, vals[i]] as const)),
    });
    return Object.freeze(t);
  };
  return Object.defineProperty(make, 'name', { value: name });
}
export const collections = {
  defaultdict: (factory: (() => unknown) | null = null, init?: unknown) => new DefaultDict(factory, init as never),
  OrderedDict: (init?: unknown) => new PyDict(init as never),
  Counter: (init?: Iterable<unknown>) => new Counter(init ? iter(init) : undefined),
  namedtuple,
  deque: (init?: Iterable<unknown>, maxlen?: number | null) => {
    const d = init ? Array.from(iter(init)) : [];
    return Object.assign(d, {
      appendleft: (v: unknown) => { d.unshift(v); if (maxlen && d.length > maxlen) d.pop(); },
      popleft: () => d.shift(),
    });
  },
};
export const itertools = {
  count: function* (start = 0, step = 1) { for (let i = start; ; i += step) yield i; },
  chain: (...its: Iterable<unknown>[]) => its.flatMap((i) => Array.from(iter(i))),
  islice: (it: Iterable<unknown>, a: number, b?: number) => (b === undefined ? Array.from(iter(it)).slice(0, a) : Array.from(iter(it)).slice(a, b)),
  groupby: (it: Iterable<unknown>, key: (v: unknown) => unknown = (v) => v) => {
    const out: (readonly unknown[])[] = [];
    for (const v of iter(it)) {
      const k = key(v);
      const last = out[out.length - 1];
      if (last && last[0] === k) (last[1] as unknown[]).push(v);
      else out.push(tuple(k, [v]));
    }
    return out;
  },
  product: (...its: Iterable<unknown>[]) => its.map((i) => Array.from(iter(i))).reduce<unknown[][]>((acc, l) => acc.flatMap((a) => l.map((v) => [...a, v])), [[]]).map((t) => tuple(...t)),
  repeat: (v: unknown, n?: number) => Array.from({ length: n ?? 0 }, () => v),
  /** zip_longest(*its, fillvalue=None): tuples to the longest, the short ones filled */
  zip_longest: (...args: unknown[]) => {
    const [its, kw] = splitKw(args);
    // one pass over iterators, not lists: zip_longest(*(it,) * 4) takes four at a time from one iterator
    const iters = its.map((i) => iter(i as Iterable<unknown>)[Symbol.iterator]());
    const fill = kw.fillvalue ?? null;
    const out: unknown[] = [];
    for (;;) {
      let live = 0;
      const row = iters.map((it) => {
        const r = it.next();
        if (r.done) return fill;
        live++;
        return r.value;
      });
      if (!live) return out;
      out.push(tuple(...row));
    }
  },
};
export const functools = {
  reduce: (f: (a: unknown, b: unknown) => unknown, it: Iterable<unknown>, ...init: unknown[]) => {
    const l = Array.from(iter(it));
    return init.length ? l.reduce(f, init[0]) : l.reduce(f);
  },
  cmp_to_key: (f: (a: unknown, b: unknown) => number) => (v: unknown) => ({ v, __cmp: f }),
  partial: (f: (...a: unknown[]) => unknown, ...pre: unknown[]) => (...a: unknown[]) => f(...pre, ...a),
  lru_cache: () => <F>(f: F) => f,
};

// ---------------------------------------------------------------------------
// json, textwrap, re, subprocess, multiprocessing, resource, platform, shutil

function toJson(v: unknown, indent: number | null, depth: number, sortKeys: boolean): string {
  const nl = indent === null ? '' : `\n${' '.repeat(indent * (depth + 1))}`;
  const end = indent === null ? '' : `\n${' '.repeat(indent * depth)}`;
  const sep = indent === null ? ', ' : ',';
  if (v === null || v === undefined) return 'null';
  if (v === true || v === false) return String(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : Number.isNaN(v) ? 'NaN' : '-Infinity';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return JSON.stringify(v).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(v)) return v.length ? `[${nl}${v.map((x) => toJson(x, indent, depth + 1, sortKeys)).join(sep + nl)}${end}]` : '[]';
  if (v instanceof PyDict) {
    let items = v.items();
    if (sortKeys) items = items.sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
    return items.length ? `{${nl}${items.map(([k, x]) => `${JSON.stringify(typeof k === 'string' ? k : str(k))}: ${toJson(x, indent, depth + 1, sortKeys)}`).join(sep + nl)}${end}}` : '{}';
  }
  throw new PyTypeError(`Object of type ${(v as object).constructor?.name ?? typeof v} is not JSON serializable`);
}
function fromJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(fromJson);
  if (v && typeof v === 'object') return new PyDict(Object.entries(v).map(([k, x]) => [k, fromJson(x)] as const));
  return v;
}
export const json = {
  dumps: (v: unknown, ...a: unknown[]): string => {
    const [, kw] = splitKw(a);
    return toJson(v, kw.indent === undefined || kw.indent === null ? null : Number(kw.indent), 0, Boolean(kw.sort_keys));
  },
  loads: (s: string | Uint8Array): unknown => {
    try {
      return fromJson(JSON.parse(typeof s === 'string' ? s : Buffer.from(s).toString()));
    } catch (e) {
      throw new ValueError(`Expecting value: ${(e as Error).message}`);
    }
  },
};

function wrapLines(text: string, width: number, initial = '', subsequent = ''): string[] {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let cur = initial;
  let empty = true;
  for (const w of words) {
    if (!empty && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = subsequent + w;
    } else cur += (empty ? '' : ' ') + w;
    empty = false;
  }
  if (!empty) lines.push(cur);
  return lines;
}
export const textwrap = {
  wrap: (text: string, ...a: unknown[]): string[] => { const [p, kw] = splitKw(a); return wrapLines(text, Number(kw.width ?? p[0] ?? 70), String(kw.initial_indent ?? ''), String(kw.subsequent_indent ?? '')); },
  fill: (text: string, ...a: unknown[]): string => textwrap.wrap(text, ...a).join('\n'),
  dedent: (text: string): string => {
    const lines = text.split('\n');
    const ind = Math.min(...lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)![0].length));
    return lines.map((l) => (l.trim() ? l.slice(Number.isFinite(ind) ? ind : 0) : l.replace(/^[ \t]+$/, ''))).join('\n');
  },
  indent: (text: string, prefix: string): string => text.split('\n').map((l) => (l.trim() ? prefix + l : l)).join('\n'),
};

/** Python's regular expressions in JavaScript's syntax: named groups and flags differ */
function jsPattern(p: string | Uint8Array): string {
  const s = typeof p === 'string' ? p : Buffer.from(p).toString('latin1');
  return s.replace(/\(\?P<(\w+)>/g, '(?<$1>').replace(/\(\?P=(\w+)\)/g, '\\k<$1>').replace(/\\Z/g, '$').replace(/\\A/g, '^');
}
class Match {
  constructor(private readonly m: RegExpExecArray) {}
  group(...g: (number | string)[]): unknown {
    const one = (k: number | string): string | null => (typeof k === 'number' ? this.m[k] : this.m.groups?.[k]) ?? null;
    return g.length <= 1 ? one(g[0] ?? 0) : tuple(...g.map(one));
  }
  groups(): readonly (string | null)[] {
    return tuple(...this.m.slice(1).map((x) => x ?? null));
  }
  groupdict(): PyDict {
    return new PyDict(Object.entries(this.m.groups ?? {}).map(([k, v]) => [k, v ?? null] as const));
  }
  start(): number { return this.m.index; }
  end(): number { return this.m.index + this.m[0].length; }
  span(): readonly number[] { return tuple(this.start(), this.end()); }
  __getitem__(k: number | string): unknown { return this.group(k); }
  __bool__(): boolean { return true; }
}
const reFlags = (f: number): string => `${f & 2 ? 'i' : ''}${f & 8 ? 'm' : ''}${f & 16 ? 's' : ''}`;
class Pattern {
  constructor(readonly pattern: string, readonly flags = 0) {}
  private rx(extra = ''): RegExp { return new RegExp(jsPattern(this.pattern), reFlags(this.flags) + extra); }
  match(s: string): Match | null { const m = this.rx('y').exec(s); return m ? new Match(m) : null; }
  fullmatch(s: string): Match | null { const m = new RegExp(`^(?:${jsPattern(this.pattern)})$`, reFlags(this.flags)).exec(s); return m ? new Match(m) : null; }
  search(s: string): Match | null { const m = this.rx().exec(s); return m ? new Match(m) : null; }
  findall(s: string): unknown[] { return [...s.matchAll(this.rx('g'))].map((m) => (m.length === 1 ? m[0] : m.length === 2 ? m[1] ?? '' : tuple(...m.slice(1).map((x) => x ?? '')))); }
  finditer(s: string): Match[] { return [...s.matchAll(this.rx('g'))].map((m) => new Match(m as RegExpExecArray)); }
  sub(repl: string | ((m: Match) => string), s: string, count = 0): string {
    let n = 0;
    return s.replace(this.rx('g'), (...a: unknown[]) => {
      if (count && n >= count) return a[0] as string;
      n++;
      const groups = a.slice(1, a.findIndex((x) => typeof x === 'number'));
      if (typeof repl === 'function') {
        const m = Object.assign([a[0], ...groups], { index: a[a.findIndex((x) => typeof x === 'number')] }) as unknown as RegExpExecArray;
        return repl(new Match(m));
      }
      return repl.replace(/\\(\d+)|\\g<(\w+)>/g, (_x, d?: string, g?: string) => String(groups[Number(d ?? g) - 1] ?? ''));
    });
  }
  split(s: string): string[] { return s.split(this.rx()); }
}
const compile = (p: string | Pattern, flags = 0): Pattern => (p instanceof Pattern ? p : new Pattern(p, flags));
export const re = {
  I: 2, IGNORECASE: 2, M: 8, MULTILINE: 8, S: 16, DOTALL: 16, X: 64, VERBOSE: 64,
  compile,
  match: (p: string, s: string, f = 0) => compile(p, f).match(s),
  fullmatch: (p: string, s: string, f = 0) => compile(p, f).fullmatch(s),
  search: (p: string, s: string, f = 0) => compile(p, f).search(s),
  findall: (p: string, s: string, f = 0) => compile(p, f).findall(s),
  finditer: (p: string, s: string, f = 0) => compile(p, f).finditer(s),
  sub: (p: string, r: string, s: string, count = 0, f = 0) => compile(p, f).sub(r, s, count),
  split: (p: string, s: string, f = 0) => compile(p, f).split(s),
  escape: (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
  error: ValueError,
};

class CalledProcessError extends OSError {}
function runCmd(cmd: unknown, a: unknown[]): { stdout: Buffer; status: number } {
  const [, kw] = splitKw(a);
  const shell = Boolean(kw.shell);
  const argv = typeof cmd === 'string' ? (shell ? ['/bin/sh', '-c', cmd] : [cmd]) : Array.from(iter(cmd)).map(String);
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['inherit', 'pipe', kw.stderr === subprocess.STDOUT ? 'pipe' : kw.stderr === subprocess.DEVNULL ? 'ignore' : 'inherit'] });
  if (r.error) throw new FileNotFoundError(2, `No such file or directory: '${argv[0]}'`);
  const out = kw.stderr === subprocess.STDOUT ? Buffer.concat([r.stdout, r.stderr ?? Buffer.alloc(0)]) : r.stdout;
  return { stdout: out, status: r.status ?? 1 };
}
/** Whether a child has ended (a zombie not yet reaped counts: the event loop may be busy in the tool's code) */
function ended(pid: number): boolean {
  try {
    return / Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ' '));
  } catch {
    return true;
  }
}
/** The directories Popen's PIPE files live in, removed when the tool ends */
const popenDirs = new Set<string>();
/** A pause without the event loop, for a read that must wait as Python's does */
const pauseMs = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * subprocess.Popen: the command started, not waited for. Its stdout or stderr
 * as PIPE is a file the tool reads once the command has ended (read() waits
 * for that, as a pipe's read to its end does); kill(), terminate(), poll(),
 * wait() as Python's.
 */
class Popen {
  readonly pid: number;
  returncode: number | null = null;
  readonly stdout: { read(): Buffer } | null;
  readonly stderr: { read(): Buffer } | null;
  private readonly child: ReturnType<typeof spawn>;
  constructor(cmd: unknown, ...a: unknown[]) {
    const [, kw] = splitKw(a);
    const argv = typeof cmd === 'string' ? (kw.shell ? ['/bin/sh', '-c', cmd] : [cmd]) : Array.from(iter(cmd)).map(String);
    const tmp = fs.mkdtempSync(nodePath.join(nodeOs.tmpdir(), 'lcc-popen-'));
    if (!popenDirs.size) process.once('exit', () => popenDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
    popenDirs.add(tmp);
    const sink = (v: unknown, name: string): number | 'inherit' | 'ignore' => (v === subprocess.PIPE ? fs.openSync(nodePath.join(tmp, name), 'w+') : v === subprocess.DEVNULL ? 'ignore' : 'inherit');
    const out = sink(kw.stdout, 'stdout');
    const err = kw.stderr === subprocess.STDOUT ? out : sink(kw.stderr, 'stderr');
    this.child = spawn(argv[0]!, argv.slice(1), { stdio: ['inherit', out, err] });
    if (this.child.pid === undefined) throw new FileNotFoundError(2, `No such file or directory: '${argv[0]}'`);
    this.pid = this.child.pid;
    this.child.on('exit', (code, sig) => void (this.returncode = code ?? -(nodeOs.constants.signals[sig as NodeJS.Signals] ?? 9)));
    const reader = (fd: number | string): { read(): Buffer } | null => (typeof fd !== 'number' ? null : { read: () => {
      while (!ended(this.pid)) pauseMs(10);
      const b = fs.readFileSync(fd === out ? nodePath.join(tmp, 'stdout') : nodePath.join(tmp, 'stderr'));
      return b;
    } });
    this.stdout = reader(out);
    this.stderr = err === out ? null : reader(err);
    for (const fd of new Set([out, err])) if (typeof fd === 'number') fs.closeSync(fd);
  }
  poll(): number | null {
    return this.returncode;
  }
  wait(): Promise<number> {
    return this.returncode !== null ? Promise.resolve(this.returncode) : blocking<number>((done) => {
      const f = (): void => done(this.returncode ?? 0);
      this.child.once('exit', () => setImmediate(f));
      return () => this.child.off('exit', f);
    });
  }
  kill(): void {
    this.child.kill('SIGKILL');
  }
  terminate(): void {
    this.child.kill('SIGTERM');
  }
}

export const subprocess = {
  PIPE: -1, STDOUT: -2, DEVNULL: -3,
  CalledProcessError,
  Popen: (cmd: unknown, ...a: unknown[]): Popen => new Popen(cmd, ...a),
  check_output: (cmd: unknown, ...a: unknown[]) => {
    const r = runCmd(cmd, a);
    if (r.status) throw new CalledProcessError(r.status, `Command returned non-zero exit status ${r.status}.`);
    const [, kw] = splitKw(a);
    return kw.universal_newlines || kw.text ? r.stdout.toString() : r.stdout;
  },
  call: (cmd: unknown, ...a: unknown[]) => runCmd(cmd, a).status,
  check_call: (cmd: unknown, ...a: unknown[]) => {
    const r = runCmd(cmd, a);
    if (r.status) throw new CalledProcessError(r.status, `Command returned non-zero exit status ${r.status}.`);
    return 0;
  },
};
export const multiprocessing = { cpu_count: (): number => nodeOs.availableParallelism() };
export const resource = {
  RLIMIT_NOFILE: 7, RLIMIT_MEMLOCK: 8, RLIM_INFINITY: -1,
  getrlimit: (): readonly number[] => tuple(-1, -1),
  setrlimit: (): void => {},
  getpagesize: (): number => 4096,
};
export const platform = { machine: (): string => nodeOs.machine(), system: (): string => nodeOs.type(), release: (): string => nodeOs.release(), node: (): string => nodeOs.hostname() };

// ---------------------------------------------------------------------------
// struct, socket (what tools use to print addresses)

const STRUCT: Record<string, [number, string]> = { b: [1, 'Int8'], B: [1, 'Uint8'], h: [2, 'Int16'], H: [2, 'Uint16'], i: [4, 'Int32'], I: [4, 'Uint32'], l: [8, 'BigInt64'], L: [8, 'BigUint64'], q: [8, 'BigInt64'], Q: [8, 'BigUint64'], f: [4, 'Float32'], d: [8, 'Float64'], x: [1, 'pad'], '?': [1, 'Uint8'] };
function structFields(fmt: string): { little: boolean; fields: [string, number][] } {
  const little = !/^[>!]/.test(fmt) && (/^</.test(fmt) || nodeOs.endianness() === 'LE');
  const std = /^[<>!=]/.test(fmt);
  const fields: [string, number][] = [];
  for (const m of fmt.replace(/^[@=<>!]/, '').matchAll(/(\d*)([a-zA-Z?])/g)) fields.push([m[2]!, m[1] ? Number(m[1]) : 1]);
  if (std) for (const f of fields) if (f[0] === 'l' || f[0] === 'L') f[0] = f[0] === 'l' ? 'i' : 'I';
  return { little, fields };
}
export const struct = {
  calcsize: (fmt: string): number => structFields(fmt).fields.reduce((n, [c, k]) => n + (c === 's' ? k : STRUCT[c]![0] * k), 0),
  pack: (fmt: string, ...vals: unknown[]): Uint8Array => {
    const { little, fields } = structFields(fmt);
    const buf = Buffer.alloc(struct.calcsize(fmt));
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
    let off = 0;
    let i = 0;
    for (const [c, k] of fields) {
      if (c === 's') { Buffer.from(vals[i++] as Uint8Array).copy(buf, off, 0, k); off += k; continue; }
      const [size, kind] = STRUCT[c]!;
      for (let j = 0; j < k; j++, off += size) {
        if (kind === 'pad') continue;
        const v = vals[i++];
        const setter = (dv as unknown as Record<string, (o: number, v: unknown, le: boolean) => void>)[`set${kind}`]!;
        setter.call(dv, off, kind.startsWith('Big') ? BigInt.asUintN(64, BigInt(v as number)) : Number(v), little);
      }
    }
    return buf;
  },
  unpack: (fmt: string, data: Uint8Array): readonly unknown[] => {
    const { little, fields } = structFields(fmt);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const out: unknown[] = [];
    let off = 0;
    for (const [c, k] of fields) {
      if (c === 's') { out.push(Buffer.from(data.subarray(off, off + k))); off += k; continue; }
      const [size, kind] = STRUCT[c]!;
      for (let j = 0; j < k; j++, off += size) {
        if (kind === 'pad') continue;
        const v = (dv as unknown as Record<string, (o: number, le: boolean) => number | bigint>)[`get${kind}`]!.call(dv, off, little);
        out.push(typeof v === 'bigint' ? int(v) : c === '?' ? v !== 0 : v);
      }
    }
    return tuple(...out);
  },
};

/** inet_ntop of bytes, or of a field BCC hands as ctypes (unsigned __int128, u64[2], u32): lbc's inetNtop */
const ntop = (family: number, packed: unknown): string => inetNtop(family === 2 ? 4 : 6, packed as Uint8Array);
/** Linux's IP protocol numbers, as Python's socket module exports them (in its __all__'s order) */
const IPPROTO = {
  IPPROTO_AH: 51, IPPROTO_DSTOPTS: 60, IPPROTO_EGP: 8, IPPROTO_ESP: 50, IPPROTO_FRAGMENT: 44, IPPROTO_GRE: 47, IPPROTO_HOPOPTS: 0,
  IPPROTO_ICMP: 1, IPPROTO_ICMPV6: 58, IPPROTO_IDP: 22, IPPROTO_IGMP: 2, IPPROTO_IP: 0, IPPROTO_IPIP: 4, IPPROTO_IPV6: 41,
  IPPROTO_MPTCP: 262, IPPROTO_NONE: 59, IPPROTO_PIM: 103, IPPROTO_PUP: 12, IPPROTO_RAW: 255, IPPROTO_ROUTING: 43, IPPROTO_RSVP: 46,
  IPPROTO_SCTP: 132, IPPROTO_TCP: 6, IPPROTO_TP: 29, IPPROTO_UDP: 17, IPPROTO_UDPLITE: 136,
};
export const socket: Record<string, any> = {
  AF_INET: 2, AF_INET6: 10, AF_UNIX: 1, AF_PACKET: 17, SOCK_STREAM: 1, SOCK_DGRAM: 2, SOCK_RAW: 3, ...IPPROTO,
  inet_ntop: (family: number, packed: unknown): string => ntop(Number(family), packed),
  inet_pton: (family: number, s: string): Uint8Array => {
    if (Number(family) === 2) return Buffer.from(s.split('.').map(Number));
    const [head, tail] = s.split('::') as [string, string?];
    const part = (x: string | undefined): number[] => (x ? x.split(':').map((h) => parseInt(h, 16)) : []);
    const h = part(head);
    const t = part(tail);
    const words = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
    const b = Buffer.alloc(16);
    words.forEach((w, i) => b.writeUInt16BE(w, i * 2));
    return b;
  },
  inet_ntoa: (packed: Uint8Array): string => ntop(2, packed),
  inet_aton: (s: string): Uint8Array => Buffer.from(s.split('.').map(Number)),
  ntohs: (v: number): number => ((v & 0xff) << 8) | ((v >> 8) & 0xff),
  htons: (v: number): number => ((v & 0xff) << 8) | ((v >> 8) & 0xff),
  ntohl: (v: number): number => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0,
  htonl: (v: number): number => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0,
  gethostname: (): string => nodeOs.hostname(),
  error: OSError,
  // a socket object over an fd of the tool's (BCC's attach_raw_socket gives it one): a dup, as Python makes
  fromfd: (fd: Int): PySocket => new PySocket(kernelFds().dup(Number(fd))),
};

/**
 * What fds of the kernel's (a packet socket) need beyond Node: waiting until
 * one is readable, dup, O_NONBLOCK. The BCC API module, which has the FFI,
 * provides it; this runtime stays pure.
 */
export interface KernelFds {
  whenReadable(fd: number, ready: () => void): () => void;
  dup(fd: number): number;
  setBlocking(fd: number, blocking: boolean): void;
}
let fdIo: KernelFds | null = null;
export function provideKernelFds(io: KernelFds): void {
  fdIo = io;
}
function kernelFds(): KernelFds {
  if (!fdIo) throw new OSError(38, 'Function not implemented: a socket from an fd comes with the BCC API (bcc)');
  const io = fdIo;
  // the system's refusal as Python raises it
  const raised = <A extends unknown[], R>(f: (...a: A) => R) => (...a: A): R => {
    try {
      return f(...a);
    } catch (e) {
      const n = (e as { errno?: number }).errno;
      throw n ? new OSError(n, STRERROR[n] ?? `Unknown error ${n}`) : e;
    }
  };
  return { whenReadable: io.whenReadable, dup: raised(io.dup), setBlocking: raised(io.setBlocking) };
}

/** socket.socket as far as tools use one they made from an fd */
export class PySocket {
  constructor(private fd: number) {}
  fileno(): number {
    return this.fd;
  }
  /** the fd's file status is shared with the fd it was made from: that one blocks too (os.read on it waits) */
  setblocking(flag: unknown): void {
    kernelFds().setBlocking(this.fd, Boolean(flag));
  }
  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}
// `from socket import __all__, __dict__` (bindsnoop names protocols by walking them)
socket.__all__ = Object.keys(socket).filter((k) => !k.startsWith('_'));
socket.__dict__ = new PyDict(Object.entries(socket).filter(([k]) => k !== '__dict__'));

// ---------------------------------------------------------------------------
// argparse: the npm port of Python's, with Python's type functions and messages

// the npm port of Python's argparse (CommonJS): bundled with the app, as an import
const ap = argparseLib as unknown as Record<string, any>;
/** a type= function as argparse expects: a ValueError or TypeError is "invalid <name> value" */
function typeFunc(f: unknown): unknown {
  if (typeof f !== 'function') return f;
  const name = f === int_ ? 'int' : f === float ? 'float' : f === str ? 'str' : f.name;
  const w = (s: string): unknown => {
    try {
      return f(s);
    } catch (e) {
      if (e instanceof ap.ArgumentTypeError) throw e;
      if (e instanceof ValueError || e instanceof PyTypeError || e instanceof TypeError) throw new TypeError(String((e as Error).message));
      throw e;
    }
  };
  return Object.defineProperty(w, 'name', { value: name });
}
function fixKw(kw: Record<string, unknown>): Record<string, unknown> {
  const out = { ...kw };
  if ('type' in out) out.type = typeFunc(out.type);
  // Python's None default: absent, so the namespace holds undefined, which reads as None
  if (out.default === null) delete out.default;
  if (out.choices instanceof PySet || out.choices instanceof PyDict) out.choices = [...(out.choices as Iterable<unknown>)];
  return out;
}
function patchAdders(o: any): any {
  const add = o.add_argument.bind(o);
  o.add_argument = (...a: unknown[]) => {
    const [p, kw] = splitKw(a);
    return add(...p, fixKw(kw));
  };
  for (const g of ['add_argument_group', 'add_mutually_exclusive_group']) {
    const make = o[g]?.bind(o);
    if (make) o[g] = (...a: unknown[]) => { const [p, kw] = splitKw(a); return patchAdders(make(...p, kw)); };
  }
  const subs = o.add_subparsers?.bind(o);
  if (subs) {
    o.add_subparsers = (...a: unknown[]) => {
      const [p, kw] = splitKw(a);
      const sp = subs(...p, kw);
      const addParser = sp.add_parser.bind(sp);
      sp.add_parser = (...b: unknown[]) => { const [q, kw2] = splitKw(b); return fixParser(addParser(...q, kw2)); };
      return sp;
    };
  }
  return o;
}
function fixParser(p: any): any {
  // Python 3.10 renamed "optional arguments:" to "options:"; BCC tools run on 3.10 and later
  if (p._optionals?.title === 'optional arguments') p._optionals.title = 'options';
  patchAdders(p);
  const parse = p.parse_args.bind(p);
  p.parse_args = (...a: unknown[]) => {
    const [args] = splitKw(a);
    return parse(args[0] === undefined || args[0] === null ? sys.argv.slice(1) : Array.from(iter(args[0])));
  };
  const parseKnown = p.parse_known_args.bind(p);
  p.parse_known_args = (...a: unknown[]) => {
    const [args] = splitKw(a);
    const [ns, rest] = parseKnown(args[0] === undefined || args[0] === null ? sys.argv.slice(1) : Array.from(iter(args[0])));
    return tuple(ns, rest);
  };
  return p;
}
export const argparse = {
  ArgumentParser: (...a: unknown[]) => {
    const [p, kw] = splitKw(a);
    const opts = { prog: sys.argv[0] ? path.basename(sys.argv[0]) : undefined, ...kw };
    if (p.length) Object.assign(opts, { prog: p[0] });
    return fixParser(new ap.ArgumentParser(opts));
  },
  ArgumentTypeError: ap.ArgumentTypeError as new (msg: string) => Error,
  ArgumentError: ap.ArgumentError,
  RawDescriptionHelpFormatter: ap.RawDescriptionHelpFormatter,
  RawTextHelpFormatter: ap.RawTextHelpFormatter,
  ArgumentDefaultsHelpFormatter: ap.ArgumentDefaultsHelpFormatter,
  HelpFormatter: ap.HelpFormatter,
  SUPPRESS: ap.SUPPRESS,
  REMAINDER: ap.REMAINDER,
  Namespace: ap.Namespace,
  FileType: ap.FileType,
};

// ---------------------------------------------------------------------------
// pwd, stat, glob, binascii, traceback, logging, tempfile, fcntl, math, random, string, shutil, copy, ipaddress

interface Passwd { pw_name: string; pw_passwd: string; pw_uid: number; pw_gid: number; pw_gecos: string; pw_dir: string; pw_shell: string }
function passwd(): Passwd[] {
  let text = '';
  try {
    text = fs.readFileSync('/etc/passwd', 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const [n, p, u, g, gecos, dir, shell] = l.split(':');
    return { pw_name: n!, pw_passwd: p!, pw_uid: Number(u), pw_gid: Number(g), pw_gecos: gecos ?? '', pw_dir: dir ?? '', pw_shell: shell ?? '' };
  });
}
export const pwd = {
  getpwuid: (uid: Int): Passwd => {
    const e = passwd().find((p) => p.pw_uid === Number(uid));
    if (!e) throw new KeyError(`getpwuid(): uid not found: ${uid}`);
    return e;
  },
  getpwnam: (name: string): Passwd => {
    const e = passwd().find((p) => p.pw_name === name);
    if (!e) throw new KeyError(`getpwnam(): name not found: '${name}'`);
    return e;
  },
  getpwall: (): Passwd[] => passwd(),
};
const S_IFMT = 0o170000;
export const stat = {
  S_IFMT: (m: number): number => m & S_IFMT,
  S_ISDIR: (m: number): boolean => (m & S_IFMT) === 0o040000,
  S_ISREG: (m: number): boolean => (m & S_IFMT) === 0o100000,
  S_ISLNK: (m: number): boolean => (m & S_IFMT) === 0o120000,
  S_ISCHR: (m: number): boolean => (m & S_IFMT) === 0o020000,
  S_ISBLK: (m: number): boolean => (m & S_IFMT) === 0o060000,
  S_ISFIFO: (m: number): boolean => (m & S_IFMT) === 0o010000,
  S_ISSOCK: (m: number): boolean => (m & S_IFMT) === 0o140000,
  S_IMODE: (m: number): number => m & 0o7777,
  S_IFSOCK: 0o140000, S_IFLNK: 0o120000, S_IFREG: 0o100000, S_IFBLK: 0o060000, S_IFDIR: 0o040000, S_IFCHR: 0o020000, S_IFIFO: 0o010000,
  S_ISUID: 0o4000, S_ISGID: 0o2000, S_ISVTX: 0o1000, S_IRWXU: 0o700, S_IRWXG: 0o70, S_IRWXO: 0o7,
  S_IRUSR: 0o400, S_IWUSR: 0o200, S_IXUSR: 0o100, S_IRGRP: 0o40, S_IWGRP: 0o20, S_IXGRP: 0o10, S_IROTH: 0o4, S_IWOTH: 0o2, S_IXOTH: 0o1,
  ST_MODE: 0, ST_INO: 1, ST_DEV: 2, ST_NLINK: 3, ST_UID: 4, ST_GID: 5, ST_SIZE: 6, ST_ATIME: 7, ST_MTIME: 8, ST_CTIME: 9,
};
/**
 * A shell pattern as a RegExp, as Python's fnmatch.translate reads it: * ? [seq] [!seq], an unclosed
 * [ a plain character, and every other character itself.
 */
function fnmatchRegex(pat: string): RegExp {
  let rx = '';
  for (let i = 0; i < pat.length; i++) {
    const ch = pat[i]!;
    if (ch === '*') rx += '.*';
    else if (ch === '?') rx += '.';
    else if (ch === '[') {
      // ] right after [ or [! is a member, not the end
      let j = i + 1;
      if (pat[j] === '!') j++;
      if (pat[j] === ']') j++;
      while (j < pat.length && pat[j] !== ']') j++;
      if (j >= pat.length) {
        rx += '\\[';
        continue;
      }
      let set = pat.slice(i + 1, j).replace(/\\/g, '\\\\').replace(/\]/g, '\\]');
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      else if (set.startsWith('^')) set = `\\${set}`;
      rx += `[${set}]`;
      i = j;
    } else rx += ch.replace(/[.+^${}()|\\/\]]/g, '\\$&');
  }
  return new RegExp(`^${rx}$`, 's');
}
export const fnmatch = {
  fnmatch: (name: string, pat: string): boolean => fnmatchRegex(String(pat)).test(String(name)),
  fnmatchcase: (name: string, pat: string): boolean => fnmatchRegex(String(pat)).test(String(name)),
  filter: (names: Iterable<string>, pat: string): string[] => {
    const rx = fnmatchRegex(String(pat));
    return [...names].filter((n) => rx.test(String(n)));
  },
};
/** glob.glob(pattern): * ? and [...] in each path component, as the shell matches them */
function globPaths(pattern: string): string[] {
  const parts = pattern.split('/');
  let paths = [pattern.startsWith('/') ? '/' : ''];
  for (const part of parts.filter((p, i) => p || i === 0).slice(pattern.startsWith('/') ? 1 : 0)) {
    if (!/[*?[]/.test(part)) {
      paths = paths.map((p) => (p === '' ? part : p.endsWith('/') ? p + part : `${p}/${part}`)).filter((p) => fs.existsSync(p));
      continue;
    }
    const rx = fnmatchRegex(part);
    paths = paths.flatMap((p) => {
      let names: string[] = [];
      try {
        names = fs.readdirSync(p || '.');
      } catch {
        return [];
      }
      return names.filter((n) => rx.test(n) && (part.startsWith('.') || !n.startsWith('.'))).sort().map((n) => (p === '' ? n : p.endsWith('/') ? p + n : `${p}/${n}`));
    });
  }
  return paths;
}
export const glob = { glob: (pattern: string): string[] => globPaths(String(pattern)), iglob: (pattern: string): string[] => globPaths(String(pattern)) };
export const binascii = {
  hexlify: (b: Uint8Array, sep?: string): Uint8Array => Buffer.from(sep ? [...Buffer.from(b)].map((x) => x.toString(16).padStart(2, '0')).join(sep) : Buffer.from(b).toString('hex')),
  unhexlify: (s: string | Uint8Array): Uint8Array => Buffer.from(typeof s === 'string' ? s : Buffer.from(s).toString(), 'hex'),
};
/** traceback: the exception being handled, by name and message (a translation has no Python frames to show) */
const formatExc = (): string => {
  const e = lastCaught();
  return e === null ? 'NoneType: None\n' : `Traceback (most recent call last):\n${excName(e)}${excMessage(e) ? `: ${excMessage(e)}` : ''}\n`;
};
export const traceback = {
  print_exc: (): void => writeFd(2, formatExc()),
  format_exc: formatExc,
};
/** logging: messages to stderr as logging.basicConfig() prints them (LEVEL:root:message) */
const LEVELS: Record<string, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 };
let logLevel = 30;
const logAt = (name: string) => (msg: unknown, ...args: unknown[]): void => {
  if (LEVELS[name]! < logLevel) return;
  const text = args.length ? str(msg).replace(/%[sdifr]/g, () => str(args.shift())) : str(msg);
  writeFd(2, `${name}:root:${text}\n`);
};
export const logging = {
  ...LEVELS,
  basicConfig: (...a: unknown[]): void => {
    const [, kw] = splitKw(a);
    if (kw.level !== undefined) logLevel = Number(kw.level);
  },
  getLogger: () => logging,
  setLevel: (l: number) => void (logLevel = Number(l)),
  debug: logAt('DEBUG'), info: logAt('INFO'), warning: logAt('WARNING'), warn: logAt('WARNING'), error: logAt('ERROR'), critical: logAt('CRITICAL'),
  exception: logAt('ERROR'),
};
/** tempfile.NamedTemporaryFile: a new file of its own name, removed at close() unless delete=False */
class NamedTemporaryFile {
  readonly name: string;
  private fd: number | null;
  constructor(private readonly remove: boolean, suffix: string, prefix: string, dir: string) {
    for (;;) {
      const name = nodePath.join(dir, `${prefix}${Math.random().toString(36).slice(2, 10)}${suffix}`);
      try {
        this.fd = fs.openSync(name, 'wx+', 0o600);
        this.name = name;
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== 'EEXIST') throw fromNodeError(e);
      }
    }
  }
  fileno(): number {
    if (this.fd === null) throw new ValueError('I/O operation on closed file');
    return this.fd;
  }
  write(data: unknown): number {
    const b = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data as Uint8Array);
    return fs.writeSync(this.fileno(), b);
  }
  flush(): void {}
  close(): void {
    if (this.fd === null) return;
    fs.closeSync(this.fd);
    this.fd = null;
    if (this.remove) fs.rmSync(this.name, { force: true });
  }
  __enter__(): this {
    return this;
  }
  __exit__(): boolean {
    this.close();
    return false;
  }
}

export const tempfile = {
  gettempdir: (): string => nodeOs.tmpdir(),
  NamedTemporaryFile: (...a: unknown[]): NamedTemporaryFile => {
    const [p, kw] = splitKw(a);
    const dflt = (k: string, i: number, d: unknown): unknown => kw[k] ?? p[i] ?? d;
    return new NamedTemporaryFile(Boolean(dflt('delete', 7, true)), String(dflt('suffix', 4, null) ?? ''), String(dflt('prefix', 5, null) ?? 'tmp'), String(dflt('dir', 6, null) ?? nodeOs.tmpdir()));
  },
  mkdtemp: (...a: unknown[]): string => {
    const [p, kw] = splitKw(a);
    return fs.mkdtempSync(nodePath.join(String(kw.dir ?? p[2] ?? nodeOs.tmpdir()), String(kw.prefix ?? p[1] ?? 'tmp')));
  },
  mkstemp: (...a: unknown[]): readonly unknown[] => {
    const [p, kw] = splitKw(a);
    const dir = fs.mkdtempSync(nodePath.join(String(kw.dir ?? p[2] ?? nodeOs.tmpdir()), 'lcc'));
    const file = nodePath.join(dir, `${String(kw.prefix ?? p[1] ?? 'tmp')}file${String(kw.suffix ?? p[0] ?? '')}`);
    return tuple(fs.openSync(file, 'w+', 0o600), file);
  },
};
export const fcntl = { F_GETFL: 3, F_SETFL: 4, fcntl: (): number => 0 };
export const math = {
  pi: Math.PI, e: Math.E, inf: Infinity, nan: NaN,
  sqrt: Math.sqrt, log: (x: number, b?: number) => (b ? Math.log(x) / Math.log(b) : Math.log(x)), log2: Math.log2, log10: Math.log10, exp: Math.exp, pow: Math.pow,
  floor: (x: number): Int => int(BigInt(Math.floor(Number(x)))), ceil: (x: number): Int => int(BigInt(Math.ceil(Number(x)))), trunc: (x: number): Int => int(BigInt(Math.trunc(Number(x)))),
  fabs: Math.abs, isnan: Number.isNaN, isinf: (x: number) => !Number.isFinite(x) && !Number.isNaN(x),
};
export const random = { random: Math.random, randint: (a: number, b: number) => a + Math.floor(Math.random() * (b - a + 1)), choice: <T>(l: T[]): T => l[Math.floor(Math.random() * l.length)]! };
export const string = { ascii_letters: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', ascii_lowercase: 'abcdefghijklmnopqrstuvwxyz', ascii_uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', digits: '0123456789', hexdigits: '0123456789abcdefABCDEF', punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~', whitespace: ' \t\n\r\x0b\x0c' };
export const shutil = {
  which: (cmd: string): string | null => {
    for (const dir of (process.env.PATH ?? '').split(':')) {
      const p = nodePath.join(dir, cmd);
      try {
        fs.accessSync(p, fs.constants.X_OK);
        return p;
      } catch {
        continue;
      }
    }
    return null;
  },
  rmtree: (p: string): void => fs.rmSync(p, { recursive: true, force: true }),
  get_terminal_size: () => Object.assign(tuple(process.stdout.columns ?? 80, process.stdout.rows ?? 24), { columns: process.stdout.columns ?? 80, lines: process.stdout.rows ?? 24 }),
};
const deep = (v: unknown): unknown => (Array.isArray(v) ? (Object.isFrozen(v) ? Object.freeze(v.map(deep)) : v.map(deep)) : v instanceof PyDict ? new PyDict(v.items().map(([k, x]) => [k, deep(x)] as const)) : v instanceof PySet ? new PySet([...v]) : v);
export const copy = { copy: <T>(v: T): T => (Array.isArray(v) ? ([...v] as T) : v instanceof PyDict ? (v.copy() as T) : v instanceof PySet ? (v.copy() as T) : v), deepcopy: deep };

export { formatValue, isKwargs, Counter, KeyboardInterrupt };

/**
 * threading.Event: a flag a signal handler sets to wake the program where it
 * waits (biolatpcts prints when SIGUSR1 comes). wait() is a blocking call, as
 * time.sleep is: SIGINT raises there.
 */
class PyEvent {
  private flag = false;
  private readonly waiters = new Set<() => void>();

  is_set(): boolean {
    return this.flag;
  }

  set(): void {
    this.flag = true;
    for (const w of [...this.waiters]) w();
  }

  clear(): void {
    this.flag = false;
  }

  wait(timeout?: number | bigint | null): Promise<boolean> {
    if (this.flag) return Promise.resolve(true);
    return blocking<boolean>((done) => {
      const wake = (): void => done(true);
      this.waiters.add(wake);
      // no timeout (or one past setTimeout's range): until set, and the process stays up meanwhile
      const ms = timeout === undefined || timeout === null ? Infinity : Math.max(0, Number(timeout) * 1000);
      const t = ms < 2 ** 31 ? setTimeout(() => done(this.flag), ms) : setInterval(() => {}, 2 ** 30);
      return () => {
        this.waiters.delete(wake);
        clearTimeout(t);
        clearInterval(t);
      };
    });
  }
}

export const threading = { Event: (): PyEvent => new PyEvent() };
