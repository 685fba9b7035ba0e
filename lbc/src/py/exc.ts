// Python's exceptions, as classes a translated `except` can test with
// instanceof. BaseException is an Error so a stack is kept for what escapes.

export class BaseException extends Error {
  [key: string]: any;
  args: readonly unknown[];
  constructor(...args: unknown[]) {
    super();
    // Python sets args before any __init__ runs, even one that does not call its base's
    this.args = Object.freeze(args);
    this.message = this.messageOf(args);
    this.__init__(...args);
  }
  __init__(...args: unknown[]): any {
    this.args = Object.freeze(args);
    this.message = this.messageOf(args);
    return null;
  }
  protected messageOf(args: unknown[]): string {
    return args.length === 1 ? strOf(args[0]) : args.length ? reprOf(Object.freeze(args)) : '';
  }
  override get name(): string {
    return this.constructor.name.replace(/^Py/, '');
  }
}
export class Exception extends BaseException {}
export class KeyboardInterrupt extends BaseException {}
export class SystemExit extends BaseException {
  get code(): unknown {
    return this.args.length ? this.args[0] : null;
  }
}
export class GeneratorExit extends BaseException {}
export class StopIteration extends Exception {}
export class ArithmeticError extends Exception {}
export class ZeroDivisionError extends ArithmeticError {}
export class OverflowError extends ArithmeticError {}
export class AssertionError extends Exception {}
export class AttributeError extends Exception {}
export class LookupError extends Exception {}
export class KeyError extends LookupError {}
export class IndexError extends LookupError {}
export class NameError extends Exception {}
export class OSError extends Exception {
  /** OSError(errno, strerror[, filename]) prints as [Errno 2] No such file or directory: 'x' */
  protected override messageOf(args: unknown[]): string {
    if (args.length >= 2 && typeof args[0] === 'number') return `[Errno ${args[0]}] ${strOf(args[1])}${args.length > 2 ? `: ${reprOf(args[2])}` : ''}`;
    return super.messageOf(args);
  }
  get filename(): unknown {
    return this.args[2] ?? null;
  }
  get errno(): number | null {
    return typeof this.args[0] === 'number' ? this.args[0] : null;
  }
  get strerror(): string | null {
    return typeof this.args[1] === 'string' ? this.args[1] : null;
  }
}
export class FileNotFoundError extends OSError {}
export class PermissionError extends OSError {}
export class ProcessLookupError extends OSError {}
export class FileExistsError extends OSError {}
export class RuntimeError extends Exception {}
export class NotImplementedError extends RuntimeError {}
/** Python's TypeError: a JavaScript TypeError (mixing bigint and number) is one too, see isInstance */
export class PyTypeError extends Exception {}
export class ValueError extends Exception {}
export class UnicodeDecodeError extends ValueError {}
export class ImportError extends Exception {}
export class ModuleNotFoundError extends ImportError {}
export const IOError = OSError;
export const EnvironmentError = OSError;

const STRERROR: Record<string, string> = { ENOENT: 'No such file or directory', EACCES: 'Permission denied', EPERM: 'Operation not permitted', ESRCH: 'No such process', EEXIST: 'File exists', EISDIR: 'Is a directory', ENOTDIR: 'Not a directory', EINVAL: 'Invalid argument', EBUSY: 'Device or resource busy', ENOSPC: 'No space left on device' };
const ERRNO_CLASS: Record<string, typeof OSError> = { ENOENT: FileNotFoundError, EACCES: PermissionError, EPERM: PermissionError, ESRCH: ProcessLookupError, EEXIST: FileExistsError };

let caught: unknown = null;
/** the exception an except block last took (sys.exc_info, traceback.print_exc) */
export const lastCaught = (): unknown => caught;

/** A Node error (fs, process.kill) as the OSError Python raises for it; a translated except block calls it first. */
export function fromNodeError(e: unknown): unknown {
  caught = convertNodeError(e);
  return caught;
}
function convertNodeError(e: unknown): unknown {
  if (e instanceof BaseException || !(e instanceof Error)) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const errno = (e as NodeJS.ErrnoException).errno;
  if (code && typeof errno === 'number') {
    const cls = ERRNO_CLASS[code] ?? OSError;
    const why = e.message.replace(/^[A-Z]+: /, '').replace(/, .*$/, '');
    const file = (e as NodeJS.ErrnoException).path;
    return new cls(Math.abs(errno), STRERROR[code] ?? why[0]!.toUpperCase() + why.slice(1), ...(file ? [file] : []));
  }
  if (e instanceof RangeError && /Maximum call stack/.test(e.message)) return new RuntimeError('maximum recursion depth exceeded');
  return e;
}

/** `except Cls:` — JavaScript's own errors count as the Python exception they stand for. */
export function isInstanceExc(e: unknown, cls: unknown): boolean {
  if (Array.isArray(cls)) return cls.some((c) => isInstanceExc(e, c));
  if (typeof cls !== 'function') return false;
  if (e instanceof (cls as new () => unknown)) return true;
  if (!(e instanceof Error) || e instanceof BaseException) return false;
  // a JavaScript TypeError/RangeError is what Python calls TypeError/ValueError; anything else an Exception
  if (cls === Exception || cls === BaseException) return true;
  if (cls === PyTypeError) return e instanceof TypeError;
  if (cls === ValueError) return e instanceof RangeError;
  return false;
}

export function excName(e: unknown): string {
  if (e instanceof BaseException) return e.name;
  if (e instanceof TypeError) return 'TypeError';
  if (e instanceof RangeError) return 'ValueError';
  return e instanceof Error ? e.name : 'Exception';
}

export function excMessage(e: unknown): string {
  if (e instanceof KeyError && e.args.length === 1) return reprOf(e.args[0]);
  return e instanceof Error ? e.message : String(e);
}

let reprOf: (v: unknown) => string = String;
let strOf: (v: unknown) => string = String;
/** set by core.ts (which imports this module): Python's str() and repr() for messages */
export function setKeyRepr(repr: (v: unknown) => string, str: (v: unknown) => string): void {
  reprOf = repr;
  strOf = str;
}
