// What pingtrace costs the traffic around it, between two namespaces made
// here: iputils `ping -U`'s round trip from the client's namespace in rounds
// interleaved with and without pingtrace loaded (server alone; client at
// -i 1 with the server; continuous mode with the server), the client's
// wake-ups and CPU while a neighbour floods, and the server agent's start-up
// and resident memory. Prints a table, then one JSON line.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../src/paths.js';
import { enableRunStats, loadedPrograms } from '../lbc/src/index.js';

const BIN = path.join(ROOT, 'examples/pingtrace/bin/pingtrace.js');
const NETNS = path.join(ROOT, 'examples/pingtrace/netns.sh');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const name = `lccn${process.pid % 100000}`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const [c, s, , sip] = execFileSync('bash', [NETNS, 'up', name], { encoding: 'utf8' }).trim().split(' ') as [string, string, string, string];
const ns = (n: string, ...cmd: string[]): string => execFileSync('ip', ['netns', 'exec', n, ...cmd], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28 });

interface Agent { child: ChildProcess; ms: number; pid: number; until(re: RegExp): Promise<RegExpExecArray> }

/** Start pingtrace in a namespace; resolves once it printed `ready` (its readiness line). */
async function start(n: string, args: string[], ready: string): Promise<Agent> {
  const t0 = performance.now();
  // no `ip netns exec` in between: its pid is the tool's, whose threads and memory we read
  const child = spawn('nsenter', [`--net=/run/netns/${n}`, process.execPath, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waits: (() => void)[] = [];
  const see = (d: Buffer): void => {
    out += d.toString();
    for (const w of [...waits]) w();
  };
  child.stdout!.on('data', see);
  child.stderr!.on('data', see);
  /** what it printed (stdout and stderr), once it matches */
  const until = (re: RegExp): Promise<RegExpExecArray> => new Promise((resolve, reject) => {
    const check = (): void => {
      const m = re.exec(out);
      if (m) {
        waits.splice(waits.indexOf(check), 1);
        resolve(m);
      }
    };
    waits.push(check);
    child.once('exit', (code) => reject(new Error(`pingtrace ${args.join(' ')} exited ${code}: ${out}`)));
    check();
  });
  await until(new RegExp(ready.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return { child, ms: performance.now() - t0, pid: child.pid!, until };
}

async function stop(p: { child: ChildProcess }): Promise<void> {
  if (p.child.exitCode !== null) return;
  const gone = new Promise((r) => p.child.on('exit', r));
  p.child.kill('SIGINT');
  await gone;
}

/** ping -U's mean round trip in µs from the client's namespace: of every reply's time (ping's own
 * average is rounded to the µs; 2,000 of them resolve a fraction of one). */
const pingTimes = (count: number): number[] => {
  const out = ns(c, 'ping', '-U', '-c', String(count), '-i', '0.0005', sip);
  const times = [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]) * 1000);
  if (times.length < count * 0.95) throw new Error(`ping printed ${times.length} round trips of ${count}`);
  return times;
};
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const pingAvg = (): number => mean(pingTimes(2000));

/** Context switches and on-CPU time of every thread of a process. */
function threads(pid: number): { switches: number; cpuNs: number } {
  let switches = 0;
  let cpuNs = 0;
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const st = fs.readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
      switches += Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(st)![1]) + Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(st)![1]);
      cpuNs += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return { switches, cpuNs };
}

const SERVER_READY = 'reporting to each client';
const CLIENT_READY = '{"start"';

/**
 * A client whose first probe is settled: what a neighbour lives beside is a
 * client left running, not its start-up (its first probe also meets a cold
 * JIT). The continuous mode prints spikes only, so its first probe is seen
 * on its metrics endpoint.
 */
async function client(args: string[]): Promise<Agent> {
  if (!args.includes('--continuous')) {
    const p = await start(c, [...args, '--json'], CLIENT_READY);
    await p.until(/"seq"/);
    return p;
  }
  const p = await start(c, [...args, '--metrics', '127.0.0.1:0'], 'metrics at http://');
  const port = (await p.until(/metrics at http:\/\/127\.0\.0\.1:(\d+)/))[1]!;
  // the endpoint is in the client's namespace: read it from there
  const read = `fetch('http://127.0.0.1:${port}/metrics').then((r) => r.text()).then((t) => process.stdout.write(t))`;
  for (let i = 0; i < 100; i++) {
    if (/^pingtrace_probes_received_total\{[^}]*\} [1-9]/m.test(ns(c, process.execPath, '-e', read))) return p;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the continuous client reported no probe in 10 s');
}

const modes: Record<string, () => Promise<Agent[]>> = {
  'server only': async () => [await start(s, ['--server'], SERVER_READY)],
  'client -i 1 only': async () => [await client([sip, '-i', '1'])],
  'client -i 1 + server': async () => [await start(s, ['--server'], SERVER_READY), await client([sip, '-i', '1'])],
  'continuous + server': async () => [await start(s, ['--server'], SERVER_READY), await client([sip, '--continuous'])],
};

try {
  // 1. interleaved rounds: each loaded round beside a bare one taken just before it
  const added: Record<string, number[]> = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
  const bare: number[] = [];
  pingAvg(); // warm the path (neighbour entries, caches)
  for (let r = 0; r < ROUNDS; r++) {
    for (const [mode, load] of Object.entries(modes)) {
      const before = pingAvg();
      bare.push(before);
      const procs = await load();
      try {
        added[mode]!.push(pingAvg() - before);
      } finally {
        for (const p of procs.reverse()) await stop(p);
      }
    }
  }

  // 1b. what the rounds above cannot resolve (their spread is microseconds): the time
  // pingtrace's own programs spend per neighbour's round trip, from the kernel's run-time
  // statistics (which add a clock read to each run, so the figures are an upper bound)
  const kernelNs: Record<string, { ns: number; runs: number }> = {};
  const stopStats = enableRunStats();
  try {
    for (const [mode, load] of Object.entries(modes)) {
      const before = new Set(loadedPrograms().map((p) => p.id));
      const procs = await load();
      try {
        const ours = (): { ns: bigint; runs: bigint } => loadedPrograms().filter((p) => !before.has(p.id))
          .reduce((a, p) => ({ ns: a.ns + p.runTimeNs, runs: a.runs + p.runCount }), { ns: 0n, runs: 0n });
        const k0 = ours();
        pingAvg();
        const k1 = ours();
        kernelNs[mode] = { ns: Number(k1.ns - k0.ns) / 2000, runs: Number(k1.runs - k0.runs) / 2000 };
      } finally {
        for (const p of procs.reverse()) await stop(p);
      }
    }
  } finally {
    stopStats();
  }

  // 1c. whole seconds, the client's probes (and the attaching around them) included: the
  // rounds above fall between probes. ~2 s of back-to-back pings a round, and how many
  // replies took over 100 us, beside the bare round before it
  const LONG = 150_000;
  const long: Record<string, { added: number[]; slow: number[]; bareSlow: number[] }> = {};
  for (let r = 0; r < Math.max(3, Math.round(ROUNDS / 4)); r++) {
    for (const mode of ['client -i 1 only', 'client -i 1 + server']) {
      const bareTimes = pingTimes(LONG);
      const procs = await modes[mode]!();
      try {
        const times = pingTimes(LONG);
        const row = (long[mode] ??= { added: [], slow: [], bareSlow: [] });
        row.added.push(mean(times) - mean(bareTimes));
        row.slow.push(times.filter((t) => t > 100).length);
        row.bareSlow.push(bareTimes.filter((t) => t > 100).length);
      } finally {
        for (const p of procs.reverse()) await stop(p);
      }
    }
  }

  // 2. a neighbour's flood while a client probes at -i 1: the client's wake-ups and CPU
  const server = await start(s, ['--server'], SERVER_READY);
  // measured from the first probe's line on: start-up's own work (JIT, the first report) is over
  const cl = await client([sip, '-i', '1']);
  const t0 = threads(cl.pid);
  const f0 = performance.now();
  ns(c, 'ping', '-q', '-f', '-c', '400', sip);
  const floodMs = performance.now() - f0;
  const t1 = threads(cl.pid);
  // the same span idle, for the client's own probes and timers
  await new Promise((r) => setTimeout(r, Math.max(floodMs, 1000)));
  const t2 = threads(cl.pid);
  const idleMs = Math.max(floodMs, 1000);
  const summaryLine = cl.until(/^\{"summary".*$/m);
  await stop(cl);
  const summary = (JSON.parse((await summaryLine)[0]) as { summary: { received: number; socketReads: number; kernelCalls: number } }).summary;

  // 3. the server agent alone: start-up to its readiness line, resident memory when idle
  await stop(server);
  const starts: number[] = [];
  let rssMb = 0;
  for (let i = 0; i < 3; i++) {
    const sv = await start(s, ['--server'], SERVER_READY);
    starts.push(sv.ms);
    rssMb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${sv.pid}/status`, 'utf8'))![1]) / 1024;
    await stop(sv);
  }
  // an idle agent: once nothing is in flight (2 s) its drain timer stops; what wakes it in 3 s more
  const idle = await start(s, ['--server'], SERVER_READY);
  await new Promise((r) => setTimeout(r, 2500));
  const i0 = threads(idle.pid);
  await new Promise((r) => setTimeout(r, 3000));
  const idleSwitches = threads(idle.pid).switches - i0.switches;
  await stop(idle);
  const nodeFloor = Number(execFileSync(process.execPath, ['-e', 'console.log(process.memoryUsage().rss)'], { encoding: 'utf8' })) / 1048576;

  console.log("\n5b. pingtrace and its neighbours (ping -U -c 2000 -i 0.0005 from the client's namespace)");
  console.log(`  bare round trip: median ${median(bare).toFixed(1)} us over ${bare.length} rounds`);
  for (const [mode, xs] of Object.entries(added)) console.log(`  ${mode.padEnd(22)} adds ${median(xs).toFixed(2).padStart(5)} us (median of ${xs.length} interleaved rounds; ${Math.min(...xs).toFixed(1)} to ${Math.max(...xs).toFixed(1)})`);
  for (const [mode, l] of Object.entries(long)) console.log(`  ${mode.padEnd(22)} adds ${mean(l.added).toFixed(2).padStart(5)} us over whole seconds (mean of ${l.added.length} rounds of ${LONG} pings; ${l.added.map((x) => x.toFixed(1)).join(' ')}); replies over 100 us per round: ${mean(l.slow).toFixed(0)} (bare ${mean(l.bareSlow).toFixed(0)})`);
  for (const [mode, k] of Object.entries(kernelNs)) console.log(`  ${mode.padEnd(22)} its programs: ${k.ns.toFixed(0).padStart(4)} ns in ${k.runs.toFixed(1)} runs per neighbour's round trip`);
  console.log(`  neighbour's flood of 400 pings (${floodMs.toFixed(0)} ms): client context switches ${t1.switches - t0.switches}, CPU ${((t1.cpuNs - t0.cpuNs) / 1e6).toFixed(2)} ms`);
  console.log(`  the same span idle at -i 1 (${idleMs.toFixed(0)} ms): context switches ${t2.switches - t1.switches}, CPU ${((t2.cpuNs - t1.cpuNs) / 1e6).toFixed(2)} ms`);
  console.log(`  client socket reads ${summary.socketReads} for ${summary.received} replies of its own; its packet programs called ${summary.kernelCalls} times (attached around its probes only)`);
  console.log(`  server agent idle for 3 s: ${idleSwitches} context switches`);
  console.log(`  server agent: ready ${median(starts).toFixed(0)} ms after spawn (median of 3), ${rssMb.toFixed(1)} MB resident idle (node -e alone: ${nodeFloor.toFixed(1)} MB)`);
  console.log(JSON.stringify({
    pingtrace_neighbour_added_us_server: Number(median(added['server only']!).toFixed(2)),
    pingtrace_neighbour_added_us_client_alone: Number(median(added['client -i 1 only']!).toFixed(2)),
    pingtrace_neighbour_added_us_client: Number(median(added['client -i 1 + server']!).toFixed(2)),
    pingtrace_neighbour_added_us_continuous: Number(median(added['continuous + server']!).toFixed(2)),
    pingtrace_neighbour_added_us_client_alone_whole_seconds: Number(mean(long['client -i 1 only']!.added).toFixed(2)),
    pingtrace_neighbour_added_us_client_whole_seconds: Number(mean(long['client -i 1 + server']!.added).toFixed(2)),
    pingtrace_neighbour_kernel_ns_client_alone: Math.round(kernelNs['client -i 1 only']!.ns),
    pingtrace_neighbour_kernel_ns_client: Math.round(kernelNs['client -i 1 + server']!.ns),
    pingtrace_neighbour_kernel_ns_continuous: Math.round(kernelNs['continuous + server']!.ns),
    pingtrace_flood_client_switches: t1.switches - t0.switches,
    pingtrace_server_idle_switches_3s: idleSwitches,
    pingtrace_server_start_ms: Number(median(starts).toFixed(1)),
    pingtrace_server_rss_mb: Number(rssMb.toFixed(1)),
  }));
} finally {
  execFileSync('bash', [NETNS, 'down', name]);
}
