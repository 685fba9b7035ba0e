// The compile service runs clang on untrusted source inside bubblewrap: a
// fresh mount namespace holding only the compiler, the shared libraries it
// links, the shipped headers and the request's own directory, with no network,
// no other processes and resource limits set by prlimit. The include check in
// protocol.ts gives the clear message; this is what makes it true.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { which } from '../clang/compile.js';

export const IN = { src: '/src', lbc: '/lcc/include', vmlinux: '/lcc/vmlinux', sys: '/lcc/sys' } as const;

export interface ResourceLimits {
  /** address space, bytes */
  memory: number;
  /** largest file clang may write, bytes */
  fileSize: number;
  /** CPU seconds (the wall clock limit is the server's) */
  cpuSeconds: number;
}

export interface Sandbox {
  /** the command line that runs `clang args...` inside the sandbox */
  command(workDir: string, vmlinuxDir: string, clangArgs: string[], limits: ResourceLimits): { file: string; args: string[] };
}

/** The shared objects a binary loads, from ldd: [path as the loader asks for it, real file]. */
function sharedLibraries(binary: string): [string, string][] {
  const r = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ldd ${binary} failed: ${r.stderr}`);
  const out: [string, string][] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) out.push([m[1]!, fs.realpathSync(m[1]!)]);
  }
  return out;
}

export function bubblewrap(clang: string, dirs: { lbc: string; bpfHeaders: string }): Sandbox {
  const bwrap = which('bwrap');
  if (!bwrap) throw new Error('bwrap not found: the compile service runs clang in bubblewrap (apt-get install -y bubblewrap)');
  const prlimit = which('prlimit');
  if (!prlimit) throw new Error('prlimit not found (util-linux)');
  const clangPath = which(clang);
  if (!clangPath) throw new Error(`${clang} not found`);
  const real = fs.realpathSync(clangPath);
  // /usr/lib/llvm-N/bin/clang: the whole toolchain dir holds clang's builtin headers too
  const toolchain = path.dirname(path.dirname(real));
  const binds: string[] = ['--ro-bind', toolchain, toolchain];
  for (const [asked, file] of sharedLibraries(real)) {
    if (!asked.startsWith(toolchain)) binds.push('--ro-bind', file, asked);
  }
  binds.push('--ro-bind', dirs.lbc, IN.lbc, '--ro-bind', dirs.bpfHeaders, `${IN.sys}/bpf`);
  return {
    command(workDir, vmlinuxDir, clangArgs, limits) {
      return {
        file: prlimit,
        args: [
          `--as=${limits.memory}`, `--fsize=${limits.fileSize}`, `--cpu=${limits.cpuSeconds}`, `--core=0`, '--',
          bwrap, '--unshare-all', '--die-with-parent', '--new-session', '--clearenv', '--setenv', 'PATH', path.dirname(real),
          ...binds, '--ro-bind', vmlinuxDir, IN.vmlinux, '--bind', workDir, IN.src, '--dev', '/dev', '--tmpfs', '/tmp', '--chdir', IN.src,
          real, ...clangArgs,
        ],
      };
    },
  };
}
