// Typed errors. Each says what failed, keeps the kernel's own reason (errno,
// libbpf's message, the verifier log) and, where we know one, what to do.
import { constants } from 'node:os';

const errnoNames = new Map<number, string>(
  Object.entries(constants.errno).map(([name, n]) => [n as number, name]),
);

export function errnoName(errno: number): string {
  return errnoNames.get(Math.abs(errno)) ?? `errno ${Math.abs(errno)}`;
}

export class LbcError extends Error {
  override name = 'LbcError';
  /** positive errno, 0 when the failure was not a syscall's */
  readonly errno: number;
  /** what the user can do about it, when we know */
  readonly hint?: string;

  constructor(message: string, opts: { errno?: number; hint?: string; cause?: unknown } = {}) {
    const errno = Math.abs(opts.errno ?? 0);
    super(
      message +
        (errno ? `: ${errnoName(errno)} (${describeErrno(errno)})` : '') +
        (opts.hint ? `\n  hint: ${opts.hint}` : ''),
      opts.cause === undefined ? undefined : { cause: opts.cause },
    );
    this.errno = errno;
    this.hint = opts.hint;
  }
}

/** The verifier (or BTF checker) refused a program; `log` is its whole output. */
export class VerifierError extends LbcError {
  override name = 'VerifierError';
  declare readonly log: string;
  readonly program?: string;

  constructor(what: string, errno: number, log: string, program?: string) {
    const tail = log.trimEnd().split('\n').slice(-12).join('\n');
    super(`${what}${log ? `\n--- verifier log (last lines) ---\n${tail}\n---` : ''}`, {
      errno,
      hint: log ? 'the full log is on error.log; the last line is the reason' : undefined,
    });
    // not enumerable: an uncaught error would otherwise print the whole log
    Object.defineProperty(this, 'log', { value: log, enumerable: false });
    this.program = program;
  }
}

/** The kernel lacks what an attach or program type needs: say which and what instead. */
export class NotSupportedError extends LbcError {
  override name = 'NotSupportedError';
  readonly feature: string;

  constructor(what: string, feature: string, alternative: string, errno = 0) {
    super(`${what}: this kernel does not support ${feature}`, { errno, hint: alternative });
    this.feature = feature;
  }
}

/** Bad input from the caller (wrong key size, unknown program name, ...). */
export class UsageError extends LbcError {
  override name = 'UsageError';
}

const errnoText: Record<string, string> = {
  EPERM: 'operation not permitted: not root/CAP_BPF+CAP_PERFMON, or the kernel refuses this feature',
  EACCES: 'permission denied',
  ENOENT: 'no such entry',
  EINVAL: 'invalid argument',
  E2BIG: 'argument too big',
  ENOSPC: 'no space left (map full or log buffer too small)',
  EEXIST: 'already exists',
  ENOTSUP: 'not supported',
  EOPNOTSUPP: 'operation not supported',
  EBUSY: 'busy (something else is already attached)',
  ESRCH: 'no such process or kernel object',
  EBADF: 'bad file descriptor (object already closed?)',
  ENODEV: 'no such device',
  ENOMEM: 'out of memory (or locked-memory limit reached)',
  ENETUNREACH: 'network is unreachable (no route: interface down or removed?)',
  EHOSTUNREACH: 'host is unreachable',
  ENETDOWN: 'network is down',
};

export function describeErrno(errno: number): string {
  return errnoText[errnoName(errno)] ?? errnoName(errno).toLowerCase();
}
