// Converted BCC tools against BCC: Debian's bpfcc-tools, converted by lcc
// convert, built, and run side by side with the original under BCC. Both
// attach, this test causes the same activity once both say they are ready,
// and both must print the same thing: the header, and the rows (or histogram)
// the activity fixes, with what the activity does not fix (times, latencies)
// left out of the comparison.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { convert } from '../src/convert/index.js';
import { runKernelTests } from './helpers/kernel.js';
import { watch, type Watched } from './helpers/ready.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
// inside the repository, so the converted code's @lcc-ebpf/lbc imports resolve to this package
const OUT = path.join(here, '.out', 'bcc');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const PYTHON = '/usr/bin/python3';
const bcc = (tool: string): string => `/usr/sbin/${tool}-bpfcc`;

const running = new Set<ChildProcess>();
afterEach(() => {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
});

function start(cmd: string, args: string[], cwd: string): { child: ChildProcess; w: Watched } {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, PYTHONUNBUFFERED: '1', COLUMNS: '80' } });
  running.add(child);
  return { child, w: watch(child) };
}

/**
 * Run the original and the converted tool at once: each says it is ready (BCC's
 * tool by its first output line, printed once it has attached; lcc's by its
 * "attached" line), then `activity`, then until both print `until` (when given),
 * then Ctrl-C, and both outputs.
 */
async function sideBySide(tool: string, args: string[], activity: () => Promise<void> | void, until?: RegExp): Promise<{ bcc: string; lcc: string }> {
  const dir = path.join(OUT, tool);
  const orig = start(PYTHON, [bcc(tool), ...args], dir);
  const conv = start(process.execPath, ['--import', TSX, `${tool}.ts`, ...args], dir);
  await Promise.all([orig.w.until((out) => out.includes('\n')), conv.w.until(`${tool}: attached`, { stream: 'stderr' })]);
  await activity();
  if (until) await Promise.all([orig.w.until(until), conv.w.until(until)]);
  orig.child.kill('SIGINT');
  conv.child.kill('SIGINT');
  const [a, b] = await Promise.all([orig.w.closed, conv.w.closed]);
  expect(a, `BCC's ${tool}: ${orig.w.stderr}`).toBe(0);
  expect(b, `lcc's ${tool}: ${conv.w.stderr}`).toBe(0);
  return { bcc: orig.w.stdout, lcc: conv.w.stdout };
}

/** A TCP session on loopback, from python3: the server sends 3000 bytes, the client 2000; the server's port */
function loopbackSession(): number {
  const r = spawnSync(PYTHON, ['-c', [
    'import socket, threading',
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()",
    'def serve():',
    "    c, _ = s.accept(); c.recv(10000); c.sendall(b'x' * 3000); c.close()",
    't = threading.Thread(target=serve); t.start()',
    "c = socket.create_connection(('127.0.0.1', s.getsockname()[1])); c.sendall(b'y' * 2000); c.recv(10000); c.close(); t.join()",
    'print(s.getsockname()[1])',
  ].join('\n')], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

const TOOLS = ['threadsnoop', 'gethostlatency', 'bitesize', 'tcplife', 'tcpstates'];

describe.runIf(runKernelTests)('converted BCC tools print what BCC prints', () => {
  beforeAll(async () => {
    for (const tool of TOOLS) {
      if (!fs.existsSync(bcc(tool))) throw new Error(`${bcc(tool)} is missing: scripts/setup.sh installs bpfcc-tools`);
      const dir = path.join(OUT, tool);
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(OUT, { recursive: true });
      const py = path.join(OUT, `${tool}.py`);
      fs.copyFileSync(bcc(tool), py);
      const r = await convert(py, dir);
      expect(r.report.filter((x) => !x.converted).map((x) => x.what), `${tool} converts whole`).toEqual([]);
      const b = spawnSync(process.execPath, ['--import', TSX, path.join(here, 'helpers', 'lcc.ts'), 'build', `${tool}.bpf.c`], { cwd: dir, encoding: 'utf8' });
      expect(b.status, `${tool}: ${b.stderr}`).toBe(0);
    }
  }, 240_000);

  it('threadsnoop (a uprobe on libc\'s pthread_create, a user symbol looked up per event): the same thread, named the same', async () => {
    // the process stays until both have printed: each tool looks its symbol up in /proc/PID/maps
    let proc: ChildProcess | null = null;
    const threads = async (): Promise<void> => {
      proc = spawn(PYTHON, ['-c', 'import sys, threading\ndef work(): pass\nt = threading.Thread(target=work); t.start(); t.join()\nprint("made", flush=True)\nsys.stdin.read()']);
      running.add(proc);
      await watch(proc).until('made');
    };
    const r = await sideBySide('threadsnoop', [], threads, /b'python3'/);
    proc!.kill();
    // TIME(ms) counts from each tool's first event: the columns after it
    const rows = (out: string): string[] => out.trim().split('\n').map((l) => l.replace(/^\S+\s+/, '')).filter((l) => /python3/.test(l) || /COMM/.test(l));
    expect(rows(r.lcc)).toEqual(rows(r.bcc));
    // the function the thread starts in: by name where python3 keeps its symbols, [unknown] where it is stripped
    expect(rows(r.bcc).join('\n')).toMatch(/b'python3'\s+b'(pythread_wrapper|\[unknown\])'/);
  }, 120_000);

  it('gethostlatency (uprobes and uretprobes on getaddrinfo): the same lookups by the same process', async () => {
    let pid = 0;
    const lookup = (): void => {
      const r = spawnSync(PYTHON, ['-c', 'import os, socket\nprint(os.getpid())\nsocket.getaddrinfo("localhost", 80)'], { encoding: 'utf8' });
      pid = Number(r.stdout.trim());
    };
    const r = await sideBySide('gethostlatency', [], lookup, /localhost/);
    // TIME and LATms are the clock's: PID, COMM and HOST are the lookup's. Only this lookup's rows (and
    // the header): the two tools attach at different moments, and others may look names up meanwhile
    const rows = (out: string): string[] => out.trim().split('\n').map((l) => l.split(/\s+/)).filter((f, i) => i === 0 || f[1] === String(pid)).map((f) => [f[1], f[2], f[4]].join(' '));
    expect(rows(r.lcc)).toEqual(rows(r.bcc));
    expect(rows(r.bcc)).toContain(`${pid} python3 localhost`);
  }, 120_000);

  it('bitesize (a block tracepoint, a log2 histogram per process printed at Ctrl-C): the same histogram for the same writes', async () => {
    // direct writes to a file on a disk: each is one block request of the size written
    const file = path.join(os.homedir(), `.lcc-bitesize-${process.pid}`);
    const writes = (): void => {
      const r = spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=16k', 'count=32', 'oflag=direct,sync'], { encoding: 'utf8' });
      fs.rmSync(file, { force: true });
      expect(r.status, r.stderr).toBe(0);
    };
    const r = await sideBySide('bitesize', [], writes);
    const section = (out: string): string => {
      const at = out.indexOf('Process Name = dd');
      expect(at, out).toBeGreaterThanOrEqual(0);
      const rest = out.slice(at);
      const end = rest.indexOf('\nProcess Name', 1);
      return end < 0 ? rest.trim() : rest.slice(0, end).trim();
    };
    expect(section(r.lcc)).toBe(section(r.bcc));
    expect(r.lcc.split('\n')[0]).toBe(r.bcc.split('\n')[0]);
  }, 120_000);

  it('tcplife (the sock:inet_sock_set_state tracepoint): the same connection; and lcc reads its byte counts right where BCC\'s headers do not', async () => {
    let port = 0;
    const session = (): void => void (port = loopbackSession());
    const r = await sideBySide('tcplife', [], session, /\n\d+\s+python3\s+127\.0\.0\.1\s+\d+\s+127\.0\.0\.1\s+\d+\s+\d+\s+\d+\s+\S+\n(.|\n)*python3/);
    const mine = (out: string): string[][] => out.trim().split('\n').map((l) => l.split(/\s+/)).filter((f) => f[3] === String(port) || f[5] === String(port));
    // PID COMM LADDR LPORT RADDR RPORT: the connection's, in both
    // (the two ends close together: their rows may come in either order)
    const ends = (out: string): string[] => mine(out).map((f) => f.slice(0, 6).join(' ')).sort();
    expect(ends(r.lcc)).toEqual(ends(r.bcc));
    expect(mine(r.lcc)).toHaveLength(2);
    // TX_KB RX_KB: tcp_sock's byte counters, read through CO-RE here; BCC compiles against
    // Debian's 6.1 headers, whose offsets this kernel does not have
    const server = mine(r.lcc).find((f) => f[3] === String(port))!;
    const client = mine(r.lcc).find((f) => f[5] === String(port))!;
    expect([server[6], server[7], client[6], client[7]]).toEqual(['2', '1', '1', '2']);
  }, 120_000);

  it('tcpstates (the same tracepoint, a line per state change): the same transitions of the same sockets', async () => {
    let port = 0;
    const session = (): void => void (port = loopbackSession());
    // the last transition of both ends: to CLOSE
    const r = await sideBySide('tcpstates', [], session, /CLOSE\s+\S+\n(.|\n)*CLOSE\s+\S+\n(.|\n)*CLOSE\s+\S+\n/);
    // SKADDR C-PID C-COMM LADDR LPORT RADDR RPORT OLDSTATE -> NEWSTATE, then MS (the clock's)
    // sorted: the tools read per-CPU buffers, and a socket's transitions happen on more than one CPU
    const mine = (out: string): string[] => out.trim().split('\n').map((l) => l.split(/\s+/)).filter((f) => f[4] === String(port) || f[6] === String(port)).map((f) => f.slice(0, -1).join(' ')).sort();
    expect(mine(r.lcc)).toEqual(mine(r.bcc));
    expect(mine(r.lcc).some((l) => / ESTABLISHED -> FIN_WAIT1$/.test(l))).toBe(true);
  }, 120_000);
});
