// lcc build, as a user runs it: object + skeleton, nothing rerun when no input
// changed (by content, not mtime), clang's errors on the user's own file:line,
// the cross-arch rules, and builds through the compile service.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKernelTests } from './helpers/kernel.js';
import { startServe } from '../src/serve/spawn.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-build-test-'));
const cache = path.join(work, 'cache');

// tsx by path: the build runs in a directory of its own, where `--import tsx` would not resolve
const TSX = pathToFileURL(path.resolve(here, '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const LCC = [ '--import', TSX, path.join(here, 'helpers', 'lcc.ts')];

function lcc(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [...LCC, ...args], { encoding: 'utf8', cwd: work, env: { ...process.env, LCC_CACHE_DIR: cache } });
}

/** lcc that must succeed: its stdout */
function ok(...args: string[]): string {
  const r = lcc(...args);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

const TOOL = `#include "lbc.h"
#include "tool.h"
LBC_RINGBUF(events, 1 << 16);
#ifdef __TARGET_ARCH_arm64
const volatile __u32 built_for_arm64 = 1;
#endif
SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
	struct ev *e = lbc_ringbuf_reserve(events, sizeof(*e));
	if (!e)
		return 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
char LICENSE[] SEC("license") = "GPL";
`;

describe.runIf(runKernelTests)('lcc build', () => {
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
  fs.mkdirSync(path.join(work, 'src'));
  const src = path.join(work, 'src', 'tool.bpf.c');
  const hdr = path.join(work, 'src', 'tool.h');
  fs.writeFileSync(src, TOOL);
  fs.writeFileSync(hdr, 'struct ev {\n\t__u32 pid;\n};\n');
  const obj = path.join(work, 'src', 'tool.bpf.o');
  const skel = path.join(work, 'src', 'tool.skel.ts');

  it('builds the object and the skeleton, then does nothing until an input changes', () => {
    const first = lcc('build', 'src/tool.bpf.c');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe('src/tool.bpf.o\nsrc/tool.skel.ts\n');
    expect(fs.readFileSync(skel, 'utf8')).toContain('export interface Ev {');
    const stamp = (): [number, number] => [fs.statSync(obj).mtimeMs, fs.statSync(skel).mtimeMs];
    const built = stamp();

    expect(ok('build', 'src/tool.bpf.c')).toBe('src/tool.bpf.o (up to date)\nsrc/tool.skel.ts\n');
    // touching a header without changing it: same bytes, nothing to do
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(hdr, later, later);
    expect(ok('build', 'src/tool.bpf.c')).toContain('(up to date)');
    expect(stamp()).toEqual(built);

    // a header's content changes: rebuild, and the skeleton follows
    fs.writeFileSync(hdr, 'struct ev {\n\t__u32 pid;\n\t__u32 tid;\n};\n');
    expect(ok('build', 'src/tool.bpf.c')).toBe('src/tool.bpf.o\nsrc/tool.skel.ts\n');
    expect(fs.readFileSync(skel, 'utf8')).toMatch(/tid: number;/);

    // a flag changes: rebuild
    expect(ok('build', 'src/tool.bpf.c', '-D', 'LCC_TEST_FLAG=1')).not.toContain('(up to date)');
    expect(ok('build', 'src/tool.bpf.c', '-D', 'LCC_TEST_FLAG=1')).toContain('(up to date)');

    // an output is deleted or edited: rebuild
    fs.rmSync(obj);
    expect(ok('build', 'src/tool.bpf.c', '-D', 'LCC_TEST_FLAG=1')).not.toContain('(up to date)');
    fs.appendFileSync(skel, '// edited\n');
    expect(ok('build', 'src/tool.bpf.c', '-D', 'LCC_TEST_FLAG=1')).not.toContain('(up to date)');
    expect(fs.readFileSync(skel, 'utf8')).not.toContain('// edited');

    // lbc.h is an input too (clang's depfile lists it)
    expect(ok('build', 'src/tool.bpf.c', '-D', 'LCC_TEST_FLAG=1', '--force')).not.toContain('(up to date)');

    // another lcc made the skeleton (same version, another build or template): the skeleton is
    // made again, the object is not recompiled
    const stamps = path.join(cache, 'builds');
    const mine = fs.readdirSync(stamps).map((f) => path.join(stamps, f)).filter((f) => f.endsWith('.json') && fs.readFileSync(f, 'utf8').includes(JSON.stringify(obj)));
    expect(mine).toHaveLength(1);
    fs.writeFileSync(mine[0]!, JSON.stringify({ ...JSON.parse(fs.readFileSync(mine[0]!, 'utf8')), skelKey: 'an older lcc' }));
    const objBefore = fs.statSync(obj).mtimeMs;
    const skelBefore = fs.statSync(skel).mtimeMs;
    expect(ok('build', 'src/tool.bpf.c', '-D', 'LCC_TEST_FLAG=1')).toBe('src/tool.bpf.o (up to date)\nsrc/tool.skel.ts (made again: lcc or its options changed)\n');
    expect(fs.statSync(obj).mtimeMs).toBe(objBefore);
    expect(fs.statSync(skel).mtimeMs).not.toBe(skelBefore);
    expect(ok('build', 'src/tool.bpf.c', '-D', 'LCC_TEST_FLAG=1')).toBe('src/tool.bpf.o (up to date)\nsrc/tool.skel.ts\n');
    // --reference is the skeleton's option only: no compile either
    expect(ok('build', 'src/tool.bpf.c', '-D', 'LCC_TEST_FLAG=1', '--reference')).toContain('(made again');
    expect(fs.statSync(obj).mtimeMs).toBe(objBefore);
    expect(fs.readFileSync(skel, 'utf8')).not.toContain('const OBJECT = Buffer.from(');
  });

  it('shows clang errors on the user\'s own file and line, and leaves the last good outputs alone', () => {
    const good = fs.readFileSync(obj);
    fs.writeFileSync(hdr, 'struct ev {\n\t__u32 pid;\n\tunknown_t tid;\n};\n');
    const r = lcc('build', 'src/tool.bpf.c');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^lcc: clang failed on src\/tool\.bpf\.c\nsrc\/tool\.h:3:2: error: unknown type name 'unknown_t'\n\s+unknown_t tid;\n\s+\^/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack
    expect(fs.readFileSync(obj).equals(good)).toBe(true);
    expect(fs.readdirSync(path.join(work, 'src')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    fs.writeFileSync(hdr, 'struct ev {\n\t__u32 pid;\n};\n');
  });

  describe('--remote', () => {
    let stop = (): void => {};
    let url = '';
    beforeAll(async () => {
      ({ url, stop } = await startServe(LCC, path.join(work, 'serve-cache')));
    });
    afterAll(() => stop());

    it('builds through the service, and its errors come out on the user\'s files', async () => {
      expect(ok('build', 'src/tool.bpf.c', '--remote', url, '-o', 'remote/tool.bpf.o', '--skel', 'remote/tool.skel.ts')).toBe('remote/tool.bpf.o (compile service: miss)\nremote/tool.skel.ts\n');
      expect(ok('build', 'src/tool.bpf.c', '--remote', url, '-o', 'remote/tool.bpf.o', '--skel', 'remote/tool.skel.ts')).toContain('(up to date)');
      fs.writeFileSync(hdr, 'struct ev {\n\t__u32 pid;\n\tunknown_t tid;\n};\n');
      const r = lcc('build', 'src/tool.bpf.c', '--remote', url, '-o', 'remote/tool.bpf.o', '--skel', 'remote/tool.skel.ts');
      fs.writeFileSync(hdr, 'struct ev {\n\t__u32 pid;\n};\n');
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^lcc: compile service: compile failed\nsrc\/tool\.h:3:2: error: unknown type name 'unknown_t'\n\s+unknown_t tid;/);
      // refused before sending: a header outside the source's directory
      fs.writeFileSync(path.join(work, 'outside.h'), '');
      fs.writeFileSync(path.join(work, 'src', 'esc.bpf.c'), '#include "lbc.h"\n#include "../outside.h"\n');
      const esc = lcc('build', 'src/esc.bpf.c', '--remote', url);
      expect(esc.status).toBe(1);
      expect(esc.stderr).toMatch(/src\/esc\.bpf\.c:2: outside\.h is outside src: a remote build sends only the source's directory/);
      // a port nothing listens on
      const port = await new Promise<number>((resolve) => {
        const srv = net.createServer().listen(0, '127.0.0.1', () => {
          const p = (srv.address() as net.AddressInfo).port;
          srv.close(() => resolve(p));
        });
      });
      const down = lcc('build', 'src/tool.bpf.c', '--remote', `http://127.0.0.1:${port}`, '--force');
      expect(down.stderr).toContain(`cannot reach the compile service at http://127.0.0.1:${port}: ECONNREFUSED`);
    });
  });

  it('builds for another architecture only with that architecture\'s BTF', () => {
    const other = process.arch === 'arm64' ? 'x86_64' : 'arm64';
    const refused = lcc('build', 'src/tool.bpf.c', '--arch', other, '-o', 'out/other.bpf.o', '--skel', 'out/other.skel.ts');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`building for ${other} on`);
    expect(refused.stderr).toContain('--btf FILE');
    expect(fs.existsSync(path.join(work, 'out'))).toBe(false);
    // this kernel's BTF stands in for the other architecture's: what changes is the target macro
    const r = lcc('build', 'src/tool.bpf.c', '--arch', other, '--btf', '/sys/kernel/btf/vmlinux', '-o', 'out/other.bpf.o', '--skel', 'out/other.skel.ts');
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(work, 'out', 'other.skel.ts'), 'utf8')).toContain(other === 'arm64' ? 'built_for_arm64' : 'on_exec');
    // a usage error: exit 2, the architectures lcc knows
    const sparc = lcc('build', 'src/tool.bpf.c', '--arch', 'sparc');
    expect(sparc.stderr).toContain("argument 'sparc' is invalid. Allowed choices are x86_64, arm64, x64, aarch64.");
    expect(sparc.status).toBe(2);
  });
});
