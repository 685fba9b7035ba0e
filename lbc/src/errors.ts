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

  /** `quietErrno`: the message already says what the errno means (EACCES from the verifier is its verdict, not a privilege problem) */
  constructor(message: string, opts: { errno?: number; hint?: string; cause?: unknown; quietErrno?: boolean } = {}) {
    const errno = Math.abs(opts.errno ?? 0);
    super(
      message +
        (errno && !opts.quietErrno ? `: ${errnoName(errno)} (${describeErrno(errno)})` : '') +
        (opts.hint ? `\n  hint: ${opts.hint}` : ''),
      opts.cause === undefined ? undefined : { cause: opts.cause },
    );
    this.errno = errno;
    this.hint = opts.hint;
  }
}

/** The verifier's reason for a refusal, and the source line it was at (from the line info the log carries). */
export interface VerifierReason { reason: string; source?: string }

// what the verifier prints after its verdict (statistics) or around it (states, backtracking)
const TRAILER = /^(processed \d+ insns|verification time|stack depth|max_states_per_insn|func#|Validating |mark_precise|last_idx|regs=|parent (didn't|already)|propagating|from \d+ to \d+:|cur state:|old state:|-- )/;
const INSN = /^\d+: /;

/** The line of a verifier log that says why, not its last line: that is "processed N insns". */
export function verifierReason(log: string): VerifierReason {
  const lines = log.split('\n').map((l) => l.trimEnd());
  let lastInsn = -1;
  lines.forEach((l, i) => {
    if (INSN.test(l)) lastInsn = i;
  });
  const candidate = (l: string): boolean => !!l.trim() && !INSN.test(l) && !l.startsWith(';') && !TRAILER.test(l);
  // without instructions (the BTF checker's log) the reason is its last word
  let at = lastInsn < 0 ? -1 : lines.findIndex((l, i) => i > lastInsn && candidate(l));
  for (let i = lines.length - 1; at < 0 && i >= 0; i--) if (candidate(lines[i]!)) at = i;
  if (at < 0) return { reason: lines.filter((l) => l.trim()).pop() ?? 'no reason given' };
  let source: string | undefined;
  for (let i = at - 1; i >= 0 && !source; i--) {
    const m = /^; (.*?)(?: @ (\S+:\d+))?$/.exec(lines[i]!);
    if (m) source = m[2] ? `${m[2]}: ${m[1]!.trim()}` : m[1]!.trim();
  }
  return { reason: lines[at]!.trim(), source };
}

/** The verifier (or BTF checker) refused a program; `log` is its whole output. */
export class VerifierError extends LbcError {
  override name = 'VerifierError';
  declare readonly log: string;
  readonly program?: string;
  /** the verifier's reason line, and the source line it was at */
  readonly reason: string;
  readonly source?: string;
  /** where the whole log was written, when it could be */
  readonly logFile?: string;

  constructor(what: string, errno: number, log: string, program?: string, logFile?: string) {
    const r = log.trim() ? verifierReason(log) : { reason: '' };
    const lines = log.trimEnd().split('\n').length;
    super(
      `${what}${r.reason ? `: ${r.reason}` : ''}${r.source ? `\n  at ${r.source}` : ''}` +
        (logFile ? `\n  the whole verifier log (${lines} lines): ${logFile}` : log ? `\n--- verifier log (last lines) ---\n${log.trimEnd().split('\n').slice(-12).join('\n')}\n---` : ''),
      { errno, quietErrno: !!log },
    );
    // not enumerable: an uncaught error would otherwise print the whole log
    Object.defineProperty(this, 'log', { value: log, enumerable: false });
    this.program = program;
    this.reason = r.reason;
    this.source = r.source;
    this.logFile = logFile;
  }
}

/** The kernel lacks what an attach or program type needs: say which and what instead. */
export class NotSupportedError extends LbcError {
  override name = 'NotSupportedError';
  readonly feature: string;

  constructor(what: string, feature: string, alternative: string, errno = 0) {
    // the errno's usual meaning (EPERM: "not root") would mislead here: the kernel lacks the feature
    super(`${what}: this kernel does not support ${feature}${errno ? ` (${errnoName(errno)})` : ''}`, { errno, hint: alternative, quietErrno: true });
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
