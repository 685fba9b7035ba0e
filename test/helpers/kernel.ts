// Kernel tests need root. Off CI they are skipped for a non-root developer;
// in CI (CI set) they always run, so a missing privilege fails loudly.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile } from '../../src/clang/compile.js';

export const isRoot = process.getuid?.() === 0;
export const runKernelTests = isRoot || !!process.env.CI;

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.resolve(here, '..', 'fixtures', 'bpf');
const OUT = path.resolve(here, '..', '.out');

/** Compile test/fixtures/bpf/NAME.bpf.c once per source change; returns the .o path. */
export function fixtureObject(name: string): string {
  const src = path.join(FIXTURES, `${name}.bpf.c`);
  const out = path.join(OUT, `${name}.bpf.o`);
  const deps = [src, path.join(FIXTURES, `${name.split('_')[0]}.h`), path.resolve(here, '../../lbc/include/lbc.h')].filter((f) => fs.existsSync(f));
  const newest = Math.max(...deps.map((f) => fs.statSync(f).mtimeMs));
  if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < newest) compile(src, { out });
  return out;
}

/** Poll `cond` until true or `ms` pass (kernel teardown is asynchronous). */
export async function eventually(cond: () => boolean, ms = 3000, step = 20): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, step));
  }
  return cond();
}

/** The perf events a process holds open: BCC attaches every probe kind, and opens each perf buffer, through one */
export function perfEvents(pid: number): number {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:[perf_event]';
      } catch {
        return false;
      }
    }).length;
  } catch {
    return 0;
  }
}

/** A process's state letter (R running, S waiting, ...) from /proc/PID/stat, or one of its threads' */
export function procState(pid: number, tid?: number | string): string {
  try {
    const stat = fs.readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    // after the command's closing parenthesis (a command may hold one itself)
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return '';
  }
}

/** A TCP port nothing listens on now */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
