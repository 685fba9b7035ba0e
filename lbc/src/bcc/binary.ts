// Where BCC finds a binary it is given by name: a library by ldconfig's cache
// ("c" is libc.so.6), else a program on PATH ("python3").
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Exception } from '../py/exc.js';

/** a library by BCC's name ("c", "pthread") or a path: ldconfig's answer for this host */
export function findLibrary(name: string): string {
  if (name.includes('/')) return name;
  let cache = '';
  try {
    cache = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' });
  } catch {
    throw new Exception(`could not determine the path of library ${name}: ldconfig -p failed`);
  }
  const arch = process.arch === 'arm64' ? 'AArch64' : 'x86-64';
  const lines = cache.split('\n').filter((l) => l.trim().startsWith(`lib${name}.so`));
  const hit = lines.find((l) => l.includes(arch)) ?? lines[0];
  const p = hit?.split(' => ')[1]?.trim();
  if (!p) throw new Exception(`could not determine the path of library ${name}`);
  return p;
}

/** Whether a file is an ELF executable (a shell script on PATH, pyenv's shim, is not one BCC takes) */
function isElfExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    if (!fs.statSync(p).isFile()) return false;
    const fd = fs.openSync(p, 'r');
    try {
      const head = Buffer.alloc(4);
      return fs.readSync(fd, head, 0, 4, 0) === 4 && head.readUInt32BE(0) === 0x7f454c46;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** A uprobe's or USDT's binary: a path as it is, a library's name as ldconfig has it, else an ELF program on PATH */
export function findBinary(name: string): string {
  if (name.includes('/')) return name;
  try {
    return findLibrary(name);
  } catch (e) {
    for (const dir of (process.env['PATH'] ?? '').split(':').filter(Boolean)) {
      const p = path.join(dir, name);
      if (isElfExecutable(p)) return p;
    }
    throw e;
  }
}
