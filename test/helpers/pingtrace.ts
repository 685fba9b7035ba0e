// Two hosts for pingtrace's kernel tests: network namespaces joined by a veth
// pair (examples/pingtrace/netns.sh), a pingtrace server in one, clients in
// the other, and bounded congestion on either side's egress.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from './kernel.js';
import { watch, type Watched } from './ready.js';

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
   * A client started in its namespace and attached (its --json start line,
   * or the text header), probing until `stop()`: the test waits for its
   * probes as they come instead of for a duration.
   */
  async start(args: string[]): Promise<LiveClient> {
    const pinned = this.pin ? ['taskset', '-c', this.pin] : [];
    const child = spawn('ip', ['netns', 'exec', this.c, ...pinned, process.execPath, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const live = new LiveClient(child, watch(child));
    await live.w.until(args.includes('--json') ? '{"start"' : 'PINGTRACE');
    return live;
  }

  /**
   * Queue delay on one side's egress while `during` runs: a 2 Mbit/s shaper
   * and a flow just above that rate, so the queue (and every probe through
   * it) grows by milliseconds a second without overflowing. `during` starts
   * once the queue holds 20 kB (80 ms); the flow stops when it is done (and
   * after 30 s whatever happens), and the shaper goes once the queue drained.
   * `from` and `to`: when the shaper came and went.
   */
  async congest<T>(side: 'client' | 'server', during: () => Promise<T>): Promise<{ result: T; from: number; to: number }> {
    const [host, dev, to] = side === 'client' ? [this.c, this.cdev, this.sip] : [this.s, this.sdev, this.cip];
    const backlog = (): number => Number(/backlog (\d+)b/.exec(this.ns(host, 'tc', '-s', 'qdisc', 'show', 'dev', dev, 'root'))?.[1] ?? 0);
    const from = Date.now();
    this.ns(host, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', '2mbit', 'burst', '4kb', 'latency', '1s');
    let result: T;
    try {
      // the flow ends when its stdin closes
      const flood = spawn('ip', ['netns', 'exec', host, 'python3', '-c', [
        'import select, socket, sys, time',
        's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
        'end = time.time() + 30',
        'while time.time() < end and not select.select([sys.stdin], [], [], 0.004)[0]:',
        `    s.sendto(b"x" * 1200, ("${to}", 9))`,
      ].join('\n')], { stdio: ['pipe', 'ignore', 'inherit'] });
      const flowed = new Promise((r) => flood.on('exit', r));
      try {
        if (!(await eventually(() => backlog() >= 20_000, 20_000))) throw new Error(`the queue on ${dev} did not build up`);
        result = await during();
      } finally {
        flood.stdin!.end();
        await flowed;
        await eventually(() => backlog() === 0, 20_000);
      }
    } finally {
      this.ns(host, 'tc', 'qdisc', 'del', 'dev', dev, 'root');
    }
    return { result, from, to: Date.now() };
  }

  /**
   * `n` probes of a client pinned to CPU 1, receive processing steered to
   * CPU 0 (RPS) so that a reply wakes the client from another CPU: once as
   * is, once with a SCHED_FIFO task on CPU 1 that each probe itself sets off.
   * It waits on a packet socket on the client's interface, wakes when a
   * probe (the tag's magic) leaves, and spins 3 ms: the client is off its
   * CPU from its send until after its reply came back (~30 us later), every
   * probe, however fast the client is. (A spinner with gaps on its own clock
   * meets only a client slow enough to straddle a gap: a cold one, sometimes.)
   * The server agent is kept on CPU 0 meanwhile: it echoes UDP and TCP probes.
   */
  async busyReceiver<P = Record<string, unknown>>(args: string[], n: number): Promise<{ probes: P[]; busy: P[] }> {
    this.ns(this.c, 'sh', '-c', `echo 1 > /sys/class/net/${this.cdev}/queues/rx-0/rps_cpus`);
    this.pin = '1';
    const probe = async (): Promise<P[]> => {
      const client = await this.start([...args, '--json', '-c', String(n)]);
      const r = await client.stop(true);
      if (r.code !== 0) throw new Error(`pingtrace exited ${r.code}: ${r.stderr}`);
      return r.lines.filter((l) => 'seq' in l) as P[];
    };
    // the server agent (UDP and TCP replies come from its user space) stays off the spinner's CPU
    const server = this.server?.pid;
    if (server) execFileSync('taskset', ['-a', '-p', '-c', '0', String(server)], { stdio: 'ignore' });
    try {
      const probes = await probe();
      const spinner = spawn('ip', ['netns', 'exec', this.c, 'chrt', '-f', '50', 'taskset', '-c', '1', 'python3', '-c', [
        'import socket, time',
        's = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL',
        `s.bind(("${this.cdev}", 0))`,
        'print("ready", flush=True)',
        'end = time.time() + 60',
        'while time.time() < end:',
        '    data, addr = s.recvfrom(65536)',
        '    if addr[2] != socket.PACKET_OUTGOING or b"LCCP" not in data: continue',
        '    t = time.time() + 0.003',
        '    while time.time() < t: pass',
      ].join('\n')], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        // a spinner that could not start (no real-time priority, say) says so here, not as "pingtrace missed it"
        await watch(spinner).until('ready\n');
        return { probes, busy: await probe() };
      } finally {
        spinner.kill();
      }
    } finally {
      if (server) execFileSync('taskset', ['-a', '-p', '-c', '0-1', String(server)], { stdio: 'ignore' });
      this.pin = null;
      this.ns(this.c, 'sh', '-c', `echo 0 > /sys/class/net/${this.cdev}/queues/rx-0/rps_cpus`);
    }
  }

  async down(): Promise<void> {
    await this.stopServer();
    execFileSync('bash', [NETNS, 'down', this.name]);
  }
}

/** A running client (Hosts.start): its JSON lines so far, waits for more, stops with Ctrl-C. */
export class LiveClient {
  constructor(readonly child: ChildProcess, readonly w: Watched) {}

  lines(): Record<string, unknown>[] {
    return this.w.stdout.split('\n').filter((l) => l.startsWith('{') && l.endsWith('}')).map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** probe lines (not spikes, not status changes) */
  probes<P = Record<string, unknown>>(): P[] {
    return this.lines().filter((l) => 'seq' in l && !('spike' in l)) as P[];
  }

  probesAtLeast(n: number): Promise<void> {
    return this.w.until((out) => (out.match(/^\{"(target":"[^"]*","seq|seq)"/gm)?.length ?? 0) >= n);
  }

  /** Ctrl-C, as a user ends it: it prints its summary and exits (or, `finishing`, wait for it to end by itself). */
  async stop(finishing = false): Promise<Run> {
    if (!finishing && this.child.exitCode === null) this.child.kill('SIGINT');
    const code = await this.w.closed;
    return { code, lines: this.lines(), stdout: this.w.stdout, stderr: this.w.stderr };
  }
}
