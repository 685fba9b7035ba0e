// Build step: pingtrace as a host gets it, made by lcc bundle itself: one
// file with its object inside, and koffi's native part (examples/pingtrace/dist).
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
execFileSync(process.execPath, [
  path.join(root, 'bin/lcc.js'), 'bundle', path.join(root, 'dist/examples/pingtrace/src/cli.js'),
  '-o', path.join(root, 'examples/pingtrace/dist'), '--name', 'pingtrace',
], { stdio: ['ignore', 'ignore', 'inherit'] });
