// The compile service and a scaffold's build:
//  - builds per second with 8 concurrent clients, cold (every source new, so
//    clang runs in the sandbox) and from the cache (the fleet case: many hosts,
//    one object);
//  - `npm run build` of a create-lcc-app scaffold, cold and warm (nothing changed).
// Prints tables, then one JSON line of figures for run.ts.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../src/paths.js';
import { startServe } from '../src/serve/spawn.js';

const CLIENTS = 8;
const DISTINCT = Number(process.env.BENCH_SERVE_SOURCES ?? 16);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-bench-serve-'));

const source = (n: number): string => `#include "lbc.h"
struct ev_${n} { __u64 ts; __u32 pid; char comm[16]; };
LBC_RINGBUF(events, 1 << 16);
LBC_HASH(counts, __u32, __u64, 1024);
SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
	struct ev_${n} *e = lbc_ringbuf_reserve(events, sizeof(*e));
	if (!e)
		return 0;
	e->ts = bpf_ktime_get_ns();
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return ${n} & 1;
}
char LICENSE[] SEC("license") = "GPL";
`;

/** CLIENTS workers drain a queue of requests; returns requests per second. */
async function load(url: string, requests: number[]): Promise<{ perSecond: number; seconds: number }> {
  const queue = [...requests];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
      const r = await fetch(`${url}/v1/compile`, { method: 'POST', body: JSON.stringify({ main: 'tool.bpf.c', files: { 'tool.bpf.c': source(n) } }) });
      if (r.status !== 200) throw new Error(`compile ${n}: HTTP ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: requests.length / seconds, seconds };
}

function timed(cmd: string, args: string[], cwd: string): number {
  const t0 = performance.now();
  execFileSync(cmd, args, { cwd, stdio: 'ignore' });
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const svc = await startServe([path.join(ROOT, 'bin', 'lcc.js')], path.join(work, 'cache'), ['--queue', '256'], 'ignore');
  let cold;
  let cached;
  try {
    cold = await load(svc.url, Array.from({ length: DISTINCT }, (_, i) => i));
    cached = await load(svc.url, Array.from({ length: DISTINCT * 8 }, (_, i) => i % DISTINCT));
  } finally {
    svc.stop();
  }
  console.log(`\n6. lcc serve: ${CLIENTS} concurrent clients, ${os.availableParallelism()} CPUs (clang in bubblewrap)`);
  console.table([
    { case: `cold: ${DISTINCT} new sources`, 'builds/s': Number(cold.perSecond.toFixed(2)), 'wall s': Number(cold.seconds.toFixed(2)) },
    { case: `cached: ${DISTINCT * 8} repeats`, 'builds/s': Number(cached.perSecond.toFixed(1)), 'wall s': Number(cached.seconds.toFixed(2)) },
  ]);

  const app = path.join(work, 'benchtool');
  execFileSync(process.execPath, [path.join(ROOT, 'generators', 'create-lcc-app', 'bin.js'), app, '--yes'], { cwd: work, stdio: 'ignore' });
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, stdio: 'ignore' });
  const buildCold = timed('npm', ['run', 'build'], app);
  const buildWarm = timed('npm', ['run', 'build'], app);
  console.log('\n7. create-lcc-app scaffold: npm run build (lcc build: clang + skeleton, then tsc)');
  console.table([
    { case: 'cold (first build)', 'wall s': Number(buildCold.toFixed(2)) },
    { case: 'warm (nothing changed: lcc build and tsc -b skip)', 'wall s': Number(buildWarm.toFixed(2)) },
  ]);
  fs.rmSync(work, { recursive: true, force: true });
  console.log(JSON.stringify({
    serve_cold_builds_per_s: cold.perSecond, serve_cached_builds_per_s: cached.perSecond,
    serve_cached_vs_cold: cached.perSecond / cold.perSecond, scaffold_build_cold_s: buildCold, scaffold_build_warm_s: buildWarm,
  }));
}

await main();
