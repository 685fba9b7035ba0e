// pingtrace's own costs, between two namespaces made here: the highest probe
// rate with < 1% loss, each agent's CPU at 10 probes/s, its median total
// against iputils ping -U's, and the in-kernel cost of every program per run
// from the kernel's BPF run-time statistics.
// Prints a table, then one JSON line.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { enableRunStats, loadedPrograms } from '../lbc/src/index.js';
import { ROOT } from '../src/paths.js';

const BIN = path.join(ROOT, 'examples/pingtrace/bin/pingtrace.js');
const NETNS = path.join(ROOT, 'examples/pingtrace/netns.sh');
const name = `lccb${process.pid % 100000}`;

// on-CPU time of every thread of a process, in ns precision (utime/stime tick at 10 ms)
const cpuSeconds = (pid: number): number =>
  fs.readdirSync(`/proc/${pid}/task`).reduce((sum, tid) => {
    try {
      return sum + Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
    } catch {
      return sum; // the thread ended meanwhile
    }
  }, 0);

const [c, s, , sip] = execFileSync('bash', [NETNS, 'up', name], { encoding: 'utf8' }).trim().split(' ') as [string, string, string, string];
const stopStats = enableRunStats();
const server = spawn('ip', ['netns', 'exec', s, process.execPath, BIN, '--server', '-w', '300'], { stdio: ['ignore', 'ignore', 'pipe'] });
try {
  await new Promise<void>((resolve, reject) => {
    let err = '';
    server.stderr!.on('data', (d: Buffer) => ((err += d.toString()), err.includes('reporting') && resolve()));
    server.on('exit', () => reject(new Error(err)));
  });
  const serverPid = Number(execFileSync('pgrep', ['-n', '-f', 'pingtrace.js --server'], { encoding: 'utf8' }).trim());

  // 1. rates: 2 s at each, up to the first with >= 1% loss
  const rates: { rate: number; loss: number }[] = [];
  for (const rate of [100, 500, 1000, 2000, 4000]) {
    const count = rate * 2;
    const out = execFileSync('ip', ['netns', 'exec', c, process.execPath, BIN, sip, '--json', '-c', String(count), '-i', String(1 / rate), '-W', '1'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 28 });
    const sum = JSON.parse(out.trim().split('\n').pop()!).summary as { loss: number };
    rates.push({ rate, loss: sum.loss });
    if (sum.loss >= 0.01) break;
  }
  const maxRate = Math.max(0, ...rates.filter((r) => r.loss < 0.01).map((r) => r.rate));

  // 2. CPU at 10 probes/s for 10 s: the server from its threads' schedstat over the
  // window; the client from wait4, less a one-probe run's (its start-up and exit)
  const measureClient = (count: number): { cpu: number; wall: number } =>
    JSON.parse(execFileSync('python3', [path.join(ROOT, 'bench/measure.py'), 'ip', 'netns', 'exec', c, process.execPath, BIN, sip, '-c', String(count), '-i', '0.1'], { encoding: 'utf8' }));
  const once = measureClient(1);
  const s0 = cpuSeconds(serverPid);
  const t0 = performance.now();
  const m = measureClient(100);
  const wall = (performance.now() - t0) / 1000;
  const serverCpu = ((cpuSeconds(serverPid) - s0) / wall) * 100;
  const clientCpu = ((m.cpu - once.cpu) / (m.wall - once.wall)) * 100;

  // 3. pingtrace's total against iputils ping -U (user to user): the veth round trip drifts by
  // tens of percent from one second to the next, so interleaved short rounds, pooled, compare the
  // same moments (running both at once would put each in the other's way)
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < 12; round++) {
    const ping = execFileSync('ip', ['netns', 'exec', c, 'ping', '-U', '-c', '25', '-i', '0.02', sip], { encoding: 'utf8' });
    theirs.push(...[...ping.matchAll(/time=([\d.]+) ms/g)].map((x) => Number(x[1]) * 1000));
    const out = execFileSync('ip', ['netns', 'exec', c, process.execPath, BIN, sip, '--json', '-c', '25', '-i', '0.02'], { encoding: 'utf8' });
    for (const l of out.trim().split('\n')) if (l.startsWith('{"seq"')) ours.push((JSON.parse(l) as { stages: { total: number } }).stages.total);
  }
  const vsPing = median(ours) / median(theirs);

  // 4. in-kernel cost per program run (both agents' programs, all runs so far)
  const progs = loadedPrograms().filter((p) => /^(tp_|rtp_|kp_)/.test(p.name) && p.runCount > 0n);
  const perProg = new Map<string, { ns: bigint; runs: bigint }>();
  for (const p of progs) {
    const e = perProg.get(p.name) ?? { ns: 0n, runs: 0n };
    e.ns += p.runTimeNs;
    e.runs += p.runCount;
    perProg.set(p.name, e);
  }

  console.log('\n5. pingtrace between two namespaces');
  console.log(rates.map((r) => `  ${String(r.rate).padStart(5)} probes/s: ${(r.loss * 100).toFixed(2)}% loss`).join('\n'));
  console.log(`  highest rate with < 1% loss: ${maxRate} probes/s`);
  console.log(`  median total ${median(ours).toFixed(1)} us against ping -U's ${median(theirs).toFixed(1)} us: ${vsPing.toFixed(3)}x (12 interleaved rounds of 25)`);
  console.log(`  CPU at 10 probes/s: client ${clientCpu.toFixed(2)}% of a core (start-up excluded), server ${serverCpu.toFixed(2)}%`);
  console.log('  in-kernel cost per run (BPF run-time statistics):');
  let worst = 0;
  for (const [n, e] of [...perProg].sort()) {
    const avg = Number(e.ns) / Number(e.runs);
    worst = Math.max(worst, avg);
    console.log(`    ${n.padEnd(18)} ${avg.toFixed(0).padStart(6)} ns over ${e.runs} runs`);
  }
  console.log(JSON.stringify({ pingtrace_max_probes_per_s: maxRate, pingtrace_total_vs_ping: Number(vsPing.toFixed(3)), pingtrace_client_cpu_pct_10pps: Number(clientCpu.toFixed(3)), pingtrace_server_cpu_pct_10pps: Number(serverCpu.toFixed(3)), pingtrace_worst_prog_ns: Math.round(worst) }));
} finally {
  server.kill('SIGTERM');
  stopStats();
  execFileSync('bash', [NETNS, 'down', name]);
}
