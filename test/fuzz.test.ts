// Property-based fuzzing of every entry point that reads user input: the C
// lcc gen reads, the Python lcc convert reads, the compile service's request
// bodies, and lcc's command lines. Each input is a fixture mutated by
// fast-check; whatever it is, the answer is a result or the entry point's own
// error (file:line, exit 1 or 2), never another exception, a stack trace, a
// hang or a partial output. pingtrace's command line is read in-process
// (running it would probe). CI runs a short slice; `npm run fuzz` runs each
// property for FUZZ_SECONDS (120: ten minutes in all). Inputs that found a bug
// are kept in test/fixtures/fuzz and replayed first.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConvertError, convert } from '../src/convert/index.js';
import { buildModel } from '../src/gen/model.js';
import { GenError } from '../src/gen/parse.js';
import { parseRequest, RequestError } from '../src/serve/protocol.js';
import { parseCommandLine, UsageError } from '../examples/pingtrace/src/main.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '..');
const FIX = path.join(here, 'fixtures');
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 0);
/** CI: a fixed number of inputs per property (seeded by fast-check, reported on failure); fuzz: a time budget */
const budget = (ciRuns: number): fc.Parameters<unknown> =>
  SECONDS > 0 ? { numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: SECONDS * 1000, markInterruptAsFailure: false } : { numRuns: ciRuns };
const testTimeout = (ciMs: number): number => (SECONDS > 0 ? SECONDS * 1000 + 60_000 : ciMs);
/** no single input may take longer than this (a hang fails, it does not stall the run) */
const PER_INPUT_MS = 10_000;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-fuzz-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const read = (dir: string, ext: string): string[] => fs.readdirSync(path.join(FIX, dir)).filter((f) => f.endsWith(ext)).map((f) => fs.readFileSync(path.join(FIX, dir, f), 'utf8'));
const kept = (ext: string): string[] => (fs.existsSync(path.join(FIX, 'fuzz')) ? read('fuzz', ext) : []);

/** Edits a careless or hostile user makes: cut, repeat, insert a token, swap two pieces. */
function mutated(seeds: string[], tokens: string[]): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
    fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }), times: fc.integer({ min: 2, max: 40 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: 8 })) }),
    fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat(), len: fc.integer({ min: 1, max: 80 }) }),
  );
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([seed, edits]) => {
    let s = seed;
    for (const e of edits) {
      const at = s.length ? e.at % s.length : 0;
      if (e.kind === 'cut') s = s.slice(0, at) + s.slice(at + e.len);
      else if (e.kind === 'repeat') s = s.slice(0, at) + s.slice(at, at + e.len).repeat(e.times) + s.slice(at + e.len);
      else if (e.kind === 'insert') s = s.slice(0, at) + e.text + s.slice(at);
      else {
        const b = s.length ? e.other % s.length : 0;
        const [x, y] = at < b ? [at, b] : [b, at];
        if (x + e.len <= y) s = s.slice(0, x) + s.slice(y, y + e.len) + s.slice(x + e.len, y) + s.slice(x, x + e.len) + s.slice(y + e.len);
      }
    }
    return s;
  });
}

/** Each input after a turn of the event loop: a long synchronous run would starve vitest's worker of its heartbeat. */
const breathe = (): Promise<void> => new Promise((r) => setImmediate(r));

const timed = async <T>(fn: () => T | Promise<T>): Promise<T> => {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    expect(Date.now() - t0, 'one input took too long').toBeLessThan(PER_INPUT_MS);
  }
};

const C_TOKENS = ['{', '}', '(', ')', ';', '[', ']', '*', ',', '-1', '0', '4294967296', '1 << 62', 'sizeof(struct x)', 'struct', 'union', 'enum', 'typedef',
  '__u64', 'char', 'const', 'volatile', ':', '#if 1\n', '#endif\n', '#else\n', '#define X\n', '#include "nope.h"\n', '#include "vmlinux.h"\n', '\\\n', '"', "'", '/*', '*/', '//',
  'SEC("tracepoint/x/y")', 'SEC(".maps")', 'LBC_HASH(m, u32, u64, 0);', 'LBC_RINGBUF(r, 4096);', '__uint(type, BPF_MAP_TYPE_HASH);', '__type(key, struct nope);',
  '__attribute__((packed))', '__attribute__((aligned(3)))', 'NR_SOFTIRQS', '((((((((', '))))))))', '%:', '??=', '\0', '\u00e9'];
const PY_TOKENS = ['\n', '    ', '\t', ':', '(', ')', '[', ']', '"""', "'''", '"', "'", '#', '\\', 'def f():\n', 'class C:\n', 'if x:\n', 'while 1:\n', 'lambda: 0',
  'b = BPF(text=prog)\n', 'b.attach_kprobe(event="x", fn_name="y")\n', 'b["m"].print_log2_hist()\n', 'prog.replace("A", "B")', 'BPF_HASH(x);', 'TRACEPOINT_PROBE(sched, sched_switch) {',
  'args.pid', '% (1,)', 'f"{x}"', 'import os\n', 'from bcc import BPF\n', '\0', '\u00e9'];

describe('fuzzing: mutated input gets a result or a clear error, never a crash', () => {
  it('lcc gen: C source', async () => {
    const seeds = [...read('gen', '.bpf.c'), ...read('libbpf', '.bpf.c'), ...read('gen-bad', '.bpf.c'), ...kept('.bpf.c')];
    // the fixtures' local headers, so that mutants still reach them
    for (const dir of ['gen', 'libbpf']) for (const h of fs.readdirSync(path.join(FIX, dir)).filter((f) => f.endsWith('.h'))) fs.copyFileSync(path.join(FIX, dir, h), path.join(work, h));
    const file = path.join(work, 'fuzz.bpf.c');
    await fc.assert(fc.asyncProperty(mutated(seeds, C_TOKENS), async (text) => {
      await breathe();
      fs.writeFileSync(file, text);
      try {
        await timed(() => buildModel(file));
      } catch (e) {
        if (!(e instanceof GenError)) throw new Error(`not a GenError for this input (${JSON.stringify(text.slice(0, 2000))}): ${(e as Error).stack}`);
        expect(e.message).toMatch(/^\S+: error: |^\S+:\d+:\d+: error: /);
      }
    }), { ...budget(60), examples: kept('.bpf.c').map((t) => [t] as [string]) });
  }, testTimeout(120_000));

  it('lcc convert: BCC Python tools', async () => {
    const tracefs = process.env.LCC_TRACEFS;
    process.env.LCC_TRACEFS = path.join(FIX, 'tracefs');
    try {
      const seeds = [...read('convert', '.py'), ...read('convert-bad', '.py'), ...kept('.py')];
      const file = path.join(work, 'tool.py');
      let n = 0;
      await fc.assert(fc.asyncProperty(mutated(seeds, PY_TOKENS), async (text) => {
        await breathe();
        fs.writeFileSync(file, text);
        const out = path.join(work, `out${n++}`);
        try {
          const r = await timed(() => convert(file, out));
          expect(fs.readdirSync(out).sort()).toEqual([...r.files.map((f) => path.basename(f))].sort());
        } catch (e) {
          if (!(e instanceof ConvertError)) throw new Error(`not a ConvertError for this input (${JSON.stringify(text.slice(0, 2000))}): ${(e as Error).stack}`);
          expect(fs.existsSync(out), 'a refused conversion wrote files').toBe(false);
        } finally {
          fs.rmSync(out, { recursive: true, force: true });
        }
      }), { ...budget(25), examples: kept('.py').map((t) => [t] as [string]) });
    } finally {
      if (tracefs === undefined) delete process.env.LCC_TRACEFS;
      else process.env.LCC_TRACEFS = tracefs;
    }
  }, testTimeout(180_000));

  it('lcc serve: request bodies', async () => {
    const source = read('gen', '.bpf.c')[0]!;
    const bodies = [
      JSON.stringify({ main: 'a.bpf.c', arch: 'x86_64', files: { 'a.bpf.c': source, 'sub/x.h': '#include "../y.h"\n', 'y.h': '' } }),
      JSON.stringify({ main: 'a.bpf.c', files: { 'a.bpf.c': '#include "lbc.h"\n#include <bpf/bpf_helpers.h>\n' } }),
    ];
    const tokens = ['"', '{', '}', '[', ']', ':', ',', '"../', '"/etc/passwd"', '"__proto__"', '"constructor"', '#include ', '%:include ', '\\n', '\\\\\\n', '/*', '"a": "b"', 'null', '1e999', '"arm64"', '"mips"'];
    await fc.assert(fc.asyncProperty(fc.oneof(mutated(bodies, tokens), fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b).toString('latin1'))), async (body) => {
      await breathe();
      try {
        const r = await timed(() => parseRequest(Buffer.from(body, 'latin1')));
        expect(Object.hasOwn(r.files, r.main)).toBe(true);
      } catch (e) {
        if (!(e instanceof RequestError)) throw new Error(`not a RequestError for ${JSON.stringify(body.slice(0, 2000))}: ${(e as Error).stack}`);
        expect([400, 413]).toContain(e.status);
      }
    }), { ...budget(2000), examples: kept('.json').map((t) => [t] as [string]) });
  }, testTimeout(60_000));

  describe('command lines', () => {
    const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(work, 'cli-'));
      fs.copyFileSync(path.join(FIX, 'gen', 'legacy.bpf.c'), path.join(dir, 't.bpf.c'));
      fs.writeFileSync(path.join(dir, 'tool.py'), 'from bcc import BPF\n');
    });
    it('lcc: exit 0, 1 or 2, one message, no stack trace, output only on success', async () => {
      const words = ['gen', 'build', 'convert', 'btf', 'minimize', 'doctor', 'help', '--help', '-h', '--version', 'nope', 't.bpf.c', 'missing.bpf.c', 'tool.py',
        '-o', 'out.skel.ts', '--model', '--object', '--reference', '--btf', '/nonexistent', '--runtime', '-D', 'X=1', '-I', '--arch', 'mips', '--remote', '--json',
        '--format', '--force', '--no-gen', '--skel', '--', '-', '', '=', '--o=x'];
      // commands that would serve or compile for real are not drawn: the fuzz is about parsing what a user typed
      const args = fc.array(fc.constantFrom(...words), { minLength: 0, maxLength: 6 }).filter((a) => a[0] !== 'build' && a[0] !== 'serve' && !(a[0] === 'doctor'));
      await fc.assert(fc.asyncProperty(args, async (argv) => {
        await breathe();
        fs.rmSync(path.join(dir, 'out.skel.ts'), { force: true });
        const r = spawnSync(process.execPath, ['--import', TSX, path.join(here, 'helpers', 'lcc.ts'), ...argv], { cwd: dir, encoding: 'utf8', timeout: PER_INPUT_MS });
        expect(r.signal, `lcc ${argv.join(' ')} did not finish`).toBeNull();
        expect([0, 1, 2], `lcc ${argv.join(' ')}: ${r.stderr}`).toContain(r.status);
        expect(r.stderr, `lcc ${argv.join(' ')}`).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);
        if (r.status !== 0) expect(fs.existsSync(path.join(dir, 'out.skel.ts')), `lcc ${argv.join(' ')} failed but wrote its output`).toBe(false);
      }), { ...budget(12), examples: [[['gen', '-D']], [['build', '--bogus']]] });
    }, testTimeout(120_000));

    it('pingtrace: its command line is read, or refused with a usage error', async () => {
      const words = ['127.0.0.1', '::1', 'host.invalid', '--server', '--udp', '--tcp', '--tcp-handshake', '-4', '-6', '-c', '-i', '-w', '-W', '-s', '-t', '-m', '-k',
        '--port', '--rate', '--log', '--log-size', '--log-keep', '--metrics', '--report', '--pinglist', '--json', '--diagram', '--continuous', '-h', '--help',
        '0', '1', '-1', '65535', '65536', '1e9', '0.0001', 'NaN', '', '--', '-', '-c0', '--port=80', '-s15', '--bogus'];
      await fc.assert(fc.asyncProperty(fc.array(fc.constantFrom(...words), { maxLength: 8 }), async (argv) => {
        await breathe();
        try {
          const cl = parseCommandLine(argv);
          // what it accepts, it accepts within range
          if (!cl.values.help) {
            expect(cl.size).toBeGreaterThanOrEqual(16);
            expect(cl.size).toBeLessThanOrEqual(65507);
            if (cl.port !== undefined) expect(cl.port >= 1 && cl.port <= 65535).toBe(true);
            if (cl.values.count !== undefined) expect(cl.count).toBeGreaterThanOrEqual(1);
          }
        } catch (e) {
          if (!(e instanceof UsageError)) throw new Error(`not a UsageError for pingtrace ${JSON.stringify(argv)}: ${(e as Error).stack}`);
        }
      }), budget(3000));
    }, testTimeout(60_000));
  });
});
