// lcc serve on loopback, in this process: concurrent builds, the cache, the
// refusals of untrusted input, the sandbox itself, and the limits that stop a
// compile which hangs or floods without harming the others.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clangArgs, findClang, vmlinuxDir } from '../src/clang/compile.js';
import { LBC_INCLUDE } from '../src/paths.js';
import { bubblewrap, IN } from '../src/serve/sandbox.js';
import { CompileService } from '../src/serve/server.js';
import * as http from 'node:http';
import { eventually, runKernelTests } from './helpers/kernel.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-serve-test-'));

const source = (n: number): string => `#include "lbc.h"
#include "shared.h"
LBC_HASH(seen_${n}, __u32, struct val, 64);
SEC("tracepoint/sched/sched_process_exec")
int on_exec_${n}(void *ctx)
{
	__u32 k = ${n};
	struct val v = { .n = ${n} };
	bpf_map_update_elem(&seen_${n}, &k, &v, BPF_ANY);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;
const files = (n: number): Record<string, string> => ({ 'tool.bpf.c': source(n), 'shared.h': 'struct val { __u64 n; };\n' });

describe.runIf(runKernelTests)('lcc serve', () => {
  let service: CompileService;
  let url: string;
  beforeAll(async () => {
    // this kernel's BTF stands in for an arm64 one: what a cross build changes is the target macro
    service = new CompileService({ port: 0, workers: 2, cache: path.join(work, 'cache'), timeoutSeconds: 4, limits: { maxRequestBytes: 64 << 10, maxDiagnosticBytes: 64 << 10 }, btf: { arm64: '/sys/kernel/btf/vmlinux' } });
    const a = await service.listen();
    url = `http://127.0.0.1:${a.port}`;
  });
  afterAll(async () => {
    await service.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const post = async (body: unknown): Promise<{ status: number; cache: string | null; object?: Buffer; json?: Record<string, unknown> }> => {
    const r = await fetch(`${url}/v1/compile`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
    const cache = r.headers.get('x-lcc-cache');
    if (r.headers.get('content-type') === 'application/octet-stream') return { status: r.status, cache, object: Buffer.from(await r.arrayBuffer()) };
    return { status: r.status, cache, json: (await r.json()) as Record<string, unknown> };
  };

  it('builds many requests concurrently, compiling each distinct one once', async () => {
    const before = { ...service.counters };
    // 6 distinct sources, each asked for by 3 clients at once: 18 requests, 6 compiles
    const asks = [0, 1, 2, 3, 4, 5].flatMap((n) => [n, n, n]).map((n) => post({ main: 'tool.bpf.c', files: files(n) }));
    const rs = await Promise.all(asks);
    for (const r of rs) {
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(r.object!.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
    }
    expect(service.counters.compiles - before.compiles).toBe(6);
    expect(rs.filter((r) => r.cache === 'miss')).toHaveLength(6);
    expect(rs.filter((r) => r.cache === 'joined' || r.cache === 'hit')).toHaveLength(12);
    // same bytes for the same source
    expect(rs[0]!.object!.equals(rs[1]!.object!)).toBe(true);
    const health = (await (await fetch(`${url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ ok: true, sandbox: 'bubblewrap', running: 0, queued: 0 });
  });

  it('answers a repeat from the cache without running clang', async () => {
    await post({ main: 'tool.bpf.c', files: files(42) });
    const compiles = service.counters.compiles;
    const r = await post({ main: 'tool.bpf.c', files: files(42) });
    expect(r.status).toBe(200);
    expect(r.cache).toBe('hit');
    expect(service.counters.compiles).toBe(compiles);
    // a changed header is a different object
    const changed = await post({ main: 'tool.bpf.c', files: { ...files(42), 'shared.h': 'struct val { __u64 n; __u64 more; };\n' } });
    expect(changed.cache).toBe('miss');
    expect(service.counters.compiles).toBe(compiles + 1);
  });

  it('returns clang diagnostics with the request file and line', async () => {
    const r = await post({ main: 'tool.bpf.c', files: { ...files(7), 'shared.h': 'struct val { __u64 m; };\n' } });
    expect(r.status).toBe(422);
    const d = (r.json!.diagnostics as { file: string; line: number; severity: string; message: string }[]).find((x) => x.severity === 'error')!;
    expect(d).toMatchObject({ file: 'tool.bpf.c', line: 8, message: "field designator 'n' does not refer to any field in type 'struct val'" });
    expect(r.json!.log).toMatch(/^tool\.bpf\.c:8:\d+: error:/m);
    expect(r.json!.log).not.toContain(IN.src);
  });

  it('compiles for the architecture asked for, with that architecture\'s BTF', async () => {
    const src = '#include "lbc.h"\n#ifndef __TARGET_ARCH_arm64\n#error not built for arm64\n#endif\nchar LICENSE[] SEC("license") = "GPL";\n';
    const arm = await post({ main: 'a.bpf.c', arch: 'arm64', files: { 'a.bpf.c': src } });
    expect(arm.status, JSON.stringify(arm.json)).toBe(200);
    const x86 = await post({ main: 'a.bpf.c', arch: 'x86_64', files: { 'a.bpf.c': src } });
    expect(x86.status).toBe(422);
    expect(x86.json!.diagnostics).toEqual([expect.objectContaining({ file: 'a.bpf.c', line: 3, message: 'not built for arm64' })]);
    // what the CLI passes for options left unset: the defaults stay
    const bare = new CompileService({ port: 0, cache: path.join(work, 'cache2'), limits: { maxRequestBytes: undefined, memory: 1 << 30 } });
    expect(bare.health().limits).toMatchObject({ maxRequestBytes: 1 << 20, maxFiles: 64, memory: 1 << 30 });
    await expect(bare.compile({ main: 'a.bpf.c', arch: 'arm64', files: { 'a.bpf.c': src } })).rejects.toThrow(/no BTF for arm64: start it with --btf-arm64 FILE/);
  });

  it('refuses path escapes and oversized requests', async () => {
    const escape = await post({ main: 'a.bpf.c', files: { 'a.bpf.c': '#include "/etc/passwd"\n' } });
    expect(escape.status).toBe(400);
    expect(escape.json!.error).toMatch(/a\.bpf\.c:1: #include "\/etc\/passwd": absolute paths are not allowed/);
    const dotdot = await post({ main: 'a.bpf.c', files: { 'a.bpf.c': '#include "../../etc/passwd"\n' } });
    expect(dotdot.status).toBe(400);
    const big = await post({ main: 'a.bpf.c', files: { 'a.bpf.c': `// ${'x'.repeat(100 << 10)}\n` } });
    expect(big.status).toBe(413);
    expect(big.json!.error).toMatch(/limit is 65536/);
  });

  it('stops a compile that hangs and one that floods, while others complete', async () => {
    // 2^40 tokens: clang would run for hours
    const hang = `${Array.from({ length: 40 }, (_, i) => `#define X${i + 1} X${i} X${i}`).join('\n')}\n#define X0 1+\nint x = X40 1;\n`;
    // 2^16 warnings of ~70 bytes: megabytes of diagnostics
    const flood = `#define W0 _Pragma("GCC warning \\"flooding the diagnostics of the compile service\\"")\n${Array.from({ length: 16 }, (_, i) => `#define W${i + 1} W${i} W${i}`).join('\n')}\nW16\n`;
    const [h, f, ok] = await Promise.all([
      post({ main: 'hang.bpf.c', files: { 'hang.bpf.c': hang } }),
      post({ main: 'flood.bpf.c', files: { 'flood.bpf.c': flood } }),
      post({ main: 'tool.bpf.c', files: files(99) }),
    ]);
    expect(h.status).toBe(422);
    expect(h.json!.error).toMatch(/compile stopped after 4 s|killed by SIG/);
    expect(f.status).toBe(422);
    expect(f.json!.error).toMatch(/diagnostics exceeded 65536 bytes/);
    expect(ok.status).toBe(200);
    // nothing left running
    expect(spawnSync('pgrep', ['-f', 'hang.bpf.c']).status).toBe(1);
  }, 30_000);

  it('a hostile client: its flood of slow compiles does not hold up another client, its huge object is refused, the cache keeps its quota', async () => {
    const small = new CompileService({ port: 0, workers: 1, queue: 16, cache: path.join(work, 'small-cache'), timeoutSeconds: 2, cacheBytes: 12 << 10, maxObjectBytes: 1 << 20 });
    const { port } = await small.listen();
    // from a source address of its own: the service tells clients apart by address
    const postFrom = (from: string, body: unknown): Promise<{ status: number; json?: Record<string, unknown> }> => new Promise((resolve, reject) => {
      const data = JSON.stringify(body);
      const r = http.request({ host: '127.0.0.1', port, path: '/v1/compile', method: 'POST', localAddress: from, headers: { 'content-length': Buffer.byteLength(data) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, json: res.headers['content-type'] === 'application/json' ? JSON.parse(Buffer.concat(chunks).toString()) : undefined }));
      });
      r.on('error', reject);
      r.end(data);
    });
    try {
      const hang = (n: number): string => `// ${n}\n${Array.from({ length: 40 }, (_, i) => `#define X${i + 1} X${i} X${i}`).join('\n')}\n#define X0 1+\nint x = X40 1;\n`;
      const finished: string[] = [];
      const floods = [0, 1, 2].map((n) => postFrom('127.0.0.1', { main: 'h.bpf.c', files: { 'h.bpf.c': hang(n) } }).then((r) => (finished.push(`flood${n}`), r)));
      // the fact to wait for: one compiling, the rest of the flood queued
      await eventually(() => small.health().running === 1 && small.health().queued === 2, 20_000);
      const good = await postFrom('127.0.0.2', { main: 'tool.bpf.c', files: files(200) });
      finished.push('good');
      expect(good.status).toBe(200);
      expect(finished).toEqual(['flood0', 'good']); // served when the first slot freed, not after the flood
      for (const r of await Promise.all(floods)) expect(r.status).toBe(422);

      const huge = await postFrom('127.0.0.1', { main: 'big.bpf.c', files: { 'big.bpf.c': 'asm(".pushsection .big,\\"a\\"\\n.fill 2000000,1,1\\n.popsection");\nchar LICENSE[] __attribute__((section("license"))) = "GPL";\n' } });
      expect(huge.status).toBe(422);
      expect(huge.json!.error).toMatch(/^the object is 1\.9 MiB: this service returns objects up to 1 MiB$/);
      for (const n of [201, 202, 203, 204]) expect((await postFrom('127.0.0.2', { main: 'tool.bpf.c', files: files(n) })).status).toBe(200);
      const h = small.health() as { cacheBytes: number; cacheEvictions: number; cacheObjects: number };
      expect(h.cacheBytes).toBeLessThanOrEqual(12 << 10);
      expect(h.cacheEvictions).toBeGreaterThan(0);
      const onDisk = fs.readdirSync(path.join(work, 'small-cache')).reduce((sum, f) => sum + fs.statSync(path.join(work, 'small-cache', f)).size, 0);
      expect(onDisk).toBe(h.cacheBytes);
    } finally {
      await small.close();
    }
  }, 60_000);

  it('the sandbox lets clang read nothing of the server but the compiler and shipped headers', () => {
    // straight to the sandbox, past the request checks: the second line of defence on its own
    const secret = path.join(work, 'secret.h');
    fs.writeFileSync(secret, 'int secret = 1;\n');
    const dir = fs.mkdtempSync(path.join(work, 'req-'));
    for (const target of ['/etc/passwd', secret, '/root/.bashrc', `/proc/${process.pid}/environ`, '/proc/self/environ']) {
      fs.writeFileSync(path.join(dir, 'a.bpf.c'), `#include "lbc.h"\n#include "${target}"\n`);
      const sb = bubblewrap(findClang(), { lbc: LBC_INCLUDE, bpfHeaders: '/usr/include/bpf' });
      const args = clangArgs(`${IN.src}/a.bpf.c`, `${IN.src}/a.o`, { lbcInclude: IN.lbc, vmlinuxInclude: IN.vmlinux, includeDirs: [IN.sys] });
      const cmd = sb.command(dir, vmlinuxDir(), args, { memory: 2 << 30, fileSize: 64 << 20, cpuSeconds: 30 });
      const r = spawnSync(cmd.file, cmd.args, { encoding: 'utf8' });
      expect(r.status, target).not.toBe(0);
      expect(r.stderr, target).toMatch(new RegExp(`'${target.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}' file not found`));
    }
    // and the same sandbox compiles a real program (so the failures above are the sandbox's doing)
    fs.writeFileSync(path.join(dir, 'a.bpf.c'), source(1));
    fs.writeFileSync(path.join(dir, 'shared.h'), 'struct val { __u64 n; };\n');
    const sb = bubblewrap(findClang(), { lbc: LBC_INCLUDE, bpfHeaders: '/usr/include/bpf' });
    const cmd = sb.command(dir, vmlinuxDir(), clangArgs(`${IN.src}/a.bpf.c`, `${IN.src}/a.o`, { lbcInclude: IN.lbc, vmlinuxInclude: IN.vmlinux, includeDirs: [IN.sys] }), { memory: 2 << 30, fileSize: 64 << 20, cpuSeconds: 30 });
    const r = spawnSync(cmd.file, cmd.args, { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, 'a.o'))).toBe(true);
  });
});
