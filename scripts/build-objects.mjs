// Build step: the BPF objects the package runs (doctor's probes, the examples'
// tools), each beside the compiled code that loads it. Rebuilt only when a
// source is newer than its object.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const objects = [
  ['lbc/probes/doctor.bpf.c', 'lbc/obj/doctor.bpf.o'],
  ['examples/execsnoop/execsnoop.bpf.c', 'dist/examples/execsnoop/execsnoop.bpf.o'],
  ['examples/pingtrace/pingtrace.bpf.c', 'dist/examples/pingtrace/pingtrace.bpf.o'],
  ['examples/bootstrap/bootstrap.bpf.c', 'dist/examples/bootstrap/bootstrap.bpf.o'],
];
const deps = [path.join(root, 'lbc/include/lbc.h')];
for (const [src, out] of objects) {
  const s = path.join(root, src);
  const o = path.join(root, out);
  const siblings = fs.readdirSync(path.dirname(s)).filter((f) => f.endsWith('.h')).map((f) => path.join(path.dirname(s), f));
  const newest = Math.max(...[s, ...deps, ...siblings].map((f) => fs.statSync(f).mtimeMs));
  if (fs.existsSync(o) && fs.statSync(o).mtimeMs >= newest) continue;
  fs.rmSync(o, { force: true });
  execFileSync(process.execPath, [path.join(root, 'bin/lcc.js'), 'build', s, '-o', o, '--no-gen'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
