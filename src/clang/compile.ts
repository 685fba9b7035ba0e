// .bpf.c → CO-RE .bpf.o with clang, against a vmlinux.h generated once per
// kernel BTF and cached. Used by `lcc build`, the compile service (which runs
// the same clang in its sandbox), the tests and the benchmarks.
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LBC_INCLUDE } from '../paths.js';
import { CompileError, mapFiles, parseDiagnostics, type Diagnostic } from './diagnostics.js';
import { replaceAtomic, writeAtomic } from '../fsutil.js';

export const KERNEL_BTF = '/sys/kernel/btf/vmlinux';

// defined with the diagnostics so the CLI can catch it without loading the compiler driver
export { CompileError };

export function cacheDir(): string {
  return process.env.LCC_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'lcc');
}

/** A program's path on PATH, or null. */
export function which(tool: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** clang's identity for cache keys: its version line changes with any upgrade */
export function clangVersion(clang = findClang()): string {
  const r = spawnSync(clang, ['--version'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n')[0]!.trim();
}

export function findClang(): string {
  for (const c of [process.env.LCC_CLANG, 'clang', 'clang-19', 'clang-18', 'clang-17', 'clang-16', 'clang-15', 'clang-14']) {
    if (c && which(c)) return c;
  }
  throw new CompileError('clang not found: install it (apt-get install -y clang) or use a compile service with --remote');
}

/** The directory holding vmlinux.h for a BTF file, generating it on first use. */
export function vmlinuxDir(btfPath = KERNEL_BTF): string {
  let btf: Buffer;
  try {
    btf = fs.readFileSync(btfPath);
  } catch (e) {
    throw new CompileError(`cannot read kernel BTF ${btfPath}: ${(e as Error).message}; pass --btf FILE for a kernel without it`);
  }
  const key = createHash('sha256').update(btf).digest('hex').slice(0, 16);
  const dir = path.join(cacheDir(), 'vmlinux', key);
  const header = path.join(dir, 'vmlinux.h');
  if (fs.existsSync(header)) return dir;
  if (!which('bpftool')) throw new CompileError('bpftool not found: install it (apt-get install -y bpftool) to generate vmlinux.h');
  fs.mkdirSync(dir, { recursive: true });
  const text = execFileSync('bpftool', ['btf', 'dump', 'file', btfPath, 'format', 'c'], { maxBuffer: 1 << 30 });
  writeAtomic(header, text); // a concurrent build never reads half a header
  return dir;
}

let sysIncludes: string[] | null = null;
/**
 * clang's own search list for the host, as -idirafter: `-target bpf` drops the
 * multiarch directories, so `<linux/bpf.h>` would miss `<asm/types.h>`.
 * libbpf-bootstrap's Makefile adds the same (CLANG_BPF_SYS_INCLUDES); coming
 * after every -I, they change nothing a source found before.
 */
export function systemIncludes(clang = findClang()): string[] {
  if (sysIncludes) return sysIncludes;
  const r = spawnSync(clang, ['-v', '-E', '-'], { input: '', encoding: 'utf8' });
  const text = r.stderr ?? '';
  const from = text.indexOf('<...> search starts here:');
  const to = text.indexOf('End of search list.', from);
  const dirs = from < 0 || to < 0 ? [] : text.slice(from, to).split('\n').slice(1).map((l) => l.trim()).filter((l) => l.startsWith('/'));
  sysIncludes = dirs.flatMap((d) => ['-idirafter', d]);
  return sysIncludes;
}

export function targetArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'x86', x86_64: 'x86', arm64: 'arm64', aarch64: 'arm64' };
  const a = map[arch];
  if (!a) throw new CompileError(`unsupported target architecture ${arch} (use x86_64 or arm64)`);
  return a;
}

export interface CompileOptions {
  out?: string;
  includeDirs?: string[];
  defines?: string[];
  btf?: string;
  arch?: string;
  extraFlags?: string[];
  /** BPF ISA level; v3 (kernel 5.12+ atomics) unless told otherwise */
  cpu?: string;
  /** write the list of files clang read (make syntax) here */
  depfile?: string;
  /** where lbc.h and vmlinux.h are, when not the package's and the cache's (the service's sandbox) */
  lbcInclude?: string;
  vmlinuxInclude?: string;
  /** -idirafter flags for the host's headers (default: the local clang's search list) */
  systemIncludes?: string[];
  /** check the source only (-fsyntax-only): no object is written */
  syntaxOnly?: boolean;
}

/** The flags that decide what clang produces, for cache keys and stamps. */
export function codegenFlags(opts: CompileOptions = {}): string[] {
  return ['-g', '-O2', '-target', 'bpf', `-mcpu=${opts.cpu ?? 'v3'}`, `-D__TARGET_ARCH_${targetArch(opts.arch)}`,
    ...(opts.defines ?? []).map((d) => `-D${d}`), ...(opts.extraFlags ?? [])];
}

export function clangArgs(src: string, out: string, opts: CompileOptions = {}): string[] {
  return [
    ...codegenFlags(opts),
    '-Wall', '-Wno-unused-variable', '-Wno-unused-function',
    // a misspelt helper is an undeclared function: an error here, not a load failure on the host
    '-Werror=implicit-function-declaration',
    '-I', path.dirname(path.resolve(src)),
    ...(opts.includeDirs ?? []).flatMap((d) => ['-I', d]),
    '-I', opts.lbcInclude ?? LBC_INCLUDE,
    '-I', opts.vmlinuxInclude ?? vmlinuxDir(opts.btf),
    ...(opts.systemIncludes ?? systemIncludes()),
    ...(opts.depfile ? ['-MD', '-MF', opts.depfile] : []),
    ...(opts.syntaxOnly ? ['-fsyntax-only', src] : ['-c', src, '-o', out]),
  ];
}

/** Headers found through -I come out absolute: name the user's own files as they would type them. */
function userPaths(diags: Diagnostic[]): Diagnostic[] {
  const cwd = process.cwd() + path.sep;
  return mapFiles(diags, (f) => (f.startsWith(cwd) ? f.slice(cwd.length) : f));
}

/** Compile; on failure the error carries clang's diagnostics (file:line:col: ...). */
export function compile(src: string, opts: CompileOptions = {}): string {
  return compileDetailed(src, opts).out;
}

/** Compile, returning the warnings clang printed on success too. */
export function compileDetailed(src: string, opts: CompileOptions = {}): { out: string; warnings: Diagnostic[] } {
  const out = opts.out ?? src.replace(/\.c$/, '.o');
  const stderr = replaceAtomic(out, (tmp) => {
    const r = spawnSync(findClang(), clangArgs(src, tmp, opts), { encoding: 'utf8' });
    if (r.status !== 0) throw new CompileError(`clang failed on ${src}`, userPaths(parseDiagnostics(r.stderr ?? '')), r.stderr ?? '');
    return r.stderr ?? '';
  });
  return { out, warnings: userPaths(parseDiagnostics(stderr)) };
}

/** The files a depfile (clang -MD) lists: the source and every header it read. */
export function readDepfile(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8').replace(/\\\n/g, ' ');
  const body = text.slice(text.indexOf(':') + 1);
  // make escapes spaces in names as "\ "
  return body.split(/(?<!\\)\s+/).filter(Boolean).map((f) => f.replace(/\\ /g, ' '));
}
