// Where the package's own files are, whether running from src/ (tsx, tests)
// or from dist/ (compiled): walk up to the directory holding lbc/include/lbc.h.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'lbc', 'include', 'lbc.h'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('lcc: cannot find the package root (lbc/include/lbc.h)');
    dir = up;
  }
}

export const ROOT = findRoot();
export const LBC_INCLUDE = path.join(ROOT, 'lbc', 'include');
export const DOCTOR_OBJECT = path.join(ROOT, 'lbc', 'obj', 'doctor.bpf.o');
