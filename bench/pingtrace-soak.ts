// pingtrace soak: an hour at 100 probes/s compressed into a faster run with
// the same number of probes (default 360,000 at 2,000/s: 3 minutes), with
// everything that keeps state switched on (spike hunting, --metrics,
// --report, --log). Samples the client's RSS as it goes and prints how it
// moved, then one JSON line. Between two namespaces made here.
//   node dist/bench/pingtrace-soak.js [PROBES] [RATE]
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../src/paths.js';

const BIN = path.join(ROOT, 'examples/pingtrace/bin/pingtrace.js');
const NETNS = path.join(ROOT, 'examples/pingtrace/netns.sh');
const probes = Number(process.argv[2] ?? 360_000);
const rate = Number(process.argv[3] ?? 2000);
const seconds = Math.ceil(probes / rate);
const name = `lccs${process.pid % 100000}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ptsoak-'));

const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const [c, s, , sip] = execFileSync('bash', [NETNS, 'up', name], { encoding: 'utf8' }).trim().split(' ') as [string, string, string, string];
const server = spawn('ip', ['netns', 'exec', s, process.execPath, BIN, '--server', '-w', String(seconds + 60)], { stdio: ['ignore', 'ignore', 'pipe'] });
try {
  await new Promise<void>((resolve, reject) => {
    let err = '';
    server.stderr!.on('data', (d: Buffer) => ((err += d.toString()), err.includes('reporting') && resolve()));
    server.on('exit', () => reject(new Error(err)));
  });
  console.log(`pingtrace soak: ${probes} probes at ${rate}/s (${seconds} s; ${(probes / 100 / 3600).toFixed(2)} h at 100/s), spikes + metrics + report + log on`);
  // --trace-gc: the live heap after each full collection, which RSS (V8's and malloc's
  // reserves) only hints at
  const client = spawn('ip', ['netns', 'exec', c, process.execPath, '--trace-gc', BIN, sip, '--json', '-t', String(seconds), '-i', String(1 / rate),
    '-k', '3', '--metrics', '127.0.0.1:0', '--report', path.join(tmp, 'soak.html'), '--log', path.join(tmp, 'soak.log'), '--log-size', String(1 << 20)],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  client.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => client.on('exit', r));
  // the node process inside `ip netns exec`
  await sleep(1500);
  const pid = Number(execFileSync('pgrep', ['-n', '-f', `pingtrace.js ${sip} --json -t`], { encoding: 'utf8' }).trim());
  const samples: { t: number; rss: number }[] = [];
  const t0 = Date.now();
  let done = false;
  void exited.then(() => (done = true));
  while (!done) {
    try {
      samples.push({ t: (Date.now() - t0) / 1000, rss: rssKb(pid) });
    } catch {
      break; // exited between the check and the read
    }
    await sleep(5000);
  }
  const code = await exited;
  const summary = JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).pop()!).summary as { sent: number; received: number; spikes: number };
  const t0gc = Number(/^\[\d+:\w+\]\s+(\d+) ms/m.exec(out)?.[1] ?? 0);
  const live = [...out.matchAll(/^\[\d+:\w+\]\s+(\d+) ms: Mark-Compact [\d.]+ \([\d.]+\) -> ([\d.]+)/gm)].map((m) => ({ t: (Number(m[1]) - t0gc) / 1000, mb: Number(m[2]) }));
  // After a warm-up fifth of the run, the median RSS of the first and the last
  // third of what is left: V8 grows its heap and collects in waves, so single
  // samples (and a straight-line fit through them) mostly measure the wave.
  const steady = samples.filter((x) => x.t >= seconds / 5).map((x) => x.rss);
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const third = Math.max(1, Math.floor(steady.length / 3));
  const early = med(steady.slice(0, third));
  const late = med(steady.slice(-third));
  const mb = (kb: number): string => (kb / 1024).toFixed(1);
  const heap = live.filter((x) => x.t >= seconds / 5).map((x) => x.mb);
  const heapThird = Math.max(1, Math.floor(heap.length / 3));
  const heapEarly = heap.length ? med(heap.slice(0, heapThird)) : NaN;
  const heapLate = heap.length ? med(heap.slice(-heapThird)) : NaN;
  console.log(`exit ${code}; sent ${summary.sent}, received ${summary.received}, spikes ${summary.spikes}`);
  console.log(`RSS: ${mb(samples[0]!.rss)} MB at start; median ${mb(early)} MB early and ${mb(late)} MB late in the steady part; max ${mb(Math.max(...samples.map((x) => x.rss)))} MB`);
  console.log(`live JS heap after full collections: median ${heapEarly.toFixed(1)} MB early and ${heapLate.toFixed(1)} MB late (${heap.length} collections)`);
  console.log(JSON.stringify({ soak_probes: summary.sent, soak_rss_early_mb: early / 1024, soak_rss_late_mb: late / 1024, soak_rss_max_mb: Math.max(...samples.map((x) => x.rss)) / 1024, soak_heap_early_mb: heapEarly, soak_heap_late_mb: heapLate }));
} finally {
  server.kill('SIGTERM');
  execFileSync('bash', [NETNS, 'down', name]);
  fs.rmSync(tmp, { recursive: true, force: true });
}
