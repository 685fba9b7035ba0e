// The compile service and a scaffold's build:
//  - builds per second with 8 concurrent clients, cold (every source new, so
//    clang runs in the sandbox) and from the cache (the fleet case: many hosts,
//    one object);
//  - `npm run build` of a create-lcc-app scaffold, cold and warm (nothing changed).
// Prints tables, then one JSON line of figures for run.ts.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
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

/** One request from a source address of its own (the service tells clients apart by address); seconds and status. */
function postFrom(url: string, from: string, body: unknown): Promise<{ seconds: number; status: number }> {
  const u = new URL(`${url}/v1/compile`);
  const data = JSON.stringify(body);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const r = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress: from, headers: { 'content-length': Buffer.byteLength(data) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ seconds: (performance.now() - t0) / 1000, status: res.statusCode! }));
    });
    r.on('error', reject);
    r.end(data);
  });
}

// 2^40 tokens: clang runs until the service's time limit stops it
const slow = (n: number): string => `// ${n}\n${Array.from({ length: 40 }, (_, i) => `#define X${i + 1} X${i} X${i}`).join('\n')}\n#define X0 1+\nint x = X40 1;\n`;

/**
 * A hostile client: one address sends 8 compiles that run to the time limit
 * (4 s) on 2 workers; another address then asks for one ordinary build. Its
 * latency against the same build on an idle service; and a cache of 64 KiB
 * fed 24 distinct objects.
 */
async function hostile(): Promise<{ idle: number; flooded: number; floodSeconds: number; cacheBytes: number; quota: number; evictions: number; objects: number }> {
  const quota = 64 << 10;
  const svc = await startServe([path.join(ROOT, 'bin', 'lcc.js')], path.join(work, 'hostile-cache'), ['--workers', '2', '--timeout', '4', '--cache-size', String(quota / 2 ** 20)], 'ignore');
  try {
    const idle = await postFrom(svc.url, '127.0.0.2', { main: 'tool.bpf.c', files: { 'tool.bpf.c': source(1000) } });
    const t0 = performance.now();
    const flood = Array.from({ length: 8 }, (_, i) => postFrom(svc.url, '127.0.0.1', { main: 'slow.bpf.c', files: { 'slow.bpf.c': slow(i) } }));
    // both workers busy with the flood before the good request comes
    for (;;) {
      const h = (await (await fetch(`${svc.url}/healthz`)).json()) as { running: number; queued: number };
      if (h.running === 2 && h.queued === 6) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const flooded = await postFrom(svc.url, '127.0.0.2', { main: 'tool.bpf.c', files: { 'tool.bpf.c': source(1001) } });
    await Promise.all(flood);
    const floodSeconds = (performance.now() - t0) / 1000;
    for (let n = 2000; n < 2024; n++) await postFrom(svc.url, '127.0.0.2', { main: 'tool.bpf.c', files: { 'tool.bpf.c': source(n) } });
    const h = (await (await fetch(`${svc.url}/healthz`)).json()) as { cacheBytes: number; cacheEvictions: number; cacheObjects: number };
    return { idle: idle.seconds, flooded: flooded.seconds, floodSeconds, cacheBytes: h.cacheBytes, quota, evictions: h.cacheEvictions, objects: h.cacheObjects };
  } finally {
    svc.stop();
  }
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

  const hv = await hostile();
  console.log('\n6b. lcc serve under a hostile client (2 workers, 4 s time limit)');
  console.table([
    { case: 'a build, idle service', 'wall s': Number(hv.idle.toFixed(2)) },
    { case: 'the same kind of build from another address, 8 compiles of one address running to the limit', 'wall s': Number(hv.flooded.toFixed(2)) },
    { case: 'the flood itself (8 x 4 s on 2 workers)', 'wall s': Number(hv.floodSeconds.toFixed(2)) },
  ]);
  console.log(`   cache after 24 distinct objects: ${hv.cacheBytes} bytes in ${hv.objects} objects (quota ${hv.quota}), ${hv.evictions} evicted`);

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
    serve_build_idle_s: hv.idle, serve_build_under_flood_s: hv.flooded, serve_cache_bytes: hv.cacheBytes, serve_cache_quota: hv.quota,
  }));
}

await main();
