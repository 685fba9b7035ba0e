// libbpf reports through one process-wide print callback. We keep what it
// says during each operation so that an error can carry the kernel's reason
// (the verifier log above all) instead of leaving it on stderr.
import { bpf, c, registerPrint, type Ptr } from './ffi.js';

const LEVELS = ['warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LEVELS)[number];

let capture: string[] | null = null;
let installed = false;
const buf = Buffer.alloc(64 * 1024);
let callback: unknown;

/** LCC_LIBBPF_LOG=warn|info|debug echoes libbpf's messages to stderr. */
const echoLevel = LEVELS.indexOf((process.env.LCC_LIBBPF_LOG ?? '') as LogLevel);

function onPrint(level: number, fmt: string, ap: Ptr): number {
  const n = c.vsnprintf(buf, buf.length, fmt, ap) as number;
  printed(level, buf.toString('utf8', 0, Math.max(0, Math.min(n, buf.length - 1))));
  return 0;
}

/** One message from libbpf, formatted (fake bindings in tests print through here too). */
export function printed(level: number, text: string): void {
  if (capture && level <= 1) capture.push(text);
  if (echoLevel >= 0 && level <= echoLevel) process.stderr.write(`libbpf: ${text}`);
}

export function installPrint(): void {
  if (installed) return;
  callback = registerPrint(onPrint);
  bpf.set_print(callback);
  installed = true;
}

/** Run `fn` and return what libbpf printed (warn and info) while it ran. */
export function withLibbpfLog<T>(fn: () => T): { result: T; log: string } {
  installPrint();
  const outer = capture;
  const mine: string[] = [];
  capture = mine;
  try {
    const result = fn();
    return { result, log: mine.join('') };
  } finally {
    capture = outer;
    outer?.push(...mine);
  }
}

/** Split what libbpf printed around a failed load into the verifier log proper. */
export function verifierLog(libbpfLog: string): string {
  const m = /-- BEGIN PROG LOAD LOG --\n([\s\S]*?)-- END PROG LOAD LOG --/.exec(libbpfLog);
  return m ? m[1]! : '';
}

/** libbpf's lines without the verifier dump, for messages that are not verifier rejections. */
export function libbpfReason(libbpfLog: string): string {
  return libbpfLog
    .replace(/-- BEGIN PROG LOAD LOG --[\s\S]*?-- END PROG LOAD LOG --\n?/g, '')
    .split('\n')
    .map((l) => l.replace(/^libbpf: /, '').trim())
    .filter(Boolean)
    .slice(-4)
    .join('; ');
}
