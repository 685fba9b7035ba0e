// Two hosts for pingtrace's kernel tests: network namespaces joined by a veth
// pair (examples/pingtrace/netns.sh), a pingtrace server in one, clients in
// the other, and bounded congestion on either side's egress.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..');
export const BIN = path.join(ROOT, 'examples/pingtrace/bin/pingtrace.js');
const NETNS = path.join(ROOT, 'examples/pingtrace/netns.sh');
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Run { code: number | null; lines: Record<string, unknown>[]; stdout: string; stderr: string }

export class Hosts {
  readonly c: string;
  readonly s: string;
  readonly cip: string;
  readonly sip: string;
  readonly cdev: string;
  readonly sdev: string;
  readonly cip6: string;
  readonly sip6: string;
  private server: ChildProcess | null = null;

  constructor(readonly name: string) {
    const f = execFileSync('bash', [NETNS, 'up', name], { encoding: 'utf8' }).trim().split(' ');
    if (f.length !== 8) throw new Error(`netns.sh up printed "${f.join(' ')}"`);
    [this.c, this.s, this.cip, this.sip, this.cdev, this.sdev, this.cip6, this.sip6] = f as [string, string, string, string, string, string, string, string];
  }

  ns(n: string, ...cmd: string[]): string {
    return execFileSync('ip', ['netns', 'exec', n, ...cmd], { encoding: 'utf8', timeout: 60_000 });
  }

  async startServer(): Promise<void> {
    const sv = spawn('ip', ['netns', 'exec', this.s, process.execPath, BIN, '--server', '-w', '600'], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.server = sv;
    await new Promise<void>((resolve, reject) => {
      let err = '';
      sv.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('reporting to each client')) resolve();
      });
      sv.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
    });
  }

  async stopServer(): Promise<void> {
    const sv = this.server;
    this.server = null;
    if (!sv || sv.exitCode !== null) return;
    const gone = new Promise((r) => sv.on('exit', r));
    sv.kill('SIGTERM');
    // a server that ignores SIGTERM is a bug to name, not a hook timeout
    if ((await Promise.race([gone.then(() => 'exited'), sleep(10_000)])) !== 'exited') {
      sv.kill('SIGKILL');
      throw new Error('the pingtrace server did not exit within 10 s of SIGTERM');
    }
  }

  /** A CPU to pin clients to (busyReceiver) */
  private pin: string | null = null;

  /** The client in its namespace; `during` runs while it probes (faults, scrapes, signals). */
  async client(args: string[], during?: (child: ChildProcess) => Promise<void>): Promise<Run> {
    const pinned = this.pin ? ['taskset', '-c', this.pin] : [];
    const child = spawn('ip', ['netns', 'exec', this.c, ...pinned, process.execPath, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      if (during) await during(child);
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
    const code = await Promise.race([exited, sleep(60_000).then(() => (child.kill('SIGKILL'), -1))]);
    const lines = stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    return { code, lines, stdout, stderr };
  }

  /**
   * Queue delay on one side's egress for `ms`: a 2 Mbit/s shaper and a flow
   * just above that rate, so the queue (and every probe through it) grows by
   * milliseconds without overflowing. Bounded in time; the shaper goes after.
   */
  async congest(side: 'client' | 'server', ms: number): Promise<{ from: number; to: number }> {
    const [host, dev, to] = side === 'client' ? [this.c, this.cdev, this.sip] : [this.s, this.sdev, this.cip];
    this.ns(host, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', '2mbit', 'burst', '4kb', 'latency', '1s');
    const from = Date.now();
    try {
      const flood = spawn('ip', ['netns', 'exec', host, 'python3', '-c', [
        'import socket, time',
        's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
        `end = time.time() + ${ms / 1000}`,
        'while time.time() < end:',
        `    s.sendto(b"x" * 1200, ("${to}", 9))`,
        '    time.sleep(0.004)',
      ].join('\n')], { stdio: 'ignore' });
      await new Promise((r) => flood.on('exit', r));
      await sleep(300); // the queue drains at the shaped rate before the shaper goes
    } finally {
      this.ns(host, 'tc', 'qdisc', 'del', 'dev', dev, 'root');
    }
    return { from, to: Date.now() };
  }

  /**
   * `probe` run twice with the client pinned to CPU 1, receive processing
   * steered to CPU 0 (RPS) so that a reply wakes the client asynchronously:
   * once as is, once with a SCHED_FIFO spinner on CPU 1 keeping it off its
   * CPU. The spinner is bounded (3 ms spins with 0.5 ms gaps: under the
   * kernel's 95% real-time budget, or it is throttled and the client runs;
   * for 15 s at most, and killed when the run is done): long enough for a
   * client that starts slowly on the CPU it shares with it.
   */
  async busyReceiver<T>(probe: () => Promise<T>): Promise<{ probes: T; busy: T }> {
    this.ns(this.c, 'sh', '-c', `echo 1 > /sys/class/net/${this.cdev}/queues/rx-0/rps_cpus`);
    this.pin = '1';
    try {
      const probes = await probe();
      const spinner = spawn('ip', ['netns', 'exec', this.c, 'chrt', '-f', '50', 'taskset', '-c', '1', 'python3', '-c', [
        'import time',
        'end = time.time() + 15',
        'while time.time() < end:',
        '    t = time.time() + 0.003',
        '    while time.time() < t: pass',
        '    time.sleep(0.0005)',
      ].join('\n')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      spinner.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      try {
        // a spinner that could not start (no real-time priority, say): say so, not "pingtrace missed it"
        await sleep(200);
        if (spinner.exitCode !== null) throw new Error(`the SCHED_FIFO spinner exited at once (${spinner.exitCode}): ${err}`);
        return { probes, busy: await probe() };
      } finally {
        spinner.kill();
      }
    } finally {
      this.pin = null;
      this.ns(this.c, 'sh', '-c', `echo 0 > /sys/class/net/${this.cdev}/queues/rx-0/rps_cpus`);
    }
  }

  async down(): Promise<void> {
    await this.stopServer();
    execFileSync('bash', [NETNS, 'down', this.name]);
  }
}
