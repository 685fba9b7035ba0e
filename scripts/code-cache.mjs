// Build step: V8's code cache for dist/lcc.cjs (see bin/lcc.js), made by one
// training run of `lcc gen` on pingtrace, so that it holds the functions a
// gen compiles as well as the bundle's top level. Runs after the objects are
// built (the run checks layouts against pingtrace's BTF, as a user's does).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lcc-code-cache-'));
try {
  execFileSync(path.join(root, 'bin/lcc.js'), [
    'gen', path.join(root, 'examples/pingtrace/pingtrace.bpf.c'),
    '--object', path.join(root, 'dist/examples/pingtrace/pingtrace.bpf.o'),
    '-o', path.join(tmp, 'pingtrace.skel.ts'),
  ], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LCC_CODE_CACHE: 'write' } });
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
