// lcc build: x.bpf.c → x.bpf.o (clang here, or a compile service) → x.skel.ts.
// Incremental: a stamp records every input clang read (its depfile) or the
// client sent, with the flags, compiler and BTF identity; when none changed,
// nothing runs. Content decides, not mtimes alone: a touched file whose bytes
// are the same does not rebuild. The skeleton has a key of its own (the
// generator's build and template, its options): when only that changed, the
// skeleton is made again from the object, which is not recompiled.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDir, clangVersion, codegenFlags, CompileError, compileDetailed, findClang, KERNEL_BTF, readDepfile, targetArch } from '../clang/compile.js';
import { type Diagnostic } from '../clang/diagnostics.js';
import { ROOT } from '../paths.js';
import { writeAtomic } from '../fsutil.js';

export interface BuildOptions {
  /** object path; default x.bpf.o beside the source */
  out?: string;
  /** skeleton path; default x.skel.ts beside the source; null: do not generate */
  skel?: string | null;
  /** the skeleton loads the object by path instead of embedding it */
  reference?: boolean;
  /** kernel BTF for vmlinux.h and kernel types (another kernel, another arch) */
  btf?: string;
  arch?: string;
  /** compile service URL */
  remote?: string;
  defines?: string[];
  /** -I directories, searched after the source's own and before lbc.h's and vmlinux.h's */
  includeDirs?: string[];
  force?: boolean;
}

export interface BuildResult {
  object: string;
  skel: string | null;
  /** the object was current: nothing was compiled */
  upToDate: boolean;
  /** the object was current but the skeleton was made again (a newer lcc, other options) */
  skelRemade?: boolean;
  via: 'local' | 'remote';
  /** the service's cache answer (hit, miss, joined) */
  cache?: string;
  warnings: Diagnostic[];
}

interface Stamp {
  /** what made the object: compiler, flags, BTF, lcc's version */
  key: string;
  /** what made the skeleton from it: the generator's build, the template, the options */
  skelKey?: string | null;
  inputs: Record<string, { size: number; mtimeMs: number; sha: string }>;
  outputs: Record<string, string>;
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

function stampPath(out: string): string {
  return path.join(cacheDir(), 'builds', `${sha(path.resolve(out)).slice(0, 24)}.json`);
}

function fingerprint(file: string): Stamp['inputs'][string] {
  const st = fs.statSync(file);
  return { size: st.size, mtimeMs: st.mtimeMs, sha: sha(fs.readFileSync(file)) };
}

/** The object is current: same key, same inputs, outputs as written (a skeleton edited by hand counts: all is rebuilt). */
function unchanged(stamp: Stamp, key: string): boolean {
  if (stamp.key !== key) return false;
  for (const [file, was] of Object.entries(stamp.inputs)) {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      return false;
    }
    if (st.size === was.size && st.mtimeMs === was.mtimeMs) continue;
    if (st.size !== was.size || sha(fs.readFileSync(file)) !== was.sha) return false;
  }
  for (const [file, was] of Object.entries(stamp.outputs)) {
    if (!fs.existsSync(file) || sha(fs.readFileSync(file)) !== was) return false;
  }
  return true;
}

function readStamp(file: string): Stamp | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Stamp;
  } catch {
    return null;
  }
}

function lccVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * The skeleton generator's identity: its template and the CLI build that
 * runs it (the content hash on dist/lcc.cjs's first line), so that a newer
 * lcc of the same version regenerates skeletons without recompiling objects.
 */
function generatorIdentity(): string {
  let build = 'sources';
  try {
    const fd = fs.openSync(path.join(ROOT, 'dist', 'lcc.cjs'), 'r');
    const head = Buffer.alloc(64);
    fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    build = /^\/\/ lcc build (\w+)/.exec(head.toString('latin1'))?.[1] ?? build;
  } catch {
    // no bundle: lcc running from its sources (tests); the template still counts
  }
  return `${build}/${sha(fs.readFileSync(path.join(ROOT, 'templates', 'skel', 'skel.ts.hbs'))).slice(0, 12)}`;
}

export async function build(src: string, opts: BuildOptions = {}): Promise<BuildResult> {
  if (!fs.existsSync(src)) throw new CompileError(`${src} does not exist`);
  const out = opts.out ?? src.replace(/\.c$/, '.o');
  const skel = opts.skel === undefined ? src.replace(/\.bpf\.c$|\.c$/, '') + '.skel.ts' : opts.skel;
  const arch = opts.arch ?? (process.arch === 'arm64' ? 'arm64' : 'x86_64');
  const hostArch = process.arch === 'arm64' ? 'arm64' : 'x86_64';
  targetArch(arch); // refuses unknown names
  if (arch !== hostArch && !opts.btf) {
    throw new CompileError(`building for ${arch} on ${hostArch} needs that architecture's kernel BTF: --btf FILE (e.g. /sys/kernel/btf/vmlinux copied from a ${arch} host)`);
  }
  const btf = opts.btf ?? KERNEL_BTF;
  let btfId: string;
  try {
    btfId = sha(fs.readFileSync(btf));
  } catch (e) {
    throw new CompileError(`cannot read kernel BTF ${btf}: ${(e as Error).message}; pass --btf FILE for a kernel without it`);
  }
  const key = sha(JSON.stringify({
    lcc: lccVersion(), compiler: opts.remote ? `remote ${opts.remote}` : clangVersion(findClang()),
    flags: codegenFlags({ arch, defines: opts.defines }), includes: (opts.includeDirs ?? []).map((d) => path.resolve(d)), btf: btfId, out: path.resolve(out),
  }));
  const skelKey = skel ? sha(JSON.stringify({ generator: generatorIdentity(), skel: path.resolve(skel), reference: !!opts.reference })) : null;
  const stampFile = stampPath(out);
  const stamp = readStamp(stampFile);
  const via = opts.remote ? 'remote' : 'local';
  const objectFresh = !opts.force && stamp !== null && unchanged(stamp, key);
  if (objectFresh && (skel === null || stamp.skelKey === skelKey)) return { object: out, skel, upToDate: true, via, warnings: [] };
  if (objectFresh && skel) {
    // only what makes the skeleton changed (a newer lcc, --reference, another path): the object stands
    await generateSkeleton(src, out, skel, arch, opts);
    writeStamp(stampFile, { ...stamp, skelKey, outputs: outputShas(out, skel) });
    return { object: out, skel, upToDate: true, skelRemade: true, via, warnings: [] };
  }

  // The object is made under a temporary name and the skeleton from it; both
  // take their names only once both exist, so a failed step (clang, or a
  // skeleton lcc refuses) leaves the last good outputs as they were.
  const pending = `${out}.${process.pid}.tmp`;
  let inputs: string[];
  let warnings: Diagnostic[] = [];
  let cache: string | undefined;
  try {
    if (opts.remote) {
      if (opts.defines?.length) throw new CompileError('-D with --remote: the compile service takes no defines; use const volatile globals set at load time');
      if (opts.includeDirs?.length) throw new CompileError('-I with --remote: the compile service receives the source and the headers beside it only; move the headers next to the source');
      const { collectSources, remoteCompile } = await import('../serve/client.js');
      const { request, files } = collectSources(src, arch as 'x86_64' | 'arm64');
      const r = await remoteCompile(opts.remote, request, path.dirname(path.resolve(src)));
      writeAtomic(pending, r.object);
      inputs = files;
      cache = r.cache;
    } else {
      const depfile = path.join(cacheDir(), 'builds', `${process.pid}.d`);
      fs.mkdirSync(path.dirname(depfile), { recursive: true });
      try {
        warnings = compileDetailed(src, { out: pending, btf: opts.btf, arch, defines: opts.defines, includeDirs: opts.includeDirs, depfile }).warnings;
        inputs = readDepfile(depfile).map((f) => path.resolve(f)).filter((f) => f !== path.resolve(pending));
      } finally {
        fs.rmSync(depfile, { force: true });
      }
    }
    if (skel) await generateSkeleton(src, pending, skel, arch, opts, out);
    fs.renameSync(pending, out);
  } finally {
    fs.rmSync(pending, { force: true });
  }
  const next: Stamp = { key, skelKey, inputs: {}, outputs: outputShas(out, skel) };
  for (const f of new Set([path.resolve(src), ...inputs])) next.inputs[f] = fingerprint(f);
  writeStamp(stampFile, next);
  return { object: out, skel, upToDate: false, via, cache, warnings };
}

/** The skeleton of `object`, written to `skel` only when whole; `objectAs`: the name the object will have. */
async function generateSkeleton(src: string, object: string, skel: string, arch: string, opts: BuildOptions, objectAs = object): Promise<void> {
  const { generate } = await import('../gen/index.js');
  // gen reads the source with the same macros clang saw, or an #ifdef __TARGET_ARCH_x would differ
  const defines = Object.fromEntries([`__TARGET_ARCH_${targetArch(arch)}`, ...(opts.defines ?? [])]
    .map((d) => (d.includes('=') ? [d.slice(0, d.indexOf('=')), d.slice(d.indexOf('=') + 1)] : [d, '1'])));
  const r = await generate(src, { out: skel, object, objectAs, reference: opts.reference, btf: opts.btf, defines });
  writeAtomic(skel, r.code);
}

function outputShas(out: string, skel: string | null): Stamp['outputs'] {
  return Object.fromEntries([out, ...(skel ? [skel] : [])].map((f) => [path.resolve(f), sha(fs.readFileSync(f))]));
}

function writeStamp(file: string, stamp: Stamp): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(stamp));
}
